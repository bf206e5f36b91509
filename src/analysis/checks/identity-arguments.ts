/**
 * Uses of a released handle that only compare it: an argument that the
 * callee, a function of the program, never reads or only looks up by identity
 * (mediabunny's `removeItem(this._sourceRefs, entry.sourceRef)` after
 * `entry.sourceRef.free()`, whose body is `arr.indexOf(item)` and a
 * `splice`). Also an argument the standard library only compares or holds
 * by identity (a `Set`'s or `Map`'s key, a `WeakRef`'s target, a
 * `FinalizationRegistry`'s token, `Object.is`, `console.*`), read from the
 * callee's declaration. Asked only when such a finding exists.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import type { Finding } from '../flow/findings.js';
import type { FileContext } from '../program/file-context.js';

/** Methods that compare their first argument by identity with what the receiver holds. */
const IDENTITY_LOOKUPS: ReadonlySet<string> = new Set(['indexOf', 'lastIndexOf', 'includes', 'has', 'delete']);
const IDENTITY_OPERATORS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/**
 * Members of the standard library's declarations that compare, or hold by identity, the arguments at these
 * indices and never read them (`set.delete(h)`, `new WeakRef(h)`, `registry.unregister(token)`).
 */
const IDENTITY_MEMBERS: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>> = new Map([
  ['Set', new Map([['has', [0]], ['delete', [0]]])],
  ['ReadonlySet', new Map([['has', [0]]])],
  ['Map', new Map([['has', [0]], ['delete', [0]], ['get', [0]]])],
  ['ReadonlyMap', new Map([['has', [0]], ['get', [0]]])],
  ['WeakSet', new Map([['add', [0]], ['has', [0]], ['delete', [0]]])],
  ['WeakMap', new Map([['has', [0]], ['delete', [0]], ['get', [0]], ['set', [0]]])],
  ['WeakRefConstructor', new Map([['new', [0]]])],
  ['FinalizationRegistry', new Map([['unregister', [0]], ['register', [2]]])],
  ['Array', new Map([['indexOf', [0]], ['lastIndexOf', [0]], ['includes', [0]]])],
  ['ReadonlyArray', new Map([['indexOf', [0]], ['lastIndexOf', [0]], ['includes', [0]]])],
  ['ObjectConstructor', new Map([['is', [0, 1]]])],
]);

/** The findings, less the uses and dangling fields reached only by an argument its callee compares. */
export function withoutIdentityArguments(file: FileContext, findings: readonly Finding[]): readonly Finding[] {
  const place = (finding: Finding): TSESTree.Node | undefined =>
    finding.kind === 'dangling-field' ? finding.reachedAt : finding.kind === 'use-after-release' ? finding.node : undefined;
  if (!findings.some((finding) => argumentOf(place(finding)) !== undefined)) return findings;
  return findings.filter((finding) => {
    const argument = argumentOf(place(finding));
    return !argument || !(comparedByLibrary(file, argument.call, argument.index) || comparedOnly(file, argument.call, argument.index));
  });
}

/** Does the standard library only compare or hold the argument at `index` (its declaration says so), or only print it (`console.log(h)`)? */
function comparedByLibrary(file: FileContext, call: TSESTree.CallExpression | TSESTree.NewExpression, index: number): boolean {
  const tsCall = file.tsNode(call);
  if (!tsCall || !(ts.isCallExpression(tsCall) || ts.isNewExpression(tsCall))) return false;
  const declaration = file.model.checker.getResolvedSignature(tsCall)?.getDeclaration();
  const owner = declaration?.parent;
  if (!declaration || !owner || !ts.isInterfaceDeclaration(owner) || !declaration.getSourceFile().isDeclarationFile) return false;
  // A console prints what it is given (the DOM's and Node's `Console` alike), reading no native memory.
  if (owner.name.text === 'Console') return true;
  if (!file.services.program.isSourceFileDefaultLibrary(declaration.getSourceFile())) return false;
  const member = ts.isConstructSignatureDeclaration(declaration) ? 'new' : declaration.name && ts.isIdentifier(declaration.name) ? declaration.name.text : undefined;
  return member !== undefined && (IDENTITY_MEMBERS.get(owner.name.text)?.get(member)?.includes(index) ?? false);
}

/** The call a node is an argument of (the node itself, or the member read that is the argument). */
function argumentOf(node: TSESTree.Node | undefined): { call: TSESTree.CallExpression | TSESTree.NewExpression; index: number } | undefined {
  if (!node) return undefined;
  const argument = isCall(node.parent) ? node : isCall(node.parent?.parent) && node.parent?.type === AST_NODE_TYPES.MemberExpression ? node.parent : undefined;
  const call = argument?.parent;
  if (!argument || !isCall(call)) return undefined;
  const index = call.arguments.indexOf(argument as TSESTree.CallExpressionArgument);
  return index < 0 ? undefined : { call, index };
}

function isCall(node: TSESTree.Node | undefined): node is TSESTree.CallExpression | TSESTree.NewExpression {
  return node?.type === AST_NODE_TYPES.CallExpression || node?.type === AST_NODE_TYPES.NewExpression;
}

/** Does the callee's body never read its parameter at `index`, or only compare it by identity (`arr.indexOf(item)`, `x === item`)? */
function comparedOnly(file: FileContext, call: TSESTree.CallExpression | TSESTree.NewExpression, index: number): boolean {
  const tsCall = file.tsNode(call);
  if (!tsCall || !(ts.isCallExpression(tsCall) || ts.isNewExpression(tsCall))) return false;
  const declaration = file.model.checker.getResolvedSignature(tsCall)?.getDeclaration();
  if (!declaration || !ts.isFunctionLike(declaration) || !('body' in declaration) || !declaration.body) return false;
  const parameter = declaration.parameters[index];
  // (A constructor's parameter property is stored as a field without being named.)
  if (!parameter || parameter.dotDotDotToken || !ts.isIdentifier(parameter.name) || ts.isParameterPropertyDeclaration(parameter, parameter.parent)) return false;
  const name = parameter.name.text;
  let compared = 0;
  let other = false;
  const visit = (node: ts.Node): void => {
    if (other) return;
    if (ts.isIdentifier(node) && node.text === name && !isPropertyName(node)) {
      if (isIdentityComparison(node)) compared++;
      else other = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(declaration.body);
  // A parameter the body never names is not read either (`arguments` would read it).
  return !other && (compared > 0 || !mentionsArguments(declaration.body));
}

function mentionsArguments(body: ts.Node): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && node.text === 'arguments') found = true;
    else ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

function isPropertyName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
}

/** `x.indexOf(node)`, `set.has(node)`, `node === y`. */
function isIdentityComparison(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isBinaryExpression(parent)) return IDENTITY_OPERATORS.has(parent.operatorToken.kind);
  return (
    ts.isCallExpression(parent) &&
    parent.arguments[0] === node &&
    ts.isPropertyAccessExpression(parent.expression) &&
    IDENTITY_LOOKUPS.has(parent.expression.name.text)
  );
}
