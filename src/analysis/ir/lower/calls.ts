import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { ArgumentEffect } from '../../model/call-effects.js';
import type { EscapeKind, Key, Node, UseKind } from '../ir.js';
import { destructured, isExpressionNode, propertyKeyName, resultDiscarded, returnedAtOnce } from './syntax.js';
import type { GraphBuilder } from './graph-builder.js';
import type { ExpressionLowering } from './expressions.js';

/** A value written as an element of an array literal argument `index` (`array` the literal that holds it). */
interface LiteralElement {
  readonly index: number;
  readonly key: Key;
  readonly operand: Node;
  readonly array: TSESTree.ArrayExpression;
}

/** Calls: what a call does to its receiver and arguments (the model's effect or a summary) and whether its result is acquired. */
export class CallLowering {
  constructor(private readonly builder: GraphBuilder, private readonly expressions: ExpressionLowering) {}

  /** @param awaited the `await` around the call, whose rejection is another way to throw before the result exists */
  call(node: TSESTree.CallExpression | TSESTree.NewExpression, awaited?: TSESTree.AwaitExpression): Key | null {
    const callee = node.callee;
    let receiver: Key | null = null;
    let receiverPath: Key | null = null;
    if (callee.type === AST_NODE_TYPES.MemberExpression) {
      receiver = this.expressions.expr(callee.object);
      receiverPath = this.builder.pathOf(callee.object);
      if (callee.computed) this.expressions.expr(callee.property);
    } else if (callee.type !== AST_NODE_TYPES.Super) {
      this.expressions.expr(callee);
    }
    const args: (Key | null)[] = [];
    const spreads: boolean[] = [];
    // Handles written inside an object literal argument: their fate depends on the parameter's property types.
    const literalProperties: { index: number; name: string; key: Key; operand: Node }[] = [];
    // Handles written as elements of an array literal argument: released with it by a call that releases a container (`tf.dispose([a, b])`).
    const literalElements: LiteralElement[] = [];
    node.arguments.forEach((argument, index) => {
      if (argument.type === AST_NODE_TYPES.ArrayExpression) {
        args.push(null);
        spreads.push(false);
        this.arrayElements(argument, index, literalElements);
        return;
      }
      if (argument.type === AST_NODE_TYPES.ObjectExpression) {
        args.push(null);
        spreads.push(false);
        for (const property of argument.properties) {
          if (property.type !== AST_NODE_TYPES.Property || property.computed || !isExpressionNode(property.value)) {
            const value = property.type === AST_NODE_TYPES.Property ? property.value : property.argument;
            if (property.type === AST_NODE_TYPES.Property && property.computed) this.expressions.expr(property.key);
            const key = isExpressionNode(value) ? this.expressions.expr(value) : null;
            if (key) this.builder.emit({ kind: 'escape', src: key, node: argument, operand: value, how: 'literal' });
            continue;
          }
          const key = this.expressions.expr(property.value);
          const name = propertyKeyName(property.key);
          if (!key) continue;
          if (name === null) this.builder.emit({ kind: 'escape', src: key, node: argument, operand: property.value, how: 'literal' });
          else literalProperties.push({ index, name, key, operand: property.value });
        }
        return;
      }
      const inner = argument.type === AST_NODE_TYPES.SpreadElement ? argument.argument : argument;
      args.push(this.expressions.expr(inner));
      spreads.push(argument.type === AST_NODE_TYPES.SpreadElement);
    });

    const effect = this.builder.file.classifyCall(
      node,
      () => {
        if (receiver === null) return false;
        const object = callee.type === AST_NODE_TYPES.MemberExpression ? callee.object : callee;
        return this.builder.isHandle(object) || this.builder.isUntypedParameter(object) || this.builder.isGenericField(object);
      },
      this.builder.withSummaries,
    );
    const releases: { key: Key; operand: Node }[] = [];
    args.forEach((key, index) => {
      if (!key) return;
      const operand = node.arguments[index];
      const argEffect: ArgumentEffect = spreads[index] ? 'escape' : (effect.args[index] ?? effect.rest);
      this.applyArgumentEffect(argEffect, key, node, operand, 'argument', releases);
      // A callback we cannot see (`this.onSample(sample)`) may keep what it is handed, as a decoder's `output` owns its frame.
      if (argEffect === 'use' && effect.takenByCallback?.includes(index)) this.builder.emit({ kind: 'escape', src: key, node, operand, how: 'argument' });
    });
    for (const element of literalElements) {
      const elementEffect = effect.args[element.index] ?? effect.rest;
      if (elementEffect === 'release') {
        releases.push({ key: element.key, operand: element.operand });
        continue;
      }
      // `tf.concat([a, b])` reads its elements; the array, written in place, holds them as any literal does.
      if (elementEffect === 'use') this.builder.emit({ kind: 'use', src: element.key, node, operand: element.operand, how: 'argument' });
      this.builder.emit({ kind: 'escape', src: element.key, node: element.array, operand: element.operand, how: 'literal' });
    }
    for (const property of literalProperties) {
      // `new Owner({ file })`: a constructor keeps what its options carry.
      const propertyEffect = node.type === AST_NODE_TYPES.NewExpression ? 'escape' : (effect.propertyEffect?.(property.index, property.name) ?? 'escape');
      // A property that is released by the callee is unusual; treat it as handed over.
      const applied = propertyEffect === 'release' ? 'escape' : propertyEffect;
      this.applyArgumentEffect(applied, property.key, node, property.operand, 'argument', releases);
    }
    if (receiver && callee.type === AST_NODE_TYPES.MemberExpression) {
      this.applyArgumentEffect(effect.receiver, receiver, node, callee.object, 'receiver', releases, this.callableAfterRelease(callee));
    }
    for (const release of releases) {
      const repeatHarmless = this.builder.file.ownerReleaseIsRepeatable(release.operand);
      this.builder.emit({
        kind: 'release',
        src: release.key,
        node,
        operand: release.operand,
        idempotent: this.builder.file.releaseIsIdempotent(release.operand),
        ...(repeatHarmless ? { repeatHarmless } : {}),
        ...(releases.length > 1 ? { together: true } : {}),
      });
    }
    if (effect.mayMutateReceiver && receiverPath) this.builder.emit({ kind: 'invalidate', prefix: `${receiverPath}.` });
    // `this.dispose()` releases the fields `dispose` releases.
    if (receiverPath && this.builder.withSummaries && node.type === AST_NODE_TYPES.CallExpression && callee.type === AST_NODE_TYPES.MemberExpression) {
      const summary = this.builder.file.calleeSummary(node);
      // `this.assertNotDisposed()` tests `this.val.isDisposed`: this function has tested it too.
      for (const path of summary?.livenessChecked ?? []) this.builder.livenessChecked.add(`${receiverPath}.${path}`);
      for (const field of summary?.releasedFields ?? []) {
        const path = `${receiverPath}.${field}`;
        if (summary?.clearedFields.includes(field)) {
          this.builder.emit({ kind: 'store', dst: path, src: null, node, escapes: false });
          continue;
        }
        this.builder.emit({ kind: 'read', path, handle: true });
        this.builder.emit({ kind: 'release', src: path, node, operand: callee.object, viaCall: true });
      }
      // `recreate() { this.encoder.close(); this.create(); }`: what `create()` stored is no handle this function knows.
      for (const field of summary?.assignedFields ?? []) {
        if (summary!.releasedFields.includes(field)) continue;
        this.builder.emit({ kind: 'store', dst: `${receiverPath}.${field}`, src: null, node, escapes: false });
        if (receiverPath === 'this') this.builder.thisFieldsAssigned.add(field);
      }
    }
    // `unwrap(result)` that consumes the failure before it throws: on that path the result is the callee's.
    const taken = effect.argTakenOnThrow && effect.resultFromArg !== undefined ? args[effect.resultFromArg] : null;
    const thrownAway = [...releases.map((release) => release.key), ...(taken ? [taken] : [])];
    this.builder.emit(thrownAway.length > 0 ? { kind: 'throw', node, released: thrownAway } : { kind: 'throw', node });
    if (awaited) this.builder.emit({ kind: 'throw', node: awaited });

    // `const [scores, boxes] = tf.tidy(() => …)`: a result holding several fresh handles, taken apart; the pattern shares it out.
    if (effect.result === 'acquire' || (destructured(node) && effect.partsAcquired?.() === true)) {
      const key = this.builder.temp();
      // An acquisition inferred from usage is the program's own function's to release: a summary hands it to no caller,
      // but sees a field given one (`free(this.buf); this.buf = Module._malloc(n)` replaces the handle, releasing none for good).
      this.builder.emit(effect.inferred && this.builder.summarize ? { kind: 'borrow', dst: key, node } : { kind: 'acquire', dst: key, node });
      return key;
    }
    const aliased = effect.resultAliasesArg !== undefined ? args[effect.resultAliasesArg] : effect.resultAliasesReceiver ? receiver : null;
    if (aliased) {
      const key = this.builder.temp();
      this.builder.emit({ kind: 'copy', dst: key, src: aliased });
      return key;
    }
    // A result nobody reads borrows nothing: no need to type it (for untyped JavaScript, the checker infers the callee's body).
    if (resultDiscarded(node)) return null;
    // `unwrap(result)`, whose summary returns `result.value`: the caller's handle, taken out of the argument.
    const argument = effect.resultFromArg !== undefined ? args[effect.resultFromArg] : null;
    if (argument && this.builder.isHandle(node)) {
      const key = this.builder.temp();
      this.builder.emit({ kind: 'borrow', dst: key, node, from: argument });
      return key;
    }
    if (effect.resultFromReceiver && receiver && this.builder.isHandle(node)) {
      const key = this.builder.temp();
      this.builder.emit({ kind: 'borrow', dst: key, node, from: receiver });
      return key;
    }
    // `return op(x)`: a fresh value handed straight to the caller can meet no release here; only the
    // summary asks what it is, and only when it would otherwise claim the result (for untyped
    // JavaScript, typing it infers the callee's body).
    if (!awaited && returnedAtOnce(node)) {
      const key = this.builder.temp();
      this.builder.emit({ kind: 'borrow', dst: key, node, isHandle: () => this.builder.isHandle(node) });
      return key;
    }
    return this.expressions.borrowIfHandle(node);
  }

