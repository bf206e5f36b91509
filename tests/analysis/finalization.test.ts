// The finalizer analysis without ESLint: the release-name convention for
// generated glue, the per-file cache, and what it counts.
import path from 'node:path';
import { parseForESLint } from '@typescript-eslint/parser';
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import type { ParserServicesWithTypeInformation, TSESTree } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';
import { analyzeFinalizers, handleModelFor, RELEASE_CALL_NAME } from '../../src/analysis/index.js';
import { fixturesDir } from './harness.js';

function analyze(code: string) {
  const parsed = parseForESLint(code, {
    filePath: path.join(fixturesDir, 'file.ts'),
    tsconfigRootDir: fixturesDir,
    project: './tsconfig.json',
    // With CI=true typescript-estree would assume a single run and read file.ts from disk, not this code.
    disallowAutomaticSingleRunInference: true,
    range: true,
    loc: true,
  });
  const services = parsed.services as ParserServicesWithTypeInformation;
  const input = { ast: parsed.ast as TSESTree.Program, services, scopeManager: parsed.scopeManager as ScopeManager };
  return { input, model: handleModelFor(services.program) };
}

describe('RELEASE_CALL_NAME', () => {
  it.each(['__wbg_tiktoken_free', '_free', 'free', 'freeSized', '_ts_tree_delete', 'context_destroy', 'buffer_release'])('%s releases', (name) => {
    expect(RELEASE_CALL_NAME.test(name)).toBe(true);
  });
  it.each(['freeze', 'delete', 'dispose', '_ts_tree_cursor_delete_wasm', 'unfree', 'release'])('%s does not', (name) => {
    expect(RELEASE_CALL_NAME.test(name)).toBe(false);
  });
});

describe('analyzeFinalizers', () => {
  const code = `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr);
  }
  dispose(): void {
    registry.unregister(this);
    free(this.ptr);
  }
}
`;

  it('runs once per file: a second call returns the same result', () => {
    const { input, model } = analyze(code);
    expect(analyzeFinalizers(input, model)).toBe(analyzeFinalizers(input, model));
  });

  it('finds the registration, the unguarded registration and the no-op unregister', () => {
    const { input, model } = analyze(code);
    const result = analyzeFinalizers(input, model);
    expect(result.registrations).toBe(1);
    expect(result.findings.map((finding) => `${finding.kind}@${finding.node.loc.start.line}`)).toEqual([
      'register-without-token@7',
      'unregister-unknown-token@10',
    ]);
  });

  it('reports nothing on a file without registries', () => {
    const { input, model } = analyze(`export const x = [1, 2].map((n) => n + 1);\n`);
    expect(analyzeFinalizers(input, model)).toEqual({ findings: [], registrations: 0 });
  });
});
