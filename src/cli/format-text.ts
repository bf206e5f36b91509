/** The text report: each finding with its trace, then a count. */
import path from 'node:path';
import type { ESLint, Linter } from 'eslint';
import type { TraceSite } from '../sarif/trace.js';

export interface TextFormatOptions {
  readonly cwd: string;
  readonly traceOf?: (filePath: string, message: Linter.LintMessage) => readonly TraceSite[] | undefined;
}

export function formatText(results: readonly ESLint.LintResult[], options: TextFormatOptions): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const result of results) {
    if (result.messages.length === 0) continue;
    errors += result.errorCount;
    warnings += result.warningCount;
    lines.push(path.relative(options.cwd, result.filePath) || result.filePath);
    for (const message of result.messages) {
      const where = `${message.line}:${message.column}`;
      const severity = message.severity === 2 ? 'error' : 'warning';
      lines.push(`  ${where.padEnd(7)} ${severity.padEnd(7)} ${message.message}  ${message.ruleId ?? ''}`.trimEnd());
      // The evidence of an inferred handle stays in the message's words (its places, in short).
      for (const site of (options.traceOf?.(result.filePath, message) ?? []).filter((step) => !step.evidence)) {
        const at = `${site.line}${site.column === undefined ? '' : `:${site.column}`}`;
        lines.push(`  ${''.padEnd(7)} ${''.padEnd(7)} ${at.padEnd(7)} ${site.label}`);
      }
    }
    lines.push('');
  }
  const files = results.length;
  const filesText = `${files} file${files === 1 ? '' : 's'}`;
  if (errors + warnings === 0) return `No handle lifetime problems in ${filesText}.\n`;
  const problems = errors + warnings;
  lines.push(
    `${problems} problem${problems === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}) in ${filesText}.`,
  );
  return `${lines.join('\n')}\n`;
}
