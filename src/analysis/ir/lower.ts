/**
 * Lowers one function (or the module body) from the ESTree AST to the
 * block graph of ir.ts, with an exceptional edge for every call, `await`,
 * `yield` and `throw`. `finally` blocks and `using` scopes are inlined on
 * each way out (normal, return, break, continue, throw), as javac does, so
 * every path through them is explicit.
 *
 * The handle model is consulted here, once per node: the dataflow that runs
 * over the result never asks the checker anything.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import type { ArgumentEffect } from '../model/call-effects.js';
import type { HandleModel } from '../model/handle-model.js';
import type { Block, EscapeKind, Key, LoweredFunction, Node, Op, UseKind } from './ir.js';
import { isTempKey, RECEIVER_INDEX, RECEIVER_KEY } from './ir.js';
import { memberName } from './ast.js';
import type { FileContext } from '../program/file-context.js';

type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

const MAX_OPS = 40_000;
/** Member names of a raw pointer (quickjs `.value.ptr`, wasm-bindgen `__wbg_ptr`). */
const POINTER_NAMES = /^_*(ptr|pointer|address|addr|raw|wbg_ptr)$/i;
const MAX_PATH_DEPTH = 4;

type Frame =
  | { readonly kind: 'loop'; readonly labels: readonly string[]; readonly breakTo: Block; readonly continueTo: Block }
  | { readonly kind: 'break'; readonly labels: readonly string[]; readonly breakTo: Block; readonly isSwitch: boolean }
  | { readonly kind: 'finally'; readonly body: TSESTree.BlockStatement; readonly handler: number }
  | { readonly kind: 'using'; readonly declarations: readonly TSESTree.VariableDeclaration[]; readonly handler: number };

class TooLarge extends Error {}
/** A probe has its answer: the function can report (the rest of it need not be lowered). */
class CanReport extends Error {}

/**
 * @param summarize lowering for a summary: `this` is tracked like a parameter.
 * @param withSummaries consult callees' summaries (a first pass without them
 *   tells whether the function touches handles at all, cheaply).
 * @param probe only to tell whether the function can report (`mayReport`):
 *   values that may be borrowed handles (call results) are not typed but
 *   kept as if they were. That can only add operations, never drop one, so
 *   a probe that says no is right; one that says yes stops there, and the
 *   function is lowered again.
 */
export function lowerFunction(
  file: FileContext,
  node: FunctionNode | TSESTree.Program,
  { summarize = false, withSummaries = true, probe = false }: { summarize?: boolean; withSummaries?: boolean; probe?: boolean } = {},
): LoweredFunction {
  return new Lowering(file, node, summarize, withSummaries, probe).run();
}

/** The key of `this` in a summary, and its index among the parameter keys. */

class Lowering {
  private readonly blocks: Block[] = [];
  private current: Block | null;
  private handler = -1;
  private frames: Frame[] = [];
  private tempCount = 0;
  /** Temporaries made since the last end of a statement. */
  private liveTemps: Key[] = [];
  private opCount = 0;
  private mayReport = false;
  private readonly paramKeys = new Map<Key, number>();
  private readonly keyNames = new Map<Key, string>();
  /** Boolean fields of `this` the function writes, and fields of `this` it tests: a disposed guard is both. */
  private readonly thisFlagsWritten = new Set<string>();
  private readonly thisFieldsTested = new Set<string>();
  /** Fields of `this` the function sets to `undefined`, `null`, `0` or `false`. */
  private readonly thisFieldsCleared = new Set<string>();
  /** Locals bound to objects the caller can reach (`for (const s of this.slots)`, `const s = param.slot`). */
  private readonly externalLocals = new Set<Key>();
  /** Paths the function tests with a liveness check (`if (this.h.alive) this.h.dispose()`). */
  private readonly livenessChecked = new Set<Key>();
  /** Temporaries that hold a fresh acquisition. */
  private readonly acquiredTemps = new Set<Key>();
  private readonly scope: TSESTree.Node;
  private readonly captured: ReadonlySet<Key>;

  constructor(
    private readonly file: FileContext,
    private readonly fn: FunctionNode | TSESTree.Program,
    private readonly summarize: boolean,
    private readonly withSummaries: boolean,
    private readonly probe = false,
  ) {
    this.scope = fn;
    this.current = this.newBlock();
    this.captured = file.capturedLocals(fn);
    if (summarize && fn.type === AST_NODE_TYPES.FunctionExpression) this.paramKeys.set(RECEIVER_KEY, RECEIVER_INDEX);
  }

  run(): LoweredFunction {
    const fn = this.fn;
    let tooLarge = false;
    try {
      if (fn.type === AST_NODE_TYPES.Program) {
        this.statements(fn.body);
        this.emitExit(fn, 'end');
      } else {
        fn.params.forEach((param, index) => this.registerParam(param, index));
        if (fn.body.type === AST_NODE_TYPES.BlockStatement) {
          this.statements(fn.body.body);
          this.emitExit(fn, 'end');
        } else {
          const value = this.expr(fn.body);
          if (value) this.emit({ kind: 'escape', src: value, node: fn.body, operand: fn.body, how: 'return' });
          this.emitExit(fn.body, 'return');
        }
      }
    } catch (error) {
      if (!(error instanceof TooLarge) && !(error instanceof CanReport)) throw error;
      tooLarge = error instanceof TooLarge;
    }
    return {
      node: fn,
      blocks: this.blocks,
      entry: 0,
      paramKeys: this.paramKeys,
      keyNames: this.keyNames,
      setsThisFlag: [...this.thisFlagsWritten].some((name) => this.thisFieldsTested.has(name)),
      thisGuardFields: new Set([...this.thisFieldsCleared].filter((name) => this.thisFieldsTested.has(name))),
      externalLocals: this.externalLocals,
      livenessChecked: this.livenessChecked,
      mayReport: this.mayReport,
      tooLarge,
    };
  }

  // ---------------------------------------------------------------- blocks

  private newBlock(): Block {
    const block: Block = { id: this.blocks.length, ops: [], next: [], handler: this.handler, loopHead: false };
    this.blocks.push(block);
    return block;
  }

  private emit(op: Op): void {
    if (!this.current) return;
    if (++this.opCount > MAX_OPS) throw new TooLarge();
    if (op.kind === 'acquire' || op.kind === 'release' || op.kind === 'liveness' || (op.kind === 'store' && op.replaces)) {
      this.mayReport = true;
      if (this.probe) throw new CanReport();
    }
    if (op.kind === 'acquire') this.acquiredTemps.add(op.dst);
    this.current.ops.push(op);
  }

  private link(from: Block | null, to: Block): void {
    if (from && !from.next.includes(to.id)) from.next.push(to.id);
  }

  /** Continue in `block` (reachable only through explicit links). */
  private enter(block: Block): void {
    this.current = block;
  }

  private goto(block: Block): void {
    this.link(this.current, block);
    this.current = null;
  }

  private setHandler(handler: number): void {
    if (handler === this.handler) return;
    this.handler = handler;
    const next = this.newBlock();
    this.link(this.current, next);
    this.current = this.current ? next : null;
  }

  private temp(): Key {
    const key = `~${this.tempCount++}`;
    this.liveTemps.push(key);
    return key;
  }

  /** The temporaries made since the last end of a statement, no longer live here. */
  private takeTemps(): Key[] {
    const temps = this.liveTemps;
    this.liveTemps = [];
    return temps;
  }

