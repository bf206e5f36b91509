// The SARIF log is valid for code scanning: the official 2.1.0 schema,
// Microsoft's SARIF Multitool, the shape of fixes and suppressions, and the
// ESLint formatter. Also: `--concurrency` gives the same results.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { ESLint as ESLintTypes, Linter } from 'eslint';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SarifLog } from '../../src/sarif/build.js';
import { buildSarif, FINGERPRINT_KEY } from '../../src/sarif/build.js';
import { ensureBuilt, exampleDir, root, runCli, writeEslintConfig } from '../cli/harness.js';

const require = createRequire(import.meta.url);
const schemaPath = path.join(root, '../shared/sarif/sarif-schema-2.1.0.json');
const hasSchema = fs.existsSync(schemaPath);
if (!hasSchema) console.warn(`SKIPPED: SARIF schema validation: ${schemaPath} is absent.`);

/** The Multitool binary of the platform package, when npm installed it. */
function multitoolBinary(): string | undefined {
  try {
    const binary = require('@microsoft/sarif-multitool') as string;
    return fs.existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}
const multitool = multitoolBinary();
if (!multitool) console.warn('SKIPPED: SARIF Multitool validation: @microsoft/sarif-multitool has no binary for this platform.');

async function schemaValidator(): Promise<(log: unknown) => string[]> {
  // A CommonJS module: its class is the `default` of what `import()` gives.
  const { default: Ajv } = (await import('ajv-draft-04')).default;
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema's formats, checked rather than ignored.
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  ajv.addFormat('uri-reference', (value: string) => URL.canParse(value, 'file:///base/'));
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
  const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as object);
  return (log) => (validate(log) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`));
}

let cliLog: SarifLog;
let cliLogFile: string;
beforeAll(() => {
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handle-lifetime-sarif-'));
  cliLogFile = path.join(dir, 'results.sarif');
  expect(runCli(['--config', 'strict', '--format', 'sarif', '--output', cliLogFile]).status).toBe(1);
  cliLog = JSON.parse(fs.readFileSync(cliLogFile, 'utf8')) as SarifLog;
});

describe('validity', () => {
  it.skipIf(!hasSchema)('the CLI log is valid against the official SARIF 2.1.0 schema', async () => {
    expect(cliLog.runs[0].results.length).toBeGreaterThan(0);
    expect((await schemaValidator())(cliLog)).toEqual([]);
  });

  it.skipIf(!multitool)('the CLI log passes `Sarif.Multitool validate` with no error and no warning', () => {
    const output = path.join(path.dirname(cliLogFile), 'validation.sarif');
    const run = spawnSync(multitool!, ['validate', cliLogFile, '--output', output], {
      encoding: 'utf8',
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/\b(error|warning) SARIF\d+/);
    const validation = JSON.parse(fs.readFileSync(output, 'utf8')) as SarifLog;
    expect(validation.runs[0].results).toEqual([]);
  });
});

describe('buildSarif', () => {
  const source = ['const a = 1;', 'fix(me);', '', 'fix(me);', 'broken('].join('\n');
  const message = (line: number, extra: Partial<Linter.LintMessage> = {}): Linter.LintMessage => ({
    ruleId: 'handle-lifetime/no-leaked-handle',
    messageId: 'leak',
    message: 'A message.',
    severity: 2,
    line,
    column: 1,
    endLine: line,
    endColumn: 9,
    ...extra,
  });
  const lintResult = (messages: Linter.LintMessage[], suppressedMessages: Linter.SuppressedLintMessage[] = []): ESLintTypes.LintResult => ({
    filePath: path.join(root, 'src/example.ts'),
    messages,
    suppressedMessages,
    errorCount: messages.length,
    fatalErrorCount: 0,
    warningCount: 0,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    source,
    usedDeprecatedRules: [],
  });

  it('turns an autofix into a SARIF fix of character offsets, and leaves suggestions out', () => {
    const log = buildSarif(
      [
        lintResult([
          message(2, {
            fix: { range: [13, 21], text: 'fixed(me);' },
            suggestions: [{ desc: 'A suggestion.', fix: { range: [0, 1], text: 'x' } }],
          }),
          message(4, { suggestions: [{ desc: 'A suggestion.', fix: { range: [0, 1], text: 'x' } }] }),
        ]),
      ],
      { srcRoot: root },
    );
    const [fixable, suggestionOnly] = log.runs[0].results;
    expect(fixable.fixes).toEqual([
      {
        description: { text: 'Autofix of handle-lifetime/no-leaked-handle.' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'src/example.ts', uriBaseId: '%SRCROOT%' },
            replacements: [{ deletedRegion: { charOffset: 13, charLength: 8 }, insertedContent: { text: 'fixed(me);' } }],
          },
        ],
      },
    ]);
    expect(suggestionOnly.fixes).toBeUndefined();
  });

  it('tells repeated lines apart by occurrence, not by line number', () => {
    const [first, second] = buildSarif([lintResult([message(2), message(4)])], { srcRoot: root }).runs[0].results;
    expect(first.partialFingerprints[FINGERPRINT_KEY]).not.toBe(second.partialFingerprints[FINGERPRINT_KEY]);
    const moved = buildSarif([{ ...lintResult([message(3), message(5)]), source: `\n${source}` }], { srcRoot: root }).runs[0].results;
    expect(moved.map((result) => result.partialFingerprints)).toEqual([first.partialFingerprints, second.partialFingerprints]);
  });

  it('marks messages disabled in the source as suppressed and puts parse errors in the notifications', () => {
    const suppressed: Linter.SuppressedLintMessage = { ...message(2), suppressions: [{ kind: 'directive', justification: 'owned by the cache' }] };
    const fatal = message(5, { ruleId: null, fatal: true, message: 'Parsing error: ")" expected.' });
    const log = buildSarif([lintResult([fatal], [suppressed])], { srcRoot: root });
    expect(log.runs[0].results).toMatchObject([{ suppressions: [{ kind: 'inSource', justification: 'owned by the cache' }] }]);
    expect(log.runs[0].invocations[0].toolExecutionNotifications).toMatchObject([
      { level: 'error', message: { text: 'Parsing error: ")" expected.' }, locations: [{ physicalLocation: { region: { startLine: 5 } } }] },
    ]);
  });

  it('lists rules that the configuration of the run leaves off as disabled', () => {
    const rules = buildSarif([], { srcRoot: root, ruleLevels: { 'handle-lifetime/no-leaked-handle': 'warning' } }).runs[0].tool.driver.rules;
    expect(rules.find((rule) => rule.id === 'handle-lifetime/no-leaked-handle')?.defaultConfiguration).toEqual({ level: 'warning' });
    expect(rules.find((rule) => rule.id === 'handle-lifetime/no-double-release')?.defaultConfiguration).toEqual({ enabled: false, level: 'error' });
  });
});

describe('the ESLint formatter (dist/sarif/formatter.js)', () => {
  let results: ESLintTypes.LintResult[];
  let eslint: ESLint;
  beforeAll(async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handle-lifetime-formatter-'));
    eslint = new ESLint({ cwd: exampleDir, overrideConfigFile: writeEslintConfig(configDir, 'strict', exampleDir) });
    results = await eslint.lintFiles(['src']);
  });

  it('loads by path, as `eslint -f <path>` does, and writes SARIF with the lines each message names', async () => {
    const formatter = await eslint.loadFormatter(path.join(root, 'dist/sarif/formatter.js'));
    const log = JSON.parse(await formatter.format(results)) as SarifLog;
    const overwritten = log.runs[0].results.find(
      (result) => result.ruleId === 'handle-lifetime/no-leaked-handle' && result.locations[0].physicalLocation.region?.startLine === 39,
    );
    expect(overwritten?.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'examples/wasm-image/src/pipeline.ts', uriBaseId: '%SRCROOT%' });
    expect(overwritten?.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: { artifactLocation: { uri: 'examples/wasm-image/src/pipeline.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 41 } },
        message: { text: 'overwritten while still owned' },
      },
    ]);
    const doubleRelease = log.runs[0].results.find((result) => result.ruleId === 'handle-lifetime/no-double-release');
    expect(doubleRelease?.relatedLocations?.map((location) => [location.physicalLocation.region, location.message?.text])).toEqual([
      [{ startLine: 63 }, 'released here'],
    ]);
    if (hasSchema) expect((await schemaValidator())(log)).toEqual([]);
  });

  it('gives the same results, messages and fingerprints as the CLI', async () => {
    const formatter = await eslint.loadFormatter(path.join(root, 'dist/sarif/formatter.js'));
    const log = JSON.parse(await formatter.format(results)) as SarifLog;
    const summary = (sarif: SarifLog): string[] =>
      sarif.runs[0].results.map((result) => `${result.ruleId} ${result.message.text} ${result.partialFingerprints[FINGERPRINT_KEY]}`).sort();
    expect(summary(log)).toEqual(summary(cliLog)); // both ran `strict`
  });
});

describe('eslint --concurrency', () => {
  it('gives the same results with two workers as in one thread', async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handle-lifetime-concurrency-'));
    const overrideConfigFile = writeEslintConfig(configDir, 'strict', exampleDir);
    const lint = async (concurrency: 'off' | number): Promise<string[]> => {
      const results = await new ESLint({ cwd: exampleDir, overrideConfigFile, concurrency }).lintFiles(['src']);
      return results.flatMap((result) =>
        result.messages.map((message) => `${path.relative(exampleDir, result.filePath)}:${message.line}:${message.column} ${message.ruleId} ${message.message}`),
      );
    };
    const single = await lint('off');
    expect(single.length).toBeGreaterThanOrEqual(9);
    expect(await lint(2)).toEqual(single);
  });
});
