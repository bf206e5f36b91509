/**
 * `handle-lifetime`: the plugin as a CI gate. Lints a tsconfig project
 * through ESLint's Node API with typed linting and the plugin's preset (or
 * the project's own eslint.config), and reports as text, JSON, SARIF or HTML.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Linter } from 'eslint';
import { ESLint } from 'eslint';
import plugin from '../index.js';
import { buildSarif } from '../sarif/build.js';
import type { SarifLevel } from '../sarif/build.js';
import { repositoryRoot } from '../sarif/repository-root.js';
import { formatHtml } from './format-html.js';
import { formatText } from './format-text.js';
import type { CliOptions } from './options.js';
import { parseOptions, usage, UsageError } from './options.js';
import type { ProgressStream } from './progress.js';
import { Progress } from './progress.js';
import { loadProject, selectFiles } from './project.js';
import { createTraceCollector } from './trace-collector.js';

export interface CliIO {
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream;
  /** Progress goes here when it is a terminal (`isTTY`). */
  readonly stderr: NodeJS.WritableStream & ProgressStream;
}

const sourceFiles = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'];

/** Runs the CLI; resolves to the exit status. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const progress = new Progress(io.stderr);
  try {
    const options = parseOptions(argv);
    if (options.help) {
      io.stdout.write(`${usage}\n`);
      return 0;
    }
    if (options.version) {
      io.stdout.write(`${plugin.meta.version}\n`);
      return 0;
    }
    return await lint(options, io, progress);
  } catch (error) {
    const message = error instanceof UsageError ? error.message : firstLine(error);
    progress.clear();
    io.stderr.write(`handle-lifetime: ${message}\n`);
    return 2;
  } finally {
    progress.clear();
  }
}

async function lint(options: CliOptions, io: CliIO, progress: Progress): Promise<number> {
  progress.show('loading the project');
  const project = loadProject(path.resolve(io.cwd, options.project));
  const files = selectFiles(project, options.paths, io.cwd);
  const linted = new Set<string>();
  const collector = createTraceCollector({
    // A file's rules start once it is parsed; the first parse builds the TypeScript program.
    onFileStart: () => progress.count('linting', files.length),
    onFileDone: (file) => {
      if (linted.has(file)) return;
      linted.add(file);
      progress.tick();
    },
  });
  const eslintCwd = commonDirectory([io.cwd, ...files]);

  const ownConfig: Linter.Config[] = options.useEslintConfig
    ? []
    : [
        {
          name: 'handle-lifetime-cli/typed-linting',
          files: sourceFiles,
          languageOptions: {
            parser: await loadParser(),
            parserOptions: {
              project: [project.tsconfigPath],
              tsconfigRootDir: path.dirname(project.tsconfigPath),
              // With CI=true typescript-eslint parses a file a second time in one process as a fix pass, without
              // types: a second run (the API, a --fix pass) would lose every typed finding.
              disallowAutomaticSingleRunInference: true,
            },
          },
          // Directives for rules of the user's own config are not ours to judge.
          linterOptions: { reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' },
        },
        { ...(plugin.configs[options.config] as Linter.Config), files: sourceFiles },
      ];
  const suppressionsLocation = suppressionsFile(options, io.cwd);
  const eslint = new ESLint({
    cwd: eslintCwd,
    overrideConfigFile: options.useEslintConfig ? undefined : true,
    overrideConfig: [...ownConfig, { ...collector.config, files: sourceFiles }],
    fix: options.fix,
    errorOnUnmatchedPattern: false,
    warnIgnored: false,
    ...(suppressionsLocation ? { applySuppressions: true, suppressionsLocation } : {}),
  });

  progress.show('building the TypeScript program');
  let results = await eslint.lintFiles(files);
  if (options.fix) {
    progress.show('writing fixes');
    await ESLint.outputFixes(results);
  }
  // With the preset, report the plugin's rules only (and parse errors): the user's
  // inline directives may name rules this run does not load.
  if (!options.useEslintConfig) results = results.map(onlyOwnMessages);
  if (options.quiet) results = results.map(onlyErrors);

  progress.show('writing the report');
  const report = await render(options, results, {
    cwd: io.cwd,
    traceOf: collector.traceOf,
    ruleLevels: await ruleLevelsOf(eslint, files[0]),
    rulesMeta: eslint.getRulesMetaForResults(results),
  });
  progress.clear();
  if (options.output) {
    const output = path.resolve(io.cwd, options.output);
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, report);
  } else {
    io.stdout.write(report);
  }

  const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
  const warnings = results.reduce((sum, result) => sum + result.warningCount, 0);
  if (errors > 0) return 1;
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    io.stderr.write(`handle-lifetime: ${warnings} warnings, more than --max-warnings ${options.maxWarnings}\n`);
    return 1;
  }
  return 0;
}

interface RenderContext {
  readonly cwd: string;
  readonly traceOf: ReturnType<typeof createTraceCollector>['traceOf'];
  readonly ruleLevels: Record<string, SarifLevel>;
  /** Metadata of every rule in the results (with --use-eslint-config, other plugins' too). */
  readonly rulesMeta: ReturnType<ESLint['getRulesMetaForResults']>;
}

