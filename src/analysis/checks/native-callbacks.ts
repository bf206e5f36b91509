/**
 * Native callbacks released while native code may still call them.
 *
 * A callback handed to native code (`Deno.UnsafeCallback`, bun's
 * `JSCallback`, `koffi.register`) is two things: a handle the program must
 * close, and an address native code keeps after a *registration*
 * (`lib.symbols.set_log_handler(cb.pointer)`). Closing the callback frees the
 * trampoline; native code that still holds the address calls into freed
 * memory. So a release must come after the paired *unregistration*
 * (`set_log_handler(null)`, `remove_listener(cb.pointer)`).
 *
 * Registrations and unregistrations are recognised by the callee's name:
 * a call that receives the callback (or its `pointer` / `ptr`) and is named
 * like `register…`, `set…`, `add…`, `on…`, `connect…`, `subscribe…`; its pair
 * is the `un…` / `remove…` / `clear…` / `disconnect…` call for the same
 * subject, the same setter called with `null`, or any un-verb call that
 * receives the same callback. A synchronous use (`qsort(…, cb.pointer)`) is no
 * registration. Paths are followed through `if`, loops, `switch`, `try` and
 * early exits; fields of `this` and module variables registered in one
 * function and released in another (a class's `close()`) are followed too.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import { forEachValueChild } from '../ir/ast.js';
import type { AnalysisInput } from '../program/input.js';
import type { HandleModel } from '../model/handle-model.js';
import { FileContext, fileContextFor } from '../program/file-context.js';

export interface PrematureCallbackRelease {
  /** The release (`cb.close()`, `koffi.unregister(cb)`). */
  readonly node: TSESTree.Node;
  /** The callback expression released. */
  readonly subject: TSESTree.Node;
  /** The registration still in force on some path to the release. */
  readonly registration: TSESTree.CallExpression;
}

export interface NativeCallbackAnalysis {
  readonly findings: readonly PrematureCallbackRelease[];
}

interface Registration {
  readonly call: TSESTree.CallExpression;
  readonly calleeName: string;
  readonly stem: string;
}

/** Outstanding registrations per callback key; `null`: the path ended. */
type State = Map<string, readonly Registration[]> | null;

type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

const REGISTER_VERBS = new Set(['register', 'set', 'add', 'install', 'attach', 'connect', 'subscribe', 'on', 'hook', 'bind', 'listen', 'watch']);
const UNREGISTER_VERBS = new Set([
  'unregister',
  'deregister',
  'unset',
  'clear',
  'reset',
  'remove',
  'delete',
  'uninstall',
  'detach',
  'disconnect',
  'unsubscribe',
  'off',
  'unhook',
  'unbind',
  'unlisten',
  'unwatch',
]);

const cache = new WeakMap<TSESTree.Program, NativeCallbackAnalysis>();

/**
 * Analyse a file once. The model may be passed as a function, called only
 * when the file mentions a callback API.
 */
export function analyzeNativeCallbacks(input: AnalysisInput, model: HandleModel | (() => HandleModel)): NativeCallbackAnalysis {
  const cached = cache.get(input.ast);
  if (cached) return cached;
  let result: NativeCallbackAnalysis = { findings: [] };
  let mentioned = false;
  try {
    // Most files never mention a native callback: look for the words first.
    // The callback APIs the presets know: Deno.UnsafeCallback, bun's JSCallback, koffi.register.
    const text = input.ast.range ? sourceTextOf(input) : '';
    mentioned = mentionsCallbackApi(text);
  } catch (error) {
    if (!(error instanceof RangeError) && !(error instanceof TypeError)) throw error;
  }
  if (mentioned) {
    const resolved = typeof model === 'function' ? model() : model;
    try {
      if (resolved.specs) result = new NativeCallbacks(input, resolved).run();
    } catch (error) {
      if (!(error instanceof RangeError) && !(error instanceof TypeError)) throw error;
    }
  }
  cache.set(input.ast, result);
  return result;
}

/** `/UnsafeCallback|JSCallback|\bkoffi\b/.test(text)`, with plain substring searches first (a regex alternation scans a large file slowly). */
function mentionsCallbackApi(text: string): boolean {
  return text.includes('UnsafeCallback') || text.includes('JSCallback') || (text.includes('koffi') && /\bkoffi\b/.test(text));
}

