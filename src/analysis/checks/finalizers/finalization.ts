/**
 * `FinalizationRegistry` misuse (issue 3): finalizers that race with
 * explicit releases, unregister calls that do nothing, registrations that
 * keep their own target alive, and cleanup callbacks that write shared state.
 *
 * Registries are found through the checker (any value whose type, or one of
 * whose union members, is `FinalizationRegistry`), so module constants,
 * class fields (static, `#private`), locals and the `typeof
 * FinalizationRegistry === 'undefined' ? {…} : new FinalizationRegistry(…)`
 * shape of wasm-bindgen glue are all seen.
 *
 * Values are matched by *place keys*: `c3:this.ptr` (field `ptr` of an
 * instance of class #3), `v7` / `v7.ptr` (a variable, or a member of it),
 * `s12` (a declared property symbol) and `t4` (an instance of a named class
 * or interface, for tokens). The held value of a registration is followed
 * to the field it came from (`this[0] = address`, `const p = this.ptr`),
 * and a released value back to its field or to a take-out method
 * (`const ptr = this.__destroy_into_raw()`).
 *
 * An explicit release is what the handle model says releases (`@release`,
 * `free()`/`delete()`/`dispose()` on a handle, `[Symbol.dispose]()`), plus,
 * for this analysis only, any call whose name matches
 * {@link RELEASE_CALL_NAME} given the held value or its field: wasm-bindgen
 * and emscripten glue free through unannotated imports such as
 * `wasm.__wbg_tiktoken_free(ptr)` or `C._ts_tree_delete(this[0])`.
 *
 * Everything is syntactic over one file plus the checker; "before" means
 * "earlier in an enclosing statement list and evaluated unconditionally
 * there", a dominance approximation that errs towards no report.
 */
