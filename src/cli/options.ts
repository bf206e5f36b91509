/** The command line of `handle-lifetime`, parsed and checked; a bad one is a one-line `UsageError`. */
import { parseArgs } from 'node:util';

export const presets = ['recommended', 'strict', 'all'] as const;
export const formats = ['text', 'json', 'sarif', 'html'] as const;

export interface CliOptions {
  /** Files and directories to lint; empty: every file of the tsconfig project. */
  readonly paths: readonly string[];
  readonly project: string;
  readonly config: (typeof presets)[number];
  readonly format: (typeof formats)[number];
  readonly output?: string;
  readonly fix: boolean;
  readonly maxWarnings?: number;
  readonly quiet: boolean;
  readonly useEslintConfig: boolean;
  /** ESLint's bulk suppressions file (`eslint --suppress-all`); default: eslint-suppressions.json when it exists. */
  readonly suppressions?: string;
  readonly help: boolean;
  readonly version: boolean;
}

/** A mistake in the command line or the project setup: exit status 2, one line on stderr. */
export class UsageError extends Error {}

export const usage = `Usage: handle-lifetime [paths…] [options]

Finds unsafe lifetimes of native handles (use after release, double release,
leaks) in a TypeScript project, with no ESLint config needed.

Arguments:
  paths                      files or directories to check (default: every file of the project)

Options:
  -p, --project <tsconfig>   the TypeScript project (default: tsconfig.json)
  -c, --config <preset>      recommended | strict | all (default: recommended)
  -f, --format <format>      text | json | sarif | html (default: text)
  -o, --output <file>        write the report to a file instead of stdout
      --fix                  apply autofixes to the files
      --max-warnings <n>     exit with status 1 when there are more than n warnings
      --quiet                report errors only
      --use-eslint-config    lint with the project's own eslint.config instead of --config
      --suppressions <file>  ESLint's bulk suppressions file, from \`eslint --suppress-all\`
                             (default: eslint-suppressions.json, when it exists)
  -h, --help                 show this help
  -v, --version              show the version

Exit status: 0 no problems, 1 problems at error level or more than --max-warnings
warnings, 2 a usage or configuration error.`;

export function parseOptions(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        project: { type: 'string', short: 'p', default: 'tsconfig.json' },
        config: { type: 'string', short: 'c', default: 'recommended' },
        format: { type: 'string', short: 'f', default: 'text' },
        output: { type: 'string', short: 'o' },
        fix: { type: 'boolean', default: false },
        'max-warnings': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        'use-eslint-config': { type: 'boolean', default: false },
        suppressions: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(parseErrorMessage(error));
  }
  const { values, positionals } = parsed;
  const config = oneOf('--config', values.config, presets);
  const format = oneOf('--format', values.format, formats);
  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!/^\d+$/.test(values['max-warnings']) || !Number.isSafeInteger(maxWarnings)) {
      throw new UsageError(`--max-warnings needs a whole number, not '${values['max-warnings']}'`);
    }
  }
  if (values.output === '') throw new UsageError('--output needs a file name');
  return {
    paths: positionals,
    project: values.project,
    config,
    format,
    output: values.output,
    fix: values.fix,
    maxWarnings,
    quiet: values.quiet,
    useEslintConfig: values['use-eslint-config'],
    suppressions: values.suppressions,
    help: values.help,
    version: values.version,
  };
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option} must be one of ${allowed.join(', ')}, not '${value}'`);
}

/** Node's parseArgs messages run to several sentences; keep the first, in our words. */
function parseErrorMessage(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const option = /'([^']+)'/.exec(message ?? '')?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option '${option}'`;
  const longName = /--[\w-]+/.exec(option ?? '')?.[0];
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && longName) {
    return /missing/.test(message ?? '') ? `option '${longName}' needs a value` : `option '${longName}' does not take a value`;
  }
  return (message ?? String(error)).split(/\.\s/)[0];
}
