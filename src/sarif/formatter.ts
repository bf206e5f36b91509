/**
 * An ESLint formatter that writes SARIF 2.1.0:
 * `eslint -f ./node_modules/eslint-plugin-handle-lifetime/dist/sarif/formatter.js -o results.sarif .`
 * Related locations come from the lines each message names (see
 * message-trace.ts); the `handle-lifetime` CLI gives the full trace.
 */
import type { ESLint } from 'eslint';
import { buildSarif } from './build.js';
import { traceFromMessage } from './message-trace.js';
import { repositoryRoot } from './repository-root.js';

export default function formatSarif(results: ESLint.LintResult[], context?: ESLint.LintResultData): string {
  const cwd = context?.cwd ?? process.cwd();
  const rulesMeta = context?.rulesMeta ?? {};
  const log = buildSarif(results, {
    srcRoot: repositoryRoot(cwd),
    rulesMeta,
    traceOf: (_filePath, message) => (message.ruleId ? traceFromMessage(message, rulesMeta[message.ruleId]) : undefined),
  });
  return `${JSON.stringify(log, null, 2)}\n`;
}
