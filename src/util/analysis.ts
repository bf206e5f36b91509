/** The bridge between ESLint and src/analysis: one analysis per file, read by every rule. */
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { ESLintUtils } from '@typescript-eslint/utils';
import { analyzeFile } from '../analysis/index.js';
import type { FileAnalysis, Finding } from '../analysis/index.js';

export function getFileAnalysis(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): FileAnalysis {
  const services = ESLintUtils.getParserServices(context);
  const sourceCode = context.sourceCode;
  return analyzeFile({
    ast: sourceCode.ast,
    services,
    scopeManager: sourceCode.scopeManager as ScopeManager,
  });
}

const MAX_NAME = 40;

/** Source text of a node, shortened for a message. */
export function nameOf(sourceCode: Readonly<TSESLint.SourceCode>, node: TSESTree.Node): string {
  const text = sourceCode.getText(node).replace(/\s+/g, ' ');
  return text.length > MAX_NAME ? `${text.slice(0, MAX_NAME - 1)}…` : text;
}

/** The name a handle goes by where it was acquired: `tree` in `const tree = parser.parse(src)`. */
export function acquiredName(sourceCode: Readonly<TSESLint.SourceCode>, acquiredAt: TSESTree.Node): string {
  let node: TSESTree.Node = acquiredAt;
  while (
    node.parent &&
    (node.parent.type === 'AwaitExpression' ||
      node.parent.type === 'TSAsExpression' ||
      node.parent.type === 'TSNonNullExpression' ||
      node.parent.type === 'ChainExpression')
  ) {
    node = node.parent;
  }
  const parent = node.parent;
  if (parent?.type === 'VariableDeclarator' && parent.init === node) return nameOf(sourceCode, parent.id);
  if (parent?.type === 'AssignmentExpression' && parent.right === node) return nameOf(sourceCode, parent.left);
  return nameOf(sourceCode, acquiredAt);
}

export function lineOf(node: TSESTree.Node): number {
  return node.loc.start.line;
}

/** "line 4" or "line 4 or line 9": where it was released. */
export function releaseLines(finding: Finding): string {
  const lines = [...new Set(finding.trace.filter((step) => step.label === 'released').map((step) => lineOf(step.node)))].sort(
    (a, b) => a - b,
  );
  if (lines.length === 0) return 'an earlier line';
  return lines.map((line) => `line ${line}`).join(' or ');
}