  /** Enter one branch of a test: the test's temporaries die on each branch. */
  private enterBranch(block: Block, temps: readonly Key[], node: Node): void {
    this.enter(block);
    if (temps.length > 0) this.emit({ kind: 'dropTemps', node, temps });
  }

  /** End of a statement: the temporaries made since the last one die. */
  private dropTemps(node: Node): void {
    const temps = this.liveTemps;
    this.liveTemps = [];
    this.emit({ kind: 'dropTemps', node, temps });
  }

  // ---------------------------------------------------------------- names

  private registerParam(param: TSESTree.Parameter, index: number): void {
    const target = param.type === AST_NODE_TYPES.TSParameterProperty ? param.parameter : param;
    if (target.type === AST_NODE_TYPES.Identifier) {
      const key = this.identifierKey(target);
      if (!key) return;
      this.paramKeys.set(key, index);
      // `constructor(private h: Ptr)` stores the parameter in a field.
      if (param.type === AST_NODE_TYPES.TSParameterProperty) {
        this.emit({ kind: 'escape', src: key, node: param, operand: target, how: 'store' });
      }
      return;
    }
    for (const id of this.file.patternIdentifiers(target)) {
      const key = this.identifierKey(id);
      if (key) this.paramKeys.set(key, -1);
    }
  }

  /** `v<id>` for locals of this function, `o<id>` for outer variables, null for globals we do not track. */
  private identifierKey(id: TSESTree.Identifier | TSESTree.JSXIdentifier): Key | null {
    const variable = this.file.variableOf(id);
    if (!variable) return null;
    const varId = this.file.variableId(variable);
    const key = this.file.isLocalTo(variable, this.fn) ? `v${varId}` : `o${varId}`;
    this.keyNames.set(key, variable.name);
    return key;
  }

  /** The access path an expression denotes, if it has one. */
  private pathOf(node: TSESTree.Node, depth = 0): Key | null {
    switch (node.type) {
      case AST_NODE_TYPES.Identifier:
        return this.identifierKey(node);
      case AST_NODE_TYPES.ThisExpression:
        return 'this';
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
        return this.pathOf(node.expression, depth);
      case AST_NODE_TYPES.ChainExpression:
        return this.pathOf(node.expression, depth);
      case AST_NODE_TYPES.MemberExpression: {
        if (depth >= MAX_PATH_DEPTH) return null;
        const name = memberName(node);
        if (name === null) return null;
        const base = this.pathOf(node.object, depth + 1);
        return base === null ? null : `${base}.${name}`;
      }
      default:
        return null;
    }
  }

  private isHandle(node: TSESTree.Node): boolean {
    return this.file.isHandleNode(node);
  }

  /**
   * In a summary, a parameter that plain JavaScript leaves untyped (`any`): `raw.free()` on it
   * releases whatever handle the caller passes, as rapier's `VectorOps.fromRaw(raw)` does (its
   * `.d.ts` says `raw: RawVector`; the `.js` beside it says nothing).
   */
  private isUntypedParameter(node: TSESTree.Node): boolean {
    if (!this.summarize || node.type !== AST_NODE_TYPES.Identifier) return false;
    const key = this.identifierKey(node);
    const index = key === null ? undefined : this.paramKeys.get(key);
    if (index === undefined || index < 0) return false;
    const type = this.file.typeOf(node);
    return type !== undefined && (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
  }

  // ---------------------------------------------------------------- statements

  private statements(body: readonly TSESTree.Node[]): void {
    const deaths = this.lastUses(body);
    for (let i = 0; i < body.length; i++) {
      const statement = body[i];
      if (statement.type === AST_NODE_TYPES.VariableDeclaration && isUsing(statement)) {
        this.usingScope(statement, body.slice(i + 1));
        return;
      }
      this.statement(statement);
      // A variable nothing reads again drops out of the state (what it held is forgotten unless owned).
      const dead = deaths.get(i);
      if (dead) this.emit({ kind: 'forget', keys: dead });
    }
  }

  /**
   * For the `let`/`const` variables declared in this statement list: the
   * index of the last statement that refers to them (a loop that does is
   * one statement). Variables closures capture live on.
   */
  private lastUses(body: readonly TSESTree.Node[]): Map<number, Key[]> {
    const deaths = new Map<number, Key[]>();
    if (body.length < 2) return deaths;
    /** The statement of `body` that contains `position` (binary search: the statements are in source order). */
    const statementAt = (position: number): number => {
      let low = 0;
      let high = body.length - 1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (position < body[middle].range[0]) high = middle - 1;
        else if (position >= body[middle].range[1]) low = middle + 1;
        else return middle;
      }
      return -1;
    };
    for (let declared = 0; declared < body.length; declared++) {
      const statement = body[declared];
      if (statement.type !== AST_NODE_TYPES.VariableDeclaration || statement.kind === 'var' || isUsing(statement)) continue;
      for (const declarator of statement.declarations) {
        if (declarator.id.type !== AST_NODE_TYPES.Identifier) continue;
        const variable = this.file.variableOf(declarator.id);
        const key = this.identifierKey(declarator.id);
        if (!variable || !key || !key.startsWith('v') || this.captured.has(key)) continue;
        let last = declared;
        for (const reference of variable.references) {
          const index = statementAt(reference.identifier.range[0]);
          if (index > last) last = index;
        }
        if (last < body.length - 1) deaths.set(last, [...(deaths.get(last) ?? []), key]);
      }
    }
    return deaths;
  }

  /** `using x = …; rest` ≡ `const x = …; try { rest } finally { x[Symbol.dispose]() }`. */
  private usingScope(declaration: TSESTree.VariableDeclaration, rest: readonly TSESTree.Node[]): void {
    this.variableDeclaration(declaration);
    const outerHandler = this.handler;
    const onThrow = this.newBlock();
    const frame: Frame = { kind: 'using', declarations: [declaration], handler: outerHandler };
    this.frames.push(frame);
    this.setHandler(onThrow.id);
    this.statements(rest);
    this.frames.pop();
    this.setHandler(outerHandler);
    this.disposeUsing(declaration);
    // The exceptional way out: dispose, then rethrow.
    const after = this.current;
    this.enter(onThrow);
    this.disposeUsing(declaration);
    this.emit({ kind: 'throw', node: declaration });
    this.current = after;
  }

  private disposeUsing(declaration: TSESTree.VariableDeclaration): void {
    for (const declarator of [...declaration.declarations].reverse()) {
      if (declarator.id.type !== AST_NODE_TYPES.Identifier) continue;
      const key = this.identifierKey(declarator.id);
      if (key) this.emit({ kind: 'release', src: key, node: declarator, operand: declarator.id, byUsing: declaration, idempotent: true });
    }
  }

