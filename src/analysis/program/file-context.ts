/**
 * Per-file facts shared by every function's lowering: identifier → variable
 * resolution, which locals closures capture, the handle model bound to the
 * file's ESTree ↔ TypeScript node maps, and function summaries.
 */
import type { Scope, ScopeManager, Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import ts from 'typescript';
import type { CallEffect, MethodSummary } from '../model/call-effects.js';
import type { HandleModel } from '../model/handle-model.js';
import { answer } from '../model/open-questions.js';
import type { OwnedParameter } from '../model/presets/matcher.js';
import type { Key } from '../ir/ir.js';
import { computedKeyIdentifier, forEachChild } from '../ir/ast.js';
import { memberName } from '../ir/ast.js';

export interface ParserServicesLike {
  readonly program: ts.Program;
  readonly esTreeNodeToTSNodeMap: { get(key: TSESTree.Node): ts.Node | undefined };
  readonly tsNodeToESTreeNodeMap: { get(key: ts.Node): TSESTree.Node | undefined };
}

const NO_OWNED_PARAMETERS: readonly OwnedParameter[] = [];

const NO_EFFECT: CallEffect = { result: 'other', receiver: 'escape', args: [], rest: 'escape', mayMutateReceiver: true };

const contexts = new WeakMap<TSESTree.Program, Map<HandleModel, FileContext>>();

/**
 * The one context of a file for a model: the flow, finalizer and callback
 * analyses share its variable resolution and caches instead of each building
 * their own.
 */
export function fileContextFor(
  input: { readonly ast: TSESTree.Program; readonly services: ParserServicesLike; readonly scopeManager: ScopeManager },
  model: HandleModel,
): FileContext {
  let byModel = contexts.get(input.ast);
  if (!byModel) contexts.set(input.ast, (byModel = new Map()));
  let context = byModel.get(model);
  if (!context) byModel.set(model, (context = new FileContext(input.ast, input.services, input.scopeManager, model)));
  return context;
}

export class FileContext {
  /** Identifier → variable, from the scopes indexed so far (see `variableOf`). */
  private readonly byIdentifier = new Map<TSESTree.Node, Variable>();
  private readonly indexedScopes = new Set<Scope>();
  /** `variableOf`'s answers (null: none). */
  private readonly variables = new Map<TSESTree.Node, Variable | null>();
  private readonly variableIds = new Map<Variable, number>();
  private readonly capturedCache = new Map<TSESTree.Node, ReadonlySet<Key>>();
  private readonly handleNodeCache = new Map<TSESTree.Node, boolean>();
  private readonly variableTypes = new Map<Variable, ts.Type | null>();
  private readonly ownedParametersCache = new Map<TSESTree.Node, readonly OwnedParameter[]>();
  /** Summaries of functions with bodies in this file (set by the analysis). */
  summaryOf: (declaration: ts.SignatureDeclaration) => MethodSummary | undefined = () => undefined;

  constructor(
    readonly ast: TSESTree.Program,
    readonly services: ParserServicesLike,
    readonly scopeManager: ScopeManager,
    readonly model: HandleModel,
  ) {}

  /**
   * The variable an identifier refers to or declares, as the scope manager
   * resolved it. Scopes are indexed on demand, from the identifier's innermost
   * scope outwards until one knows it: indexing every reference of a large
   * file up front (typescript.js has 270k) cost more than most files'
   * analysis. Where two scopes know one identifier (a class name, in the
   * class's scope and the enclosing one) the inner one answers, as when every
   * scope was indexed in order.
   */
  variableOf(id: TSESTree.Node): Variable | undefined {
    const known = this.variables.get(id);
    if (known !== undefined) return known ?? undefined;
    let found: Variable | undefined;
    for (let scope = this.innermostScope(id); scope && !found; scope = scope.upper) {
      this.indexScope(scope);
      found = this.byIdentifier.get(id);
    }
    this.variables.set(id, found ?? null);
    return found;
  }

  /**
   * The value variable a name refers to at an identifier, by lexical lookup
   * (each scope's declarations, innermost first), with no index: for the
   * prefilter, which looks up the callee of every call of the file and would
   * otherwise index every scope.
   */
  variableNamed(id: TSESTree.Identifier): Variable | undefined {
    for (let scope = this.innermostScope(id); scope; scope = scope.upper) {
      const variable = scope.set.get(id.name);
      if (variable?.isValueVariable) return variable;
    }
    return undefined;
  }

  private innermostScope(node: TSESTree.Node): Scope | null {
    let current: TSESTree.Node | undefined = node;
    for (; current; current = current.parent) {
      const scope = this.scopeManager.acquire(current, true);
      if (scope) return scope;
      // An AST without parent links: every scope's index, as its innermost scope cannot be found.
      if (!current.parent && current.type !== AST_NODE_TYPES.Program) {
        for (const each of this.scopeManager.scopes) this.indexScope(each);
        break;
      }
    }
    return this.scopeManager.globalScope;
  }

  private indexScope(scope: Scope): void {
    if (this.indexedScopes.has(scope)) return;
    this.indexedScopes.add(scope);
    for (const reference of scope.references) {
      if (reference.resolved) this.byIdentifier.set(reference.identifier, reference.resolved);
    }
    for (const variable of scope.variables) {
      for (const identifier of variable.identifiers) this.byIdentifier.set(identifier, variable);
    }
  }

  variableId(variable: Variable): number {
    let id = this.variableIds.get(variable);
    if (id === undefined) {
      id = this.variableIds.size;
      this.variableIds.set(variable, id);
    }
    return id;
  }

  /** The scope whose variables are the function's locals. */
  functionScope(fn: TSESTree.Node): Scope | null {
    return this.scopeManager.acquire(fn, true);
  }

  isLocalTo(variable: Variable, fn: TSESTree.Node): boolean {
    const scope = this.functionScope(fn);
    return scope !== null && variable.scope.variableScope === scope.variableScope;
  }

  /** Locals of `fn` that some nested function or class refers to. */
  capturedLocals(fn: TSESTree.Node): ReadonlySet<Key> {
    const cached = this.capturedCache.get(fn);
    if (cached) return cached;
    const result = new Set<Key>();
    const scope = this.functionScope(fn);
    if (scope) {
      const visit = (child: Scope): void => {
        if (child.variableScope === child && child !== scope.variableScope) {
          for (const reference of child.through) this.addLocal(reference.resolved, fn, result);
          return;
        }
        if (child.type === 'class') {
          for (const reference of child.through) this.addLocal(reference.resolved, fn, result);
        }
        for (const grandChild of child.childScopes) visit(grandChild);
      };
      for (const child of scope.childScopes) visit(child);
    }
    this.capturedCache.set(fn, result);
    return result;
  }

  /** Keys of the variables a block declares (`let`, `const`, `using`, classes), which die at its end. */
  blockScopedKeys(block: TSESTree.BlockStatement, fn: TSESTree.Node): Key[] {
    const scope = this.scopeManager.acquire(block, true);
    if (!scope || scope.block !== block) return [];
    const keys: Key[] = [];
    for (const variable of scope.variables) if (this.isLocalTo(variable, fn)) keys.push(`v${this.variableId(variable)}`);
    return keys;
  }

  /** Locals of `fn` that the closure or class `node` refers to. */
  capturedBy(node: TSESTree.Node, fn: TSESTree.Node): Key[] {
    const scope = this.scopeManager.acquire(node, false);
    if (!scope) return [];
    const result = new Set<Key>();
    for (const reference of scope.through) this.addLocal(reference.resolved, fn, result);
    return [...result];
  }

  private addLocal(variable: Variable | null, fn: TSESTree.Node, into: Set<Key>): void {
    if (variable && this.isLocalTo(variable, fn)) into.add(`v${this.variableId(variable)}`);
  }

  patternIdentifiers(pattern: TSESTree.Node): TSESTree.Identifier[] {
    const result: TSESTree.Identifier[] = [];
    const visit = (node: TSESTree.Node | null): void => {
      if (!node) return;
      switch (node.type) {
        case AST_NODE_TYPES.Identifier:
          result.push(node);
          return;
        case AST_NODE_TYPES.ObjectPattern:
          for (const property of node.properties) visit(property.type === AST_NODE_TYPES.Property ? property.value : property);
          return;
        case AST_NODE_TYPES.ArrayPattern:
          for (const element of node.elements) visit(element);
          return;
        case AST_NODE_TYPES.RestElement:
          visit(node.argument);
          return;
        case AST_NODE_TYPES.AssignmentPattern:
          visit(node.left);
          return;
        case AST_NODE_TYPES.TSParameterProperty:
          visit(node.parameter);
          return;
        default:
          return;
      }
    };
    visit(pattern);
    return result;
  }

  /** Direct child nodes of `node` that are evaluated as expressions. */
  childExpressions(node: TSESTree.Node): TSESTree.Node[] {
    const keys = visitorKeys[node.type] ?? [];
    const result: TSESTree.Node[] = [];
    for (const key of keys) {
      if (key === 'typeAnnotation' || key === 'typeArguments' || key === 'typeParameters' || key === 'returnType') continue;
      const value = (node as unknown as Record<string, unknown>)[key];
      const push = (child: unknown): void => {
        if (child && typeof child === 'object' && 'type' in child) result.push(child as TSESTree.Node);
      };
      if (Array.isArray(value)) value.forEach(push);
      else push(value);
    }
    return result.filter((child) => !child.type.startsWith('TS') || isValueTsNode(child));
  }

  /**
   * The type of an expression for the model's questions (see
   * HandleModel#typeOfExpression). A variable's declared type is looked up
   * once per variable, through the scope manager, not per use.
   */
  typeOf(node: TSESTree.Node): ts.Type | undefined {
    const tsNode = this.tsNode(node);
    return this.declaredTypeOf(node) ?? (tsNode ? this.model.typeOfExpression(tsNode) : undefined);
  }

  /** `typeOf`, only where it needs no flow analysis (a variable's or property's declared type); else undefined. */
  declaredTypeOf(node: TSESTree.Node): ts.Type | undefined {
    if (node.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(node);
      if (variable) {
        let type = this.variableTypes.get(variable);
        if (type === undefined) {
          const def = variable.defs.length === 1 ? variable.defs[0] : undefined;
          // The declared type, from the declaration's name (`const p = malloc(4)` takes the callee's return
          // type: see HandleModel#stableTypeOf), or (a lib global like `Promise`, with no declaration here;
          // a name declared twice) from this use: neither is narrowed.
          const declared = def ? this.tsNode(def.name) : undefined;
          const name = declared && ts.isIdentifier(declared) ? declared : this.tsNode(node);
          type = name && ts.isIdentifier(name) ? (this.model.stableTypeOfNode(name) ?? null) : null;
          this.variableTypes.set(variable, type);
        }
        if (type) return type;
        return undefined;
      }
    }
    const tsNode = this.tsNode(node);
    return tsNode ? this.model.stableTypeOfNode(tsNode) : undefined;
  }

  tsNode(node: TSESTree.Node): ts.Node | undefined {
    return this.services.esTreeNodeToTSNodeMap.get(node);
  }

  isHandleNode(node: TSESTree.Node): boolean {
    const cached = this.handleNodeCache.get(node);
    if (cached !== undefined) return cached;
    // A field filled from another (`this.a = this.b`) asks again: no answer until this one's.
    return answer(this.handleNodeCache, node, false, () => {
      try {
        // No type of the program can be a handle: nothing to type.
        const type = this.model.handleTypesPossible() ? this.typeOf(node) : undefined;
        const result = type !== undefined && this.model.isHandleType(type);
        // `this.#subscriptions`, declared in JavaScript without a type (so `any`): a handle when the class
        // fills it with one (puppeteer's `this.#subscriptions = new DisposableStack()`).
        if (!result && type !== undefined && type.flags & ts.TypeFlags.Any) return (this.untypedFieldValues(node) ?? []).some((value) => this.isHandleNode(value));
        return result;
      } catch {
        return false;
      }
    });
  }

  private readonly fieldValues = new Map<TSESTree.Node, Map<string, TSESTree.Node[]>>();

  /** For `this.f`: the values its class assigns to `f` (`this.f = …`, `f = …`); none where it is no field of a class. */
  private untypedFieldValues(node: TSESTree.Node): readonly TSESTree.Node[] | undefined {
    if (node.type !== AST_NODE_TYPES.MemberExpression || node.object.type !== AST_NODE_TYPES.ThisExpression) return undefined;
    const name = memberName(node);
    if (name === null) return undefined;
    // The class whose `this` it is: only arrow functions lie between.
    let current: TSESTree.Node | undefined = node.parent;
    while (current && current.type !== AST_NODE_TYPES.ClassBody) {
      if (ownsThis(current)) return undefined;
      current = current.parent;
    }
    if (!current) return undefined;
    let byName = this.fieldValues.get(current);
    if (!byName) this.fieldValues.set(current, (byName = fieldAssignments(current)));
    return byName.get(name) ?? [];
  }

  /** The expression has type `any` (untyped JavaScript, or an `any` escape hatch). */
  isAnyNode(node: TSESTree.Node): boolean {
    try {
      const type = this.typeOf(node);
      return type !== undefined && (type.flags & ts.TypeFlags.Any) !== 0;
    } catch {
      return false;
    }
  }

  /** The expression's type is a type parameter (`T`, `T | undefined`): a handle for the callers that make it one. */
  isTypeParameterNode(node: TSESTree.Node): boolean {
    try {
      const type = this.typeOf(node);
      if (!type) return false;
      // `T | null`, or `T & {}` where a test narrowed it.
      return (type.isUnionOrIntersection() ? type.types : [type]).some((part) => (part.flags & ts.TypeFlags.TypeParameter) !== 0);
    } catch {
      return false;
    }
  }

  /** The expression is a number, a bigint or untyped: what a raw pointer is. */
  isPointerLikeNode(node: TSESTree.Node): boolean {
    try {
      const type = this.typeOf(node);
      if (!type) return false;
      // Branded pointers (`number & { __brand: 'Ptr' }`) count too.
      const parts = type.isIntersection() || type.isUnion() ? type.types : [type];
      return parts.some((part) => (part.flags & (ts.TypeFlags.Any | ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike)) !== 0);
    } catch {
      return false;
    }
  }

  mayThrowWhenIterated(node: TSESTree.Node): boolean {
    const tsNode = this.tsNode(node);
    if (!tsNode) return true;
    const checker = this.model.checker;
    const type = checker.getTypeAtLocation(tsNode);
    const parts = type.isUnion() ? type.types : [type];
    return !parts.every(
      (part) => checker.isArrayType(part) || checker.isTupleType(part) || (part.flags & ts.TypeFlags.StringLike) !== 0,
    );
  }

  /**
   * Is the value an object (a wrapper with methods a callee may call), not a raw pointer? An untyped value is one
   * when each of `releases` is a method of its own (`path.delete()`), not a function handed it (`Module._free(p)`).
   * A freed pointer handed on is a number; only a function typed to take a pointer reads its memory.
   */
  isObjectValue(node: TSESTree.Node, releases: readonly TSESTree.Node[]): boolean {
    const type = this.typeOf(node)?.getNonNullableType();
    if (!type) return false;
    if (type.flags & ts.TypeFlags.Any) return releases.length > 0 && releases.every(isOwnMethodCall);
    const parts = type.isUnion() ? type.types : [type];
    const primitive = ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.StringLike | ts.TypeFlags.Any | ts.TypeFlags.Unknown;
    return parts.every((part) => (part.flags & ts.TypeFlags.Object) !== 0 || (part.isIntersection() && part.types.every((member) => !(member.flags & primitive))));
  }

  /** Is releasing this value a second time harmless: Disposable (by its protocol), or by a preset's `idempotentRelease`? */
  releaseIsIdempotent(node: TSESTree.Node): boolean {
    if (this.isDisposableNode(node)) return true;
    try {
      const type = this.typeOf(node);
      if (type === undefined) return false;
      // An untyped field: as every value its class fills it with.
      if (type.flags & ts.TypeFlags.Any) {
        const values = this.untypedFieldValues(node);
        return values !== undefined && values.length > 0 && values.every((value) => value !== node && (this.isDisposableNode(value) || this.presetIdempotent(value)));
      }
      return this.presetIdempotent(node);
    } catch {
      return false;
    }
  }

  /** An instance of a class whose release methods test a flag they set, or of an owner class that clears what it freed: releasing it again is harmless. */
  ownerReleaseIsRepeatable(node: TSESTree.Node): boolean {
    try {
      const type = this.typeOf(node);
      return type !== undefined && this.model.releaseIsRepeatHarmless(type);
    } catch {
      return false;
    }
  }

  /**
   * `sample.format` after `sample.close()`: a readonly field (no accessor) that holds no handle, of a
   * class whose release is repeat-harmless, is plain data the release leaves in place.
   */
  readonlyFieldOfClosedObject(member: TSESTree.MemberExpression): boolean {
    try {
      const objectType = this.typeOf(member.object);
      const property = this.tsNode(member.property);
      if (!objectType || !property || !this.model.releaseIsRepeatHarmless(objectType)) return false;
      const symbol = this.model.checker.getSymbolAtLocation(property);
      const declarations = symbol?.declarations ?? [];
      const readonlyData = declarations.length > 0 && declarations.every((declaration) => ts.isPropertyDeclaration(declaration) && (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Readonly) !== 0);
      return readonlyData && !this.isHandleNode(member);
    } catch {
      return false;
    }
  }

  /** A second release is a no-op by a preset's `idempotentRelease`. */
  private presetIdempotent(node: TSESTree.Node): boolean {
    const specs = this.model.specs;
    const type = specs ? this.typeOf(node) : undefined;
    return type !== undefined && specs!.releaseIsIdempotent(type);
  }

  isDisposableNode(node: TSESTree.Node): boolean {
    try {
      const type = this.typeOf(node);
      return type !== undefined && this.model.isDisposableType(type) !== false;
    } catch {
      return false;
    }
  }

  /** The summary of the method a call resolves to (fields of the receiver it releases and clears). */
  calleeSummary(node: TSESTree.CallExpression): MethodSummary | undefined {
    const tsNode = this.tsNode(node);
    if (!tsNode || !ts.isCallExpression(tsNode)) return undefined;
    try {
      // The class's own method first: the checker may resolve the key to a base class's.
      const method = this.computedMethodOfThis(node);
      const declaration = (method ? (this.tsNode(method) as ts.MethodDeclaration | undefined) : undefined) ?? (this.model.signatureOf(tsNode)?.getDeclaration() as ts.SignatureDeclaration | undefined);
      return declaration ? this.summaryOf(declaration) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * `this[disposeSymbol]()` where the class declares `[(_decorators = […], disposeSymbol)]() {…}`:
   * TypeScript's decorator emit wraps the key in a comma expression, which the checker does not
   * bind as a member (puppeteer's disposables), and may resolve the call to the base class's
   * method instead. The method of the enclosing class whose key ends in the same name.
   */
  private computedMethodOfThis(call: TSESTree.CallExpression): TSESTree.MethodDefinition | undefined {
    const callee = call.callee;
    if (callee.type !== AST_NODE_TYPES.MemberExpression || !callee.computed || callee.object.type !== AST_NODE_TYPES.ThisExpression || callee.property.type !== AST_NODE_TYPES.Identifier) {
      return undefined;
    }
    const name = callee.property.name;
    let current: TSESTree.Node | undefined = call.parent;
    while (current && current.type !== AST_NODE_TYPES.ClassBody) {
      if (ownsThis(current)) return undefined;
      current = current.parent;
    }
    return current?.body.find(
      (member): member is TSESTree.MethodDefinition =>
        member.type === AST_NODE_TYPES.MethodDefinition && member.computed && member.value.body !== null && computedKeyIdentifier(member.key) === name,
    );
  }

  /**
   * The parameters a callback written in place owns, by a preset: a decoder's `output` in
   * `new VideoDecoder({ output: (frame) => … })`, the descriptor of `fs.open(path, (err, fd) => …)`.
   * The callee's written name is looked at first: most callbacks are handed to no such call.
   */
  ownedParameters(fn: TSESTree.Node): readonly OwnedParameter[] {
    const specs = this.model.specs;
    if (!specs || specs.callbackOwnerNames.size === 0) return NO_OWNED_PARAMETERS;
    if ((fn.type !== AST_NODE_TYPES.ArrowFunctionExpression && fn.type !== AST_NODE_TYPES.FunctionExpression) || fn.params.length === 0) return NO_OWNED_PARAMETERS;
    const cached = this.ownedParametersCache.get(fn);
    if (cached) return cached;
    let owned = NO_OWNED_PARAMETERS;
    let slot: TSESTree.Node = fn;
    let property: string | undefined;
    const holder = fn.parent;
    if (holder?.type === AST_NODE_TYPES.Property && holder.value === fn && !holder.computed && holder.parent.type === AST_NODE_TYPES.ObjectExpression) {
      property = holder.key.type === AST_NODE_TYPES.Identifier ? holder.key.name : holder.key.type === AST_NODE_TYPES.Literal ? String(holder.key.value) : undefined;
      slot = holder.parent;
    }
    const call = slot.parent;
    if ((call?.type === AST_NODE_TYPES.CallExpression || call?.type === AST_NODE_TYPES.NewExpression) && (slot === fn || property !== undefined)) {
      const argument = call.arguments.indexOf(slot as TSESTree.CallExpressionArgument);
      const callee = call.callee.type === AST_NODE_TYPES.MemberExpression ? memberName(call.callee) : call.callee.type === AST_NODE_TYPES.Identifier ? call.callee.name : null;
      const tsCall = argument >= 0 && callee !== null && specs.callbackOwnerNames.has(callee) ? this.tsNode(call) : undefined;
      if (tsCall && (ts.isCallExpression(tsCall) || ts.isNewExpression(tsCall))) {
        try {
          owned = specs.ownedCallbackParameters(tsCall, callee!, argument, property);
        } catch {
          owned = NO_OWNED_PARAMETERS;
        }
      }
    }
    this.ownedParametersCache.set(fn, owned);
    return owned;
  }

  /**
   * Is the assigned member a property the platform declares (`img.src`, `a.href`), every
   * declaration of it in TypeScript's default library? The platform reads what it is set to.
   */
  isPlatformProperty(target: TSESTree.MemberExpression): boolean {
    const tsNode = this.tsNode(target);
    if (!tsNode || !ts.isPropertyAccessExpression(tsNode)) return false;
    try {
      const declarations = this.model.checker.getSymbolAtLocation(tsNode.name)?.declarations ?? [];
      const program = this.services.program;
      return declarations.length > 0 && declarations.every((declaration) => program.isSourceFileDefaultLibrary(declaration.getSourceFile()));
    } catch {
      return false;
    }
  }

  classifyCall(node: TSESTree.CallExpression | TSESTree.NewExpression, receiverIsHandle: boolean | (() => boolean), withSummaries = true): CallEffect {
    const tsNode = this.tsNode(node);
    if (!tsNode || !(ts.isCallExpression(tsNode) || ts.isNewExpression(tsNode))) return NO_EFFECT;
    try {
      // A named callee's declared type is known per variable: no name resolution per call.
      const calleeType = node.callee.type === AST_NODE_TYPES.Identifier ? this.declaredTypeOf(node.callee) : undefined;
      return this.model.classifyCall(tsNode, receiverIsHandle, withSummaries ? this.summaryOf : undefined, calleeType);
    } catch {
      return NO_EFFECT;
    }
  }

  /** Does leaving `for (… of iterable)` release the iterable (its iterator method releases its receiver)? */
  iterationReleases(iterable: TSESTree.Expression, isAsync: boolean): boolean {
    const tsNode = this.tsNode(iterable);
    if (!tsNode) return false;
    try {
      return this.model.iterationEffect(tsNode as ts.Expression, isAsync, this.summaryOf) === 'release';
    } catch {
      return false;
    }
  }
}

function isValueTsNode(node: TSESTree.Node): boolean {
  return (
    node.type === AST_NODE_TYPES.TSAsExpression ||
    node.type === AST_NODE_TYPES.TSNonNullExpression ||
    node.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    node.type === AST_NODE_TYPES.TSTypeAssertion ||
    node.type === AST_NODE_TYPES.TSInstantiationExpression
  );
}

/** A function whose `this` is its own, not its class's: one that is no method. */
function ownsThis(node: TSESTree.Node): boolean {
  return (node.type === AST_NODE_TYPES.FunctionExpression && node.parent?.type !== AST_NODE_TYPES.MethodDefinition) || node.type === AST_NODE_TYPES.FunctionDeclaration;
}

/** The values a class assigns to its fields, by name: `f = …` initialisers, `this.f = …` in its methods (one walk per class). */
function fieldAssignments(classBody: TSESTree.ClassBody): Map<string, TSESTree.Node[]> {
  const byName = new Map<string, TSESTree.Node[]>();
  const add = (name: string | null, value: TSESTree.Node): void => {
    if (name === null) return;
    const values = byName.get(name);
    if (values) values.push(value);
    else byName.set(name, [value]);
  };
  const visit = (node: TSESTree.Node): void => {
    if ((node.type === AST_NODE_TYPES.ClassBody && node !== classBody) || ownsThis(node)) return;
    if (node.type === AST_NODE_TYPES.AssignmentExpression && node.operator === '=' && node.left.type === AST_NODE_TYPES.MemberExpression && node.left.object.type === AST_NODE_TYPES.ThisExpression) {
      add(memberName(node.left), node.right);
    }
    if (node.type === AST_NODE_TYPES.PropertyDefinition && node.parent === classBody && node.value && !node.computed) {
      add(node.key.type === AST_NODE_TYPES.PrivateIdentifier ? `#${node.key.name}` : node.key.type === AST_NODE_TYPES.Identifier ? node.key.name : null, node.value);
    }
    forEachChild(node, visit);
  };
  forEachChild(classBody, visit);
  return byName;
}

/** `x.delete()`: a call of a method of the value itself, with nothing else handed to it. */
function isOwnMethodCall(node: TSESTree.Node): boolean {
  return node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression && node.arguments.length === 0;
}