function sourceTextOf(input: AnalysisInput): string {
  return input.services.esTreeNodeToTSNodeMap.get(input.ast)?.getSourceFile().text ?? '';
}

class NativeCallbacks {
  private readonly file: FileContext;
  private readonly pointerMembers: ReadonlySet<string>;
  /** Keys assigned a `koffi.register(…)` result somewhere in the file. */
  private readonly createdKeys = new Set<string>();
  private readonly findings: PrematureCallbackRelease[] = [];
  private readonly reported = new Set<TSESTree.Node>();
  /** Registrations of fields and module variables still in force when some function exits. */
  private readonly outstandingAtExit = new Map<FunctionNode | TSESTree.Program, Map<string, readonly Registration[]>>();
  private collecting = false;
  private currentFunction: FunctionNode | TSESTree.Program;

  constructor(
    private readonly input: AnalysisInput,
    private readonly model: HandleModel,
  ) {
    this.file = fileContextFor(input, model);
    this.pointerMembers = model.specs?.callbackPointerMembers() ?? new Set();
    this.currentFunction = input.ast;
  }

  run(): NativeCallbackAnalysis {
    const functions: (FunctionNode | TSESTree.Program)[] = [this.input.ast, ...collectFunctions(this.input.ast)];
    this.findCreations(this.input.ast);
    // Pass 1: what each function leaves registered; pass 2: report, starting each function from the others' leftovers.
    for (const collecting of [false, true]) {
      this.collecting = collecting;
      for (const fn of functions) {
        this.currentFunction = fn;
        const entry = collecting ? this.entryState(fn) : new Map<string, readonly Registration[]>();
        const exit = this.walkFunction(fn, entry);
        if (!collecting) this.outstandingAtExit.set(fn, this.nonLocal(exit, fn));
      }
    }
    return { findings: this.findings };
  }

  private entryState(fn: FunctionNode | TSESTree.Program): Map<string, readonly Registration[]> {
    const state = new Map<string, readonly Registration[]>();
    const ownClass = enclosingClass(fn);
    for (const [other, leftovers] of this.outstandingAtExit) {
      if (other === fn) continue;
      for (const [key, registrations] of leftovers) {
        // Fields of `this` carry over between methods of the same class only.
        if (key.startsWith('this@') && key.slice(5, key.indexOf('.')) !== classId(ownClass)) continue;
        state.set(key, union(state.get(key) ?? [], registrations));
      }
    }
    return state;
  }

  private nonLocal(exit: Map<string, readonly Registration[]>, fn: FunctionNode | TSESTree.Program): Map<string, readonly Registration[]> {
    const result = new Map<string, readonly Registration[]>();
    for (const [key, registrations] of exit) {
      if (registrations.length === 0) continue;
      if (key.startsWith('this@') || fn.type === AST_NODE_TYPES.Program || !this.isLocalKey(key, fn)) result.set(key, registrations);
    }
    return result;
  }

  private isLocalKey(key: string, fn: FunctionNode | TSESTree.Program): boolean {
    return this.localKeys(fn).has(key);
  }

  private readonly localKeyCache = new Map<TSESTree.Node, Set<string>>();

  private localKeys(fn: FunctionNode | TSESTree.Program): Set<string> {
    let keys = this.localKeyCache.get(fn);
    if (!keys) {
      keys = new Set();
      const scope = this.file.functionScope(fn);
      const visit = (current: NonNullable<typeof scope>): void => {
        for (const variable of current.variables) keys!.add(`v${this.file.variableId(variable)}`);
        for (const child of current.childScopes) if (child.variableScope === scope?.variableScope) visit(child);
      };
      if (scope) visit(scope);
      this.localKeyCache.set(fn, keys);
    }
    return keys;
  }

  // ---------------------------------------------------------------- keys

  private keyOf(node: TSESTree.Node): string | null {
    switch (node.type) {
      case AST_NODE_TYPES.Identifier: {
        const variable = this.file.variableOf(node);
        return variable ? `v${this.file.variableId(variable)}` : null;
      }
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.ChainExpression:
        return this.keyOf(node.expression);
      case AST_NODE_TYPES.MemberExpression: {
        if (node.object.type !== AST_NODE_TYPES.ThisExpression || node.computed) return null;
        const name = node.property.type === AST_NODE_TYPES.PrivateIdentifier ? `#${node.property.name}` : (node.property as TSESTree.Identifier).name;
        return `this@${classId(enclosingClass(node))}.${name}`;
      }
      default:
        return null;
    }
  }