import type { Scope, ScopeManager, Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import * as tsutils from 'ts-api-utils';
import ts from 'typescript';
import { forEachChild } from '../../ir/ast.js';
import type { ParserServicesLike } from '../../program/file-context.js';
import { FileContext, fileContextFor } from '../../program/file-context.js';
import type { HandleModel } from '../../model/handle-model.js';

/**
 * Callee names that free their argument in generated glue: `__wbg_x_free`,
 * `_free`, `free`, `freeSized`, `_ts_tree_delete`, `x_destroy`,
 * `x_release`. `^free` stops before a lower-case letter so that
 * `Object.freeze` is not a release.
 */
export const RELEASE_CALL_NAME = /_free$|^free(?![a-z])|_delete$|_destroy$|_release$/;

/** Methods of Map, Set, WeakMap, WeakSet and Array that change the receiver. */
const MUTATING_METHODS = new Set(['set', 'delete', 'add', 'clear', 'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']);

export type FinalizerFindingKind =
  /** 1: `register(target, held)` without a token while `held` is released explicitly. */
  | 'register-without-token'
  /** 3: an explicit release (or a take-out) with no earlier `unregister(token)`. */
  | 'release-without-unregister'
  /** 2: `unregister(x)` where `x` is no registration's token. */
  | 'unregister-unknown-token'
  /** 4: `register(o, o)`: throws a TypeError. */
  | 'held-is-target'
  /** 4: the held value refers to the target. */
  | 'held-reaches-target'
  /** 5: the cleanup callback refers to a registered target. */
  | 'callback-captures-target'
  /** 6: the cleanup callback writes state it was not handed. */
  | 'callback-writes-shared-state'
  /** 6: the unregister token is the target itself. */
  | 'token-is-target';

/** A text edit, in source offsets: the rules turn these into fixes. */
export interface TextEdit {
  readonly range: readonly [number, number];
  readonly text: string;
}

export interface FinalizerFinding {
  readonly kind: FinalizerFindingKind;
  /** Where to report. */
  readonly node: TSESTree.Node;
  /** The registry expression, as written at the registration or unregistration. */
  readonly registry: TSESTree.Node;
  /** The registration the finding is about (for 2: one of the registrations). */
  readonly register?: TSESTree.CallExpression;
  /** The other place of the trace: the release, the target reference, the registration. */
  readonly related?: TSESTree.Node;
  /** What the message names: the held value, the token, the written expression, the target. */
  readonly subject: TSESTree.Node;
  /** 1 and 3: the pointer is taken out of the object (returned or handed on) rather than released here. */
  readonly takeOut?: boolean;
  /** 2: no registration of the registry passes a token at all. */
  readonly tokenless?: boolean;
  /** 3: the registration's token as written (`this`, `this.#token`). */
  readonly token?: TSESTree.Node;
  /** 3: the token as it can be written at the release (`this` for a factory's `obj`), when it can. */
  readonly tokenText?: string;
  /** 1 and 3: the edits of the suggestion (a dedicated token; an `unregister` before each release), when they are safe. */
  readonly edits?: readonly TextEdit[];
}

export interface FinalizationAnalysis {
  readonly findings: readonly FinalizerFinding[];
  /** Registrations seen, for tests and the corpus script. */
  readonly registrations: number;
}

export interface FinalizationInput {
  readonly ast: TSESTree.Program;
  readonly services: ParserServicesLike;
  readonly scopeManager: ScopeManager;
}

type FunctionLike = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;
type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
type StatementList = TSESTree.Program | TSESTree.BlockStatement | TSESTree.StaticBlock | TSESTree.SwitchCase;

interface Registration {
  readonly call: TSESTree.CallExpression;
  readonly registryNode: TSESTree.Expression;
  readonly registryKey: string;
  readonly optional: boolean;
  readonly target: TSESTree.Node;
  readonly held: TSESTree.Node;
  /** Absent, or `undefined` written out: no token. */
  readonly token: TSESTree.Node | undefined;
  readonly heldKeys: ReadonlySet<string>;
}

interface Unregistration {
  readonly call: TSESTree.CallExpression;
  readonly registryNode: TSESTree.Expression;
  readonly registryKey: string;
  readonly argument: TSESTree.Node | undefined;
}

/** An explicit release or a take-out of a value that may be a registered held value. */
interface ReleaseEvent {
  /** The call that releases, or the `return` / call that hands a taken-out pointer on. */
  readonly node: TSESTree.Node;
  readonly released: TSESTree.Node;
  readonly keys: ReadonlySet<string>;
  readonly takeOut: boolean;
}

/** Origins of a variable with keys of a held value: from its declaration (in any function), or from assignments. */
interface HeldOrigins {
  always: boolean;
  readonly assignments: TSESTree.AssignmentExpression[];
}

const cache = new WeakMap<TSESTree.Program, FinalizationAnalysis>();

/**
 * Analyse a file once; every finalizer rule reads the same result. The
 * model may be passed as a function, called only when the file needs it
 * (not for a file already analysed, nor for one that names no registry).
 */
export function analyzeFinalizers(input: FinalizationInput, model: HandleModel | (() => HandleModel)): FinalizationAnalysis {
  const cached = cache.get(input.ast);
  if (cached) return cached;
  let result: FinalizationAnalysis | undefined;
  try {
    if (!mayMentionRegistry(input)) result = NOTHING;
  } catch {
    result = NOTHING;
  }
  if (!result) {
    const resolved = typeof model === 'function' ? model() : model;
    try {
      result = new FinalizerAnalyzer(input, resolved).run();
    } catch {
      // Precision over recall: an unexpected shape gives no report, never a crash.
      result = { findings: [], registrations: 0 };
    }
  }
  cache.set(input.ast, result);
  return result;
}

const NOTHING: FinalizationAnalysis = { findings: [], registrations: 0 };

/**
 * Can the file register, unregister or create a registry at all? Every
 * registration and unregistration is a call of a member named `register` /
 * `unregister`, and every creation names `FinalizationRegistry`, so a file
 * whose parser saw none of these names has nothing to analyse. The
 * TypeScript parser interns each identifier (and each literal property
 * name) of a file, escapes decoded, in `SourceFile.identifiers`; without it
 * the text is searched, conservatively.
 */
function mayMentionRegistry(input: FinalizationInput): boolean {
  const sourceFile = input.services.esTreeNodeToTSNodeMap.get(input.ast)?.getSourceFile();
  if (!sourceFile) return true;
  const identifiers = (sourceFile as { identifiers?: unknown }).identifiers;
  if (!(identifiers instanceof Map)) return /register|FinalizationRegistry|\\/.test(sourceFile.text);
  if (identifiers.has('register') || identifiers.has('unregister') || identifiers.has('FinalizationRegistry')) return true;
  // `new globalThis[('FinalizationRegistry')](…)`: a parenthesized literal is not interned.
  return sourceFile.text.includes('FinalizationRegistry');
}

class FinalizerAnalyzer {
  private readonly checker: ts.TypeChecker;
  private readonly file: FileContext;
  private readonly sourceText: string;
  private readonly isJavaScript: boolean;
  private readonly ids = new Map<object, number>();
  private readonly calls: TSESTree.CallExpression[] = [];
  private readonly creations: TSESTree.NewExpression[] = [];
  private readonly returns: TSESTree.ReturnStatement[] = [];
  private readonly registrations: Registration[] = [];
  private readonly unregistrations: Unregistration[] = [];
  private readonly methodUnregisterCache = new Map<TSESTree.Node, Unregistration[]>();
  private readonly guardCache = new Map<TSESTree.Node, TSESTree.Node[]>();
  private readonly releasedCache = new Map<TSESTree.CallExpression, TSESTree.Node[]>();
  private readonly heldOriginCache = new Map<Variable, { released: HeldOrigins; takenOut: HeldOrigins }>();
  private readonly clearedCache = new Map<TSESTree.Node, Set<string | undefined>>();
  private readonly symbolCache = new Map<TSESTree.Node, ts.Symbol | undefined>();
  private readonly methodCalledCache = new Map<TSESTree.CallExpression, TSESTree.MethodDefinition | undefined>();
  /** Per variable: its references that are the left or right side of a plain assignment, in order. */
  private readonly assignmentCache = new Map<Variable, TSESTree.Identifier[]>();
  /** The declared property symbols behind `s` keys. */
  private readonly propertySymbols = new Map<string, ts.Symbol>();
  /** Every key of every registration's held value: no release event with none of them can match. */
  private readonly heldUnion = new Set<string>();
  /** The names of the properties among {@link heldUnion}. */
  private readonly heldPropertyNames = new Set<string>();
  private readonly findings: FinalizerFinding[] = [];

  constructor(
    private readonly input: FinalizationInput,
    model: HandleModel,
  ) {
    this.checker = model.checker;
    this.file = fileContextFor(input, model);
    const sourceFile = input.services.esTreeNodeToTSNodeMap.get(input.ast)?.getSourceFile();
    this.sourceText = sourceFile?.text ?? '';
    this.isJavaScript = /\.[cm]?jsx?$/.test(sourceFile?.fileName ?? '');
  }

  /**
   * Declared by the default library (`Array#length`, `Object`): no key of a
   * handle. (TypeScript 6's lib files no longer say `no-default-lib`, so the
   * program is asked.)
   */
  private inDefaultLib(declaration: ts.Declaration): boolean {
    return this.input.services.program.isSourceFileDefaultLibrary(declaration.getSourceFile());
  }

  run(): FinalizationAnalysis {
    this.collect(this.input.ast);
    if (this.calls.length === 0 && this.creations.length === 0) return { findings: [], registrations: 0 };
    for (const call of this.calls) this.classifyRegistryCall(call);
    if (this.registrations.length === 0 && this.unregistrations.length === 0 && this.creations.length === 0) {
      return { findings: [], registrations: 0 };
    }
    const events = this.registrations.length > 0 ? this.releaseEvents() : [];
    this.checkReleases(events);
    this.checkUnregisters();
    this.checkKeepAlive();
    this.checkCallbacks();
    this.findings.sort((a, b) => a.node.range[0] - b.node.range[0] || a.kind.localeCompare(b.kind));
    return { findings: this.findings, registrations: this.registrations.length };
  }

  // ── Collection ──────────────────────────────────────────────────────────

  /** Calls, registry creations and returns, in source order (a depth-first walk with an explicit stack). */
  private collect(root: TSESTree.Node): void {
    const stack: TSESTree.Node[] = [root];
    for (let node = stack.pop(); node; node = stack.pop()) {
      if (node.type === AST_NODE_TYPES.CallExpression) this.calls.push(node);
      else if (node.type === AST_NODE_TYPES.NewExpression && isFinalizationRegistryConstructor(node.callee)) this.creations.push(node);
      else if (node.type === AST_NODE_TYPES.ReturnStatement) this.returns.push(node);
      const keys = visitorKeys[node.type];
      if (!keys) continue;
      // Children pushed last to first, so that they are visited first to last.
      for (let k = keys.length - 1; k >= 0; k--) {
        const value = (node as unknown as Record<string, unknown>)[keys[k]];
        if (!value || typeof value !== 'object') continue;
        if (Array.isArray(value)) {
          for (let i = value.length - 1; i >= 0; i--) {
            const child: unknown = value[i];
            if (child && typeof child === 'object' && 'type' in child) stack.push(child as TSESTree.Node);
          }
        } else if ('type' in value) stack.push(value as TSESTree.Node);
      }
    }
  }

  private classifyRegistryCall(call: TSESTree.CallExpression): void {
    const callee = call.callee;
    if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return;
    const method = callee.property.name;
    if (method !== 'register' && method !== 'unregister') return;
    if (!this.isRegistryExpression(callee.object)) return;
    const registryKey = this.registryKey(callee.object);
    if (!registryKey) return;
    if (call.arguments.some((argument) => argument.type === AST_NODE_TYPES.SpreadElement)) return;
    if (method === 'unregister') {
      this.unregistrations.push({ call, registryNode: callee.object, registryKey, argument: call.arguments[0] });
      return;
    }
    const [target, held, tokenArgument] = call.arguments;
    if (!target || !held) return;
    const token = tokenArgument && !isUndefinedLiteral(tokenArgument) ? tokenArgument : undefined;
    this.registrations.push({
      call,
      registryNode: callee.object,
      registryKey,
      optional: callee.optional,
      target,
      held,
      token,
      heldKeys: this.heldKeys(call, held, target),
    });
  }

  private isRegistryExpression(node: TSESTree.Node): boolean {
    // The declared type where narrowing cannot change the answer (no flow walk per `.register(…)`).
    const type = this.file.typeOf(node);
    return type !== undefined && isFinalizationRegistryType(type);
  }

  /** The identity of a registry: its variable or property symbol. */
  private registryKey(node: TSESTree.Node): string | undefined {
    const symbol = this.symbolOf(node);
    if (symbol) return `r${this.idOf(symbol)}`;
    return this.placeOf(node);
  }

  private symbolOf(node: TSESTree.Node): ts.Symbol | undefined {
    node = unwrap(node);
    if (this.symbolCache.has(node)) return this.symbolCache.get(node);
    const symbol = this.lookUpSymbol(node);
    this.symbolCache.set(node, symbol);
    return symbol;
  }

  private lookUpSymbol(node: TSESTree.Node): ts.Symbol | undefined {
    const tsNode = this.file.tsNode(node);
    if (!tsNode) return undefined;
    let at: ts.Node = tsNode;
    if (ts.isPropertyAccessExpression(tsNode) && !ts.isPrivateIdentifier(tsNode.name) && node.type === AST_NODE_TYPES.MemberExpression) {
      // A member of a receiver whose declared type is one object type: its property, without narrowing the receiver.
      const receiverType = this.file.declaredTypeOf(node.object);
      if (receiverType && !(receiverType.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Union | ts.TypeFlags.Intersection))) {
        const property = this.checker.getPropertyOfType(this.checker.getApparentType(receiverType), tsNode.name.text);
        if (property) return property;
      }
    }
    if (ts.isPropertyAccessExpression(tsNode)) at = tsNode.name;
    else if (ts.isElementAccessExpression(tsNode)) at = tsNode.argumentExpression;
    return this.checker.getSymbolAtLocation(at);
  }

  // ── Place keys ──────────────────────────────────────────────────────────

  private idOf(value: object): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(value, id);
    }
    return id;
  }

  /** `c3:this.ptr`, `v7.ptr`, `v7`: the structural place an expression reads. */
  private placeOf(node: TSESTree.Node): string | undefined {
    node = unwrap(node);
    switch (node.type) {
      case AST_NODE_TYPES.ThisExpression: {
        const context = thisContext(node);
        return context && !context.isStatic ? `c${this.idOf(context.cls)}:this` : undefined;
      }
      case AST_NODE_TYPES.Identifier: {
        const variable = this.file.variableOf(node);
        return variable ? `v${this.idOf(variable)}` : undefined;
      }
      case AST_NODE_TYPES.MemberExpression: {
        const base = this.placeOf(node.object);
        const name = memberName(node);
        return base !== undefined && name !== undefined ? `${base}.${name}` : undefined;
      }
      default:
        return undefined;
    }
  }

  /** A declared property's symbol (`s12`), so `this.ptr` and `other.ptr` of the same class match. */
  private propertyKey(node: TSESTree.Node): string | undefined {
    node = unwrap(node);
    if (node.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const symbol = this.symbolOf(node);
    if (!symbol || (symbol.flags & ts.SymbolFlags.Property) === 0) return undefined;
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!declaration || this.inDefaultLib(declaration)) return undefined;
    const key = `s${this.idOf(symbol)}`;
    this.propertySymbols.set(key, symbol);
    return key;
  }

  private keysOf(node: TSESTree.Node): Set<string> {
    const keys = new Set<string>();
    const place = this.placeOf(node);
    if (place) keys.add(place);
    const property = this.propertyKey(node);
    if (property) keys.add(property);
    return keys;
  }

  /** Keys of a token: its place, plus the named class or interface of its type (`this` and `other: C` match). */
  private tokenKeys(node: TSESTree.Node, registration?: Registration): Set<string> {
    const keys = this.keysOf(node);
    const tsNode = this.file.tsNode(unwrap(node));
    if (tsNode) {
      const type = this.checker.getTypeAtLocation(tsNode).getNonNullableType();
      const symbol = type.getSymbol();
      if (
        symbol &&
        (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) !== 0 &&
        !(symbol.declarations ?? []).some((declaration) => this.inDefaultLib(declaration))
      ) {
        keys.add(`t${this.idOf(symbol)}`);
      }
    }
    // `register(obj, obj.ptr, obj)` in a static `__wrap` of class C: the token is an instance of C.
    if (registration) for (const key of this.targetAsThis(registration.call, registration.target, [...keys])) keys.add(key);
    return keys;
  }

  /** Keys based on the registration's target variable, rewritten as `this` of the enclosing class. */
  private targetAsThis(call: TSESTree.CallExpression, targetArgument: TSESTree.Node, keys: readonly string[]): string[] {
    const target = unwrap(targetArgument);
    if (target.type !== AST_NODE_TYPES.Identifier) return [];
    const targetPlace = this.placeOf(target);
    const cls = enclosingClass(call);
    if (!targetPlace || !cls) return [];
    const thisPlace = `c${this.idOf(cls)}:this`;
    const result: string[] = [];
    for (const key of keys) {
      if (key === targetPlace) result.push(thisPlace);
      else if (key.startsWith(`${targetPlace}.`)) result.push(thisPlace + key.slice(targetPlace.length));
    }
    return result;
  }

  /** The held value's keys and those of the field(s) it came from. */
  private heldKeys(call: TSESTree.CallExpression, held: TSESTree.Node, target: TSESTree.Node): Set<string> {
    const keys = new Set<string>();
    const fn = enclosingFunction(held);
    const add = (node: TSESTree.Node, depth: number): void => {
      node = unwrap(node);
      if (node.type === AST_NODE_TYPES.ArrayExpression) {
        for (const element of node.elements) if (element && element.type !== AST_NODE_TYPES.SpreadElement) add(element, depth);
        return;
      }
      if (node.type === AST_NODE_TYPES.ObjectExpression) {
        for (const property of node.properties) if (property.type === AST_NODE_TYPES.Property) add(property.value, depth);
        return;
      }
      for (const key of this.keysOf(node)) keys.add(key);
      if (node.type === AST_NODE_TYPES.Identifier && depth < 2) {
        for (const origin of this.originsOf(node, fn)) add(origin, depth + 1);
      }
    };
    add(held, 0);
    for (const key of this.targetAsThis(call, target, [...keys])) keys.add(key);
    return keys;
  }

  /**
   * Where a local's value comes from, or goes to, in its function:
   * `const p = this.ptr`, `p = this.ptr`, `this[0] = address`.
   */
  private originsOf(identifier: TSESTree.Identifier, fn: TSESTree.Node): TSESTree.Node[] {
    const variable = this.file.variableOf(identifier);
    if (!variable) return [];
    const result: TSESTree.Node[] = [];
    for (const definition of variable.defs) {
      if (definition.node.type === AST_NODE_TYPES.VariableDeclarator && definition.node.id.type === AST_NODE_TYPES.Identifier && definition.node.init) {
        result.push(definition.node.init);
      }
    }
    for (const identifier of this.assignmentReferences(variable)) {
      const parent = identifier.parent as TSESTree.AssignmentExpression;
      if (!contains(fn, parent)) continue;
      if (parent.left === identifier) result.push(parent.right);
      else if (unwrap(parent.right) === identifier && parent.left.type === AST_NODE_TYPES.MemberExpression) result.push(parent.left);
    }
    return result;
  }

  /** The references of a variable whose parent is a plain assignment (`=`), once per variable. */
  private assignmentReferences(variable: Variable): TSESTree.Identifier[] {
    let result = this.assignmentCache.get(variable);
    if (!result) {
      result = [];
      for (const reference of variable.references) {
        const parent = reference.identifier.parent;
        if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.operator === '=') result.push(reference.identifier as TSESTree.Identifier);
      }
      this.assignmentCache.set(variable, result);
    }
    return result;
  }

  // ── Releases and take-outs ──────────────────────────────────────────────

  private releaseEvents(): ReleaseEvent[] {
    for (const registration of this.registrations) {
      for (const key of registration.heldKeys) {
        this.heldUnion.add(key);
        const symbol = this.propertySymbols.get(key);
        if (symbol) this.heldPropertyNames.add(symbol.getName());
      }
    }
    const events: ReleaseEvent[] = [];
    for (const call of this.calls) {
      // Asking the handle model how a call treats its operands is the costly part: only where one could be a held value.
      if (!this.mayReleaseHeld(call)) continue;
      for (const released of this.releasedBy(call)) {
        const keys = this.keysAt(released);
        if (keys.size > 0) events.push({ node: call, released, keys, takeOut: false });
      }
    }
    for (const takeOut of this.takeOuts()) events.push(takeOut);
    return events;
  }

  /**
   * Could some expression the call releases (its receiver, an argument)
   * have a key of a held value at the release ({@link keysAt})?
   */
  private mayReleaseHeld(call: TSESTree.CallExpression): boolean {
    const callee = unwrap(call.callee);
    const operands: TSESTree.Node[] = [];
    if (callee.type === AST_NODE_TYPES.MemberExpression && callee.object.type !== AST_NODE_TYPES.ThisExpression) operands.push(callee.object);
    for (const argument of call.arguments) if (argument.type !== AST_NODE_TYPES.SpreadElement) operands.push(argument);
    // Places first: they need no checker.
    return operands.some((operand) => this.placeMeetsHeld(operand)) || operands.some((operand) => this.keysAtMeetHeld(operand));
  }

  private placeMeetsHeld(node: TSESTree.Node): boolean {
    const place = this.placeOf(node);
    return place !== undefined && this.heldUnion.has(place);
  }

  /** Does {@link keysAt} of the node share a key with some held value? */
  private keysAtMeetHeld(node: TSESTree.Node): boolean {
    node = unwrap(node);
    if (this.keysMeetHeld(node)) return true;
    if (node.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.file.variableOf(node);
    return variable !== undefined && this.originMeets(this.heldOrigins(variable).released, node);
  }

  /**
   * Which origins ({@link originsOf}) of a variable, in any function, have
   * keys of a held value: those `keysAt` reads (a member or a variable) and
   * those a take-out reads (a field of `this`). Once per variable, so that
   * a call argument costs no walk to its function unless one does.
   */
  private heldOrigins(variable: Variable): { released: HeldOrigins; takenOut: HeldOrigins } {
    let result = this.heldOriginCache.get(variable);
    if (result) return result;
    result = { released: { always: false, assignments: [] }, takenOut: { always: false, assignments: [] } };
    const note = (origin: TSESTree.Node, assignment: TSESTree.AssignmentExpression | undefined): void => {
      const source = unwrap(origin);
      if (source.type !== AST_NODE_TYPES.MemberExpression && source.type !== AST_NODE_TYPES.Identifier) return;
      if (!this.keysMeetHeld(source)) return;
      const kinds = [result!.released];
      if (source.type === AST_NODE_TYPES.MemberExpression && unwrap(source.object).type === AST_NODE_TYPES.ThisExpression) kinds.push(result!.takenOut);
      for (const kind of kinds) {
        if (assignment) kind.assignments.push(assignment);
        else kind.always = true;
      }
    };
    for (const definition of variable.defs) {
      if (definition.node.type === AST_NODE_TYPES.VariableDeclarator && definition.node.id.type === AST_NODE_TYPES.Identifier && definition.node.init) {
        note(definition.node.init, undefined);
      }
    }
    for (const identifier of this.assignmentReferences(variable)) {
      const parent = identifier.parent as TSESTree.AssignmentExpression;
      if (parent.left === identifier) note(parent.right, parent);
      else if (unwrap(parent.right) === identifier && parent.left.type === AST_NODE_TYPES.MemberExpression) note(parent.left, parent);
    }
    this.heldOriginCache.set(variable, result);
    return result;
  }

  /** Is one of these origins an origin of `identifier` in the function of `at`? */
  private originMeets(origins: HeldOrigins, identifier: TSESTree.Node, at: TSESTree.Node = identifier): boolean {
    if (origins.always) return true;
    if (origins.assignments.length === 0) return false;
    const fn = enclosingFunction(at);
    return origins.assignments.some((assignment) => contains(fn, assignment));
  }

  /**
   * Does {@link keysOf} of the node share a key with some held value? The
   * checker is asked about a member only when a held property has the
   * name it accesses.
   */
  private keysMeetHeld(node: TSESTree.Node): boolean {
    node = unwrap(node);
    if (this.placeMeetsHeld(node)) return true;
    if (node.type !== AST_NODE_TYPES.MemberExpression || this.heldPropertyNames.size === 0) return false;
    const name = this.accessedName(node);
    if (name !== undefined && !this.heldPropertyNames.has(name)) return false;
    const property = this.propertyKey(node);
    return property !== undefined && this.heldUnion.has(property);
  }

  /**
   * The name of the symbol {@link symbolOf} can find for a member, when it
   * is plain: `o.name` (not `o.#name`), `o['name']`, `o[0]` (the property
   * of that name), `o[key]` (the variable `key`), as TypeScript reads the
   * name (escapes decoded, numbers normalised).
   */
  private accessedName(node: TSESTree.MemberExpression): string | undefined {
    const property = node.property;
    if (property.type !== AST_NODE_TYPES.Identifier && !(node.computed && property.type === AST_NODE_TYPES.Literal)) return undefined;
    const name = this.file.tsNode(property);
    if (!name) return undefined;
    if (ts.isIdentifier(name)) return name.text;
    return node.computed && (ts.isStringLiteral(name) || ts.isNumericLiteral(name)) ? name.text : undefined;
  }

  /** The expressions a call releases: by the handle model, or by the glue naming convention. */
  private releasedBy(call: TSESTree.CallExpression): TSESTree.Node[] {
    const cached = this.releasedCache.get(call);
    if (cached) return cached;
    const result = this.computeReleasedBy(call);
    this.releasedCache.set(call, result);
    return result;
  }

  private computeReleasedBy(call: TSESTree.CallExpression): TSESTree.Node[] {
    const result: TSESTree.Node[] = [];
    const callee = unwrap(call.callee);
    const receiver = callee.type === AST_NODE_TYPES.MemberExpression ? callee.object : undefined;
    // Whether the receiver is a handle decides only whether a release-named method releases it, which
    // matters only for a receiver that may be a held value: the checker is not asked about the others.
    const effect = this.file.classifyCall(
      call,
      () => receiver !== undefined && receiver.type !== AST_NODE_TYPES.ThisExpression && this.keysAtMeetHeld(receiver) && this.file.isHandleNode(receiver),
    );
    if (receiver && effect.receiver === 'release' && receiver.type !== AST_NODE_TYPES.ThisExpression) result.push(receiver);
    call.arguments.forEach((argument, index) => {
      if (argument.type === AST_NODE_TYPES.SpreadElement) return;
      if ((effect.args[index] ?? effect.rest) === 'release') result.push(argument);
    });
    const name = calleeName(callee);
    if (name !== undefined && RELEASE_CALL_NAME.test(name)) {
      for (const argument of call.arguments) if (argument.type !== AST_NODE_TYPES.SpreadElement && !result.includes(argument)) result.push(argument);
    }
    return result;
  }

  /**
   * Keys of a released expression where it is released: its own, and for a
   * local, those of what it was read from (`const p = this.ptr`). A pointer
   * that comes out of a take-out method (`this.__destroy_into_raw()`) is the
   * method's event, not the caller's.
   */
  private keysAt(node: TSESTree.Node): Set<string> {
    node = unwrap(node);
    const keys = this.keysOf(node);
    if (node.type === AST_NODE_TYPES.Identifier) {
      const fn = enclosingFunction(node);
      for (const origin of this.originsOf(node, fn)) {
        const source = unwrap(origin);
        if (source.type === AST_NODE_TYPES.CallExpression) continue;
        if (source.type === AST_NODE_TYPES.MemberExpression || source.type === AST_NODE_TYPES.Identifier) {
          for (const key of this.keysOf(source)) keys.add(key);
        }
      }
    }
    return keys;
  }

  /**
   * `const p = this.ptr; this.ptr = 0; … return p` (or `consume(p)`): the
   * pointer leaves the object, and the finalizer must be disarmed first.
   */
  private takeOuts(): ReleaseEvent[] {
    const events: ReleaseEvent[] = [];
    const consider = (node: TSESTree.Node, value: TSESTree.Node): void => {
      value = unwrap(value);
      if (value.type !== AST_NODE_TYPES.Identifier) return;
      const fn = enclosingFunction(node);
      for (const origin of this.originsOf(value, fn)) {
        const field = unwrap(origin);
        if (field.type !== AST_NODE_TYPES.MemberExpression || unwrap(field.object).type !== AST_NODE_TYPES.ThisExpression) continue;
        if (!this.isClearedIn(field, fn)) continue;
        events.push({ node, released: value, keys: this.keysOf(field), takeOut: true });
        return;
      }
    };
    for (const statement of this.returns) if (statement.argument && this.mayTakeOutHeld(statement, statement.argument)) consider(statement, statement.argument);
    for (const call of this.calls) {
      const candidates = call.arguments.filter((argument) => this.mayTakeOutHeld(call, argument));
      if (candidates.length === 0) continue;
      const released = this.releasedBy(call);
      for (const argument of candidates) if (!released.includes(argument)) consider(call, argument);
    }
    return events;
  }

  /**
   * Could `consider` in {@link takeOuts} make an event that shares a key
   * with some held value: does the value come from a field of `this` that
   * is a held value's? (Whether that field is cleared is asked only then.)
   */
  private mayTakeOutHeld(node: TSESTree.Node, value: TSESTree.Node): boolean {
    value = unwrap(value);
    if (value.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.file.variableOf(value);
    return variable !== undefined && this.originMeets(this.heldOrigins(variable).takenOut, value, node);
  }

  /** `this.ptr = 0` / `null` / `undefined` somewhere in the function. */
  private isClearedIn(field: TSESTree.MemberExpression, fn: TSESTree.Node): boolean {
    const place = this.placeOf(field);
    return place !== undefined && this.clearedPlaces(fn).has(place);
  }

  /** The places a function (not its nested functions) sets to `0` / `null` / `undefined`, once per function. */
  private clearedPlaces(fn: TSESTree.Node): Set<string | undefined> {
    let places = this.clearedCache.get(fn);
    if (places) return places;
    places = new Set();
    walk(fn, (node) => {
      if (node !== fn && isFunction(node)) return false;
      if (node.type === AST_NODE_TYPES.AssignmentExpression && node.operator === '=' && isEmptyValue(node.right)) places.add(this.placeOf(node.left));
      return true;
    });
    this.clearedCache.set(fn, places);
    return places;
  }

  // ── 1 and 3 ─────────────────────────────────────────────────────────────

  private checkReleases(events: readonly ReleaseEvent[]): void {
    const byEvent = new Map<TSESTree.Node, { event: ReleaseEvent; registrations: Registration[] }>();
    for (const registration of this.registrations) {
      const matching = events.filter((event) => this.eventMatches(event, registration));
      if (matching.length === 0) continue;
      if (!registration.token) {
        const first = matching[0];
        this.findings.push({
          kind: 'register-without-token',
          node: registration.call,
          registry: registration.registryNode,
          register: registration.call,
          related: first.node,
          subject: registration.held,
          takeOut: first.takeOut,
          edits: this.tokenEdits(registration, matching),
        });
        continue;
      }
      for (const event of matching) {
        const entry = byEvent.get(event.node) ?? { event, registrations: [] };
        entry.registrations.push(registration);
        byEvent.set(event.node, entry);
      }
    }
    for (const { event, registrations } of byEvent.values()) {
      const unguarded = registrations.filter((registration) => !this.isGuarded(event.node, registration, 0));
      if (unguarded.length === 0) continue;
      // Name (and suggest) the registration whose token can be written where the release is.
      const options = unguarded.map((registration) => ({ registration, token: this.tokenTextAt(registration, event) }));
      const chosen = options.find((option) => option.token !== undefined) ?? options[0];
      this.findings.push({
        kind: 'release-without-unregister',
        node: event.node,
        registry: chosen.registration.registryNode,
        register: chosen.registration.call,
        related: chosen.registration.call,
        subject: event.released,
        takeOut: event.takeOut,
        token: chosen.registration.token,
        tokenText: chosen.token,
        edits: chosen.token !== undefined ? this.unregisterEdits(chosen.registration, event, chosen.token) : undefined,
      });
    }
  }

  private eventMatches(event: ReleaseEvent, registration: Registration): boolean {
    if (![...event.keys].some((key) => registration.heldKeys.has(key))) return false;
    // Released before it was registered, in the same function: not yet armed.
    const fn = enclosingFunction(registration.call);
    if (enclosingFunction(event.node) === fn && event.node.range[1] <= registration.call.range[0]) return false;
    // A release inside the registry's own cleanup callback is the finalizer itself.
    return !this.creations.some((creation) => contains(creation, event.node));
  }

  /** Is an `unregister` of this registry with a matching token evaluated before `node` on every path? */
  private isGuarded(node: TSESTree.Node, registration: Registration, depth: number): boolean {
    const guards = this.guardsFor(registration);
    if (guards.some((guard) => precedes(guard, node))) return true;
    if (depth >= 2) return false;
    // A private method whose every caller in the class unregisters first.
    const fn = enclosingFunction(node);
    const method = fn.parent;
    if (fn.type !== AST_NODE_TYPES.FunctionExpression || method?.type !== AST_NODE_TYPES.MethodDefinition || method.kind !== 'method') return false;
    const isPrivate = method.key.type === AST_NODE_TYPES.PrivateIdentifier || method.accessibility === 'private';
    if (!isPrivate) return false;
    const callers = this.callsOfMethod(method);
    return callers.length > 0 && callers.every((caller) => this.isGuarded(caller, registration, depth + 1));
  }

  /**
   * Unregister calls that may remove this registration (their argument is
   * not provably another token), and calls of methods that make one first.
   */
  private guardsFor(registration: Registration): TSESTree.Node[] {
    const cached = this.guardCache.get(registration.call);
    if (cached) return cached;
    const guards: TSESTree.Node[] = [];
    this.guardCache.set(registration.call, guards);
    // Once per unregistration: a method that unregisters may be called from many places.
    const disarming = new Map<Unregistration, boolean>();
    const disarms = (unregistration: Unregistration): boolean => {
      let result = disarming.get(unregistration);
      if (result === undefined) {
        result =
          unregistration.registryKey === registration.registryKey &&
          unregistration.argument !== undefined &&
          !this.isProvablyOtherToken(unregistration.argument, registration);
        disarming.set(unregistration, result);
      }
      return result;
    };
    for (const unregistration of this.unregistrations) if (disarms(unregistration)) guards.push(unregistration.call);
    for (const call of this.calls) {
      const method = this.methodCalled(call);
      if (method && this.methodUnregisters(method, 0).some(disarms)) guards.push(call);
    }
    return guards;
  }

  /** `this.m()` / `this.#m()` → the method definition of the enclosing class. */
  private methodCalled(call: TSESTree.CallExpression): TSESTree.MethodDefinition | undefined {
    if (this.methodCalledCache.has(call)) return this.methodCalledCache.get(call);
    const method = this.findMethodCalled(call);
    this.methodCalledCache.set(call, method);
    return method;
  }

  private findMethodCalled(call: TSESTree.CallExpression): TSESTree.MethodDefinition | undefined {
    const callee = unwrap(call.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression || unwrap(callee.object).type !== AST_NODE_TYPES.ThisExpression) return undefined;
    const name = memberName(callee);
    const cls = enclosingClass(call);
    if (name === undefined || !cls) return undefined;
    for (const member of cls.body.body) {
      if (member.type !== AST_NODE_TYPES.MethodDefinition || member.kind !== 'method' || member.static) continue;
      if (keyName(member.key, member.computed) === name) return member;
    }
    return undefined;
  }

  private callsOfMethod(method: TSESTree.MethodDefinition): TSESTree.CallExpression[] {
    return this.calls.filter((call) => this.methodCalled(call) === method);
  }

  /** Unregisters a method makes unconditionally at the top of its body (one or two calls deep). */
  private methodUnregisters(method: TSESTree.MethodDefinition, depth: number): Unregistration[] {
    const cached = this.methodUnregisterCache.get(method);
    if (cached) return cached;
    this.methodUnregisterCache.set(method, []);
    const result: Unregistration[] = [];
    const body = method.value.body;
    if (body) {
      for (const unregistration of this.unregistrations) {
        if (!contains(body, unregistration.call) || enclosingFunction(unregistration.call) !== method.value) continue;
        if (unconditionalWithin(unregistration.call, body)) result.push(unregistration);
      }
      if (depth < 2) {
        for (const call of this.calls) {
          if (!contains(body, call) || enclosingFunction(call) !== method.value || !unconditionalWithin(call, body)) continue;
          const callee = this.methodCalled(call);
          if (callee && callee !== method) result.push(...this.methodUnregisters(callee, depth + 1));
        }
      }
    }
    this.methodUnregisterCache.set(method, result);
    return result;
  }

  // ── Suggestions for 1 and 3 ─────────────────────────────────────────────

  /**
   * A dedicated token for a registration without one: `#unregisterToken` in
   * a class when the target is `this` and every release is in an instance
   * method of that class; a `const` before the registration when every
   * release follows it in the same block. Undefined when neither is safe.
   */
  private tokenEdits(registration: Registration, events: readonly ReleaseEvent[]): TextEdit[] | undefined {
    const registryText = this.text(registration.registryNode);
    const dot = registration.optional ? '?.' : '.';
    const target = unwrap(registration.target);
    const targetContext = target.type === AST_NODE_TYPES.ThisExpression ? thisContext(target) : undefined;
    const edits: TextEdit[] = [];
    let tokenText: string;
    if (targetContext && !targetContext.isStatic) {
      const cls = targetContext.cls;
      if (cls.body.body.some((member) => 'key' in member && member.key.type === AST_NODE_TYPES.PrivateIdentifier && member.key.name === 'unregisterToken')) {
        return undefined;
      }
      for (const event of events) {
        const context = thisContext(event.node);
        if (!context || context.isStatic || context.cls !== cls) return undefined;
      }
      if (!this.isPortable(registration.registryNode, events)) return undefined;
      tokenText = 'this.#unregisterToken';
      const first = cls.body.body[0];
      if (!first) return undefined;
      const readonly = this.isJavaScript ? '' : 'readonly ';
      edits.push(this.insertStatementBefore(first, `${readonly}#unregisterToken = {};`));
    } else {
      const statement = statementOf(registration.call);
      if (!statement) return undefined;
      const block = statement.parent as StatementList;
      for (const event of events) {
        const eventStatement = statementOf(event.node);
        if (!eventStatement || !contains(block, eventStatement) || eventStatement.range[0] < statement.range[1]) return undefined;
        if (enclosingFunction(event.node) !== enclosingFunction(registration.call)) return undefined;
      }
      tokenText = this.freeName('unregisterToken');
      edits.push(this.insertStatementBefore(statement, `const ${tokenText} = {};`));
    }
    edits.push(this.tokenArgumentEdit(registration, tokenText));
    const unregisterEdits = this.unregisterBeforeEach(registration, events, registryText, dot, tokenText);
    if (!unregisterEdits) return undefined;
    edits.push(...unregisterEdits);
    return sortEdits(edits);
  }

  /**
   * The registration's token as it can be written where the release is:
   * itself when it means the same value there (`this` or a field of it in
   * the same class, a visible variable), `this` for a factory's local target
   * (`register(obj, ptr, obj)` in a static `__wrap`) seen from an instance
   * method; undefined otherwise.
   */
  private tokenTextAt(registration: Registration, event: ReleaseEvent): string | undefined {
    const token = registration.token;
    if (!token || !this.isPortable(registration.registryNode, [event])) return undefined;
    const tokenNode = unwrap(token);
    const here = thisContext(registration.call);
    const there = thisContext(event.node);
    const sameInstanceContext = here !== undefined && there !== undefined && !here.isStatic && !there.isStatic && here.cls === there.cls;
    if (this.isPortable(tokenNode, [event]) && (!containsThis(tokenNode) || sameInstanceContext)) return this.text(tokenNode);
    const target = unwrap(registration.target);
    const cls = enclosingClass(registration.call);
    if (
      tokenNode.type === AST_NODE_TYPES.Identifier &&
      target.type === AST_NODE_TYPES.Identifier &&
      this.placeOf(tokenNode) === this.placeOf(target) &&
      cls &&
      there &&
      !there.isStatic &&
      there.cls === cls
    ) {
      return 'this';
    }
    return undefined;
  }

  /** `registry.unregister(token);` before the release of a registration that has a token. */
  private unregisterEdits(registration: Registration, event: ReleaseEvent, tokenText: string): TextEdit[] | undefined {
    const dot = registration.optional ? '?.' : '.';
    const edits = this.unregisterBeforeEach(registration, [event], this.text(registration.registryNode), dot, tokenText);
    if (!edits) return undefined;
    // An `unregister` that comes too late, as its own statement after the release, moves up rather than staying twice.
    const late = this.unregistrations.find((unregistration) => {
      if (unregistration.registryKey !== registration.registryKey || this.isNoOp(unregistration)) return false;
      const statement = statementOf(unregistration.call);
      return (
        statement?.type === AST_NODE_TYPES.ExpressionStatement &&
        unwrap(statement.expression) === unregistration.call &&
        statement.range[0] > event.node.range[1] &&
        enclosingFunction(statement) === enclosingFunction(event.node)
      );
    });
    if (late) edits.push(this.deleteStatement(statementOf(late.call) as TSESTree.Node));
    return sortEdits(edits);
  }

  /** Removes a statement with its line when it stands alone on it. */
  private deleteStatement(statement: TSESTree.Node): TextEdit {
    const lineStart = this.sourceText.lastIndexOf('\n', statement.range[0] - 1) + 1;
    const lineEnd = this.sourceText.indexOf('\n', statement.range[1]);
    const alone =
      /^\s*$/.test(this.sourceText.slice(lineStart, statement.range[0])) &&
      lineEnd >= 0 &&
      /^\s*$/.test(this.sourceText.slice(statement.range[1], lineEnd));
    return alone ? { range: [lineStart, lineEnd + 1], text: '' } : { range: statement.range, text: '' };
  }

  private unregisterBeforeEach(
    registration: Registration,
    events: readonly ReleaseEvent[],
    registryText: string,
    dot: string,
    tokenText: string,
  ): TextEdit[] | undefined {
    const edits: TextEdit[] = [];
    const done = new Set<TSESTree.Node>();
    for (const event of events) {
      // An existing no-op `registry.unregister(x)` before the release gets the token instead.
      const existing = this.unregistrations.find(
        (unregistration) =>
          unregistration.registryKey === registration.registryKey && this.isNoOp(unregistration) && precedes(unregistration.call, event.node),
      );
      if (existing?.argument) {
        if (done.has(existing.call)) continue;
        done.add(existing.call);
        edits.push({ range: existing.argument.range, text: tokenText });
        continue;
      }
      const statement = statementOf(event.node);
      if (!statement) return undefined;
      if (done.has(statement)) continue;
      done.add(statement);
      edits.push(this.insertStatementBefore(statement, `${registryText}${dot}unregister(${tokenText});`));
    }
    return edits;
  }

  /** An unregister whose argument is provably no registration's token (so giving it the new token changes nothing else). */
  private isNoOp(unregistration: Unregistration): boolean {
    const argument = unregistration.argument;
    if (!argument) return false;
    return this.registrations.every(
      (registration) => registration.registryKey !== unregistration.registryKey || this.isProvablyOtherToken(argument, registration),
    );
  }

  private tokenArgumentEdit(registration: Registration, tokenText: string): TextEdit {
    const third = registration.call.arguments[2];
    if (third) return { range: third.range, text: tokenText };
    return { range: [registration.held.range[1], registration.held.range[1]], text: `, ${tokenText}` };
  }

  /** Can this expression be written at every event and mean the same value there? */
  private isPortable(node: TSESTree.Node, events: readonly ReleaseEvent[]): boolean {
    node = unwrap(node);
    if (node.type === AST_NODE_TYPES.ThisExpression) return true;
    if (node.type === AST_NODE_TYPES.MemberExpression) return !node.computed && this.isPortable(node.object, events);
    if (node.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.file.variableOf(node);
    if (!variable) return false;
    return events.every((event) => this.resolvesTo(node.name, event.node, variable));
  }

  private resolvesTo(name: string, at: TSESTree.Node, variable: Variable): boolean {
    let scope: Scope | null = this.scopeAt(at);
    while (scope) {
      const found = scope.set.get(name);
      if (found) return found === variable;
      scope = scope.upper;
    }
    return false;
  }

  private scopeAt(node: TSESTree.Node): Scope | null {
    for (let current: TSESTree.Node | undefined = node; current; current = current.parent) {
      const scope = this.input.scopeManager.acquire(current, true);
      if (scope) return scope;
    }
    return this.input.scopeManager.globalScope;
  }

  private insertStatementBefore(node: TSESTree.Node, statement: string): TextEdit {
    const lineStart = this.sourceText.lastIndexOf('\n', node.range[0] - 1) + 1;
    const before = this.sourceText.slice(lineStart, node.range[0]);
    const separator = /^\s*$/.test(before) ? `\n${before}` : ' ';
    return { range: [node.range[0], node.range[0]], text: `${statement}${separator}` };
  }

  private freeName(base: string): string {
    for (let index = 0; ; index++) {
      const name = index === 0 ? base : `${base}${index}`;
      if (!new RegExp(`\\b${name}\\b`).test(this.sourceText)) return name;
    }
  }

  private text(node: TSESTree.Node): string {
    return this.sourceText.slice(node.range[0], node.range[1]);
  }

  // ── 2 ───────────────────────────────────────────────────────────────────

  private checkUnregisters(): void {
    for (const unregistration of this.unregistrations) {
      if (!unregistration.argument || !this.isOwnRegistry(unregistration.registryNode)) continue;
      const registrations = this.registrations.filter((registration) => registration.registryKey === unregistration.registryKey);
      if (registrations.length === 0) continue;
      const withToken = registrations.filter((registration) => registration.token);
      const base = {
        node: unregistration.call,
        registry: unregistration.registryNode,
        subject: unregistration.argument,
      };
      if (withToken.length === 0) {
        this.findings.push({ ...base, kind: 'unregister-unknown-token', register: registrations[0].call, related: registrations[0].call, tokenless: true });
        continue;
      }
      const argument = unregistration.argument;
      if (!withToken.every((registration) => this.isProvablyOtherToken(argument, registration))) continue;
      this.findings.push({ ...base, kind: 'unregister-unknown-token', register: withToken[0].call, related: withToken[0].call, token: withToken[0].token });
    }
  }

  /**
   * Is `argument` certainly not the object the registration passed as its
   * token? Only identities the file pins down count: `this` and its fields,
   * and constants holding a fresh object (`{}`, `Symbol()`, `new X()`). A
   * parameter or other variable may hold anything (`unregister(geometry)`
   * in one function, `register(geometry, id, geometry)` in another), except
   * a fresh token made in its own function, which no parameter can be.
   */
  private isProvablyOtherToken(argument: TSESTree.Node, registration: Registration): boolean {
    const token = registration.token;
    if (!token) return true;
    const argumentKeys = this.tokenKeys(argument);
    const tokenKeys = this.tokenKeys(token, registration);
    if (argumentKeys.size === 0 || tokenKeys.size === 0) return false;
    // A token stored somewhere (`this.#token = token`) is also known by that place.
    const tokenNode = unwrap(token);
    if (tokenNode.type === AST_NODE_TYPES.Identifier) {
      for (const origin of this.originsOf(tokenNode, enclosingFunction(tokenNode))) for (const key of this.keysOf(origin)) tokenKeys.add(key);
    }
    if ([...argumentKeys].some((key) => tokenKeys.has(key))) return false;
    const argumentIdentity = this.identityOf(argument);
    const tokenIdentity = this.identityOf(token);
    if (argumentIdentity !== 'unknown' && tokenIdentity !== 'unknown') return true;
    if (tokenIdentity === 'fresh' && tokenNode.type === AST_NODE_TYPES.Identifier) {
      const argumentNode = unwrap(argument);
      const freshIn = enclosingFunction(this.file.variableOf(tokenNode)?.defs[0]?.node ?? tokenNode);
      if (argumentNode.type === AST_NODE_TYPES.ThisExpression) return true;
      const variable = argumentNode.type === AST_NODE_TYPES.Identifier ? this.file.variableOf(argumentNode) : undefined;
      return variable?.defs.some((definition) => definition.type === 'Parameter' && definition.node === freshIn) ?? false;
    }
    return false;
  }

  /** `this` (or a field of it), a constant holding a fresh object, or anything. */
  private identityOf(node: TSESTree.Node): 'this' | 'fresh' | 'unknown' {
    node = unwrap(node);
    if (rootOf(node).type === AST_NODE_TYPES.ThisExpression && this.placeOf(node) !== undefined) return 'this';
    if (node.type !== AST_NODE_TYPES.Identifier) return 'unknown';
    const variable = this.file.variableOf(node);
    const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
    if (
      definition?.node.type !== AST_NODE_TYPES.VariableDeclarator ||
      definition.parent?.type !== AST_NODE_TYPES.VariableDeclaration ||
      definition.parent.kind !== 'const' ||
      !definition.node.init
    ) {
      return 'unknown';
    }
    const init = unwrap(definition.node.init);
    const fresh =
      init.type === AST_NODE_TYPES.ObjectExpression ||
      init.type === AST_NODE_TYPES.ArrayExpression ||
      init.type === AST_NODE_TYPES.NewExpression ||
      init.type === AST_NODE_TYPES.ArrowFunctionExpression ||
      init.type === AST_NODE_TYPES.FunctionExpression ||
      (init.type === AST_NODE_TYPES.CallExpression && init.callee.type === AST_NODE_TYPES.Identifier && init.callee.name === 'Symbol');
    return fresh ? 'fresh' : 'unknown';
  }

  /** Declared in this file and not exported from it: every registration is in sight. */
  private isOwnRegistry(node: TSESTree.Node): boolean {
    const symbol = this.symbolOf(node);
    const declaration = symbol?.valueDeclaration;
    const thisFile = this.input.services.esTreeNodeToTSNodeMap.get(this.input.ast)?.getSourceFile();
    if (!declaration || declaration.getSourceFile() !== thisFile) return false;
    if (ts.isVariableDeclaration(declaration)) {
      const statement = declaration.parent.parent;
      if (ts.isVariableStatement(statement) && statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) return false;
    }
    return true;
  }

  // ── 4 and 6 (token) ─────────────────────────────────────────────────────

  private checkKeepAlive(): void {
    for (const registration of this.registrations) {
      const target = this.placeOf(registration.target);
      if (!target) continue;
      const held = unwrap(registration.held);
      if (this.placeOf(held) === target) {
        this.findings.push({
          kind: 'held-is-target',
          node: registration.held,
          registry: registration.registryNode,
          register: registration.call,
          related: registration.target,
          subject: registration.target,
        });
      } else {
        const reaching = this.reachesPlace(held, target, enclosingFunction(registration.call), 0);
        if (reaching) {
          this.findings.push({
            kind: 'held-reaches-target',
            node: registration.held,
            registry: registration.registryNode,
            register: registration.call,
            related: reaching,
            subject: registration.target,
          });
        }
      }
      if (registration.token && this.placeOf(registration.token) === target) {
        this.findings.push({
          kind: 'token-is-target',
          node: registration.token,
          registry: registration.registryNode,
          register: registration.call,
          related: registration.target,
          subject: registration.target,
        });
      }
    }
  }

  /**
   * The node inside a held value through which it refers to the target: an
   * object or array member, a `.bind(target)`, a closure that mentions it.
   * Reading a member (`o.ptr`) copies a value and does not refer to `o`.
   */
  private reachesPlace(node: TSESTree.Node, target: string, fn: TSESTree.Node, depth: number): TSESTree.Node | undefined {
    node = unwrap(node);
    if (this.placeOf(node) === target) return node;
    switch (node.type) {
      case AST_NODE_TYPES.ArrayExpression:
        for (const element of node.elements) {
          const found = element && this.reachesPlace(element.type === AST_NODE_TYPES.SpreadElement ? element.argument : element, target, fn, depth);
          if (found) return found;
        }
        return undefined;
      case AST_NODE_TYPES.ObjectExpression:
        for (const property of node.properties) {
          const value = property.type === AST_NODE_TYPES.Property ? property.value : property.argument;
          const found = this.reachesPlace(value, target, fn, depth);
          if (found) return found;
        }
        return undefined;
      case AST_NODE_TYPES.ConditionalExpression:
        return this.reachesPlace(node.consequent, target, fn, depth) ?? this.reachesPlace(node.alternate, target, fn, depth);
      case AST_NODE_TYPES.LogicalExpression:
        return this.reachesPlace(node.left, target, fn, depth) ?? this.reachesPlace(node.right, target, fn, depth);
      case AST_NODE_TYPES.CallExpression: {
        const callee = unwrap(node.callee);
        if (callee.type === AST_NODE_TYPES.MemberExpression && memberName(callee) === 'bind') {
          for (const argument of node.arguments) {
            const found = this.reachesPlace(argument, target, fn, depth);
            if (found) return found;
          }
        }
        return undefined;
      }
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.FunctionExpression:
        return this.closureMention(node, target);
      case AST_NODE_TYPES.Identifier: {
        if (depth >= 2) return undefined;
        const variable = this.file.variableOf(node);
        const definition = variable?.defs[0];
        if (
          variable?.defs.length === 1 &&
          definition?.node.type === AST_NODE_TYPES.VariableDeclarator &&
          definition.parent?.type === AST_NODE_TYPES.VariableDeclaration &&
          definition.parent.kind === 'const' &&
          definition.node.init &&
          contains(fn, definition.node)
        ) {
          return this.reachesPlace(definition.node.init, target, fn, depth + 1);
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** The first `this` (lexically the same) or reference to the target's variable inside a closure. */
  private closureMention(closure: FunctionLike, target: string): TSESTree.Node | undefined {
    let found: TSESTree.Node | undefined;
    walk(closure.body, (node) => {
      if (found) return false;
      // A nested regular function has its own `this`; its references to variables still count.
      if (node.type === AST_NODE_TYPES.ThisExpression) {
        if (thisBinder(node) === thisBinder(closure) && closure.type === AST_NODE_TYPES.ArrowFunctionExpression && this.placeOf(node) === target) found = node;
        return false;
      }
      if (node.type === AST_NODE_TYPES.Identifier && !isPropertyName(node) && this.placeOf(node) === target) {
        found = node;
        return false;
      }
      return true;
    });
    return found;
  }

  // ── 5 and 6 (callback) ──────────────────────────────────────────────────

  private checkCallbacks(): void {
    for (const creation of this.creations) {
      const callbackArgument = creation.arguments[0];
      if (!callbackArgument || callbackArgument.type === AST_NODE_TYPES.SpreadElement) continue;
      const callback = unwrap(callbackArgument);
      const holder = registryHolder(creation);
      const registryKey = holder ? this.registryKey(holder) : undefined;
      const registryNode = holder ?? creation;
      if (registryKey) {
        for (const registration of this.registrations) {
          if (registration.registryKey !== registryKey) continue;
          const target = this.placeOf(registration.target);
          if (!target) continue;
          const mention =
            callback.type === AST_NODE_TYPES.ArrowFunctionExpression || callback.type === AST_NODE_TYPES.FunctionExpression
              ? this.closureMention(callback, target)
              : this.reachesPlace(callback, target, enclosingFunction(creation), 1);
          if (!mention) continue;
          this.findings.push({
            kind: 'callback-captures-target',
            node: mention,
            registry: registryNode,
            register: registration.call,
            related: registration.call,
            subject: registration.target,
          });
          break;
        }
      }
      if (callback.type === AST_NODE_TYPES.ArrowFunctionExpression || callback.type === AST_NODE_TYPES.FunctionExpression) {
        for (const write of this.sharedWrites(callback)) {
          this.findings.push({ kind: 'callback-writes-shared-state', node: write.node, registry: registryNode, subject: write.subject });
        }
      }
    }
  }

  /** Writes in a cleanup callback to anything but its parameters and its own locals. */
  private sharedWrites(callback: FunctionLike): { node: TSESTree.Node; subject: TSESTree.Node }[] {
    const writes: { node: TSESTree.Node; subject: TSESTree.Node }[] = [];
    const isOuter = (target: TSESTree.Node): boolean => {
      const root = rootOf(target);
      if (root.type === AST_NODE_TYPES.ThisExpression) return callback.type === AST_NODE_TYPES.ArrowFunctionExpression;
      if (root.type !== AST_NODE_TYPES.Identifier) return false;
      const variable = this.file.variableOf(root);
      // Unresolved globals (`globalThis`-style names) are shared too.
      if (!variable) return true;
      return !contains(callback, variable.scope.block) && variable.scope.block !== callback;
    };
    walk(callback.body, (node) => {
      if (isFunction(node)) return false;
      if (node.type === AST_NODE_TYPES.AssignmentExpression && isOuter(node.left)) writes.push({ node, subject: node.left });
      else if (node.type === AST_NODE_TYPES.UpdateExpression && isOuter(node.argument)) writes.push({ node, subject: node.argument });
      else if (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'delete' && isOuter(node.argument)) {
        writes.push({ node, subject: node.argument });
      } else if (node.type === AST_NODE_TYPES.CallExpression) {
        const callee = unwrap(node.callee);
        if (callee.type === AST_NODE_TYPES.MemberExpression && MUTATING_METHODS.has(memberName(callee) ?? '') && isOuter(callee.object)) {
          writes.push({ node, subject: callee.object });
        }
      }
      return true;
    });
    return writes;
  }
}

// ── Helpers over the ESTree ───────────────────────────────────────────────

function isFinalizationRegistryType(type: ts.Type): boolean {
  return tsutils.unionConstituents(type).some((part) => part.getSymbol()?.getName() === 'FinalizationRegistry');
}

function isFinalizationRegistryConstructor(callee: TSESTree.Node): boolean {
  callee = unwrap(callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name === 'FinalizationRegistry';
  return callee.type === AST_NODE_TYPES.MemberExpression && memberName(callee) === 'FinalizationRegistry';
}

/** The variable, field or assignment target a `new FinalizationRegistry(…)` is stored in. */
function registryHolder(creation: TSESTree.NewExpression): TSESTree.Node | undefined {
  let node: TSESTree.Node = creation;
  while (
    node.parent &&
    (node.parent.type === AST_NODE_TYPES.ConditionalExpression ||
      node.parent.type === AST_NODE_TYPES.LogicalExpression ||
      node.parent.type === AST_NODE_TYPES.TSAsExpression ||
      node.parent.type === AST_NODE_TYPES.TSSatisfiesExpression ||
      node.parent.type === AST_NODE_TYPES.TSNonNullExpression)
  ) {
    node = node.parent;
  }
  const parent = node.parent;
  if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === node) return parent.id;
  if (parent?.type === AST_NODE_TYPES.PropertyDefinition && parent.value === node) return parent.key;
  if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === node) return parent.left;
  return undefined;
}

function unwrap(node: TSESTree.Node): TSESTree.Node {
  for (;;) {
    switch (node.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
        node = node.expression;
        continue;
      case AST_NODE_TYPES.ChainExpression:
        node = node.expression;
        continue;
      case AST_NODE_TYPES.BinaryExpression:
        // `ptr >>> 0`, `ptr | 0`: the same pointer as an unsigned or signed integer.
        if ((node.operator === '>>>' || node.operator === '|') && node.right.type === AST_NODE_TYPES.Literal && node.right.value === 0) {
          node = node.left;
          continue;
        }
        return node;
      default:
        return node;
    }
  }
}

function isUndefinedLiteral(node: TSESTree.Node): boolean {
  return (
    (node.type === AST_NODE_TYPES.Identifier && node.name === 'undefined') ||
    (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'void')
  );
}

function isEmptyValue(node: TSESTree.Node): boolean {
  node = unwrap(node);
  if (isUndefinedLiteral(node)) return true;
  return node.type === AST_NODE_TYPES.Literal && (node.value === 0 || node.value === null || node.value === 0n);
}

function memberName(node: TSESTree.MemberExpression): string | undefined {
  const property = node.property;
  if (!node.computed) return property.type === AST_NODE_TYPES.PrivateIdentifier ? `#${property.name}` : (property as TSESTree.Identifier).name;
  if (property.type === AST_NODE_TYPES.Literal && (typeof property.value === 'number' || typeof property.value === 'string')) return String(property.value);
  return undefined;
}

function keyName(key: TSESTree.Node, computed: boolean): string | undefined {
  if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  if (!computed && key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.Literal && (typeof key.value === 'number' || typeof key.value === 'string')) return String(key.value);
  return undefined;
}

function calleeName(callee: TSESTree.Node): string | undefined {
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression) return memberName(callee);
  return undefined;
}

function isFunction(node: TSESTree.Node): node is FunctionLike {
  return (
    node.type === AST_NODE_TYPES.FunctionDeclaration ||
    node.type === AST_NODE_TYPES.FunctionExpression ||
    node.type === AST_NODE_TYPES.ArrowFunctionExpression
  );
}

function isPropertyName(node: TSESTree.Identifier): boolean {
  const parent = node.parent;
  if (parent?.type === AST_NODE_TYPES.MemberExpression) return parent.property === node && !parent.computed;
  if (parent?.type === AST_NODE_TYPES.Property) return parent.key === node && !parent.computed && !parent.shorthand;
  return false;
}

function contains(outer: TSESTree.Node, inner: TSESTree.Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

/** Depth-first walk; `visit` returns false to skip a node's children. */
function walk(root: TSESTree.Node, visit: (node: TSESTree.Node) => boolean): void {
  const step = (node: TSESTree.Node): void => {
    if (!visit(node)) return;
    forEachChild(node, step);
  };
  step(root);
}

function rootOf(node: TSESTree.Node): TSESTree.Node {
  node = unwrap(node);
  while (node.type === AST_NODE_TYPES.MemberExpression) node = unwrap(node.object);
  return node;
}

function containsThis(node: TSESTree.Node): boolean {
  return rootOf(node).type === AST_NODE_TYPES.ThisExpression;
}

/** The function (arrows included), field initializer, static block or program a node runs in. */
function enclosingFunction(node: TSESTree.Node): TSESTree.Node {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunction(current) || current.type === AST_NODE_TYPES.StaticBlock || current.type === AST_NODE_TYPES.PropertyDefinition) return current;
    if (current.type === AST_NODE_TYPES.Program) return current;
  }
  return node;
}

function enclosingClass(node: TSESTree.Node): ClassNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === AST_NODE_TYPES.ClassDeclaration || current.type === AST_NODE_TYPES.ClassExpression) return current;
  }
  return undefined;
}