  private statement(node: TSESTree.Node): void {
    if (!this.current) return; // unreachable code
    switch (node.type) {
      case AST_NODE_TYPES.ExpressionStatement:
        this.expr(node.expression);
        this.dropTemps(node);
        return;
      case AST_NODE_TYPES.VariableDeclaration:
        this.variableDeclaration(node);
        this.dropTemps(node);
        return;
      case AST_NODE_TYPES.BlockStatement: {
        this.statements(node.body);
        const keys = this.file.blockScopedKeys(node, this.fn);
        if (keys.length > 0) this.emit({ kind: 'forget', keys });
        return;
      }
      case AST_NODE_TYPES.StaticBlock:
        return;
      case AST_NODE_TYPES.IfStatement: {
        const consequent = this.newBlock();
        const alternate = this.newBlock();
        const done = this.newBlock();
        this.condition(node.test, consequent, alternate);
        const testTemps = this.takeTemps();
        this.enterBranch(consequent, testTemps, node.test);
        this.statement(node.consequent);
        this.goto(done);
        this.enterBranch(alternate, testTemps, node.test);
        if (node.alternate) this.statement(node.alternate);
        this.goto(done);
        this.enter(done);
        return;
      }
      case AST_NODE_TYPES.ReturnStatement: {
        if (node.argument) {
          const value = this.expr(node.argument);
          if (value) this.emit({ kind: 'escape', src: value, node, operand: node.argument, how: 'return' });
        }
        this.unwind(0);
        this.emitExit(node, 'return');
        this.current = null;
        return;
      }
      case AST_NODE_TYPES.ThrowStatement: {
        const value = this.expr(node.argument);
        if (value) this.emit({ kind: 'escape', src: value, node, operand: node.argument, how: 'thrown' });
        this.emit({ kind: 'throw', node });
        this.current = null;
        return;
      }
      case AST_NODE_TYPES.WhileStatement:
        this.whileLoop(node, []);
        return;
      case AST_NODE_TYPES.DoWhileStatement:
        this.doWhileLoop(node, []);
        return;
      case AST_NODE_TYPES.ForStatement:
        this.forLoop(node, []);
        return;
      case AST_NODE_TYPES.ForInStatement:
      case AST_NODE_TYPES.ForOfStatement:
        this.forEachLoop(node, []);
        return;
      case AST_NODE_TYPES.LabeledStatement:
        this.labeled(node, []);
        return;
      case AST_NODE_TYPES.BreakStatement:
      case AST_NODE_TYPES.ContinueStatement:
        this.jump(node);
        return;
      case AST_NODE_TYPES.SwitchStatement:
        this.switchStatement(node, []);
        return;
      case AST_NODE_TYPES.TryStatement:
        this.tryStatement(node);
        return;
      case AST_NODE_TYPES.ExportNamedDeclaration:
        if (node.declaration) this.statement(node.declaration);
        return;
      case AST_NODE_TYPES.ExportDefaultDeclaration:
        if (isExpressionNode(node.declaration)) {
          const value = this.expr(node.declaration);
          if (value) this.emit({ kind: 'escape', src: value, node, operand: node.declaration, how: 'store' });
        } else if (node.declaration.type === AST_NODE_TYPES.ClassDeclaration) {
          this.closure(node.declaration);
        }
        return;
      case AST_NODE_TYPES.ClassDeclaration:
        this.closure(node);
        return;
      case AST_NODE_TYPES.WithStatement:
        this.expr(node.object);
        this.statement(node.body);
        return;
      default:
        // Declarations of functions, types, imports, empty statements: no
        // evaluation here (functions are analysed on their own).
        return;
    }
  }

  private isConstructor(): boolean {
    const parent = this.fn.parent;
    return parent?.type === AST_NODE_TYPES.MethodDefinition && parent.kind === 'constructor';
  }

  /** An expression whose object the caller (or anyone outside) can reach: `this.x`, a parameter's field, an outer variable. */
  private isCallerVisible(node: TSESTree.Node): boolean {
    const path = this.pathOf(node);
    if (!path) return false;
    const root = path.includes('.') ? path.slice(0, path.indexOf('.')) : path;
    return root === 'this' || root.startsWith('o') || this.paramKeys.has(root);
  }

  private variableDeclaration(node: TSESTree.VariableDeclaration): void {
    if (node.declare) return;
    for (const declarator of node.declarations) {
      if (declarator.init && declarator.id.type === AST_NODE_TYPES.Identifier && declarator.init.type === AST_NODE_TYPES.MemberExpression && this.isCallerVisible(declarator.init)) {
        const key = this.identifierKey(declarator.id);
        if (key) this.externalLocals.add(key);
      }
      if (declarator.init) {
        const value = this.expr(declarator.init);
        this.assign(declarator.id, value, declarator);
      } else if (declarator.id.type === AST_NODE_TYPES.Identifier) {
        const key = this.identifierKey(declarator.id);
        // `let x;` inside a loop starts each iteration undefined.
        if (key) this.emit({ kind: 'store', dst: key, src: null, node: declarator, escapes: false });
      }
    }
  }

  private labeled(node: TSESTree.LabeledStatement, outerLabels: readonly string[]): void {
    const labels = [...outerLabels, node.label.name];
    const body = node.body;
    switch (body.type) {
      case AST_NODE_TYPES.WhileStatement:
        return this.whileLoop(body, labels);
      case AST_NODE_TYPES.DoWhileStatement:
        return this.doWhileLoop(body, labels);
      case AST_NODE_TYPES.ForStatement:
        return this.forLoop(body, labels);
      case AST_NODE_TYPES.ForInStatement:
      case AST_NODE_TYPES.ForOfStatement:
        return this.forEachLoop(body, labels);
      case AST_NODE_TYPES.SwitchStatement:
        return this.switchStatement(body, labels);
      case AST_NODE_TYPES.LabeledStatement:
        return this.labeled(body, labels);
      default: {
        const done = this.newBlock();
        this.frames.push({ kind: 'break', labels, breakTo: done, isSwitch: false });
        this.statement(body);
        this.frames.pop();
        this.goto(done);
        this.enter(done);
      }
    }
  }

  private loopHead(): Block {
    const head = this.newBlock();
    head.loopHead = true;
    this.goto(head);
    this.enter(head);
    return head;
  }

  private loopBody(labels: readonly string[], body: TSESTree.Statement, breakTo: Block, continueTo: Block): void {
    this.frames.push({ kind: 'loop', labels, breakTo, continueTo });
    this.statement(body);
    this.frames.pop();
  }

  private whileLoop(node: TSESTree.WhileStatement, labels: readonly string[]): void {
    const head = this.loopHead();
    const body = this.newBlock();
    const done = this.newBlock();
    this.condition(node.test, body, done);
    const testTemps = this.takeTemps();
    this.enterBranch(body, testTemps, node.test);
    this.loopBody(labels, node.body, done, head);
    this.goto(head);
    this.enterBranch(done, testTemps, node.test);
  }

  private doWhileLoop(node: TSESTree.DoWhileStatement, labels: readonly string[]): void {
    const head = this.loopHead();
    const test = this.newBlock();
    const done = this.newBlock();
    this.loopBody(labels, node.body, done, test);
    this.goto(test);
    this.enter(test);
    this.condition(node.test, head, done);
    this.enter(done);
  }

  private forLoop(node: TSESTree.ForStatement, labels: readonly string[]): void {
    if (node.init) {
      if (node.init.type === AST_NODE_TYPES.VariableDeclaration) this.variableDeclaration(node.init);
      else this.expr(node.init);
    }
    const head = this.loopHead();
    const body = this.newBlock();
    const update = this.newBlock();
    const done = this.newBlock();
    if (node.test) this.condition(node.test, body, done);
    else this.goto(body);
    // The init's and the test's temporaries die on both ways out of the test.
    const testTemps = this.takeTemps();
    this.enterBranch(body, testTemps, node);
    this.loopBody(labels, node.body, done, update);
    this.goto(update);
    this.enter(update);
    if (node.update) this.expr(node.update);
    this.dropTemps(node);
    this.goto(head);
    this.enterBranch(done, testTemps, node);
  }