async function render(options: CliOptions, results: ESLint.LintResult[], context: RenderContext): Promise<string> {
  if (options.format === 'text') return formatText(results, context);
  if (options.format === 'html') {
    return formatHtml(results, {
      ...context,
      toolVersion: plugin.meta.version,
      configuration: options.useEslintConfig ? "the project's ESLint config" : `${options.config} preset`,
    });
  }
  if (options.format === 'json') {
    // Without `source`: the files are on disk, and a large report gets no larger.
    const json = results.map((result) => ({
      ...result,
      source: undefined,
      messages: result.messages.map((message) => ({ ...message, trace: context.traceOf(result.filePath, message) ?? [] })),
    }));
    return `${JSON.stringify(json, null, 2)}\n`;
  }
  const log = buildSarif(results, {
    srcRoot: repositoryRoot(context.cwd),
    rulesMeta: context.rulesMeta,
    ruleLevels: context.ruleLevels,
    traceOf: context.traceOf,
  });
  return `${JSON.stringify(log, null, 2)}\n`;
}

function onlyOwnMessages(result: ESLint.LintResult): ESLint.LintResult {
  return keepMessages(result, (message) => message.fatal === true || (message.ruleId?.startsWith('handle-lifetime/') ?? false));
}

/** `--quiet`: errors only (unlike ESLint.getErrorResults, every file stays in the count). */
function onlyErrors(result: ESLint.LintResult): ESLint.LintResult {
  return keepMessages(result, (message) => message.severity === 2);
}

function keepMessages(result: ESLint.LintResult, keep: (message: Linter.LintMessage) => boolean): ESLint.LintResult {
  const messages = result.messages.filter(keep);
  if (messages.length === result.messages.length) return result;
  const count = (severity: number, fixable: boolean): number =>
    messages.filter((message) => message.severity === severity && (!fixable || message.fix)).length;
  return {
    ...result,
    messages,
    suppressedMessages: result.suppressedMessages.filter(keep),
    errorCount: count(2, false),
    warningCount: count(1, false),
    fatalErrorCount: messages.filter((message) => message.fatal).length,
    fixableErrorCount: count(2, true),
    fixableWarningCount: count(1, true),
  };
}

/** The level of each of the plugin's rules in the configuration of the run (for SARIF's `defaultConfiguration`). */
async function ruleLevelsOf(eslint: ESLint, file: string | undefined): Promise<Record<string, SarifLevel>> {
  const levels: Record<string, SarifLevel> = {};
  if (!file) return levels;
  const config = (await eslint.calculateConfigForFile(file)) as Linter.Config | undefined;
  for (const [ruleId, entry] of Object.entries(config?.rules ?? {})) {
    if (!ruleId.startsWith('handle-lifetime/') || entry === undefined) continue;
    const severity = Array.isArray(entry) ? entry[0] : entry;
    if (severity === 2 || severity === 'error') levels[ruleId] = 'error';
    else if (severity === 1 || severity === 'warn') levels[ruleId] = 'warning';
  }
  return levels;
}

/** The bulk suppressions to apply: the one named, which must exist, or eslint-suppressions.json if there is one. */
function suppressionsFile(options: CliOptions, cwd: string): string | undefined {
  if (options.suppressions !== undefined) {
    const file = path.resolve(cwd, options.suppressions);
    if (!fs.existsSync(file)) throw new UsageError(`cannot find the suppressions file ${options.suppressions}`);
    return file;
  }
  const defaultFile = path.join(cwd, 'eslint-suppressions.json');
  return fs.existsSync(defaultFile) ? defaultFile : undefined;
}

/** typescript-eslint's parser: a dependency of `typescript-eslint`, which typed linting needs anyway. */
async function loadParser(): Promise<Linter.Parser> {
  try {
    return (await import('@typescript-eslint/parser')) as unknown as Linter.Parser;
  } catch {
    throw new UsageError('cannot load @typescript-eslint/parser: install it with `npm i -D typescript-eslint`');
  }
}

/** The deepest directory containing every path: ESLint lints nothing outside its cwd. */
function commonDirectory(paths: readonly string[]): string {
  let common = path.resolve(paths[0]);
  for (const file of paths.slice(1)) {
    while (common !== path.dirname(common) && !(file === common || file.startsWith(common + path.sep))) common = path.dirname(common);
  }
  return common;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim().split('\n')[0];
}
