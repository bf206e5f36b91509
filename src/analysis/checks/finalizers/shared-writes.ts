import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { PlaceKeys } from './places.js';
import type { Registrations } from './registrations.js';
import type { KeepAlive } from './keep-alive.js';
import type { FunctionLike } from './finalizer-model.js';
import { MUTATING_METHODS } from './finalizer-model.js';
import { contains, enclosingFunction, isFunction, memberName, registryHolder, rootOf, unwrap, walk } from './syntax.js';

/** A cleanup callback that refers to a registered target, or writes state it was not handed. */
export class SharedWrites {
  constructor(private readonly places: PlaceKeys, private readonly registrations: Registrations, private readonly keepAlive: KeepAlive) {}

  checkCallbacks(): void {
    for (const creation of this.registrations.creations) {
      const callbackArgument = creation.arguments[0];
      if (!callbackArgument || callbackArgument.type === AST_NODE_TYPES.SpreadElement) continue;
      const callback = unwrap(callbackArgument);
      const holder = registryHolder(creation);
      const registryKey = holder ? this.registrations.registryKey(holder) : undefined;
      const registryNode = holder ?? creation;
      if (registryKey) {
        for (const registration of this.registrations.registrations) {
          if (registration.registryKey !== registryKey) continue;
          const target = this.places.placeOf(registration.target);
          if (!target) continue;
          const mention =
            callback.type === AST_NODE_TYPES.ArrowFunctionExpression || callback.type === AST_NODE_TYPES.FunctionExpression
              ? this.keepAlive.closureMention(callback, target)
              : this.keepAlive.reachesPlace(callback, target, enclosingFunction(creation), 1);
          if (!mention) continue;
          this.registrations.findings.push({
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
          this.registrations.findings.push({ kind: 'callback-writes-shared-state', node: write.node, registry: registryNode, subject: write.subject });
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
      const variable = this.places.file.variableOf(root);
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