  private forEachLoop(node: TSESTree.ForInStatement | TSESTree.ForOfStatement, labels: readonly string[]): void {
    const iterable = this.expr(node.right);
    if (iterable && node.type === AST_NODE_TYPES.ForOfStatement) {
      this.emit({ kind: 'use', src: iterable, node: node.right, operand: node.right, how: 'iterate' });
    }
    const head = this.loopHead();
    const body = this.newBlock();
    const done = this.newBlock();
    this.goto(body);
    this.link(head, done);
    this.enter(body);
    // Iterating an array or a string does not throw; a custom iterator or generator may.
    if (node.type === AST_NODE_TYPES.ForOfStatement && (node.await || this.file.mayThrowWhenIterated(node.right))) {
      this.emit({ kind: 'throw', node: node.right });
    }
    const target = node.left.type === AST_NODE_TYPES.VariableDeclaration ? node.left.declarations[0].id : node.left;
    let element: Key | null = null;
    if (node.type === AST_NODE_TYPES.ForOfStatement && this.isHandle(target)) {
      element = this.temp();
      this.emit({ kind: 'borrow', dst: element, node: target });
    }
    if (node.type === AST_NODE_TYPES.ForOfStatement && target.type === AST_NODE_TYPES.Identifier && this.isCallerVisible(node.right)) {
      const key = this.identifierKey(target);
      if (key) this.externalLocals.add(key);
    }
    this.assign(target, element, node);
    this.loopBody(labels, node.body, done, head);
    this.goto(head);
    this.enter(done);
  }

  private switchStatement(node: TSESTree.SwitchStatement, labels: readonly string[]): void {
    this.expr(node.discriminant);
    const done = this.newBlock();
    const bodies = node.cases.map(() => this.newBlock());
    let defaultIndex = -1;
    node.cases.forEach((switchCase, index) => {
      if (!switchCase.test) {
        defaultIndex = index;
        return;
      }
      const next = this.newBlock();
      this.expr(switchCase.test);
      this.link(this.current, bodies[index]);
      this.goto(next);
      this.enter(next);
    });
    this.goto(defaultIndex >= 0 ? bodies[defaultIndex] : done);
    this.frames.push({ kind: 'break', labels, breakTo: done, isSwitch: true });
    node.cases.forEach((switchCase, index) => {
      this.link(this.current, bodies[index]); // fall through
      this.enter(bodies[index]);
      this.statements(switchCase.consequent);
    });
    this.frames.pop();
    this.goto(done);
    this.enter(done);
  }

  private tryStatement(node: TSESTree.TryStatement): void {
    const outerHandler = this.handler;
    const finalizer = node.finalizer;
    const onThrowFinally = finalizer ? this.newBlock() : null;
    const catchBlock = node.handler ? this.newBlock() : null;
    const done = this.newBlock();
    const finallyFrame: Frame | null = finalizer ? { kind: 'finally', body: finalizer, handler: outerHandler } : null;

    if (finallyFrame) this.frames.push(finallyFrame);
    this.setHandler((catchBlock ?? onThrowFinally ?? done).id);
    this.statement(node.block);
    this.setHandler(outerHandler);
    this.finishTryPart(finallyFrame, done);

    if (catchBlock && node.handler) {
      this.handler = onThrowFinally ? onThrowFinally.id : outerHandler;
      (catchBlock as { handler: number }).handler = this.handler;
      this.enter(catchBlock);
      if (node.handler.param) this.assign(node.handler.param, null, node.handler);
      this.statement(node.handler.body);
      this.setHandler(outerHandler);
      this.finishTryPart(finallyFrame, done);
    }
    if (finallyFrame) this.frames.pop();

    if (onThrowFinally && finalizer) {
      this.enter(onThrowFinally);
      this.handler = outerHandler;
      (onThrowFinally as { handler: number }).handler = outerHandler;
      this.statement(finalizer);
      this.emit({ kind: 'throw', node: finalizer });
      this.current = null;
    }
    this.handler = outerHandler;
    this.enter(done);
    if (done.id === this.blocks.length - 1 && !this.blocks.some((b) => b.next.includes(done.id))) {
      // Every way out of the try statement returned or threw.
      this.current = null;
    }
  }

  /** Normal completion of the try block or the catch clause: run the finalizer, then continue. */
  private finishTryPart(finallyFrame: Frame | null, done: Block): void {
    if (!this.current) return;
    if (finallyFrame && finallyFrame.kind === 'finally') {
      const saved = this.frames;
      this.frames = saved.slice(0, saved.indexOf(finallyFrame));
      this.statement(finallyFrame.body);
      this.frames = saved;
    }
    this.goto(done);
  }

