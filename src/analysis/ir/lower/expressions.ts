import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { HandleModel } from '../../model/handle-model.js';
import type { Block, Key, Node, Op } from '../ir.js';
import { isTempKey, RECEIVER_KEY } from '../ir.js';
import { memberName } from '../ast.js';
import { POINTER_NAMES } from './graph-builder.js';
import { assignedBoolean, isArithmetic, isClearingValue, isExpressionNode, nullComparison, propertyKeyName, returnedLiteral, skipTypeWrappers, stateComparison } from './syntax.js';
import type { GraphBuilder } from './graph-builder.js';

/** Where expressions hand calls over (calls.ts), which lowers its operands here in turn. */
export interface CallLowerer {
  call(node: TSESTree.CallExpression | TSESTree.NewExpression, awaited?: TSESTree.AwaitExpression): Key | null;
}

/** Where expressions hand tests over (conditions.ts), which lowers its operands here in turn. */
export interface ConditionLowerer {
  condition(test: TSESTree.Expression, whenTrue: Block, whenFalse: Block): void;
}

/** Values: what each expression lowers to (acquisitions, borrows, members, assignments, closures), and which key holds it. */
export class ExpressionLowering {
  /** Set once the call and condition lowerings exist (they are built over this one). */
  calls!: CallLowerer;
  conditions!: ConditionLowerer;

  constructor(private readonly builder: GraphBuilder) {}

  /** `t.shape` of a disposed tfjs tensor: plain data of the object, which a preset says outlives the release. */
  /** `decoder.state` in `decoder.state !== 'closed'`: a liveness test reads it, as it reads `h.alive`. */
  private testsReleasedState(node: TSESTree.MemberExpression): boolean {
    let parent = node.parent;
    while (parent && (parent.type === AST_NODE_TYPES.TSAsExpression || parent.type === AST_NODE_TYPES.TSNonNullExpression)) parent = parent.parent;
    if (parent?.type !== AST_NODE_TYPES.BinaryExpression) return false;
    const comparison = stateComparison(parent);
    return comparison?.member === node && this.builder.file.model.isReleasedStateName(comparison.literal);
  }

  /** A member a preset says stays readable after release (`tensor.shape`), or a readonly field of a closed object. */
  private readableAfterRelease(node: TSESTree.MemberExpression, name: string, specs: HandleModel['specs']): boolean {
    if (specs?.readableMembers.has(name)) {
      const type = this.builder.file.typeOf(node.object);
      if (type !== undefined && specs.readableAfterRelease(name, type)) return true;
    }
    return this.builder.file.readonlyFieldOfClosedObject(node);
  }

