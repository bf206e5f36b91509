import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { Block, Key } from '../ir.js';
import { memberName } from '../ast.js';
import { nullComparison, skipTypeWrappers, stateComparison } from './syntax.js';
import { fieldsExcludedBy } from './exclusive-fields.js';
import type { GraphBuilder } from './graph-builder.js';
import type { ExpressionLowering } from './expressions.js';

/** Tests: branches on a condition, and what each side learns (null, undefined, alive or disposed). */
export class ConditionLowering {
  constructor(private readonly builder: GraphBuilder, private readonly expressions: ExpressionLowering) {}

  /** Lower a test, going to `whenTrue` or `whenFalse`, with null refinements on the edges. */
  condition(test: TSESTree.Expression, whenTrue: Block, whenFalse: Block): void {
    if (!this.builder.current) return;
    if (test.type === AST_NODE_TYPES.MemberExpression && test.object.type === AST_NODE_TYPES.ThisExpression) {
      const name = memberName(test);
      if (name !== null) this.builder.thisFieldsTested.add(name);
    }
    switch (test.type) {
      case AST_NODE_TYPES.Literal:
        // `while (true)`: the other edge does not exist.
        this.builder.goto(test.value ? whenTrue : whenFalse);
        return;
      case AST_NODE_TYPES.UnaryExpression:
        if (test.operator === '!') return this.condition(test.argument, whenFalse, whenTrue);
        break;
      case AST_NODE_TYPES.LogicalExpression:
        if (test.operator === '&&' || test.operator === '||') {
          const middle = this.builder.newBlock();
          if (test.operator === '&&') this.condition(test.left, middle, whenFalse);
          else this.condition(test.left, whenTrue, middle);
          this.builder.enter(middle);
          return this.condition(test.right, whenTrue, whenFalse);
        }
        break;
      case AST_NODE_TYPES.BinaryExpression: {
        const nullCheck = nullComparison(test);
        if (nullCheck) {
          const operand = skipTypeWrappers(nullCheck.operand);
          if (operand.type === AST_NODE_TYPES.MemberExpression && operand.object.type === AST_NODE_TYPES.ThisExpression) {
            const name = memberName(operand);
            if (name !== null) this.builder.thisFieldsTested.add(name);
          }
          const key = this.expressions.expr(nullCheck.operand);
          this.expressions.expr(nullCheck.literal);
          const nullOnTrue = nullCheck.equal;
          return this.branch(key, nullOnTrue ? whenTrue : whenFalse, nullOnTrue ? whenFalse : whenTrue);
        }
        if (test.operator === 'in' && test.left.type === AST_NODE_TYPES.Literal && typeof test.left.value === 'string') return this.propertyTest(test, test.left.value, whenTrue, whenFalse);
        break;
      }
      default:
        break;
    }
    const liveness = this.livenessTest(test);
    const key = this.expressions.expr(test);
    if (liveness) {
      // `if (!h.alive) return;` / `if (h.isDeleted()) …`: each edge knows whether h was released.
      const aliveSide = liveness.aliveWhenTrue ? whenTrue : whenFalse;
      const releasedSide = liveness.aliveWhenTrue ? whenFalse : whenTrue;
      for (const [side, alive] of [
        [aliveSide, true],
        [releasedSide, false],
      ] as const) {
        const edge = this.builder.newBlock();
        this.builder.link(this.builder.current, edge);
        const saved: Block | null = this.builder.current;
        this.builder.enter(edge);
        this.builder.emit({ kind: 'liveness', src: liveness.key, alive, node: test, isHandle: liveness.isHandle });
        this.builder.goto(side);
        this.builder.current = saved;
      }
      this.builder.current = null;
      return;
    }
    const tested = skipTypeWrappers(test);
    this.branch(key, whenFalse, whenTrue, this.excludedFields(tested), tested.type === AST_NODE_TYPES.Identifier ? this.builder.flagKey(tested) : null);
  }

  /** `this.customDecoder` tested for truth (a `0` is not null, yet empty to `!this.X`): the fields of `this` that hold nothing where it is set (`exclusive-fields.ts`). */
  private excludedFields(tested: TSESTree.Expression): readonly Key[] {
    if (tested.type !== AST_NODE_TYPES.MemberExpression || tested.object.type !== AST_NODE_TYPES.ThisExpression || this.builder.fn.type === AST_NODE_TYPES.Program) return [];
    const name = memberName(tested);
    return name === null ? [] : fieldsExcludedBy(this.builder.fn, name, this.builder.file).map((field) => `this.${field}`);
  }