  /** The callback key an expression names: a typed callback (`cb`, `this.cb`) or a `koffi.register` result. */
  private callbackKey(node: TSESTree.Node): string | null {
    const key = this.keyOf(node);
    if (!key) return null;
    if (this.createdKeys.has(key)) return key;
    const tsNode = this.file.tsNode(node);
    if (tsNode && this.model.specs?.isNativeCallbackType(this.model.checker.getTypeAtLocation(tsNode))) return key;
    return null;
  }

  /** The callback whose address an argument hands out: `cb.pointer`, `cb.ptr`, a registered koffi callback. */
  private pointerOf(node: TSESTree.Node): string | null {
    let inner = node;
    while (inner.type === AST_NODE_TYPES.TSNonNullExpression || inner.type === AST_NODE_TYPES.TSAsExpression || inner.type === AST_NODE_TYPES.ChainExpression) {
      inner = inner.expression;
    }
    if (inner.type === AST_NODE_TYPES.MemberExpression && !inner.computed && inner.property.type === AST_NODE_TYPES.Identifier) {
      if (this.pointerMembers.has(inner.property.name)) {
        const key = this.callbackKey(inner.object);
        if (key) return key;
      }
    }
    const key = this.keyOf(inner);
    return key && this.createdKeys.has(key) ? key : null;
  }

  private findCreations(root: TSESTree.Node): void {
    walk(root, (node) => {
      let target: TSESTree.Node | null = null;
      let value: TSESTree.Node | null | undefined = null;
      if (node.type === AST_NODE_TYPES.VariableDeclarator) [target, value] = [node.id, node.init];
      else if (node.type === AST_NODE_TYPES.AssignmentExpression) [target, value] = [node.left, node.right];
      else if (node.type === AST_NODE_TYPES.PropertyDefinition && node.value) {
        const name = node.key.type === AST_NODE_TYPES.Identifier ? node.key.name : node.key.type === AST_NODE_TYPES.PrivateIdentifier ? `#${node.key.name}` : null;
        if (name && this.isCreation(node.value)) this.createdKeys.add(`this@${classId(enclosingClass(node))}.${name}`);
        return;
      }
      if (!target || !value || !this.isCreation(value)) return;
      const key = this.keyOf(target);
      if (key) this.createdKeys.add(key);
    });
  }

  private isCreation(node: TSESTree.Node): boolean {
    if (node.type !== AST_NODE_TYPES.CallExpression) return false;
    const tsNode = this.file.tsNode(node);
    if (!tsNode || !ts.isCallExpression(tsNode)) return false;
    const declaration = this.model.signatureOf(tsNode)?.getDeclaration() as ts.SignatureDeclaration | undefined;
    return declaration !== undefined && this.model.specs?.isCallbackCreation(tsNode, declaration) === true;
  }

  // ---------------------------------------------------------------- paths

  private walkFunction(fn: FunctionNode | TSESTree.Program, entry: Map<string, readonly Registration[]>): Map<string, readonly Registration[]> {
    const exits: State[] = [];
    this.exits = exits;
    let state: State = new Map(entry);
    if (fn.type === AST_NODE_TYPES.Program) state = this.statements(fn.body, state);
    else if (fn.body.type === AST_NODE_TYPES.BlockStatement) state = this.statements(fn.body.body, state);
    else state = this.expression(fn.body, state);
    exits.push(state);
    let merged: State = null;
    for (const exit of exits) merged = merge(merged, exit);
    return merged ?? new Map();
  }

  /** States at `return` and `throw`: what the function leaves registered. */
  private exits: State[] = [];

  private statements(body: readonly TSESTree.Node[], state: State): State {
    for (const statement of body) state = this.statement(statement, state);
    return state;
  }

