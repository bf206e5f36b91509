/**
 * Containers whose entries a class releases: a release method (`dispose()`,
 * `[Symbol.dispose]()`…) that loops over a field of `this` and releases each
 * entry, or a handle each entry holds (`for (const ref of this._sourceRefs)
 * ref.free()`, `for (const entry of this.inputCache) entry.input.dispose()`).
 * What such a container holds is the class's to release: a field put into it
 * is released with it (quickjs-emscripten-sync's `_disposables`), and a method
 * that hands out one of its entries lends it (mediabunny's
 * `getInputForSegment`, a cache). Read from the syntax of the class and its
 * bases, once per class and per method declaration.
 */
import ts from 'typescript';
import { baseClassOf, isReleaseMethodDeclaration, programClassesWithMethod } from './ts-nodes.js';

/** Calls that put their arguments into a container. */
const INSERT_METHODS: ReadonlySet<string> = new Set(['push', 'unshift', 'add', 'set']);
/** Calls that read an entry out of a container. */
const LOOKUP_METHODS: ReadonlySet<string> = new Set(['find', 'findLast', 'get', 'at']);
/** Calls that hand out the entries of a container for a `for … of` loop. */
const ENTRY_ITERATORS: ReadonlySet<string> = new Set(['values']);

export class ContainerEntries {
  private readonly released = new Map<ts.ClassLikeDeclaration, ReadonlySet<string>>();
  private readonly lends = new Map<ts.SignatureDeclaration, boolean>();

  constructor(
    private readonly program: ts.Program,
    private readonly releaseMethodNames: ReadonlySet<string>,
  ) {}

  /** The fields of `this` whose entries a release method of the class, or of a class it extends, releases. */
  releasedContainers(declaration: ts.ClassLikeDeclaration): ReadonlySet<string> {
    let known = this.released.get(declaration);
    if (known) return known;
    const containers = new Set<string>();
    this.released.set(declaration, containers);
    for (const member of declaration.members) {
      if (!ts.isMethodDeclaration(member) || !member.body || !this.isReleaseMethod(member)) continue;
      forEachEntryRelease(member.body, this.releaseMethodNames, (field) => containers.add(field));
    }
    const base = baseClassOf(this.program.getTypeChecker(), declaration);
    if (base) for (const field of this.releasedContainers(base)) containers.add(field);
    known = containers;
    return known;
  }

  /** Does a method of the class put `this.<field>` into a container whose entries the class releases (`this._disposables.add(this._mapGet)`)? */
  releasedThroughContainer(declaration: ts.ClassLikeDeclaration, field: string): boolean {
    const containers = this.releasedContainers(declaration);
    if (containers.size === 0) return false;
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      const inserted = insertion(node);
      if (inserted && containers.has(inserted.container) && inserted.call.arguments.some((argument) => thisFieldName(argument) === field)) {
        found = true;
        return;
      }
      ts.forEachChild(node, visit);
    };
    for (const member of declaration.members) {
      if ((ts.isMethodDeclaration(member) || ts.isConstructorDeclaration(member)) && member.body) visit(member.body);
    }
    return found;
  }

  /**
   * Is this an abstract method whose every implementation in the program returns an entry of a
   * container the class releases: one it puts there before returning it, or one it finds there?
   * The caller borrows it; the class's release method releases it.
   */
  lendsCachedEntry(declaration: ts.SignatureDeclaration): boolean {
    let known = this.lends.get(declaration);
    if (known === undefined) {
      known = this.implementationsLend(declaration);
      this.lends.set(declaration, known);
    }
    return known;
  }

  private implementationsLend(declaration: ts.SignatureDeclaration): boolean {
    if (!ts.isMethodDeclaration(declaration) || !ts.isClassLike(declaration.parent) || !ts.isIdentifier(declaration.name)) return false;
    if (!(ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Abstract)) return false;
    const implementations = this.implementationsOf(declaration.parent, declaration.name.text);
    return implementations.length > 0 && implementations.every(([owner, method]) => returnsEntry(method, this.releasedContainers(owner)));
  }

  /** The methods named `name`, with a body, of the program's classes that extend `base` (directly or not). */
  private implementationsOf(base: ts.ClassLikeDeclaration, name: string): [ts.ClassLikeDeclaration, ts.MethodDeclaration][] {
    const baseName = base.name?.text;
    if (baseName === undefined) return [];
    const checker = this.program.getTypeChecker();
    return [...programClassesWithMethod(this.program, baseName, name)].filter(([owner]) => owner !== base && extendsClass(checker, owner, base));
  }

  private isReleaseMethod(member: ts.MethodDeclaration): boolean {
    return isReleaseMethodDeclaration(member, this.releaseMethodNames);
  }
}

/**
 * Each container field of `this` whose entries the body releases: `for (const v of this.f)` (or
 * `this.f.values()`) whose body releases `v` or a member of it, or `this.f.forEach((v) => v.dispose())`.
 */