/** What binds `this` at a node: the nearest non-arrow function, field initializer, static block or the program. */
function thisBinder(node: TSESTree.Node): TSESTree.Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === AST_NODE_TYPES.FunctionDeclaration || current.type === AST_NODE_TYPES.FunctionExpression) return current;
    if (current.type === AST_NODE_TYPES.PropertyDefinition || current.type === AST_NODE_TYPES.StaticBlock) return current;
    if (current.type === AST_NODE_TYPES.Program) return current;
  }
  return undefined;
}

/** The class whose instance (or constructor, when static) `this` is at a node. */
function thisContext(node: TSESTree.Node): { cls: ClassNode; isStatic: boolean } | undefined {
  const binder = thisBinder(node);
  if (!binder) return undefined;
  if (binder.type === AST_NODE_TYPES.StaticBlock) {
    const cls = binder.parent.parent;
    return { cls, isStatic: true };
  }
  if (binder.type === AST_NODE_TYPES.PropertyDefinition) return { cls: binder.parent.parent, isStatic: binder.static };
  if (binder.type === AST_NODE_TYPES.FunctionExpression && binder.parent?.type === AST_NODE_TYPES.MethodDefinition) {
    const method = binder.parent;
    return { cls: method.parent.parent, isStatic: method.static };
  }
  return undefined;
}