  private statement(node: TSESTree.Node, state: State): State {
    if (!state) return null;
    switch (node.type) {
      case AST_NODE_TYPES.BlockStatement:
        return this.statements(node.body, state);
      case AST_NODE_TYPES.IfStatement: {
        const afterTest = this.expression(node.test, state);
        const consequent = this.statement(node.consequent, clone(afterTest));
        const alternate = node.alternate ? this.statement(node.alternate, clone(afterTest)) : afterTest;
        return merge(consequent, alternate);
      }
      case AST_NODE_TYPES.ReturnStatement:
      case AST_NODE_TYPES.ThrowStatement: {
        const after = node.argument ? this.expression(node.argument, state) : state;
        this.exits.push(after);
        return null;
      }
      case AST_NODE_TYPES.WhileStatement:
      case AST_NODE_TYPES.DoWhileStatement:
      case AST_NODE_TYPES.ForStatement:
      case AST_NODE_TYPES.ForInStatement:
      case AST_NODE_TYPES.ForOfStatement: {
        // Twice round the body: what one iteration leaves registered reaches the next.
        let current: State = state;
        for (let round = 0; round < 2; round++) {
          let next = clone(current);
          for (const child of childNodes(node)) next = child.type.endsWith('Statement') ? this.statement(child, next) : this.expression(child, next);
          current = merge(current, next);
        }
        return current;
      }
      case AST_NODE_TYPES.SwitchStatement: {
        const afterTest = this.expression(node.discriminant, state);
        let result: State = node.cases.some((switchCase) => switchCase.test === null) ? null : afterTest;
        let fallthrough: State = null;
        for (const switchCase of node.cases) {
          fallthrough = this.statements(switchCase.consequent, merge(clone(afterTest), fallthrough));
          result = merge(result, fallthrough);
        }
        return result;
      }
      case AST_NODE_TYPES.TryStatement: {
        const afterBlock = this.statement(node.block, clone(state));
        let afterHandler: State = null;
        if (node.handler) afterHandler = this.statement(node.handler.body, merge(clone(state), clone(afterBlock)));
        const joined = merge(afterBlock, afterHandler);
        return node.finalizer ? this.statement(node.finalizer, joined ?? clone(state)) : joined;
      }
      case AST_NODE_TYPES.LabeledStatement:
        return this.statement(node.body, state);
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.ClassDeclaration:
        return state;
      default:
        return this.expression(node, state);
    }
  }

  /** Evaluate an expression (or a statement without control flow) in order; nested functions run on their own. */
  private expression(node: TSESTree.Node, state: State): State {
    if (!state) return null;
    if (
      node.type === AST_NODE_TYPES.FunctionExpression ||
      node.type === AST_NODE_TYPES.ArrowFunctionExpression ||
      node.type === AST_NODE_TYPES.FunctionDeclaration ||
      node.type === AST_NODE_TYPES.ClassExpression ||
      node.type === AST_NODE_TYPES.ClassDeclaration
    ) {
      return state;
    }
    for (const child of childNodes(node)) state = this.expression(child, state);
    if (state && node.type === AST_NODE_TYPES.CallExpression) this.call(node, state);
    return state;
  }

  private call(node: TSESTree.CallExpression, state: Map<string, readonly Registration[]>): void {
    const calleeName = nameOfCallee(node.callee);
    // A release of a callback: `cb.close()`, `koffi.unregister(cb)`.
    for (const released of this.releasedCallbacks(node)) {
      const outstanding = state.get(released.key) ?? [];
      if (outstanding.length > 0 && this.collecting && !this.reported.has(node)) {
        this.reported.add(node);
        this.findings.push({ node, subject: released.subject, registration: outstanding[0].call });
      }
      state.delete(released.key);
    }
    if (calleeName === null) return;
    const words = splitWords(calleeName);
    const verbIndex = words.findIndex((word) => REGISTER_VERBS.has(word) || UNREGISTER_VERBS.has(word));
    if (verbIndex < 0) return;
    const verb = words[verbIndex];
    const stem = words.filter((_, index) => index !== verbIndex).join('');
    const pointers = node.arguments.map((argument) => this.pointerOf(argument));
    const clears = node.arguments.some(isNullish);
    if (UNREGISTER_VERBS.has(verb) || (clears && REGISTER_VERBS.has(verb))) {
      // The pair of an earlier registration: same subject, same setter with null, or the same callback handed back.
      for (const [key, registrations] of state) {
        const remaining = registrations.filter((registration) => {
          if (pointers.includes(key)) return false;
          if (clears && registration.calleeName === calleeName) return false;
          if (UNREGISTER_VERBS.has(verb) && stemsPair(registration.stem, stem)) return false;
          return true;
        });
        state.set(key, remaining);
      }
      return;
    }
    for (const key of pointers) {
      if (!key) continue;
      state.set(key, union(state.get(key) ?? [], [{ call: node, calleeName, stem }]));
    }
  }