  private jump(node: TSESTree.BreakStatement | TSESTree.ContinueStatement): void {
    const label = node.label?.name;
    const isBreak = node.type === AST_NODE_TYPES.BreakStatement;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const frame = this.frames[i];
      if (frame.kind === 'finally' || frame.kind === 'using') continue;
      const matches = label
        ? frame.labels.includes(label)
        : isBreak
          ? frame.kind === 'loop' || frame.isSwitch
          : frame.kind === 'loop';
      if (!matches) continue;
      if (!isBreak && frame.kind !== 'loop') continue;
      this.unwind(i + 1);
      const target = isBreak ? frame.breakTo : (frame as Extract<Frame, { kind: 'loop' }>).continueTo;
      this.goto(target);
      return;
    }
    this.current = null;
  }

  /** Run the finalizers and `using` disposals of frames above `depth`, innermost first. */
  private unwind(depth: number): void {
    const saved = this.frames;
    const savedHandler = this.handler;
    for (let i = saved.length - 1; i >= depth; i--) {
      const frame = saved[i];
      if (frame.kind !== 'finally' && frame.kind !== 'using') continue;
      this.frames = saved.slice(0, i);
      this.setHandler(frame.handler);
      if (frame.kind === 'finally') this.statement(frame.body);
      else for (const declaration of frame.declarations) this.disposeUsing(declaration);
    }
    this.frames = saved;
    // Blocks after an unwind are dead (return/break follows), so the handler
    // is restored without a new block.
    this.handler = savedHandler;
  }

  private emitExit(node: Node, how: 'return' | 'end'): void {
    this.emit({ kind: 'exit', node, how });
  }

  // ---------------------------------------------------------------- conditions

  /** Lower a test, going to `whenTrue` or `whenFalse`, with null refinements on the edges. */
  private condition(test: TSESTree.Expression, whenTrue: Block, whenFalse: Block): void {
    if (!this.current) return;
    if (test.type === AST_NODE_TYPES.MemberExpression && test.object.type === AST_NODE_TYPES.ThisExpression) {
      const name = memberName(test);
      if (name !== null) this.thisFieldsTested.add(name);
    }
    switch (test.type) {
      case AST_NODE_TYPES.Literal:
        // `while (true)`: the other edge does not exist.
        this.goto(test.value ? whenTrue : whenFalse);
        return;
      case AST_NODE_TYPES.UnaryExpression:
        if (test.operator === '!') return this.condition(test.argument, whenFalse, whenTrue);
        break;
      case AST_NODE_TYPES.LogicalExpression:
        if (test.operator === '&&' || test.operator === '||') {
          const middle = this.newBlock();
          if (test.operator === '&&') this.condition(test.left, middle, whenFalse);
          else this.condition(test.left, whenTrue, middle);
          this.enter(middle);
          return this.condition(test.right, whenTrue, whenFalse);
        }
        break;
      case AST_NODE_TYPES.BinaryExpression: {
        const nullCheck = nullComparison(test);
        if (nullCheck) {
          const operand = skipTypeWrappers(nullCheck.operand);
          if (operand.type === AST_NODE_TYPES.MemberExpression && operand.object.type === AST_NODE_TYPES.ThisExpression) {
            const name = memberName(operand);
            if (name !== null) this.thisFieldsTested.add(name);
          }
          const key = this.expr(nullCheck.operand);
          this.expr(nullCheck.literal);
          const nullOnTrue = nullCheck.equal;
          return this.branch(key, nullOnTrue ? whenTrue : whenFalse, nullOnTrue ? whenFalse : whenTrue);
        }
        break;
      }
      default:
        break;
    }
    const liveness = this.livenessTest(test);
    const key = this.expr(test);
    if (liveness) {
      // `if (!h.alive) return;` / `if (h.isDeleted()) …`: each edge knows whether h was released.
      const aliveSide = liveness.aliveWhenTrue ? whenTrue : whenFalse;
      const releasedSide = liveness.aliveWhenTrue ? whenFalse : whenTrue;
      for (const [side, alive] of [
        [aliveSide, true],
        [releasedSide, false],
      ] as const) {
        const edge = this.newBlock();
        this.link(this.current, edge);
        const saved: Block | null = this.current;
        this.enter(edge);
        this.emit({ kind: 'liveness', src: liveness.key, alive });
        this.goto(side);
        this.current = saved;
      }
      this.current = null;
      return;
    }
    this.branch(key, whenFalse, whenTrue);
  }

  /** `t.shape` of a disposed tfjs tensor: plain data of the object, which a preset says outlives the release. */
  private readableAfterRelease(object: TSESTree.Node, name: string, specs: NonNullable<HandleModel['specs']>): boolean {
    const type = this.file.typeOf(object);
    return type !== undefined && specs.readableAfterRelease(name, type);
  }

  /** `h.alive`, `h.isDeleted()`, `this.tree.disposed`: which handle, and whether `true` means alive. */
  private livenessTest(test: TSESTree.Expression): { key: Key; aliveWhenTrue: boolean } | null {
    let member: TSESTree.Node = skipTypeWrappers(test);
    if (member.type === AST_NODE_TYPES.ChainExpression) member = member.expression;
    if (member.type === AST_NODE_TYPES.CallExpression && member.arguments.length === 0) member = member.callee;
    if (member.type !== AST_NODE_TYPES.MemberExpression) return null;
    const name = memberName(member);
    if (name === null || name === 'constructor' || !this.file.model.isLivenessMember(name)) return null;
    const key = this.pathOf(member.object);
    if (!key) return null;
    this.livenessChecked.add(key);
    return { key, aliveWhenTrue: /^(is)?alive$/i.test(name) };
  }

  /** Branch where the `nullSide` edge knows `key` holds no handle. */
  private branch(key: Key | null, nullSide: Block, otherSide: Block): void {
    this.link(this.current, otherSide);
    if (key) {
      const edge = this.newBlock();
      this.link(this.current, edge);
      this.enter(edge);
      this.emit({ kind: 'null', src: key });
    }
    this.goto(nullSide);
  }

  // ---------------------------------------------------------------- expressions

  /** Lower an expression; returns the key holding its value when it may hold a handle. */
  private expr(node: TSESTree.Node): Key | null {
    if (!this.current) return null;
    switch (node.type) {
      case AST_NODE_TYPES.Identifier: {
        if (node.name === 'undefined') return null;
        const key = this.identifierKey(node);
        if (key && key.startsWith('o')) this.emit({ kind: 'read', path: key, handle: () => this.isHandle(node) });
        return key;
      }
      case AST_NODE_TYPES.ThisExpression:
        return this.paramKeys.has(RECEIVER_KEY) ? RECEIVER_KEY : null;
      case AST_NODE_TYPES.Literal:
      case AST_NODE_TYPES.Super:
      case AST_NODE_TYPES.MetaProperty:
      case AST_NODE_TYPES.PrivateIdentifier:
        return null;
      case AST_NODE_TYPES.TemplateLiteral:
        for (const expression of node.expressions) this.expr(expression);
        return null;
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.TSInstantiationExpression:
      case AST_NODE_TYPES.ChainExpression:
        return this.expr(node.expression);
      case AST_NODE_TYPES.MemberExpression:
        return this.member(node);
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        return this.call(node);
      case AST_NODE_TYPES.AssignmentExpression:
        return this.assignment(node);
      case AST_NODE_TYPES.SequenceExpression: {
        let last: Key | null = null;
        for (const expression of node.expressions) last = this.expr(expression);
        return last;
      }
      case AST_NODE_TYPES.LogicalExpression:
        return this.logical(node);
      case AST_NODE_TYPES.ConditionalExpression: {
        const result = this.temp();
        const whenTrue = this.newBlock();
        const whenFalse = this.newBlock();
        const done = this.newBlock();
        this.condition(node.test, whenTrue, whenFalse);
        for (const [block, branch] of [
          [whenTrue, node.consequent],
          [whenFalse, node.alternate],
        ] as const) {
          this.enter(block);
          const value = this.expr(branch);
          this.emit(value ? { kind: 'copy', dst: result, src: value } : { kind: 'clear', dst: result });
          this.goto(done);
        }
        this.enter(done);
        return result;
      }
      case AST_NODE_TYPES.UnaryExpression: {
        const value = this.expr(node.argument);
        if (value && (node.operator === '-' || node.operator === '+' || node.operator === '~')) {
          this.emit({ kind: 'use', src: value, node, operand: node.argument, how: 'arithmetic' });
        }
        if (node.operator === 'delete') {
          const path = this.pathOf(node.argument);
          if (path) this.emit({ kind: 'store', dst: path, src: null, node, escapes: false });
        }
        return null;
      }
      case AST_NODE_TYPES.UpdateExpression: {
        const value = this.expr(node.argument);
        if (value) this.emit({ kind: 'use', src: value, node, operand: node.argument, how: 'arithmetic' });
        const path = this.pathOf(node.argument);
        if (path) this.emit({ kind: 'store', dst: path, src: null, node, escapes: false });
        return null;
      }
      case AST_NODE_TYPES.BinaryExpression: {
        const left = node.left.type === AST_NODE_TYPES.PrivateIdentifier ? null : this.expr(node.left);
        const right = this.expr(node.right);
        if (isArithmetic(node.operator)) {
          if (left) this.emit({ kind: 'use', src: left, node, operand: node.left, how: 'arithmetic' });
          if (right) this.emit({ kind: 'use', src: right, node, operand: node.right, how: 'arithmetic' });
        }
        return null;
      }
      case AST_NODE_TYPES.AwaitExpression: {
        const argument = skipTypeWrappers(node.argument);
        if (argument.type === AST_NODE_TYPES.CallExpression || argument.type === AST_NODE_TYPES.NewExpression) {
          // `await acquire()`: the handle exists once the promise settles, so
          // a rejection leaks nothing.
          const value = this.call(argument, node);
          return value ?? this.borrowIfHandle(node);
        }
        const value = this.expr(node.argument);
        this.emit({ kind: 'throw', node });
        if (value) return value;
        return this.borrowIfHandle(node);
      }
      case AST_NODE_TYPES.YieldExpression: {
        if (node.argument) {
          const value = this.expr(node.argument);
          if (value) this.emit({ kind: 'escape', src: value, node, operand: node.argument, how: 'yield' });
        }
        this.emit({ kind: 'throw', node });
        return this.borrowIfHandle(node);
      }
      case AST_NODE_TYPES.ArrayExpression:
        for (const element of node.elements) {
          if (!element) continue;
          const inner = element.type === AST_NODE_TYPES.SpreadElement ? element.argument : element;
          const value = this.expr(inner);
          if (value) this.emit({ kind: 'escape', src: value, node, operand: inner, how: 'literal' });
        }
        return null;
      case AST_NODE_TYPES.ObjectExpression:
        for (const property of node.properties) {
          if (property.type === AST_NODE_TYPES.SpreadElement) {
            this.expr(property.argument);
            continue;
          }
          if (property.computed) this.expr(property.key);
          if (isExpressionNode(property.value)) {
            const value = this.expr(property.value);
            if (value) this.emit({ kind: 'escape', src: value, node, operand: property.value, how: 'literal' });
          }
        }
        return null;
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.ClassExpression:
        this.closure(node);
        return null;
      case AST_NODE_TYPES.TaggedTemplateExpression: {
        this.expr(node.tag);
        for (const expression of node.quasi.expressions) {
          const value = this.expr(expression);
          if (value) this.emit({ kind: 'escape', src: value, node, operand: expression, how: 'argument' });
        }
        this.emit({ kind: 'throw', node });
        return this.borrowIfHandle(node);
      }
      case AST_NODE_TYPES.ImportExpression:
        this.expr(node.source);
        this.emit({ kind: 'throw', node });
        return null;
      case AST_NODE_TYPES.JSXElement:
      case AST_NODE_TYPES.JSXFragment:
        this.jsx(node);
        return null;
      default:
        this.opaque(node);
        return null;
    }
  }

  private borrowIfHandle(node: TSESTree.Node): Key | null {
    if (!this.probe && !this.isHandle(node)) return null;
    const key = this.temp();
    this.emit({ kind: 'borrow', dst: key, node });
    return key;
  }

  /** An expression kind we do not model: evaluate its parts and let any handle in them escape. */
  private opaque(node: TSESTree.Node): void {
    for (const child of this.file.childExpressions(node)) {
      const value = this.expr(child);
      if (value) this.emit({ kind: 'escape', src: value, node, operand: child, how: 'argument' });
    }
  }

  private jsx(node: TSESTree.Node): void {
    for (const child of this.file.childExpressions(node)) {
      if (child.type === AST_NODE_TYPES.JSXElement || child.type === AST_NODE_TYPES.JSXFragment) {
        this.jsx(child);
        continue;
      }
      const value = this.expr(child);
      if (value) this.emit({ kind: 'escape', src: value, node, operand: child, how: 'argument' });
    }
  }

  /** A closure or class: what it captures from this function escapes. */
  private closure(node: TSESTree.Node): void {
    for (const key of this.file.capturedBy(node, this.fn)) {
      this.emit({ kind: 'escape', src: key, node, operand: node, how: 'captured' });
    }
    if (node.type === AST_NODE_TYPES.ClassExpression || node.type === AST_NODE_TYPES.ClassDeclaration) {
      for (const element of node.body.body) {
        if ((element.type === AST_NODE_TYPES.PropertyDefinition || element.type === AST_NODE_TYPES.MethodDefinition) && element.computed) {
          this.expr(element.key);
        }
      }
      if (node.superClass) this.expr(node.superClass);
    }
  }

  private member(node: TSESTree.MemberExpression): Key | null {
    const object = this.expr(node.object);
    const name = memberName(node);
    if (node.computed) {
      const property = this.expr(node.property);
      if (property) this.emit({ kind: 'use', src: property, node, operand: node.property, how: 'index' });
    }
    if (object && !(name !== null && this.file.model.isLivenessMember(name))) {
      const specs = this.file.model.specs;
      const readable = name !== null && !node.computed && specs?.readableMembers.has(name) ? () => this.readableAfterRelease(node.object, name, specs) : undefined;
      this.emit({ kind: 'use', src: object, node, operand: node.object, how: 'member', ...(readable ? { readableAfterRelease: readable } : {}) });
    }
    const path = this.pathOf(node);
    if (path) {
      const root = path.slice(0, path.indexOf('.'));
      this.emit({ kind: 'read', path, handle: () => this.isHandle(node), root, untyped: () => this.carriesOwner(node, name) });
      return path;
    }
    if (object) {
      // `acquire().value.ptr`: what is read out of a handle carries it along.
      const key = this.temp();
      // (A probe never runs the flow, which alone asks what a value carries.)
      this.emit({ kind: 'borrow', dst: key, node, from: object, carries: this.probe || this.isHandle(node) || this.carriesOwner(node, name) });
      return key;
    }
    return this.borrowIfHandle(node);
  }

  /**
   * Does a value read out of a handle stand for it? An untyped value may;
   * a number or bigint does when its name says it is the raw pointer
   * (`h.value.ptr`, `stmt.pointer`), not a count (`mat.rows`).
   */
  private carriesOwner(node: TSESTree.Node, name: string | null): boolean {
    if (this.file.isAnyNode(node)) return true;
    return name !== null && POINTER_NAMES.test(name) && this.file.isPointerLikeNode(node);
  }

  private logical(node: TSESTree.LogicalExpression): Key {
    const result = this.temp();
    const left = this.expr(node.left);
    this.emit(left ? { kind: 'copy', dst: result, src: left } : { kind: 'clear', dst: result });
    const right = this.newBlock();
    const done = this.newBlock();
    this.link(this.current, right);
    this.goto(done);
    this.enter(right);
    const value = this.expr(node.right);
    this.emit(value ? { kind: 'copy', dst: result, src: value } : { kind: 'clear', dst: result });
    this.goto(done);
    this.enter(done);
    return result;
  }

  private assignment(node: TSESTree.AssignmentExpression): Key | null {
    if (
      node.left.type === AST_NODE_TYPES.MemberExpression &&
      node.left.object.type === AST_NODE_TYPES.ThisExpression &&
      node.right.type === AST_NODE_TYPES.Literal &&
      typeof node.right.value === 'boolean'
    ) {
      const name = memberName(node.left);
      if (name !== null) this.thisFlagsWritten.add(name);
    }
    if (node.operator === '=' && node.left.type === AST_NODE_TYPES.MemberExpression && node.left.object.type === AST_NODE_TYPES.ThisExpression && isClearingValue(node.right)) {
      const name = memberName(node.left);
      if (name !== null) this.thisFieldsCleared.add(name);
    }
    if (node.operator === '=') {
      const value = this.expr(node.right);
      this.assign(node.left, value, node);
      return value;
    }
    if (node.operator === '&&=' || node.operator === '||=' || node.operator === '??=') {
      const current = this.expr(node.left);
      const assign = this.newBlock();
      const done = this.newBlock();
      this.link(this.current, assign);
      this.goto(done);
      this.enter(assign);
      // `this.ptr ??= malloc()`: it assigns only when the field holds nothing.
      if (current && node.operator !== '&&=') this.emit({ kind: 'null', src: current });
      const value = this.expr(node.right);
      this.assign(node.left, value, node);
      this.goto(done);
      this.enter(done);
      if (!current && !value) return null;
      const result = this.temp();
      if (current) this.emit({ kind: 'copy', dst: result, src: current });
      if (value) this.emit({ kind: current ? 'union' : 'copy', dst: result, src: value } as Op);
      return result;
    }
    // Compound arithmetic: reads both sides, stores a number.
    const left = this.expr(node.left);
    const right = this.expr(node.right);
    if (left) this.emit({ kind: 'use', src: left, node, operand: node.left, how: 'arithmetic' });
    if (right) this.emit({ kind: 'use', src: right, node, operand: node.right, how: 'arithmetic' });
    this.assign(node.left, null, node);
    return null;
  }

  /** Assign `value` to a pattern or an assignment target. */
  private assign(target: TSESTree.Node, value: Key | null, node: Node): void {
    switch (target.type) {
      case AST_NODE_TYPES.Identifier: {
        const key = this.identifierKey(target);
        if (!key) {
          if (value) this.emit({ kind: 'escape', src: value, node, operand: target, how: 'store' });
          return;
        }
        const escapes = key.startsWith('o') || this.captured.has(key);
        this.emit({ kind: 'store', dst: key, src: value, node, escapes });
        return;
      }
      case AST_NODE_TYPES.MemberExpression: {
        const object = this.expr(target.object);
        let property: Key | null = null;
        if (target.computed) property = this.expr(target.property);
        const path = this.pathOf(target);
        // A fresh handle into a field of `this` outside the constructor: the field's old handle must be gone.
        const replaces = path !== null && path.startsWith('this.') && value !== null && this.acquiredTemps.has(value) && !this.isConstructor();
        if (replaces) this.emit({ kind: 'read', path, handle: true });
        // The store first: `s.ptr = undefined` right after `free(s.ptr)` clears the field before `s` counts as read again.
        if (path) this.emit({ kind: 'store', dst: path, src: value, node, escapes: true, replaces });
        else if (value) this.emit({ kind: 'escape', src: value, node, operand: target, how: 'container' });
        if (object) this.emit({ kind: 'use', src: object, node: target, operand: target.object, how: 'member' });
        if (property) this.emit({ kind: 'use', src: property, node: target, operand: target.property, how: 'index' });
        return;
      }
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
        return this.assign(target.expression, value, node);
      case AST_NODE_TYPES.AssignmentPattern: {
        const fallback = this.newBlock();
        const done = this.newBlock();
        const merged = this.temp();
        this.emit(value ? { kind: 'copy', dst: merged, src: value } : { kind: 'clear', dst: merged });
        this.link(this.current, fallback);
        this.goto(done);
        this.enter(fallback);
        const defaultValue = this.expr(target.right);
        this.emit(defaultValue ? { kind: 'copy', dst: merged, src: defaultValue } : { kind: 'clear', dst: merged });
        this.goto(done);
        this.enter(done);
        return this.assign(target.left, merged, node);
      }
      case AST_NODE_TYPES.ObjectPattern: {
        const base = value && !isTempKey(value) ? value : null;
        for (const property of target.properties) {
          if (property.type === AST_NODE_TYPES.RestElement) {
            this.assign(property.argument, null, node);
            continue;
          }
          if (property.computed) this.expr(property.key);
          const name = property.computed ? null : propertyKeyName(property.key);
          let element: Key | null = null;
          const handle = this.isHandle(property.value);
          if (base && name !== null) {
            element = `${base}.${name}`;
            this.emit({ kind: 'read', path: element, handle });
          } else if (handle) {
            element = this.temp();
            this.emit({ kind: 'borrow', dst: element, node: property.value });
          }
          this.assign(property.value, element, node);
        }
        return;
      }
      case AST_NODE_TYPES.ArrayPattern:
        for (const element of target.elements) {
          if (!element) continue;
          const inner = element.type === AST_NODE_TYPES.RestElement ? element.argument : element;
          let elementValue: Key | null = null;
          if (element.type !== AST_NODE_TYPES.RestElement && this.isHandle(element)) {
            elementValue = this.temp();
            this.emit({ kind: 'borrow', dst: elementValue, node: element });
          }
          this.assign(inner, elementValue, node);
        }
        return;
      case AST_NODE_TYPES.RestElement:
        return this.assign(target.argument, null, node);
      default:
        if (value) this.emit({ kind: 'escape', src: value, node, operand: target, how: 'store' });
    }
  }

  /** @param awaited the `await` around the call, whose rejection is another way to throw before the result exists */
  private call(node: TSESTree.CallExpression | TSESTree.NewExpression, awaited?: TSESTree.AwaitExpression): Key | null {
    const callee = node.callee;
    let receiver: Key | null = null;
    let receiverPath: Key | null = null;
    if (callee.type === AST_NODE_TYPES.MemberExpression) {
      receiver = this.expr(callee.object);
      receiverPath = this.pathOf(callee.object);
      if (callee.computed) this.expr(callee.property);
    } else if (callee.type !== AST_NODE_TYPES.Super) {
      this.expr(callee);
    }
    const args: (Key | null)[] = [];
    const spreads: boolean[] = [];
    // Handles written inside an object literal argument: their fate depends on the parameter's property types.
    const literalProperties: { index: number; name: string; key: Key; operand: Node }[] = [];
    node.arguments.forEach((argument, index) => {
      if (argument.type === AST_NODE_TYPES.ObjectExpression) {
        args.push(null);
        spreads.push(false);
        for (const property of argument.properties) {
          if (property.type !== AST_NODE_TYPES.Property || property.computed || !isExpressionNode(property.value)) {
            const value = property.type === AST_NODE_TYPES.Property ? property.value : property.argument;
            if (property.type === AST_NODE_TYPES.Property && property.computed) this.expr(property.key);
            const key = isExpressionNode(value) ? this.expr(value) : null;
            if (key) this.emit({ kind: 'escape', src: key, node: argument, operand: value, how: 'literal' });
            continue;
          }
          const key = this.expr(property.value);
          const name = propertyKeyName(property.key);
          if (!key) continue;
          if (name === null) this.emit({ kind: 'escape', src: key, node: argument, operand: property.value, how: 'literal' });
          else literalProperties.push({ index, name, key, operand: property.value });
        }
        return;
      }
      const inner = argument.type === AST_NODE_TYPES.SpreadElement ? argument.argument : argument;
      args.push(this.expr(inner));
      spreads.push(argument.type === AST_NODE_TYPES.SpreadElement);
    });

    const effect = this.file.classifyCall(
      node,
      () => {
        if (receiver === null) return false;
        const object = callee.type === AST_NODE_TYPES.MemberExpression ? callee.object : callee;
        return this.isHandle(object) || this.isUntypedParameter(object);
      },
      this.withSummaries,
    );
    const releases: { key: Key; operand: Node }[] = [];
    args.forEach((key, index) => {
      if (!key) return;
      const operand = node.arguments[index];
      const argEffect: ArgumentEffect = spreads[index] ? 'escape' : (effect.args[index] ?? effect.rest);
      this.applyArgumentEffect(argEffect, key, node, operand, 'argument', releases);
    });
    for (const property of literalProperties) {
      // `new Owner({ file })`: a constructor keeps what its options carry.
      const propertyEffect = node.type === AST_NODE_TYPES.NewExpression ? 'escape' : (effect.propertyEffect?.(property.index, property.name) ?? 'escape');
      // A property that is released by the callee is unusual; treat it as handed over.
      const applied = propertyEffect === 'release' ? 'escape' : propertyEffect;
      this.applyArgumentEffect(applied, property.key, node, property.operand, 'argument', releases);
    }
    if (receiver && callee.type === AST_NODE_TYPES.MemberExpression) {
      this.applyArgumentEffect(effect.receiver, receiver, node, callee.object, 'receiver', releases);
    }
    for (const release of releases) {
      this.emit({ kind: 'release', src: release.key, node, operand: release.operand, idempotent: this.file.releaseIsIdempotent(release.operand) });
    }
    if (effect.mayMutateReceiver && receiverPath) this.emit({ kind: 'invalidate', prefix: `${receiverPath}.` });
    // `this.dispose()` releases the fields `dispose` releases.
    if (receiverPath && this.withSummaries && node.type === AST_NODE_TYPES.CallExpression && callee.type === AST_NODE_TYPES.MemberExpression) {
      const summary = this.file.calleeSummary(node);
      // `this.assertNotDisposed()` tests `this.val.isDisposed`: this function has tested it too.
      for (const path of summary?.livenessChecked ?? []) this.livenessChecked.add(`${receiverPath}.${path}`);
      for (const field of summary?.releasedFields ?? []) {
        const path = `${receiverPath}.${field}`;
        if (summary?.clearedFields.includes(field)) {
          this.emit({ kind: 'store', dst: path, src: null, node, escapes: false });
          continue;
        }
        this.emit({ kind: 'read', path, handle: true });
        this.emit({ kind: 'release', src: path, node, operand: callee.object, viaCall: true });
      }
    }
    this.emit(releases.length > 0 ? { kind: 'throw', node, released: releases.map((release) => release.key) } : { kind: 'throw', node });
    if (awaited) this.emit({ kind: 'throw', node: awaited });

    if (effect.result === 'acquire') {
      const key = this.temp();
      this.emit({ kind: 'acquire', dst: key, node });
      return key;
    }
    const aliased = effect.resultAliasesArg !== undefined ? args[effect.resultAliasesArg] : null;
    if (aliased) {
      const key = this.temp();
      this.emit({ kind: 'copy', dst: key, src: aliased });
      return key;
    }
    // A result nobody reads borrows nothing: no need to type it (for untyped JavaScript, the checker infers the callee's body).
    if (resultDiscarded(node)) return null;
    if (effect.resultFromReceiver && receiver && this.isHandle(node)) {
      const key = this.temp();
      this.emit({ kind: 'borrow', dst: key, node, from: receiver });
      return key;
    }
    // `return op(x)`: a fresh value handed straight to the caller can meet no release here; only the
    // summary asks what it is, and only when it would otherwise claim the result (for untyped
    // JavaScript, typing it infers the callee's body).
    if (!awaited && returnedAtOnce(node)) {
      const key = this.temp();
      this.emit({ kind: 'borrow', dst: key, node, isHandle: () => this.isHandle(node) });
      return key;
    }
    return this.borrowIfHandle(node);
  }

  private applyArgumentEffect(
    effect: ArgumentEffect,
    key: Key,
    node: Node,
    operand: Node,
    how: 'argument' | 'receiver',
    releases: { key: Key; operand: Node }[],
  ): void {
    switch (effect) {
      case 'release':
        releases.push({ key, operand });
        return;
      case 'use':
        this.emit({ kind: 'use', src: key, node, operand, how: how as UseKind });
        return;
      case 'maybe-release':
      case 'escape':
        this.emit({ kind: 'escape', src: key, node, operand, how: 'argument' satisfies EscapeKind });
        return;
      case 'none':
        return;
    }
  }
}

