// The evidence of a handle inferred from usage reaches the CLI's outputs: in SARIF as related
// locations with file, line and column (other files' too), outside the code flow; the text
// output keeps it to the message's words.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SarifLog } from '../../src/sarif/build.js';
import { EVIDENCE_LABEL } from '../../src/sarif/trace.js';
import { ensureBuilt, runCli } from './harness.js';

beforeAll(ensureBuilt);

/** A project whose `buffers.ts` frees what `Module._malloc` returns in five functions, and whose `leaky.ts` does not. */
function projectWithEvidenceElsewhere(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handle-lifetime-inferred-'));
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022', noEmit: true }, include: ['src'] }),
    'src/module.ts': 'export declare const Module: any;\n',
    'src/buffers.ts': `import { Module } from './module';
export function hash(n: number) { const p = Module._malloc(n); const h = Module._hash(p, n); Module._free(p); return h; }
export function crc(n: number) { const p = Module._malloc(n); const c = Module._crc(p, n); Module._free(p); return c; }
export function sum(n: number) { const p = Module._malloc(n); const s = Module._sum(p, n); Module._free(p); return s; }
export function zero(n: number) { const p = Module._malloc(n); Module._zero(p, n); Module._free(p); }
export function copy(n: number) { const p = Module._malloc(n); try { return Module._copy(p, n); } finally { Module._free(p); } }
`,
    'src/leaky.ts': `import { Module } from './module';
export function leaky(n: number) { const p = Module._malloc(n); return Module._hash(p, n); }
`,
    'src/runner.ts': `import { Module } from './module';
export class Runner {
  audio: any;
  grow(n: number) { this.audio = Module._malloc(n); }
}
`,
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('evidence of an inferred handle', () => {
  it('is in SARIF as related locations in the file it is in, with line and column, and not in the code flow', () => {
    const dir = projectWithEvidenceElsewhere();
    const { stdout } = runCli(['--format', 'sarif', 'src/leaky.ts'], dir);
    const log = JSON.parse(stdout) as SarifLog;
    const leak = log.runs[0].results.find((result) => result.ruleId === 'handle-lifetime/no-leaked-handle');
    expect(leak?.message.text).toContain('Inferred from usage: values of `Module._malloc()` are released by `Module._free()` in 5 of the 6 functions that make one (buffers.ts:2, buffers.ts:3, buffers.ts:4)');
    const evidence = (leak?.relatedLocations ?? []).filter((location) => location.message?.text === EVIDENCE_LABEL);
    expect(evidence.map((location) => [location.physicalLocation.artifactLocation.uri, location.physicalLocation.region])).toEqual([
      ['src/buffers.ts', { startLine: 2, startColumn: 94, endLine: 2, endColumn: 109 }],
      ['src/buffers.ts', { startLine: 3, startColumn: 92, endLine: 3, endColumn: 107 }],
      ['src/buffers.ts', { startLine: 4, startColumn: 92, endLine: 4, endColumn: 107 }],
    ]);
    const flow = leak?.codeFlows?.[0].threadFlows[0].locations ?? [];
    expect(flow.length).toBeGreaterThan(0);
    expect(flow.every((step) => step.location.physicalLocation.artifactLocation.uri === 'src/leaky.ts')).toBe(true);
  });

  it('is in SARIF for an owned field inferred from usage too', () => {
    const dir = projectWithEvidenceElsewhere();
    const log = JSON.parse(runCli(['--format', 'sarif', 'src/runner.ts'], dir).stdout) as SarifLog;
    const owned = log.runs[0].results.find((result) => result.ruleId === 'handle-lifetime/require-owned-field-release');
    expect(owned?.message.text).toContain('Inferred from usage: values of `Module._malloc()` are released by `Module._free()` in 5 of the 6 functions that make one (buffers.ts:2, buffers.ts:3, buffers.ts:4).');
    expect(owned?.relatedLocations?.map((location) => [location.physicalLocation.artifactLocation.uri, location.physicalLocation.region?.startLine])).toEqual([
      ['src/buffers.ts', 2],
      ['src/buffers.ts', 3],
      ['src/buffers.ts', 4],
    ]);
    expect(owned?.codeFlows).toBeUndefined();
  });

  it('stays in the words of the message in the text output', () => {
    const dir = projectWithEvidenceElsewhere();
    const { stdout } = runCli(['src/leaky.ts'], dir);
    expect(stdout).toContain('(buffers.ts:2, buffers.ts:3, buffers.ts:4)');
    expect(stdout).not.toContain(EVIDENCE_LABEL);
  });
});
