/** Leaks that a scope around every caller disposes (`tf.tidy`): not reported. */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import type { Finding } from '../flow/findings.js';
import type { FileContext } from '../program/file-context.js';

/**
 * The findings, less the leaks of handles that a scope around every caller disposes: a top-level
 * function whose every call site is inside `tf.tidy(() => …)` (tfjs-converter's executors) runs in
 * that scope, which disposes what it allocates and drops. Asked only when such a leak is found.
 */
export function withoutScopedLeaks(file: FileContext, fn: TSESTree.Node, findings: readonly Finding[]): readonly Finding[] {
  const specs = file.model.specs;
  if (!specs) return findings;
  // A leak of a handle of a spec with scopes (tfjs), before any search for callers.
  const isScopedLeak = (finding: Finding, scopes?: readonly number[]): boolean => {
    if ((finding.kind !== 'leak' && finding.kind !== 'leak-on-exception') || finding.acquiredAt === undefined) return false;
    const type = file.typeOf(finding.acquiredAt);
    return type !== undefined && specs.isScopedHandle(type, scopes);
  };
  if (!findings.some((finding) => isScopedLeak(finding))) return findings;
  const declaration = topLevelDeclarationOf(file, fn);
  const scopes = declaration ? specs.calledOnlyInScopes(declaration) : [];
  if (scopes.length === 0) return findings;
  return findings.filter((finding) => !isScopedLeak(finding, scopes));
}

/** `function f() {}` or `const f = () => …` at the top level of its file: its TypeScript declaration. */
function topLevelDeclarationOf(file: FileContext, fn: TSESTree.Node): ts.FunctionDeclaration | ts.VariableDeclaration | undefined {
  const parent = fn.parent;
  const target =
    fn.type === AST_NODE_TYPES.FunctionDeclaration
      ? fn
      : (fn.type === AST_NODE_TYPES.ArrowFunctionExpression || fn.type === AST_NODE_TYPES.FunctionExpression) && parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === fn
        ? parent
        : undefined;
  if (!target) return undefined;
  const tsNode = file.services.esTreeNodeToTSNodeMap.get(target);
  return tsNode && (ts.isFunctionDeclaration(tsNode) || ts.isVariableDeclaration(tsNode)) ? tsNode : undefined;
}
