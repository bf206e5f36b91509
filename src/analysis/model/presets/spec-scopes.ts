import ts from 'typescript';
import { identifiersNamed } from '../../program/program-facts.js';
import type { SpecIndex } from './spec-index.js';
import { NO_INDICES } from './compiled-specs.js';
import { memberOf } from './declarations.js';

/** Scopes that dispose what they allocate (`tf.tidy`): is a call inside one, and is a function only ever called inside one. */
export class SpecScopes {
  private readonly scopeCallCache = new Map<ts.CallExpression, number>();
  private readonly scopedFunctionCache = new Map<ts.FunctionDeclaration | ts.VariableDeclaration, number[]>();

  constructor(private readonly index: SpecIndex) {}

  /**
   * Is the call inside a scope of a spec whose handles its result may be (`tf.tidy(() => helper(x))`)?
   * The scope disposes what is allocated while it runs, by the library's own ops or by a helper
   * that calls them. An untyped result (a helper of plain JavaScript: tfjs-layers'
   * `this.inputConv(…)`) is taken to be the scope's too. The result's type is asked only inside
   * such a scope.
   */
  scopeDisposes(node: ts.CallExpression | ts.NewExpression, resultType: () => ts.Type, parts = false): boolean {
    let mask: number | undefined;
    return this.index.specs.some((spec, specIndex) => {
      if (!spec.scopes || !this.insideScope(node, specIndex)) return false;
      if (mask === undefined) {
        const type = resultType();
        mask = type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) ? -1 : parts ? this.index.maskOfParts(type) : this.index.maskOfType(type);
      }
      return (mask & (1 << specIndex)) !== 0;
    });
  }

  /**
   * Is the call inside a callback handed to one of this spec's scope calls (at
   * any depth)? A callback written in place (`tf.tidy(() => …)`), or a
   * function declared by name and handed over at the top level of its file
   * (tfjs-core's `export const add = op({ add_ })`: `op` runs `add_` in an
   * engine scope).
   */
  insideScope(node: ts.Node, specIndex: number): boolean {
    for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
      if (ts.isFunctionDeclaration(current)) {
        if (this.handedToScopeAtTopLevel(current).includes(specIndex)) return true;
        continue;
      }
      if (!(ts.isArrowFunction(current) || ts.isFunctionExpression(current))) continue;
      const call: ts.Node = current.parent;
      // `const lossFn = () => …; optimizer.minimize(lossFn)` (tfjs-layers' training step).
      if (ts.isVariableDeclaration(call) && call.initializer === current && this.handedToScopeInBlock(call).includes(specIndex)) return true;
      if (!ts.isCallExpression(call) || !call.arguments.includes(current as ts.Expression)) continue;
      if (this.scopeOfCall(call) === specIndex) return true;
    }
    return false;
  }

  /**
   * The specs whose scopes cover every run of a top-level function of the program: each of its
   * call sites in the program's files is inside a callback handed to a scope call of the spec, as
   * tfjs-converter's `sliceJoin.executeOp(…)` is inside `tidy(() => …)`. Tensors the function
   * makes and drops belong to the scope around its caller (tfjs scopes are dynamic). None when it
   * has no call site, or a reference that is no call (handed on, stored: it may run anywhere).
   * A reference through a module's `.d.ts` counts as one to the function of its `.js`.
   */
  calledOnlyInScopes(declaration: ts.FunctionDeclaration | ts.VariableDeclaration): readonly number[] {
    const cached = this.onlyInScopesCache.get(declaration);
    if (cached) return cached;
    this.onlyInScopesCache.set(declaration, NO_INDICES);
    const result = this.computeCalledOnlyInScopes(declaration);
    this.onlyInScopesCache.set(declaration, result);
    return result;
  }

  private readonly onlyInScopesCache = new Map<ts.Declaration, readonly number[]>();

  private computeCalledOnlyInScopes(declaration: ts.FunctionDeclaration | ts.VariableDeclaration): readonly number[] {
    const scoped = this.index.specs.flatMap((spec, specIndex) => (spec.scopes?.length ? [specIndex] : []));
    const name = declaration.name;
    if (scoped.length === 0 || !name || !ts.isIdentifier(name)) return NO_INDICES;
    const file = declaration.getSourceFile();
    const statement = ts.isVariableDeclaration(declaration) ? declaration.parent?.parent : declaration;
    if (!statement || statement.parent !== file) return NO_INDICES;
    const own = this.index.checker.getSymbolAtLocation(name);
    if (!own) return NO_INDICES;
    // The module's declaration file: other modules import the function through it.
    const stem = file.fileName.replace(/\.(?:[cm]?js|jsx|[cm]?ts|tsx)$/, '');
    const isOurs = (symbol: ts.Symbol): boolean =>
      symbol === own ||
      (symbol.declarations ?? []).some((d) => {
        const declared = ts.getNameOfDeclaration(d);
        return declared !== undefined && ts.isIdentifier(declared) && declared.text === name.text && d.getSourceFile().fileName.replace(/\.d\.[cm]?ts$/, '') === stem;
      });
    let remaining = scoped;
    let calls = 0;
    for (const sourceFile of this.index.program.getSourceFiles()) {
      if (remaining.length === 0) break;
      if (sourceFile.isDeclarationFile || this.index.program.isSourceFileDefaultLibrary(sourceFile) || !sourceFile.text.includes(name.text)) continue;
      for (const node of identifiersNamed(sourceFile, name.text)) {
        if (remaining.length === 0) break;
        if (node === name) continue;
        const parent = node.parent;
        // Imports and exports name it without using it.
        if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) continue;
        if (isCommonJsExport(node)) continue;
        // `name.x`: the function's name as the object of a member, or `o.name`, another object's member.
        if (ts.isPropertyAccessExpression(parent) && parent.expression === node) continue;
        const expression = usedAs(ts.isPropertyAccessExpression(parent) && parent.name === node ? parent : node);
        let symbol = this.index.checker.getSymbolAtLocation(node);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.index.checker.getAliasedSymbol(symbol);
        if (!symbol || !isOurs(symbol)) continue;
        const call = expression.parent;
        if (ts.isCallExpression(call) && call.expression === expression) {
          calls++;
          remaining = remaining.filter((specIndex) => this.insideScope(call, specIndex));
        } else if (ts.isCallExpression(call) && call.arguments.includes(expression as ts.Expression)) {
          // `tidy(executeOp)`: handed to the scope itself.
          const scope = this.scopeOfCall(call);
          remaining = remaining.filter((specIndex) => specIndex === scope);
        } else remaining = [];
      }
    }
    return calls > 0 ? remaining : NO_INDICES;
  }

  /** Is a value of this type a handle of a spec with scopes (among these, when given)? */
  isScopedHandle(type: ts.Type, specIndices?: readonly number[]): boolean {
    const mask = this.index.maskOfType(type);
    return this.index.specs.some((spec, specIndex) => (mask & (1 << specIndex)) !== 0 && spec.scopes?.length && (!specIndices || specIndices.includes(specIndex)));
  }

  /** The spec whose scope call this is, or -1. */
  private scopeOfCall(call: ts.CallExpression): number {
    let scopeOf = this.scopeCallCache.get(call);
    if (scopeOf === undefined) {
      scopeOf = -1;
      const signatureDeclaration = this.index.signatureOf(call)?.getDeclaration() as ts.SignatureDeclaration | undefined;
      if (signatureDeclaration) {
        const declaration = memberOf(signatureDeclaration);
        const origin = this.index.originOf(declaration);
        const containerNames = this.index.containerNames(declaration, call);
        const scope = this.index.candidates(call, declaration).find(
          (candidate) =>
            candidate.kind === 'scope' && this.index.fromModules(origin, candidate.modules) && this.index.patternMatches(candidate.pattern, declaration, containerNames),
        );
        if (scope) scopeOf = scope.specIndex;
      }
      this.scopeCallCache.set(call, scopeOf);
    }
    return scopeOf;
  }

  /**
   * The specs whose scope calls a top-level statement of the function's file
   * hands it to: as an argument (`op(add_)`) or a property of an object
   * argument (`op({ add_ })`, `op({ add: add_ })`).
   */
  private handedToScopeAtTopLevel(fn: ts.FunctionDeclaration): number[] {
    const cached = this.scopedFunctionCache.get(fn);
    if (cached) return cached;
    const result: number[] = [];
    this.scopedFunctionCache.set(fn, result);
    const name = fn.name?.text;
    if (name === undefined || !ts.isSourceFile(fn.parent)) return result;
    return this.scopesHandedTo(name, fn.parent.statements, result);
  }

  /**
   * The specs whose scope calls a `const` function is handed to, by name, in the statements of
   * its own block (`const f = () => …; optimizer.minimize(f)`).
   */
  private handedToScopeInBlock(declaration: ts.VariableDeclaration): number[] {
    const cached = this.scopedFunctionCache.get(declaration);
    if (cached) return cached;
    const result: number[] = [];
    this.scopedFunctionCache.set(declaration, result);
    const list = declaration.parent;
    const statement = list?.parent;
    const block = statement?.parent;
    if (!ts.isIdentifier(declaration.name) || !ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const) || !ts.isVariableStatement(statement)) return result;
    if (!block || !(ts.isBlock(block) || ts.isSourceFile(block))) return result;
    return this.scopesHandedTo(declaration.name.text, block.statements, result);
  }

  /** Scope calls, in the expressions of these statements (not of functions nested in them), that are handed `name`. */
  private scopesHandedTo(name: string, statements: readonly ts.Statement[], result: number[]): number[] {
    const names = (expression: ts.Expression): boolean =>
      ts.isIdentifier(expression) && expression.text === name;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const hands = node.arguments.some(
          (argument) =>
            names(argument) ||
            (ts.isObjectLiteralExpression(argument) &&
              argument.properties.some(
                (property) => (ts.isShorthandPropertyAssignment(property) && property.name.text === name) || (ts.isPropertyAssignment(property) && names(property.initializer)),
              )),
        );
        const scope = hands ? this.scopeOfCall(node) : -1;
        if (scope >= 0 && !result.includes(scope)) result.push(scope);
      }
      // Expressions of the statement only: functions nested in it are their own business.
      if (!ts.isFunctionLike(node) && !ts.isClassLike(node)) ts.forEachChild(node, visit);
    };
    for (const statement of statements) {
      if (ts.isVariableStatement(statement) || ts.isExpressionStatement(statement) || ts.isExportAssignment(statement) || ts.isReturnStatement(statement)) ts.forEachChild(statement, visit);
    }
    return result;
  }
}

/** `exports.name = name` (or `module.exports.name = …`, `exports.name = void 0`), as TypeScript's CommonJS output exports a function: either name in it. */
function isCommonJsExport(node: ts.Identifier): boolean {
  const member = ts.isPropertyAccessExpression(node.parent) && node.parent.name === node ? node.parent : undefined;
  const assignment = (member ?? node).parent;
  if (!ts.isBinaryExpression(assignment) || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const target = member ? assignment.left : assignment.right === node ? assignment.left : undefined;
  if (!target || !ts.isPropertyAccessExpression(target) || (member && target !== member)) return false;
  const object = target.expression;
  return (ts.isIdentifier(object) && object.text === 'exports') || (ts.isPropertyAccessExpression(object) && object.name.text === 'exports' && ts.isIdentifier(object.expression) && object.expression.text === 'module');
}

/** The expression that stands for the function where it is used: itself, or the `(0, ns.name)` that TypeScript's CommonJS output calls an import with. */
function usedAs(expression: ts.Node): ts.Node {
  let current = expression;
  for (;;) {
    const parent = current.parent;
    const wraps = ts.isParenthesizedExpression(parent) || (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.CommaToken && parent.right === current);
    if (!wraps) return current;
    current = parent;
  }
}