  private releasedCallbacks(node: TSESTree.CallExpression): { key: string; subject: TSESTree.Node }[] {
    const tsNode = this.file.tsNode(node);
    if (!tsNode || !ts.isCallExpression(tsNode)) return [];
    const callee = node.callee;
    const receiver = callee.type === AST_NODE_TYPES.MemberExpression ? callee.object : null;
    const receiverKey = receiver ? this.callbackKey(receiver) : null;
    const argumentKeys = node.arguments.map((argument) => this.callbackKey(argument));
    if (!receiverKey && argumentKeys.every((key) => key === null)) return [];
    const effect = this.file.classifyCall(node, receiverKey !== null, false);
    const result: { key: string; subject: TSESTree.Node }[] = [];
    if (receiver && receiverKey && effect.receiver === 'release') result.push({ key: receiverKey, subject: receiver });
    argumentKeys.forEach((key, index) => {
      if (key && (effect.args[index] ?? effect.rest) === 'release') result.push({ key, subject: node.arguments[index] });
    });
    return result;
  }
}

// ---------------------------------------------------------------- helpers

function collectFunctions(root: TSESTree.Node): FunctionNode[] {
  const result: FunctionNode[] = [];
  walk(root, (node) => {
    if (
      (node.type === AST_NODE_TYPES.FunctionDeclaration || node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.ArrowFunctionExpression) &&
      node.body
    ) {
      result.push(node);
    }
  });
  return result;
}

function walk(root: TSESTree.Node, visit: (node: TSESTree.Node) => void): void {
  visit(root);
  for (const child of childNodes(root)) walk(child, visit);
}

function childNodes(node: TSESTree.Node): TSESTree.Node[] {
  const result: TSESTree.Node[] = [];
  forEachValueChild(node, (child) => result.push(child));
  return result;
}

function enclosingClass(node: TSESTree.Node): TSESTree.Node | null {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === AST_NODE_TYPES.ClassDeclaration || current.type === AST_NODE_TYPES.ClassExpression) return current;
  }
  return null;
}

function classId(node: TSESTree.Node | null): string {
  return node ? String(node.range[0]) : 'none';
}

function nameOfCallee(callee: TSESTree.Node): string | null {
  if (callee.type === AST_NODE_TYPES.ChainExpression) return nameOfCallee(callee.expression);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier) return callee.property.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression && callee.property.type === AST_NODE_TYPES.Literal && typeof callee.property.value === 'string') {
    return callee.property.value;
  }
  return null;
}

/** `set_log_handler` → set, log, handler; `addEventListener` → add, event, listener. */
export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** `loghandler` pairs `loghandler`; `gsignalhandler` pairs `gsignal` (g_signal_connect / g_signal_handler_disconnect). */
function stemsPair(registered: string, unregistered: string): boolean {
  if (registered === unregistered) return true;
  if (registered.length === 0 || unregistered.length === 0) return false;
  return registered.includes(unregistered) || unregistered.includes(registered);
}

function isNullish(node: TSESTree.Node): boolean {
  return (
    (node.type === AST_NODE_TYPES.Literal && (node.value === null || node.value === 0 || node.value === BigInt(0))) ||
    (node.type === AST_NODE_TYPES.Identifier && node.name === 'undefined')
  );
}

function clone(state: State): State {
  return state ? new Map(state) : null;
}

function merge(a: State, b: State): State {
  if (!a) return b ? new Map(b) : null;
  if (!b) return new Map(a);
  const result = new Map(a);
  for (const [key, registrations] of b) result.set(key, union(result.get(key) ?? [], registrations));
  return result;
}

function union(a: readonly Registration[], b: readonly Registration[]): readonly Registration[] {
  if (b.length === 0) return a;
  const result = [...a];
  for (const registration of b) if (!result.some((other) => other.call === registration.call)) result.push(registration);
  return result;
}
