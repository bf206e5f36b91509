import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { PlaceKeys } from './places.js';
import type { Registrations } from './registrations.js';
import type { FunctionLike } from './finalizer-model.js';
import { contains, enclosingFunction, isPropertyName, memberName, thisBinder, unwrap, walk } from './syntax.js';

/** A registration whose held value or token refers to its own target, which then never becomes unreachable. */
export class KeepAlive {
  constructor(private readonly places: PlaceKeys, private readonly registrations: Registrations) {}

  checkKeepAlive(): void {
    for (const registration of this.registrations.registrations) {
      const target = this.places.placeOf(registration.target);
      if (!target) continue;
      const held = unwrap(registration.held);
      if (this.places.placeOf(held) === target) {
        this.registrations.findings.push({
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
          this.registrations.findings.push({
            kind: 'held-reaches-target',
            node: registration.held,
            registry: registration.registryNode,
            register: registration.call,
            related: reaching,
            subject: registration.target,
          });
        }
      }
      if (registration.token && this.places.placeOf(registration.token) === target) {
        this.registrations.findings.push({
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
  reachesPlace(node: TSESTree.Node, target: string, fn: TSESTree.Node, depth: number): TSESTree.Node | undefined {
    node = unwrap(node);
    if (this.places.placeOf(node) === target) return node;
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
        const variable = this.places.file.variableOf(node);
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
  closureMention(closure: FunctionLike, target: string): TSESTree.Node | undefined {
    let found: TSESTree.Node | undefined;
    walk(closure.body, (node) => {
      if (found) return false;
      // A nested regular function has its own `this`; its references to variables still count.
      if (node.type === AST_NODE_TYPES.ThisExpression) {
        if (thisBinder(node) === thisBinder(closure) && closure.type === AST_NODE_TYPES.ArrowFunctionExpression && this.places.placeOf(node) === target) found = node;
        return false;
      }
      if (node.type === AST_NODE_TYPES.Identifier && !isPropertyName(node) && this.places.placeOf(node) === target) {
        found = node;
        return false;
      }
      return true;
    });
    return found;
  }
}