// ---------------------------------------------------------------- helpers

function skipTypeWrappers(node: TSESTree.Expression): TSESTree.Expression {
  let current = node;
  while (
    current.type === AST_NODE_TYPES.TSAsExpression ||
    current.type === AST_NODE_TYPES.TSNonNullExpression ||
    current.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    current.type === AST_NODE_TYPES.TSTypeAssertion
  ) {
    current = current.expression;
  }
  return current;
}

function isUsing(node: TSESTree.VariableDeclaration): boolean {
  return node.kind === 'using' || node.kind === 'await using';
}

function isExpressionNode(node: TSESTree.Node): node is TSESTree.Expression {
  return !node.type.endsWith('Pattern') && !node.type.endsWith('Declaration') && node.type !== AST_NODE_TYPES.TSEmptyBodyFunctionExpression;
}


function propertyKeyName(key: TSESTree.Node): string | null {
  if (key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.Literal && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return null;
}

function isArithmetic(operator: string): boolean {
  return ['+', '-', '*', '/', '%', '**', '<<', '>>', '>>>', '&', '|', '^'].includes(operator);
}

function isNullish(node: TSESTree.Node): boolean {
  return (
    (node.type === AST_NODE_TYPES.Literal && (node.value === null || node.value === 0)) ||
    (node.type === AST_NODE_TYPES.Identifier && node.name === 'undefined') ||
    (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'void')
  );
}

/** `x == null`, `x === 0`, `undefined !== x`, …: which side is tested, and whether `true` means "is null". */
function nullComparison(
  node: TSESTree.BinaryExpression,
): { operand: TSESTree.Expression; literal: TSESTree.Expression; equal: boolean } | null {
  const equal = node.operator === '==' || node.operator === '===';
  const notEqual = node.operator === '!=' || node.operator === '!==';
  if (!equal && !notEqual) return null;
  if (isNullish(node.right)) return { operand: node.left as TSESTree.Expression, literal: node.right, equal };
  if (isNullish(node.left)) return { operand: node.right, literal: node.left, equal };
  return null;
}

export type { ts };

/** A call and the node that takes its value (past the `a?.b()` chain around it). */
function valueOf(node: TSESTree.Node): { value: TSESTree.Node; parent: TSESTree.Node | undefined } {
  const parent = node.parent;
  return parent?.type === AST_NODE_TYPES.ChainExpression ? { value: parent, parent: parent.parent } : { value: node, parent };
}

/** `return f()`, `() => f()`: the call's value is the function's result. */
function returnedAtOnce(node: TSESTree.Node): boolean {
  const { value, parent } = valueOf(node);
  if (parent?.type === AST_NODE_TYPES.ReturnStatement) return true;
  return parent?.type === AST_NODE_TYPES.ArrowFunctionExpression && parent.body === value;
}

/** `f();`, `a?.b();`, `void f();`: the call's value is thrown away. */
function resultDiscarded(node: TSESTree.Node): boolean {
  const { parent } = valueOf(node);
  if (parent?.type === AST_NODE_TYPES.UnaryExpression && parent.operator === 'void') return true;
  return parent?.type === AST_NODE_TYPES.ExpressionStatement;
}

/** `undefined`, `void 0`, `null`, `0`, `false`: what a field is set to once its handle is gone. */
function isClearingValue(node: TSESTree.Node): boolean {
  if (node.type === AST_NODE_TYPES.Identifier) return node.name === 'undefined';
  if (node.type === AST_NODE_TYPES.UnaryExpression) return node.operator === 'void';
  return node.type === AST_NODE_TYPES.Literal && (node.value === null || node.value === 0 || node.value === false);
}
