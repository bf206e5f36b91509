// End to end: the `handle-lifetime` bin as a subprocess on examples/wasm-image,
// as a CI gate runs it. The example's README lists the planted bugs.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SarifLog } from '../../src/sarif/build.js';
import { FINGERPRINT_KEY } from '../../src/sarif/build.js';
import { copyOfExample, ensureBuilt, root, runCli, writeEslintConfig } from './harness.js';

beforeAll(ensureBuilt);

type SarifResult = SarifLog['runs'][number]['results'][number];

function resultAt(log: SarifLog, file: string, line: number, ruleId: string): SarifResult {
  const found = log.runs[0].results.find(
    (result) =>
      result.ruleId === ruleId &&
      result.locations[0].physicalLocation.artifactLocation.uri.endsWith(file) &&
      result.locations[0].physicalLocation.region?.startLine === line,
  );
  if (!found) throw new Error(`no ${ruleId} result at ${file}:${line}`);
  return found;
}

/** [line, message] of each related location. */
function relatedSites(result: SarifResult): [number | undefined, string | undefined][] {
  return (result.relatedLocations ?? []).map((location) => [location.physicalLocation.region?.startLine, location.message?.text]);
}

describe('text output', () => {
  it('lists each finding with the lines of its trace and exits 1', () => {
    const { status, stdout, stderr } = runCli([]);
    expect(status).toBe(1);
    expect(stderr).toBe(''); // progress goes to stderr only on a terminal
    expect(stdout).toContain('src/heap.ts\n');
    expect(stdout).toMatch(
      /^ {2}24:33 +error +`ptr` is used after it was released at line 23: .*handle-lifetime\/no-use-after-release\n +23:3 +released\n +24:33 +used$/m,
    );
    expect(stdout).toMatch(
      /^ {2}65:7 +error +`image` is released again here .*handle-lifetime\/no-double-release\n +59:19 +acquired\n +63:7 +released\n +65:7 +released again$/m,
    );
    expect(stdout).toMatch(/^ {2}85:19 +error .*\n +85:19 +acquired\n +87:25 +returns without releasing it$/m);
    expect(stdout).toMatch(/^\d+ problems \(\d+ errors, 0 warnings\) in 5 files\.$/m);
  });

  it('adds exception paths with --config strict', () => {
    expect(runCli(['src/pipeline.ts']).stdout).not.toContain('50:17');
    const { status, stdout } = runCli(['--config', 'strict', 'src/pipeline.ts']);
    expect(status).toBe(1);
    expect(stdout).toMatch(/^ {2}50:17 +error +`small` leaks if `small.encodePng` at line 51 throws.*\n +50:17 +acquired\n +51:\d+ +may throw here$/m);
  });

  it('exits 0 on a clean file', () => {
    const { status, stdout, stderr } = runCli(['src/cache.ts']);
    expect({ status, stdout, stderr }).toEqual({ status: 0, stdout: 'No handle lifetime problems in 1 file.\n', stderr: '' });
  });
});

