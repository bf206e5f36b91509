import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { Block, Key, LoweredFunction, Node } from '../ir.js';
import type { Frame } from './graph-builder.js';
import { CanReport, TooLarge } from './graph-builder.js';
import { emptiedAfterLoop, isExpressionNode, isLiteralOrNothing, isUsing } from './syntax.js';
import { isFinalizerCallback } from '../ast.js';
import type { GraphBuilder } from './graph-builder.js';
import type { ExpressionLowering } from './expressions.js';
import type { ConditionLowering } from './conditions.js';

/** Control flow: statements, loops, labels, switch, try/catch/finally, `using` scopes and exits, inlined on every way out. */
export class StatementLowering {
  private readonly heldValues = new Set<Key>();
  /** Some return hands back a value that is no array or object literal (nor nothing). */
  private returnsNonLiteral = false;

  constructor(private readonly builder: GraphBuilder, private readonly expressions: ExpressionLowering, private readonly conditions: ConditionLowering) {}

  run(): LoweredFunction {
    const fn = this.builder.fn;
    let tooLarge = false;
    try {
      if (fn.type === AST_NODE_TYPES.Program) {
        this.statements(fn.body);
        this.emitExit(fn, 'end');
      } else {
        fn.params.forEach((param, index) => this.builder.registerParam(param, index));
        // The held value of a cleanup callback is its registration's: it dies with the call.
        const held = fn.params[0];
        if (held?.type === AST_NODE_TYPES.Identifier && isFinalizerCallback(fn)) {
          const key = this.builder.identifierKey(held);
          if (key) this.heldValues.add(key);
        }
        this.builder.acquireOwnedParameters(fn.params);
        if (fn.body.type === AST_NODE_TYPES.BlockStatement) {
          this.statements(fn.body.body);
          this.emitExit(fn, 'end');
        } else {
          this.returnsNonLiteral = !isLiteralOrNothing(fn.body);
          const value = this.expressions.expr(fn.body);
          if (value) this.builder.emit({ kind: 'escape', src: value, node: fn.body, operand: fn.body, how: 'return' });
          this.emitExit(fn.body, 'return');
        }
      }
    } catch (error) {
      if (!(error instanceof TooLarge) && !(error instanceof CanReport)) throw error;
      tooLarge = error instanceof TooLarge;
    }
    return {
      node: fn,
      blocks: this.builder.blocks,
      entry: 0,
      paramKeys: this.builder.paramKeys,
      keyNames: this.builder.keyNames,
      setsThisFlag: [...this.builder.thisFlagsWritten].some((name) => this.builder.thisFieldsTested.has(name)),
      thisGuardFields: new Set([...this.builder.thisFieldsCleared].filter((name) => this.builder.thisFieldsTested.has(name))),
      thisFieldsAssigned: this.builder.thisFieldsAssigned,
      externalLocals: this.builder.externalLocals,
      heldValues: this.heldValues,
      livenessChecked: this.builder.livenessChecked,
      returnsOnlyLiterals: !this.returnsNonLiteral,
      mayReport: this.builder.mayReport,
      tooLarge,
    };
  }

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
      if (dead) this.builder.emit({ kind: 'forget', keys: dead });
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
        const variable = this.builder.file.variableOf(declarator.id);
        const key = this.builder.identifierKey(declarator.id);
        if (!variable || !key || !key.startsWith('v') || this.builder.captured.has(key)) continue;
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
    const outerHandler = this.builder.handler;
    const onThrow = this.builder.newBlock();
    const frame: Frame = { kind: 'using', declarations: [declaration], handler: outerHandler };
    this.builder.frames.push(frame);
    this.builder.setHandler(onThrow.id);
    this.statements(rest);
    this.builder.frames.pop();
    this.builder.setHandler(outerHandler);
    this.disposeUsing(declaration);
    // The exceptional way out: dispose, then rethrow.
    const after = this.builder.current;
    this.builder.enter(onThrow);
    this.disposeUsing(declaration);
    this.builder.emit({ kind: 'throw', node: declaration });
    this.builder.current = after;
  }

  private disposeUsing(declaration: TSESTree.VariableDeclaration): void {
    for (const declarator of [...declaration.declarations].reverse()) {
      if (declarator.id.type !== AST_NODE_TYPES.Identifier) continue;
      const key = this.builder.identifierKey(declarator.id);
      if (!key) continue;
      const repeatHarmless = this.builder.file.ownerReleaseIsRepeatable(declarator.id);
      this.builder.emit({ kind: 'release', src: key, node: declarator, operand: declarator.id, byUsing: declaration, idempotent: true, ...(repeatHarmless ? { repeatHarmless } : {}) });
    }
  }

  private statement(node: TSESTree.Node): void {
    if (!this.builder.current) return; // unreachable code
    switch (node.type) {
      case AST_NODE_TYPES.ExpressionStatement:
        this.expressions.expr(node.expression);
        this.builder.dropTemps(node);
        return;
      case AST_NODE_TYPES.VariableDeclaration:
        this.variableDeclaration(node);
        this.builder.dropTemps(node);
        return;
      case AST_NODE_TYPES.BlockStatement: {
        this.statements(node.body);
        const keys = this.builder.file.blockScopedKeys(node, this.builder.fn);
        if (keys.length > 0) this.builder.emit({ kind: 'forget', keys });
        return;
      }
      case AST_NODE_TYPES.StaticBlock:
        return;
      case AST_NODE_TYPES.IfStatement: {
        const consequent = this.builder.newBlock();
        const alternate = this.builder.newBlock();
        const done = this.builder.newBlock();
        this.conditions.condition(node.test, consequent, alternate);
        const testTemps = this.builder.takeTemps();
        this.builder.enterBranch(consequent, testTemps, node.test);
        this.statement(node.consequent);
        this.builder.goto(done);
        this.builder.enterBranch(alternate, testTemps, node.test);
        if (node.alternate) this.statement(node.alternate);
        this.builder.goto(done);
        this.builder.enter(done);
        return;
      }
      case AST_NODE_TYPES.ReturnStatement: {
        if (!isLiteralOrNothing(node.argument)) this.returnsNonLiteral = true;
        if (node.argument) {
          const value = this.expressions.expr(node.argument);
          if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: node.argument, how: 'return' });
        }
        this.unwind(0);
        this.emitExit(node, 'return');
        this.builder.current = null;
        return;
      }
      case AST_NODE_TYPES.ThrowStatement: {
        const value = this.expressions.expr(node.argument);
        if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: node.argument, how: 'thrown' });
        this.builder.emit({ kind: 'throw', node });
        this.builder.current = null;
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
          const value = this.expressions.expr(node.declaration);
          if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: node.declaration, how: 'store' });
        } else if (node.declaration.type === AST_NODE_TYPES.ClassDeclaration) {
          this.expressions.closure(node.declaration);
        }
        return;
      case AST_NODE_TYPES.ClassDeclaration:
        this.expressions.closure(node);
        return;
      case AST_NODE_TYPES.WithStatement:
        this.expressions.expr(node.object);
        this.statement(node.body);
        return;
      default:
        // Declarations of functions, types, imports, empty statements: no
        // evaluation here (functions are analysed on their own).
        return;
    }
  }

  /** An expression whose object the caller (or anyone outside) can reach: `this.x`, a parameter's field, an outer variable. */
  private isCallerVisible(node: TSESTree.Node): boolean {
    const path = this.builder.pathOf(node);
    if (!path) return false;
    const root = path.includes('.') ? path.slice(0, path.indexOf('.')) : path;
    return root === 'this' || root.startsWith('o') || this.builder.paramKeys.has(root);
  }

  private variableDeclaration(node: TSESTree.VariableDeclaration): void {
    if (node.declare) return;
    for (const declarator of node.declarations) {
      if (declarator.init && declarator.id.type === AST_NODE_TYPES.Identifier && declarator.init.type === AST_NODE_TYPES.MemberExpression && this.isCallerVisible(declarator.init)) {
        const key = this.builder.identifierKey(declarator.id);
        if (key) this.builder.externalLocals.add(key);
      }
      if (declarator.init) {
        const value = this.expressions.expr(declarator.init);
        this.expressions.assign(declarator.id, value, declarator);
      } else if (declarator.id.type === AST_NODE_TYPES.Identifier) {
        const key = this.builder.identifierKey(declarator.id);
        // `let x;` inside a loop starts each iteration undefined.
        if (key) this.builder.emit({ kind: 'store', dst: key, src: null, node: declarator, escapes: false });
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
        const done = this.builder.newBlock();
        this.builder.frames.push({ kind: 'break', labels, breakTo: done, isSwitch: false });
        this.statement(body);
        this.builder.frames.pop();
        this.builder.goto(done);
        this.builder.enter(done);
      }
    }
  }

  private loopHead(): Block {
    const head = this.builder.newBlock();
    head.loopHead = true;
    this.builder.goto(head);
    this.builder.enter(head);
    return head;
  }

  private loopBody(labels: readonly string[], body: TSESTree.Statement, breakTo: Block, continueTo: Block): void {
    this.builder.frames.push({ kind: 'loop', labels, breakTo, continueTo });
    this.statement(body);
    this.builder.frames.pop();
  }

  private whileLoop(node: TSESTree.WhileStatement, labels: readonly string[]): void {
    const head = this.loopHead();
    const body = this.builder.newBlock();
    const done = this.builder.newBlock();
    this.conditions.condition(node.test, body, done);
    const testTemps = this.builder.takeTemps();
    this.builder.enterBranch(body, testTemps, node.test);
    this.loopBody(labels, node.body, done, head);
    this.builder.goto(head);
    this.builder.enterBranch(done, testTemps, node.test);
  }

  private doWhileLoop(node: TSESTree.DoWhileStatement, labels: readonly string[]): void {
    const head = this.loopHead();
    const test = this.builder.newBlock();
    const done = this.builder.newBlock();
    this.loopBody(labels, node.body, done, test);
    this.builder.goto(test);
    this.builder.enter(test);
    this.conditions.condition(node.test, head, done);
    this.builder.enter(done);
  }

  private forLoop(node: TSESTree.ForStatement, labels: readonly string[]): void {
    if (node.init) {
      if (node.init.type === AST_NODE_TYPES.VariableDeclaration) this.variableDeclaration(node.init);
      else this.expressions.expr(node.init);
    }
    const head = this.loopHead();
    const body = this.builder.newBlock();
    const update = this.builder.newBlock();
    const done = this.builder.newBlock();
    if (node.test) this.conditions.condition(node.test, body, done);
    else this.builder.goto(body);
    // The init's and the test's temporaries die on both ways out of the test.
    const testTemps = this.builder.takeTemps();
    this.builder.enterBranch(body, testTemps, node);
    this.loopBody(labels, node.body, done, update);
    this.builder.goto(update);
    this.builder.enter(update);
    if (node.update) this.expressions.expr(node.update);
    this.builder.dropTemps(node);
    this.builder.goto(head);
    this.builder.enterBranch(done, testTemps, node);
  }

  private forEachLoop(node: TSESTree.ForInStatement | TSESTree.ForOfStatement, labels: readonly string[]): void {
    const iterable = this.expressions.expr(node.right);
    if (iterable && node.type === AST_NODE_TYPES.ForOfStatement) {
      this.builder.emit({ kind: 'use', src: iterable, node: node.right, operand: node.right, how: 'iterate' });
    }
    if (iterable && node.type === AST_NODE_TYPES.ForOfStatement && this.iteratorTakesOver(node)) {
      this.builder.emit({ kind: 'escape', src: iterable, node, operand: node.right, how: 'iterated' });
    }
    const head = this.loopHead();
    const body = this.builder.newBlock();
    const done = this.builder.newBlock();
    this.builder.goto(body);
    this.builder.link(head, done);
    this.builder.enter(body);
    // Iterating an array or a string does not throw; a custom iterator or generator may.
    if (node.type === AST_NODE_TYPES.ForOfStatement && (node.await || this.builder.file.mayThrowWhenIterated(node.right))) {
      this.builder.emit({ kind: 'throw', node: node.right });
    }
    const target = node.left.type === AST_NODE_TYPES.VariableDeclaration ? node.left.declarations[0].id : node.left;
    let element: Key | null = null;
    if (node.type === AST_NODE_TYPES.ForOfStatement && this.builder.isHandle(target)) {
      element = this.builder.temp();
      this.builder.emit({ kind: 'borrow', dst: element, node: target });
    }
    // An entry of a container the function empties after the loop is no caller's to reach again.
    if (node.type === AST_NODE_TYPES.ForOfStatement && target.type === AST_NODE_TYPES.Identifier && this.isCallerVisible(node.right) && !emptiedAfterLoop(node, (part) => this.builder.pathOf(part))) {
      const key = this.builder.identifierKey(target);
      if (key) this.builder.externalLocals.add(key);
    }
    this.expressions.assign(target, element, node);
    this.loopBody(labels, node.body, done, head);
    this.builder.goto(head);
    this.builder.enter(done);
  }

  /**
   * Does the loop's iterator take the iterable over? It does when its iterator method releases it: the
   * loop always runs the iterator, which closes the iterable at the end, on `break`, `return` or a throw
   * (the loop calls its `return()`, which runs its `finally`); what is closed stays readable (a
   * cursor's response), so it is handed off, not released. It does too when the iterable's type offers
   * nothing but iteration (a helper declared to return `AsyncIterable<T>` that returns a fresh cursor):
   * iterating it is all its owner can do.
   */
  private iteratorTakesOver(node: TSESTree.ForOfStatement): boolean {
    if (this.builder.isHandle(node.right)) return this.builder.file.iterationReleases(node.right, node.await);
    return !this.builder.file.isAnyNode(node.right);
  }

  private switchStatement(node: TSESTree.SwitchStatement, labels: readonly string[]): void {
    this.expressions.expr(node.discriminant);
    const done = this.builder.newBlock();
    const bodies = node.cases.map(() => this.builder.newBlock());
    let defaultIndex = -1;
    node.cases.forEach((switchCase, index) => {
      if (!switchCase.test) {
        defaultIndex = index;
        return;
      }
      const next = this.builder.newBlock();
      this.expressions.expr(switchCase.test);
      this.builder.link(this.builder.current, bodies[index]);
      this.builder.goto(next);
      this.builder.enter(next);
    });
    this.builder.goto(defaultIndex >= 0 ? bodies[defaultIndex] : done);
    this.builder.frames.push({ kind: 'break', labels, breakTo: done, isSwitch: true });
    node.cases.forEach((switchCase, index) => {
      this.builder.link(this.builder.current, bodies[index]); // fall through
      this.builder.enter(bodies[index]);
      this.statements(switchCase.consequent);
    });
    this.builder.frames.pop();
    this.builder.goto(done);
    this.builder.enter(done);
  }

  private tryStatement(node: TSESTree.TryStatement): void {
    const outerHandler = this.builder.handler;
    const finalizer = node.finalizer;
    const onThrowFinally = finalizer ? this.builder.newBlock() : null;
    const catchBlock = node.handler ? this.builder.newBlock() : null;
    const done = this.builder.newBlock();
    const finallyFrame: Frame | null = finalizer ? { kind: 'finally', body: finalizer, handler: outerHandler } : null;

    if (finallyFrame) this.builder.frames.push(finallyFrame);
    this.builder.setHandler((catchBlock ?? onThrowFinally ?? done).id);
    this.statement(node.block);
    this.builder.setHandler(outerHandler);
    this.finishTryPart(finallyFrame, done);

    if (catchBlock && node.handler) {
      this.builder.handler = onThrowFinally ? onThrowFinally.id : outerHandler;
      (catchBlock as { handler: number }).handler = this.builder.handler;
      this.builder.enter(catchBlock);
      if (node.handler.param) this.expressions.assign(node.handler.param, null, node.handler);
      this.statement(node.handler.body);
      this.builder.setHandler(outerHandler);
      this.finishTryPart(finallyFrame, done);
    }
    if (finallyFrame) this.builder.frames.pop();

    if (onThrowFinally && finalizer) {
      this.builder.enter(onThrowFinally);
      this.builder.handler = outerHandler;
      (onThrowFinally as { handler: number }).handler = outerHandler;
      this.statement(finalizer);
      this.builder.emit({ kind: 'throw', node: finalizer });
      this.builder.current = null;
    }
    this.builder.handler = outerHandler;
    this.builder.enter(done);
    if (done.id === this.builder.blocks.length - 1 && !this.builder.blocks.some((b) => b.next.includes(done.id))) {
      // Every way out of the try statement returned or threw.
      this.builder.current = null;
    }
  }

  /** Normal completion of the try block or the catch clause: run the finalizer, then continue. */
  private finishTryPart(finallyFrame: Frame | null, done: Block): void {
    if (!this.builder.current) return;
    if (finallyFrame && finallyFrame.kind === 'finally') {
      const saved = this.builder.frames;
      this.builder.frames = saved.slice(0, saved.indexOf(finallyFrame));
      this.statement(finallyFrame.body);
      this.builder.frames = saved;
    }
    this.builder.goto(done);
  }

  private jump(node: TSESTree.BreakStatement | TSESTree.ContinueStatement): void {
    const label = node.label?.name;
    const isBreak = node.type === AST_NODE_TYPES.BreakStatement;
    for (let i = this.builder.frames.length - 1; i >= 0; i--) {
      const frame = this.builder.frames[i];
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
      this.builder.goto(target);
      return;
    }
    this.builder.current = null;
  }

  /** Run the finalizers and `using` disposals of frames above `depth`, innermost first. */
  private unwind(depth: number): void {
    const saved = this.builder.frames;
    const savedHandler = this.builder.handler;
    for (let i = saved.length - 1; i >= depth; i--) {
      const frame = saved[i];
      if (frame.kind !== 'finally' && frame.kind !== 'using') continue;
      this.builder.frames = saved.slice(0, i);
      this.builder.setHandler(frame.handler);
      if (frame.kind === 'finally') this.statement(frame.body);
      else for (const declaration of frame.declarations) this.disposeUsing(declaration);
    }
    this.builder.frames = saved;
    // Blocks after an unwind are dead (return/break follows), so the handler
    // is restored without a new block.
    this.builder.handler = savedHandler;
  }

  private emitExit(node: Node, how: 'return' | 'end'): void {
    this.builder.emit({ kind: 'exit', node, how });
  }
}