function forEachEntryRelease(body: ts.Node, releaseNames: ReadonlySet<string>, found: (field: string) => void): void {
  const visit = (node: ts.Node): void => {
    if (ts.isForOfStatement(node) && ts.isVariableDeclarationList(node.initializer) && node.initializer.declarations.length === 1) {
      const entry = node.initializer.declarations[0]!.name;
      const field = iteratedField(node.expression);
      if (field !== undefined && ts.isIdentifier(entry) && releasesEntry(node.statement, entry.text, releaseNames)) found(field);
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'forEach') {
      const field = thisFieldName(node.expression.expression);
      const callback = node.arguments[0];
      if (field !== undefined && callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) {
        const entry = callback.parameters[0]?.name;
        if (entry && ts.isIdentifier(entry) && releasesEntry(callback.body, entry.text, releaseNames)) found(field);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
}

/** `this.f` or `this.f.values()`: the container field a loop runs over. */
function iteratedField(expression: ts.Expression): string | undefined {
  if (ts.isCallExpression(expression) && expression.arguments.length === 0 && ts.isPropertyAccessExpression(expression.expression) && ENTRY_ITERATORS.has(expression.expression.name.text)) {
    return thisFieldName(expression.expression.expression);
  }
  return thisFieldName(expression);
}

/** A call of a release-named method (or `[Symbol.dispose]()`) on `entry` or a member of it, somewhere in `body`. */
function releasesEntry(body: ts.Node, entry: string, releaseNames: ReadonlySet<string>): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && node.arguments.length === 0) {
      const callee = node.expression;
      const released = ts.isPropertyAccessExpression(callee)
        ? releaseNames.has(callee.name.text) && rootName(callee.expression) === entry
        : ts.isElementAccessExpression(callee) && /^Symbol\.(dispose|asyncDispose)$/.test(callee.argumentExpression.getText()) && rootName(callee.expression) === entry;
      if (released) {
        found = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/** The variable a member chain starts from (`entry` in `entry.input`), allowing `?.` and `!`. */
function rootName(expression: ts.Expression): string | undefined {
  let current = expression;
  for (;;) {
    if (ts.isPropertyAccessExpression(current) || ts.isNonNullExpression(current) || ts.isParenthesizedExpression(current)) current = current.expression;
    else return ts.isIdentifier(current) ? current.text : undefined;
  }
}

/** `this.f` (or `this.#f`): the field's name. */
function thisFieldName(expression: ts.Expression): string | undefined {
  if (!ts.isPropertyAccessExpression(expression) || expression.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  return expression.name.text;
}

/** `this.f.push(…)`, `this.f.add(…)`, `this.f.set(k, …)`: the container field and the call. */
function insertion(node: ts.Node): { container: string; call: ts.CallExpression } | undefined {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || !INSERT_METHODS.has(node.expression.name.text)) return undefined;
  const container = thisFieldName(node.expression.expression);
  return container === undefined ? undefined : { container, call: node };
}

/**
 * Does every `return` of the method hand back an entry of a container in `containers`: a variable
 * it puts there (`this.cache.push({ key, input })`, then `return input`), or one found there
 * (`const hit = this.cache.find(…)`, then `return hit.input`)?
 */
function returnsEntry(method: ts.MethodDeclaration, containers: ReadonlySet<string>): boolean {
  if (containers.size === 0 || !method.body) return false;
  const inserted = new Set<string>();
  const lookedUp = new Set<string>();
  const returned: ts.Expression[] = [];
  let bare = false;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    const insert = insertion(node);
    if (insert && containers.has(insert.container)) for (const argument of insert.call.arguments) for (const name of namesIn(argument)) inserted.add(name);
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && isLookup(node.initializer, containers)) lookedUp.add(node.name.text);
    if (ts.isReturnStatement(node)) {
      if (node.expression) returned.push(node.expression);
      else bare = true;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(method.body, visit);
  if (bare || returned.length === 0) return false;
  return returned.every((expression) => {
    if (ts.isIdentifier(expression) && inserted.has(expression.text)) return true;
    const root = rootName(expression);
    return root !== undefined && lookedUp.has(root);
  });
}

/** `x`, or the values of an object literal (`{ key, input }`): the variables an inserted argument names. */
function namesIn(argument: ts.Expression): string[] {
  if (ts.isIdentifier(argument)) return [argument.text];
  if (!ts.isObjectLiteralExpression(argument)) return [];
  const names: string[] = [];
  for (const property of argument.properties) {
    if (ts.isShorthandPropertyAssignment(property)) names.push(property.name.text);
    else if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.initializer)) names.push(property.initializer.text);
  }
  return names;
}

/** `this.cache.find(…)`, `this.cache.get(k)`, `this.cache[i]`: an entry read out of a container in `containers`. */
function isLookup(expression: ts.Expression, containers: ReadonlySet<string>): boolean {
  let current = expression;
  while (ts.isNonNullExpression(current) || ts.isParenthesizedExpression(current)) current = current.expression;
  if (ts.isElementAccessExpression(current)) return containers.has(thisFieldName(current.expression) ?? '');
  if (!ts.isCallExpression(current) || !ts.isPropertyAccessExpression(current.expression) || !LOOKUP_METHODS.has(current.expression.name.text)) return false;
  return containers.has(thisFieldName(current.expression.expression) ?? '');
}

/** The class `declaration` extends, when the program declares it. */
/** Does `declaration` extend `base`, directly or through other classes? */
function extendsClass(checker: ts.TypeChecker, declaration: ts.ClassLikeDeclaration, base: ts.ClassLikeDeclaration): boolean {
  const seen = new Set<ts.ClassLikeDeclaration>();
  for (let current = baseClassOf(checker, declaration); current && !seen.has(current); current = baseClassOf(checker, current)) {
    if (current === base) return true;
    seen.add(current);
  }
  return false;
}
