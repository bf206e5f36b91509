/**
 * A cheap first look at a function: can it acquire or release a handle at
 * all? Only then is it lowered and analysed. Most functions of most files
 * touch no handle, and a full lowering asks the checker about every call
 * and member; this asks about callee symbols (cached per declaration) and
 * about receivers only of calls named like releases.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import ts from 'typescript';
import type { FileContext } from './file-context.js';
import { memberName } from './lower.js';

type FunctionLike = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression | TSESTree.Program;

const declarationVerdicts = new WeakMap<ts.Declaration, boolean>();

export function mayTouchHandles(file: FileContext, fn: FunctionLike): boolean {
  const releaseNames = new Set(file.model.options.releaseMethodNames);
  let found = false;
  const visit = (node: TSESTree.Node): void => {
    if (found) return;
    switch (node.type) {
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
        if (node !== fn) return; // analysed on their own
        break;
      case AST_NODE_TYPES.VariableDeclaration:
        if (node.kind === 'using' || node.kind === 'await using') {
          found = true;
          return;
        }
        break;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        if (callMayTouchHandles(file, node, releaseNames)) {
          found = true;
          return;
        }
        break;
      default:
        break;
    }
    for (const key of visitorKeys[node.type] ?? []) {
      const value = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(value)) {
        for (const child of value) if (child && typeof child === 'object' && 'type' in child) visit(child as TSESTree.Node);
      } else if (value && typeof value === 'object' && 'type' in value) visit(value as TSESTree.Node);
      if (found) return;
    }
  };
  visit(fn);
  return found;
}

function callMayTouchHandles(file: FileContext, node: TSESTree.CallExpression | TSESTree.NewExpression, releaseNames: ReadonlySet<string>): boolean {
  const callee = node.callee.type === AST_NODE_TYPES.ChainExpression ? node.callee.expression : node.callee;
  if (callee.type === AST_NODE_TYPES.MemberExpression) {
    const name = memberName(callee);
    if (name === '@@dispose' || name === '@@asyncDispose') return true;
    // `x.dispose()`, `tree.delete()`: a release when the receiver is a handle.
    if (name !== null && releaseNames.has(name) && node.arguments.length === 0 && file.isHandleNode(callee.object)) return true;
  }
  const checker = file.model.checker;
  const tsCallee = file.tsNode(callee);
  if (!tsCallee) return false;
  const nameNode = ts.isPropertyAccessExpression(tsCallee) ? tsCallee.name : tsCallee;
  let symbol = checker.getSymbolAtLocation(nameNode);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  if (!symbol) return false;
  if (node.type === AST_NODE_TYPES.NewExpression) {
    return file.model.isHandleType(checker.getDeclaredTypeOfSymbol(symbol)) || (symbol.declarations ?? []).some((d) => declarationMatters(file, d));
  }
  return (symbol.declarations ?? []).some((declaration) => declarationMatters(file, declaration));
}

/**
 * A callee that acquires or releases by its tags, returns a handle, or takes
 * a handle parameter (its summary may release or keep it).
 */
function declarationMatters(file: FileContext, declaration: ts.Declaration): boolean {
  const cached = declarationVerdicts.get(declaration);
  if (cached !== undefined) return cached;
  let verdict = false;
  const target = ts.isVariableDeclaration(declaration) && declaration.initializer ? declaration.initializer : declaration;
  if (ts.getJSDocTags(target).some((tag) => tag.tagName.text === 'acquire' || tag.tagName.text === 'release')) verdict = true;
  else if (ts.isFunctionLike(target)) {
    // Declared types only: inferring a return type checks the whole body
    // (and, in large untyped files, recurses deep into the checker).
    const checker = file.model.checker;
    const declared = (typeNode: ts.TypeNode | undefined): boolean =>
      typeNode !== undefined && file.model.isHandleType(checker.getTypeFromTypeNode(typeNode));
    verdict =
      declared(target.type ?? ts.getJSDocReturnType(target)) ||
      target.parameters.some((parameter) => declared(parameter.type ?? ts.getJSDocType(parameter)));
  }
  declarationVerdicts.set(declaration, verdict);
  return verdict;
}
