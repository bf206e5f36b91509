/**
 * Carries the analysis traces from the lint run to the CLI's output.
 *
 * ESLint messages hold a message and a location, not the trace behind them.
 * The CLI adds one internal rule that runs after the plugin's rules on each
 * file (`Program:exit`), reads the analysis those rules already ran (from its
 * per-AST cache: nothing is analysed twice) and keeps each finding's trace
 * for this run. The CLI then joins the traces to ESLint's messages by rule and
 * location.
 */
import type { ESLint, Linter, Rule } from 'eslint';
import type { TSESTree } from '@typescript-eslint/utils';
import { cachedFileAnalysis } from '../analysis/index.js';
import type { TraceSite } from '../sarif/trace.js';
import { evidenceSitesOf, locationOf, traceSiteOf } from '../sarif/trace.js';

export const COLLECTOR_NAMESPACE = 'handle-lifetime-cli';
export const COLLECTOR_RULE = `${COLLECTOR_NAMESPACE}/traces`;

interface FindingRecord {
  readonly kind: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly trace: readonly TraceSite[];
}

/**
 * The finding kinds each rule reports. A rule missing here (a newer rule)
 * matches any finding at the location of its message.
 */
const findingKindsByRule: Record<string, (messageId: string | undefined) => readonly string[]> = {
  'no-use-after-release': () => ['use-after-release'],
  'no-double-release': () => ['double-release'],
  'no-leaked-handle': (messageId) => (messageId === 'leakOnException' ? ['leak-on-exception'] : ['leak', 'leak-on-exception']),
  'no-dangling-handle-field': () => ['dangling-field'],
};

export interface TraceCollector {
  /** Add to the ESLint config of the run. */
  readonly config: Linter.Config;
  /** The trace behind a message of the run, if the analysis has one. */
  traceOf(filePath: string, message: Linter.LintMessage): readonly TraceSite[] | undefined;
}

export interface LintHooks {
  /** A file's rules start: it is parsed (the first file's parse builds the TypeScript program). */
  readonly onFileStart?: () => void;
  /** A file's rules are done (again for each pass of `--fix`). */
  readonly onFileDone?: (filename: string) => void;
}

export function createTraceCollector(hooks: LintHooks = {}): TraceCollector {
  const findingsByFile = new Map<string, readonly FindingRecord[]>();
  const rule: Rule.RuleModule = {
    meta: {
      type: 'problem',
      schema: [],
      docs: { description: 'Keep the traces of handle-lifetime findings for the CLI (reports nothing).' },
    },
    create(context) {
      hooks.onFileStart?.();
      return {
        'Program:exit'() {
          const analysis = cachedFileAnalysis(context.sourceCode.ast as unknown as TSESTree.Program);
          if (analysis) {
            findingsByFile.set(context.filename, [
              ...analysis.findings.map((finding) => ({
                kind: finding.kind,
                ...locationOf(finding.node),
                trace: [...finding.trace.map(traceSiteOf), ...evidenceSitesOf(finding.inferred)],
              })),
              // A class's obligation has no trace; on a field inferred from usage, the evidence is its related places.
              // (An overwritten field is the flow's finding too, with its trace.)
              ...analysis.classFindings
                .filter((finding) => finding.kind !== 'field-overwritten' && finding.fields.some((field) => field.inferred))
                .map((finding) => ({
                  kind: finding.kind,
                  ...locationOf(finding.node),
                  trace: evidenceSitesOf(finding.fields.find((field) => field.inferred)?.inferred),
                })),
            ]);
          }
          hooks.onFileDone?.(context.filename);
        },
      };
    },
  };
  const plugin: ESLint.Plugin = { meta: { name: COLLECTOR_NAMESPACE }, rules: { traces: rule } };
  return {
    config: { name: COLLECTOR_NAMESPACE, plugins: { [COLLECTOR_NAMESPACE]: plugin }, rules: { [COLLECTOR_RULE]: 'error' } },
    traceOf(filePath, message) {
      const ruleName = message.ruleId?.startsWith('handle-lifetime/') ? message.ruleId.slice('handle-lifetime/'.length) : undefined;
      if (!ruleName) return undefined;
      const atMessage = (findingsByFile.get(filePath) ?? []).filter(
        (finding) =>
          finding.line === message.line &&
          finding.column === message.column &&
          finding.endLine === message.endLine &&
          finding.endColumn === message.endColumn,
      );
      const kinds = findingKindsByRule[ruleName]?.(message.messageId);
      if (!kinds) return atMessage.length === 1 ? atMessage[0].trace : undefined;
      for (const kind of kinds) {
        const finding = atMessage.find((candidate) => candidate.kind === kind);
        if (finding) return finding.trace;
      }
      return undefined;
    },
  };
}
