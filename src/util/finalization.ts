/** The bridge between ESLint and src/analysis/checks/finalizers: one finalizer analysis per file, read by the finalizer rules. */
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import type { TSESLint } from '@typescript-eslint/utils';
import { ESLintUtils } from '@typescript-eslint/utils';
import { analyzeFinalizers, handleModelFor } from '../analysis/index.js';
import { analysisOptionsFor } from './analysis.js';
import type { FinalizationAnalysis, TextEdit } from '../analysis/index.js';

export function getFinalizationAnalysis(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): FinalizationAnalysis {
  const services = ESLintUtils.getParserServices(context);
  const sourceCode = context.sourceCode;
  return analyzeFinalizers(
    { ast: sourceCode.ast, services, scopeManager: sourceCode.scopeManager as ScopeManager },
    // The same model (presets, settings) as the other rules.
    handleModelFor(services.program, analysisOptionsFor(context)),
  );
}

/** The analysis' text edits as one ESLint fix. */
export function applyEdits(edits: readonly TextEdit[]): TSESLint.ReportFixFunction {
  return (fixer) => edits.map((edit) => fixer.replaceTextRange([edit.range[0], edit.range[1]], edit.text));
}