  /** The elements of an array literal argument (nested literals and spreads included: `[...parts, last]`), each lowered once. */
  private arrayElements(array: TSESTree.ArrayExpression, index: number, elements: LiteralElement[]): void {
    for (const element of array.elements) {
      if (!element) continue;
      const inner = element.type === AST_NODE_TYPES.SpreadElement ? element.argument : element;
      if (inner.type === AST_NODE_TYPES.ArrayExpression) {
        this.arrayElements(inner, index, elements);
        continue;
      }
      const key = this.expressions.expr(inner);
      if (key) elements.push({ index, key, operand: inner, array });
    }
  }

  /** `socket.setTimeout(0)` after `socket.destroy()`: a method a preset says the platform makes a no-op on a released handle (asked only where the receiver is released). */
  private callableAfterRelease(callee: TSESTree.MemberExpression): (() => boolean) | undefined {
    const name = callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier ? null : callee.property.name;
    const specs = this.builder.file.model.specs;
    if (name === null || !specs?.readableMembers.has(name)) return undefined;
    return () => {
      const type = this.builder.file.typeOf(callee.object);
      return type !== undefined && specs.readableAfterRelease(name, type);
    };
  }

  private applyArgumentEffect(
    effect: ArgumentEffect,
    key: Key,
    node: Node,
    operand: Node,
    how: 'argument' | 'receiver',
    releases: { key: Key; operand: Node }[],
    readableAfterRelease?: () => boolean,
  ): void {
    switch (effect) {
      case 'release':
        releases.push({ key, operand });
        return;
      case 'use':
        this.builder.emit({ kind: 'use', src: key, node, operand, how: how as UseKind, ...(readableAfterRelease ? { readableAfterRelease } : {}) });
        return;
      case 'maybe-release':
        this.builder.emit({ kind: 'escape', src: key, node, operand, how: 'argument' satisfies EscapeKind });
        return;
      case 'escape':
        this.builder.emit({ kind: 'escape', src: key, node, operand, how: 'argument' satisfies EscapeKind, ...(how === 'argument' ? { readByCallee: (releases: readonly Node[]) => this.builder.file.isObjectValue(operand, releases) } : {}) });
        return;
      case 'none':
        return;
    }
  }
}