function isStatementList(node: TSESTree.Node | undefined): node is StatementList {
  return (
    node?.type === AST_NODE_TYPES.Program ||
    node?.type === AST_NODE_TYPES.BlockStatement ||
    node?.type === AST_NODE_TYPES.StaticBlock ||
    node?.type === AST_NODE_TYPES.SwitchCase
  );
}

function statementsOf(list: StatementList): readonly TSESTree.Node[] {
  return list.type === AST_NODE_TYPES.SwitchCase ? list.consequent : list.body;
}

/** The statement, directly in a statement list, that evaluates `node` unconditionally; undefined when there is none. */
function statementOf(node: TSESTree.Node): TSESTree.Node | undefined {
  for (let current: TSESTree.Node = node; current.parent; current = current.parent) {
    if (isStatementList(current.parent)) return unconditionalWithin(node, current) ? current : undefined;
    if (isFunction(current.parent)) return undefined;
  }
  return undefined;
}

/**
 * Is `inner` evaluated whenever `outer` runs to it: no branch, loop,
 * short-circuit or nested function in between?
 */
function unconditionalWithin(inner: TSESTree.Node, outer: TSESTree.Node): boolean {
  for (let child = inner; child !== outer; ) {
    const parent = child.parent;
    if (!parent) return false;
    switch (parent.type) {
      case AST_NODE_TYPES.ExpressionStatement:
      case AST_NODE_TYPES.ChainExpression:
      case AST_NODE_TYPES.AwaitExpression:
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.VariableDeclarator:
      case AST_NODE_TYPES.VariableDeclaration:
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
      case AST_NODE_TYPES.MemberExpression:
      case AST_NODE_TYPES.SequenceExpression:
      case AST_NODE_TYPES.ReturnStatement:
      case AST_NODE_TYPES.BinaryExpression:
      case AST_NODE_TYPES.UnaryExpression:
      case AST_NODE_TYPES.BlockStatement:
        break;
      case AST_NODE_TYPES.AssignmentExpression:
        if (parent.operator !== '=' && child === parent.right) return false;
        break;
      case AST_NODE_TYPES.LogicalExpression:
        if (child !== parent.left) return false;
        break;
      case AST_NODE_TYPES.ConditionalExpression:
      case AST_NODE_TYPES.IfStatement:
        if (child !== parent.test) return false;
        break;
      case AST_NODE_TYPES.TryStatement:
        if (child !== parent.block) return false;
        break;
      default:
        return false;
    }
    child = parent;
  }
  return true;
}

/**
 * Does `guard` run before `node` on every path through their function?
 * Approximated structurally: the guard sits, unconditionally, in an earlier
 * statement of a statement list enclosing `node`, or in `node`'s own
 * arguments (`free(this.takePointer())`).
 */
function precedes(guard: TSESTree.Node, node: TSESTree.Node): boolean {
  if (enclosingFunction(guard) !== enclosingFunction(node)) return false;
  if (node.type === AST_NODE_TYPES.CallExpression && node.arguments.some((argument) => contains(argument, guard) && unconditionalWithin(guard, argument))) {
    return true;
  }
  for (let child: TSESTree.Node = node; child.parent; child = child.parent) {
    const parent: TSESTree.Node = child.parent;
    if (isFunction(parent) || parent.type === AST_NODE_TYPES.PropertyDefinition) return false;
    if (!isStatementList(parent)) continue;
    for (const sibling of statementsOf(parent)) {
      if (sibling === child) break;
      if (contains(sibling, guard) && unconditionalWithin(guard, sibling)) return true;
    }
  }
  return false;
}

function sortEdits(edits: TextEdit[]): TextEdit[] {
  return edits.sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
}