  /** Lower an expression; returns the key holding its value when it may hold a handle. */
  expr(node: TSESTree.Node): Key | null {
    if (!this.builder.current) return null;
    switch (node.type) {
      case AST_NODE_TYPES.Identifier: {
        if (node.name === 'undefined') return null;
        const key = this.builder.identifierKey(node);
        if (key && key.startsWith('o')) this.builder.emit({ kind: 'read', path: key, handle: () => this.builder.isHandle(node) });
        return key;
      }
      case AST_NODE_TYPES.ThisExpression:
        return this.builder.paramKeys.has(RECEIVER_KEY) ? RECEIVER_KEY : null;
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
        return this.calls.call(node);
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
        const result = this.builder.temp();
        const whenTrue = this.builder.newBlock();
        const whenFalse = this.builder.newBlock();
        const done = this.builder.newBlock();
        this.conditions.condition(node.test, whenTrue, whenFalse);
        for (const [block, branch] of [
          [whenTrue, node.consequent],
          [whenFalse, node.alternate],
        ] as const) {
          this.builder.enter(block);
          const value = this.expr(branch);
          this.builder.emit(value ? { kind: 'copy', dst: result, src: value } : { kind: 'clear', dst: result });
          this.builder.goto(done);
        }
        this.builder.enter(done);
        return result;
      }
      case AST_NODE_TYPES.UnaryExpression: {
        const value = this.expr(node.argument);
        if (value && (node.operator === '-' || node.operator === '+' || node.operator === '~')) {
          this.builder.emit({ kind: 'use', src: value, node, operand: node.argument, how: 'arithmetic' });
        }
        if (node.operator === 'delete') {
          const path = this.builder.pathOf(node.argument);
          if (path) this.builder.emit({ kind: 'store', dst: path, src: null, node, escapes: false });
        }
        return null;
      }
      case AST_NODE_TYPES.UpdateExpression: {
        const value = this.expr(node.argument);
        if (value) this.builder.emit({ kind: 'use', src: value, node, operand: node.argument, how: 'arithmetic' });
        const path = this.builder.pathOf(node.argument);
        if (path) this.builder.emit({ kind: 'store', dst: path, src: null, node, escapes: false });
        return null;
      }
      case AST_NODE_TYPES.BinaryExpression: {
        const left = node.left.type === AST_NODE_TYPES.PrivateIdentifier ? null : this.expr(node.left);
        const right = this.expr(node.right);
        if (isArithmetic(node.operator)) {
          if (left) this.builder.emit({ kind: 'use', src: left, node, operand: node.left, how: 'arithmetic' });
          if (right) this.builder.emit({ kind: 'use', src: right, node, operand: node.right, how: 'arithmetic' });
        }
        return null;
      }
      case AST_NODE_TYPES.AwaitExpression: {
        const argument = skipTypeWrappers(node.argument);
        if (argument.type === AST_NODE_TYPES.CallExpression || argument.type === AST_NODE_TYPES.NewExpression) {
          // `await acquire()`: the handle exists once the promise settles, so
          // a rejection leaks nothing.
          const value = this.calls.call(argument, node);
          return value ?? this.borrowIfHandle(node);
        }
        const value = this.expr(node.argument);
        this.builder.emit({ kind: 'throw', node });
        if (value) return value;
        return this.borrowIfHandle(node);
      }
      case AST_NODE_TYPES.YieldExpression: {
        if (node.argument) {
          const value = this.expr(node.argument);
          if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: node.argument, how: 'yield' });
        }
        this.builder.emit({ kind: 'throw', node });
        return this.borrowIfHandle(node);
      }
      case AST_NODE_TYPES.ArrayExpression: {
        const returnedPart = returnedLiteral(node);
        for (const element of node.elements) {
          if (!element) continue;
          const inner = element.type === AST_NODE_TYPES.SpreadElement ? element.argument : element;
          const value = this.expr(inner);
          if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: inner, how: 'literal', returnedPart: returnedPart && inner === element });
        }
        return null;
      }
      case AST_NODE_TYPES.ObjectExpression: {
        const returnedPart = returnedLiteral(node);
        for (const property of node.properties) {
          if (property.type === AST_NODE_TYPES.SpreadElement) {
            this.expr(property.argument);
            continue;
          }
          if (property.computed) this.expr(property.key);
          if (isExpressionNode(property.value)) {
            const value = this.expr(property.value);
            if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: property.value, how: 'literal', returnedPart });
          }
        }
        return null;
      }
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.ClassExpression:
        this.closure(node);
        return null;
      case AST_NODE_TYPES.TaggedTemplateExpression: {
        this.expr(node.tag);
        for (const expression of node.quasi.expressions) {
          const value = this.expr(expression);
          if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: expression, how: 'argument' });
        }
        this.builder.emit({ kind: 'throw', node });
        return this.borrowIfHandle(node);
      }
      case AST_NODE_TYPES.ImportExpression:
        this.expr(node.source);
        this.builder.emit({ kind: 'throw', node });
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

  borrowIfHandle(node: TSESTree.Node): Key | null {
    if (!this.builder.probe && !this.builder.isHandle(node)) return null;
    const key = this.builder.temp();
    this.builder.emit({ kind: 'borrow', dst: key, node });
    return key;
  }

  /** An expression kind we do not model: evaluate its parts and let any handle in them escape. */
  private opaque(node: TSESTree.Node): void {
    for (const child of this.builder.file.childExpressions(node)) {
      const value = this.expr(child);
      if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: child, how: 'argument' });
    }
  }

  private jsx(node: TSESTree.Node): void {
    for (const child of this.builder.file.childExpressions(node)) {
      if (child.type === AST_NODE_TYPES.JSXElement || child.type === AST_NODE_TYPES.JSXFragment) {
        this.jsx(child);
        continue;
      }
      const value = this.expr(child);
      if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: child, how: 'argument' });
    }
  }

  /** A closure or class: what it captures from this function escapes. */
  closure(node: TSESTree.Node): void {
    for (const key of this.builder.file.capturedBy(node, this.builder.fn)) {
      this.builder.emit({ kind: 'escape', src: key, node, operand: node, how: 'captured' });
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
      if (property) this.builder.emit({ kind: 'use', src: property, node, operand: node.property, how: 'index' });
    }
    const path = this.builder.pathOf(node);
    if (object && !(name !== null && this.builder.file.model.isLivenessMember(name)) && !this.testsReleasedState(node)) {
      const specs = this.builder.file.model.specs;
      const readable = name !== null && !node.computed ? () => this.readableAfterRelease(node, name, specs) : undefined;
      this.builder.emit({
        kind: 'use',
        src: object,
        node,
        operand: node.object,
        how: 'member',
        ...(path ? { member: path } : {}),
        ...(readable ? { readableAfterRelease: readable } : {}),
      });
    }
    if (path) {
      const root = path.slice(0, path.indexOf('.'));
      this.builder.emit({ kind: 'read', path, handle: () => this.builder.isHandle(node), root, untyped: () => this.carriesOwner(node, name), generic: () => this.builder.file.isTypeParameterNode(node) });
      return path;
    }
    if (object && this.builder.acquiredTemps.has(object) && this.builder.isHandle(node)) {
      // `(await decoder.decode()).image`: the one handle read out of a fresh result nothing else holds is that result.
      const key = this.builder.temp();
      this.builder.emit({ kind: 'copy', dst: key, src: object });
      return key;
    }
    if (object) {
      // `acquire().value.ptr`: what is read out of a handle carries it along.
      const key = this.builder.temp();
      // (A probe never runs the flow, which alone asks what a value carries.)
      this.builder.emit({ kind: 'borrow', dst: key, node, from: object, carries: this.builder.probe || this.builder.isHandle(node) || this.carriesOwner(node, name) });
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
    if (this.builder.file.isAnyNode(node)) return true;
    return name !== null && POINTER_NAMES.test(name) && this.builder.file.isPointerLikeNode(node);
  }

  private logical(node: TSESTree.LogicalExpression): Key {
    const result = this.builder.temp();
    const left = this.expr(node.left);
    this.builder.emit(left ? { kind: 'copy', dst: result, src: left } : { kind: 'clear', dst: result });
    const right = this.builder.newBlock();
    const done = this.builder.newBlock();
    this.builder.link(this.builder.current, right);
    // `0 !== p && free(p)`, `p && p.delete()`: where the right side is skipped, p is null, as after a test.
    const skippedWhenNull = this.skippedWhenNull(node);
    if (skippedWhenNull) {
      const edge = this.builder.newBlock();
      this.builder.link(this.builder.current, edge);
      this.builder.enter(edge);
      this.builder.emit({ kind: 'null', src: skippedWhenNull });
      // `sample && convert(sample)` is `sample` only where it is null: the result holds no handle there.
      this.builder.emit({ kind: 'clear', dst: result });
    }
    this.builder.goto(done);
    this.builder.enter(right);
    const value = this.expr(node.right);
    this.builder.emit(value ? { kind: 'copy', dst: result, src: value } : { kind: 'clear', dst: result });
    this.builder.goto(done);
    this.builder.enter(done);
    return result;
  }

  /** The variable or path a `&&` / `||` skips its right side for when it is null (`p &&`, `0 !== p &&`, `p == null ||`). */
  private skippedWhenNull(node: TSESTree.LogicalExpression): Key | null {
    if (node.operator === '??') return null;
    const test = skipTypeWrappers(node.left);
    if (test.type === AST_NODE_TYPES.Identifier) return node.operator === '&&' ? this.builder.pathOf(test) : null;
    const comparison = test.type === AST_NODE_TYPES.BinaryExpression ? nullComparison(test) : null;
    if (!comparison || (node.operator === '&&') !== !comparison.equal) return null;
    return this.builder.pathOf(skipTypeWrappers(comparison.operand));
  }

  private assignment(node: TSESTree.AssignmentExpression): Key | null {
    if (
      node.left.type === AST_NODE_TYPES.MemberExpression &&
      node.left.object.type === AST_NODE_TYPES.ThisExpression &&
      node.right.type === AST_NODE_TYPES.Literal &&
      typeof node.right.value === 'boolean'
    ) {
      const name = memberName(node.left);
      if (name !== null) this.builder.thisFlagsWritten.add(name);
    }
    if (node.operator === '=' && node.left.type === AST_NODE_TYPES.MemberExpression && node.left.object.type === AST_NODE_TYPES.ThisExpression && isClearingValue(node.right)) {
      const name = memberName(node.left);
      if (name !== null) this.builder.thisFieldsCleared.add(name);
    } else if (node.operator === '=' && node.left.type === AST_NODE_TYPES.MemberExpression && node.left.object.type === AST_NODE_TYPES.ThisExpression) {
      const name = memberName(node.left);
      if (name !== null) this.builder.thisFieldsAssigned.add(name);
    }
    if (node.operator === '=') {
      const value = this.expr(node.right);
      this.assign(node.left, value, node);
      return value;
    }
    if (node.operator === '&&=' || node.operator === '||=' || node.operator === '??=') {
      const current = this.expr(node.left);
      const assign = this.builder.newBlock();
      const done = this.builder.newBlock();
      this.builder.link(this.builder.current, assign);
      this.builder.goto(done);
      this.builder.enter(assign);
      // `this.ptr ??= malloc()`: it assigns only when the field holds nothing.
      if (current && node.operator !== '&&=') this.builder.emit({ kind: 'null', src: current });
      const value = this.expr(node.right);
      this.assign(node.left, value, node);
      this.builder.goto(done);
      this.builder.enter(done);
      if (!current && !value) return null;
      const result = this.builder.temp();
      if (current) this.builder.emit({ kind: 'copy', dst: result, src: current });
      if (value) this.builder.emit({ kind: current ? 'union' : 'copy', dst: result, src: value } as Op);
      return result;
    }
    // Compound arithmetic: reads both sides, stores a number.
    const left = this.expr(node.left);
    const right = this.expr(node.right);
    if (left) this.builder.emit({ kind: 'use', src: left, node, operand: node.left, how: 'arithmetic' });
    if (right) this.builder.emit({ kind: 'use', src: right, node, operand: node.right, how: 'arithmetic' });
    this.assign(node.left, null, node);
    return null;
  }

  /**
   * A handle a pattern takes out of a fresh result the function owns: the one handle it takes is that
   * result (`const { image } = await decoder.decode()`); of several, each is a fresh handle of its own
   * (`const [scores, boxes] = tf.tidy(() => …)`).
   */
  private takePart(owned: Key, handles: number, binding: Node): Key {
    const part = this.builder.temp();
    this.builder.emit(handles === 1 ? { kind: 'copy', dst: part, src: owned } : { kind: 'acquire', dst: part, node: binding });
    return part;
  }

  /** A fresh result whose handles a pattern took one by one: the bindings own them now, not the result. */
  private sharedOut(owned: Key, handles: number, pattern: Node, node: Node): void {
    if (handles > 1) this.builder.emit({ kind: 'escape', src: owned, node, operand: pattern, how: 'literal' });
  }

  /** Assign `value` to a pattern or an assignment target. */
  assign(target: TSESTree.Node, value: Key | null, node: Node): void {
    switch (target.type) {
      case AST_NODE_TYPES.Identifier: {
        const key = this.builder.identifierKey(target);
        if (!key) {
          if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: target, how: 'store' });
          return;
        }
        const escapes = key.startsWith('o') || this.builder.captured.has(key);
        const truth = assignedBoolean(target, node);
        this.builder.emit({ kind: 'store', dst: key, src: value, node, escapes, ...(truth !== undefined && this.builder.flagKey(target) ? { truth } : {}) });
        return;
      }
      case AST_NODE_TYPES.MemberExpression: {
        const object = this.expr(target.object);
        let property: Key | null = null;
        if (target.computed) property = this.expr(target.property);
        const path = this.builder.pathOf(target);
        // A fresh handle into a field of `this` outside the constructor: the field's old handle must be gone.
        const replaces = path !== null && path.startsWith('this.') && value !== null && this.builder.acquiredTemps.has(value) && !this.builder.isConstructor();
        if (replaces) this.builder.emit({ kind: 'read', path, handle: true });
        // The store first: `s.ptr = undefined` right after `free(s.ptr)` clears the field before `s` counts as read again.
        const platformProperty = (): boolean => this.builder.file.isPlatformProperty(target);
        if (path) this.builder.emit({ kind: 'store', dst: path, src: value, node, escapes: true, replaces, platformProperty });
        else if (value && !target.computed && platformProperty()) this.builder.emit({ kind: 'use', src: value, node, operand: target, how: 'argument' });
        else if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: target, how: 'container' });
        if (object) this.builder.emit({ kind: 'use', src: object, node: target, operand: target.object, how: 'member', ...(path ? { member: path } : {}) });
        if (property) this.builder.emit({ kind: 'use', src: property, node: target, operand: target.property, how: 'index' });
        return;
      }
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
        return this.assign(target.expression, value, node);
      case AST_NODE_TYPES.AssignmentPattern: {
        const fallback = this.builder.newBlock();
        const done = this.builder.newBlock();
        const merged = this.builder.temp();
        this.builder.emit(value ? { kind: 'copy', dst: merged, src: value } : { kind: 'clear', dst: merged });
        this.builder.link(this.builder.current, fallback);
        this.builder.goto(done);
        this.builder.enter(fallback);
        const defaultValue = this.expr(target.right);
        this.builder.emit(defaultValue ? { kind: 'copy', dst: merged, src: defaultValue } : { kind: 'clear', dst: merged });
        this.builder.goto(done);
        this.builder.enter(done);
        return this.assign(target.left, merged, node);
      }
      case AST_NODE_TYPES.ObjectPattern: {
        const base = value && !isTempKey(value) ? value : null;
        const handles = target.properties.filter((property) => property.type !== AST_NODE_TYPES.RestElement && this.builder.isHandle(property.value));
        const owned = value !== null && this.builder.acquiredTemps.has(value) ? value : null;
        for (const property of target.properties) {
          if (property.type === AST_NODE_TYPES.RestElement) {
            this.assign(property.argument, null, node);
            continue;
          }
          if (property.computed) this.expr(property.key);
          const name = property.computed ? null : propertyKeyName(property.key);
          let element: Key | null = null;
          const handle = handles.includes(property);
          if (handle && owned) {
            element = this.takePart(owned, handles.length, property.value);
          } else if (base && name !== null) {
            element = `${base}.${name}`;
            this.builder.emit({ kind: 'read', path: element, handle });
          } else if (handle) {
            element = this.builder.temp();
            this.builder.emit({ kind: 'borrow', dst: element, node: property.value });
          }
          this.assign(property.value, element, node);
        }
        if (owned) this.sharedOut(owned, handles.length, target, node);
        return;
      }
      case AST_NODE_TYPES.ArrayPattern: {
        const owned = value !== null && this.builder.acquiredTemps.has(value) ? value : null;
        const handles = target.elements.filter((element): element is TSESTree.DestructuringPattern => element !== null && element.type !== AST_NODE_TYPES.RestElement && this.builder.isHandle(element));
        for (const element of target.elements) {
          if (!element) continue;
          const inner = element.type === AST_NODE_TYPES.RestElement ? element.argument : element;
          let elementValue: Key | null = null;
          if (handles.includes(element)) {
            if (owned) {
              elementValue = this.takePart(owned, handles.length, element);
            } else {
              elementValue = this.builder.temp();
              this.builder.emit({ kind: 'borrow', dst: elementValue, node: element });
            }
          }
          this.assign(inner, elementValue, node);
        }
        if (owned) this.sharedOut(owned, handles.length, target, node);
        return;
      }
      case AST_NODE_TYPES.RestElement:
        return this.assign(target.argument, null, node);
      default:
        if (value) this.builder.emit({ kind: 'escape', src: value, node, operand: target, how: 'store' });
    }
  }
}