  /** `'value' in result`: a side of the test where the result holds no handle (a success holding a number) knows it holds nothing to release. */
  private propertyTest(test: TSESTree.BinaryExpression, property: string, whenTrue: Block, whenFalse: Block): void {
    this.expressions.expr(test);
    const object = this.builder.pathOf(test.right);
    const tsObject = object ? this.builder.file.tsNode(test.right) : undefined;
    const model = this.builder.file.model;
    const type = tsObject ? model.checker.getTypeAtLocation(tsObject) : undefined;
    const emptyWhenTrue = type !== undefined && model.sideHoldsNoHandle(type, property, true);
    const emptyWhenFalse = type !== undefined && !emptyWhenTrue && model.sideHoldsNoHandle(type, property, false);
    if (!object || (!emptyWhenTrue && !emptyWhenFalse)) return this.branch(null, whenFalse, whenTrue);
    this.branch(object, emptyWhenTrue ? whenTrue : whenFalse, emptyWhenTrue ? whenFalse : whenTrue);
  }

  /** `h.alive`, `h.isDeleted()`, `this.tree.disposed`: which handle, and whether `true` means alive. */
  private livenessTest(test: TSESTree.Expression): { key: Key; aliveWhenTrue: boolean; isHandle: () => boolean } | null {
    const state = this.releasedStateTest(test);
    if (state) {
      const key = this.builder.pathOf(state.member.object);
      if (!key) return null;
      this.builder.livenessChecked.add(key);
      const object = state.member.object;
      return { key, aliveWhenTrue: !state.trueWhenEqual, isHandle: () => this.builder.isHandle(object) };
    }
    let member: TSESTree.Node = skipTypeWrappers(test);
    if (member.type === AST_NODE_TYPES.ChainExpression) member = member.expression;
    if (member.type === AST_NODE_TYPES.CallExpression && member.arguments.length === 0) member = member.callee;
    if (member.type !== AST_NODE_TYPES.MemberExpression) return null;
    const name = memberName(member);
    if (name === null || name === 'constructor' || !this.builder.file.model.isLivenessMember(name)) return null;
    const key = this.builder.pathOf(member.object);
    if (!key) return null;
    this.builder.livenessChecked.add(key);
    const object = member.object;
    return { key, aliveWhenTrue: /^(is)?alive$/i.test(name), isHandle: () => this.builder.isHandle(object) };
  }

  /** `decoder.state !== 'closed'`: a member compared with a name of the released state. */
  releasedStateTest(test: TSESTree.Node): ReturnType<typeof stateComparison> {
    const comparison = stateComparison(test);
    return comparison && this.builder.file.model.isReleasedStateName(comparison.literal) ? comparison : null;
  }

  /** Branch where the `nullSide` edge knows `key` holds no handle, and the other edge that `excluded` hold none; with `flag`, each edge knows the flag is falsy or truthy. */
  private branch(key: Key | null, nullSide: Block, otherSide: Block, excluded: readonly Key[] = [], flag: Key | null = null): void {
    // `if (err) return` in `(err, fd) => …`: where the error is set, the callback was handed no handle.
    const unset = key === null ? undefined : this.builder.errorGuards.get(key);
    if (unset || excluded.length > 0 || flag) {
      const saved = this.builder.current;
      const edge = this.builder.newBlock();
      this.builder.link(saved, edge);
      this.builder.enter(edge);
      if (unset) this.builder.emit({ kind: 'null', src: unset });
      for (const field of excluded) {
        this.builder.emit({ kind: 'read', path: field, handle: true });
        this.builder.emit({ kind: 'null', src: field });
      }
      if (flag) this.builder.emit({ kind: 'truth', src: flag, truthy: true });
      this.builder.goto(otherSide);
      this.builder.current = saved;
    } else this.builder.link(this.builder.current, otherSide);
    if (key) {
      const edge = this.builder.newBlock();
      this.builder.link(this.builder.current, edge);
      this.builder.enter(edge);
      this.builder.emit({ kind: 'null', src: key });
      if (flag) this.builder.emit({ kind: 'truth', src: flag, truthy: false });
    }
    this.builder.goto(nullSide);
  }
}