describe('usage and configuration errors exit 2 with one line', () => {
  it.each([
    [['--bogus'], "handle-lifetime: unknown option '--bogus'"],
    [['--project', 'missing.json'], 'handle-lifetime: cannot find the TypeScript project'],
    [['--config', 'lax'], "handle-lifetime: --config must be one of recommended, strict, all, not 'lax'"],
    [['--format', 'xml'], "handle-lifetime: --format must be one of text, json, sarif, html, not 'xml'"],
    [['--max-warnings', 'many'], "handle-lifetime: --max-warnings needs a whole number, not 'many'"],
    [['--output'], "handle-lifetime: option '--output' needs a value"],
    [['no-such-dir'], "handle-lifetime: no files matched 'no-such-dir': no such file or directory"],
    [['tsconfig.json'], "handle-lifetime: no files matched 'tsconfig.json': it has no source files of the project tsconfig.json"],
  ])('%j', (args, message) => {
    const { status, stdout, stderr } = runCli(args);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.startsWith(message)).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('prints usage with --help and exits 0', () => {
    const { status, stdout } = runCli(['--help']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: handle-lifetime \[paths…\] \[options\]/);
  });
});

describe('SARIF output', () => {
  let log: SarifLog;
  beforeAll(() => {
    const { status, stdout } = runCli(['--format', 'sarif']);
    expect(status).toBe(1);
    log = JSON.parse(stdout) as SarifLog;
  });

  it('describes the tool and every rule of the plugin', async () => {
    const { default: plugin } = await import('../../src/index.js');
    const driver = log.runs[0].tool.driver;
    expect(driver).toMatchObject({ name: 'handle-lifetime', version: plugin.meta.version, semanticVersion: plugin.meta.version });
    expect(driver.informationUri).toMatch(/^https:\/\//);
    for (const name of Object.keys(plugin.rules)) {
      const rule = driver.rules.find((candidate) => candidate.id === `handle-lifetime/${name}`);
      expect(rule, name).toBeDefined();
      expect(rule!.name).not.toBe(rule!.id);
      expect(rule!.helpUri).toMatch(new RegExp(`/docs/rules/${name}\\.md$`));
      // The page itself, without its generated header (the integrity test makes every rule have one).
      if (fs.existsSync(path.join(root, 'docs/rules', `${name}.md`))) expect(rule!.help?.markdown).toContain('## Examples');
      expect(rule!.help?.markdown ?? '').not.toContain('<!-- end auto-generated rule header -->');
      expect(rule!.shortDescription.text).toMatch(/^(Enforce|Require|Disallow) .*\.$/);
      expect(rule!.fullDescription.text).toMatch(/\w.*[.:]$/);
      expect(rule!.defaultConfiguration.level).toBe('error');
      expect(rule!.properties).toMatchObject({ tags: expect.arrayContaining(['reliability']), precision: expect.any(String) });
      expect(rule!.properties['problem.severity']).toMatch(/^(error|warning|recommendation)$/);
    }
  });

  it('locates results under %SRCROOT%, the repository root, and indexes their rules', () => {
    const run = log.runs[0];
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe(`${pathToFileURL(root).href}/`);
    const result = resultAt(log, 'src/heap.ts', 24, 'handle-lifetime/no-use-after-release');
    expect(result.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'examples/wasm-image/src/heap.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 24, startColumn: 33, endLine: 24, endColumn: 36 },
    });
    for (const each of run.results) expect(run.tool.driver.rules[each.ruleIndex].id).toBe(each.ruleId);
    expect(result.level).toBe('error');
    expect(result.message.text).toContain('used after it was released at line 23');
  });

  it('gives every site of the trace as a related location and a code flow', () => {
    const useAfterRelease = resultAt(log, 'src/heap.ts', 24, 'handle-lifetime/no-use-after-release');
    expect(relatedSites(useAfterRelease)).toEqual([
      [23, 'released here'],
      [24, 'used here'],
    ]);
    const doubleRelease = resultAt(log, 'src/pipeline.ts', 65, 'handle-lifetime/no-double-release');
    expect(relatedSites(doubleRelease)).toEqual([
      [59, 'acquired here'],
      [63, 'released here'],
      [65, 'released again here'],
    ]);
    const flow = doubleRelease.codeFlows![0].threadFlows[0].locations;
    expect(flow.map((step) => [step.location.physicalLocation.region?.startLine, step.kinds])).toEqual([
      [59, ['acquire']],
      [63, ['release']],
      [65, ['release']],
    ]);
    const earlyReturn = resultAt(log, 'src/image.ts', 85, 'handle-lifetime/no-leaked-handle');
    expect(relatedSites(earlyReturn)).toEqual([
      [85, 'acquired here'],
      [87, 'returns without releasing it'],
    ]);
    const overwritten = resultAt(log, 'src/pipeline.ts', 39, 'handle-lifetime/no-leaked-handle');
    expect(relatedSites(overwritten)).toEqual([
      [39, 'acquired here'],
      [41, 'overwritten while still owned'],
    ]);
  });

  it('fingerprints each result without line numbers', () => {
    const fingerprints = log.runs[0].results.map((result) => result.partialFingerprints[FINGERPRINT_KEY]);
    for (const fingerprint of fingerprints) expect(fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });

  it('has no fixes: none of the rules autofixes, and suggestions are not fixes', () => {
    for (const result of log.runs[0].results) expect(result.fixes).toBeUndefined();
  });
});

describe('on a copy of the example', () => {
  it('keeps fingerprints when unrelated lines move', () => {
    const dir = copyOfExample();
    const fingerprintsOf = (): Map<string, string> => {
      const log = JSON.parse(runCli(['-f', 'sarif'], dir).stdout) as SarifLog;
      return new Map(
        log.runs[0].results.map((result) => [
          result.partialFingerprints[FINGERPRINT_KEY],
          `${result.locations[0].physicalLocation.artifactLocation.uri}:${result.locations[0].physicalLocation.region?.startLine}`,
        ]),
      );
    };
    const before = fingerprintsOf();
    const pipeline = path.join(dir, 'src/pipeline.ts');
    fs.writeFileSync(pipeline, `// A comment\n// that moves\n// every line.\n${fs.readFileSync(pipeline, 'utf8')}`);
    const after = fingerprintsOf();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [fingerprint, where] of before) {
      const [file, line] = where.split(':');
      expect(after.get(fingerprint)).toBe(file === 'src/pipeline.ts' ? `${file}:${Number(line) + 3}` : where);
    }
  });

  it('writes the report to --output, JSON with the traces', () => {
    const dir = copyOfExample();
    const { status, stdout } = runCli(['--format', 'json', '--output', 'reports/lint.json'], dir);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    const results = JSON.parse(fs.readFileSync(path.join(dir, 'reports/lint.json'), 'utf8')) as {
      filePath: string;
      messages: { line: number; ruleId: string; trace: { label: string; line: number }[] }[];
    }[];
    const heap = results.find((result) => result.filePath.endsWith('heap.ts'))!;
    expect(heap.messages[0]).toMatchObject({
      line: 24,
      ruleId: 'handle-lifetime/no-use-after-release',
      trace: [
        { label: 'released', line: 23 },
        { label: 'used', line: 24 },
      ],
    });
  });

  it('--fix changes nothing: no rule autofixes, and suggestions are never applied', () => {
    const dir = copyOfExample();
    const read = (): string[] => ['heap.ts', 'image.ts', 'pipeline.ts'].map((file) => fs.readFileSync(path.join(dir, 'src', file), 'utf8'));
    const before = read();
    expect(runCli(['--fix'], dir).status).toBe(1);
    expect(read()).toEqual(before);
  });

  it("applies ESLint's bulk suppressions (eslint --suppress-all): gone from the gate, suppressed in SARIF", () => {
    const dir = copyOfExample();
    const baseline = { 'src/heap.ts': { 'handle-lifetime/no-use-after-release': { count: 1 } } };
    fs.writeFileSync(path.join(dir, 'eslint-suppressions.json'), JSON.stringify(baseline));
    expect(runCli(['src/heap.ts'], dir)).toMatchObject({ status: 0, stdout: 'No handle lifetime problems in 1 file.\n' });
    const log = JSON.parse(runCli(['src/heap.ts', '-f', 'sarif'], dir).stdout) as SarifLog;
    expect(log.runs[0].results).toMatchObject([{ ruleId: 'handle-lifetime/no-use-after-release', suppressions: [{ kind: 'external' }] }]);
    expect(runCli(['src/heap.ts', '--suppressions', 'elsewhere.json'], dir)).toMatchObject({
      status: 2,
      stderr: 'handle-lifetime: cannot find the suppressions file elsewhere.json\n',
    });
  });

  it('uses the project eslint.config with --use-eslint-config; --max-warnings and --quiet gate warnings', () => {
    const dir = copyOfExample();
    writeEslintConfig(dir, 'all-warn');
    const warnings = runCli(['--use-eslint-config'], dir);
    expect(warnings.status).toBe(0);
    expect(warnings.stdout).toMatch(/^ {2}24:33 +warning +`ptr` is used after it was released.*\n +23:3 +released$/m);
    expect(warnings.stdout).toMatch(/^\d+ problems \(0 errors, \d+ warnings\) in 5 files\.$/m);

    const overLimit = runCli(['--use-eslint-config', '--max-warnings', '0'], dir);
    expect(overLimit.status).toBe(1);
    expect(overLimit.stderr).toMatch(/^handle-lifetime: \d+ warnings, more than --max-warnings 0\n$/);

    const quiet = runCli(['--use-eslint-config', '--quiet', '--max-warnings', '0'], dir);
    expect(quiet).toMatchObject({ status: 0, stdout: 'No handle lifetime problems in 5 files.\n' });
  });
});
