import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { Registrations } from './registrations.js';
import type { Registration, ReleaseEvent, Unregistration } from './finalizer-model.js';
import { contains, enclosingClass, enclosingFunction, followsInSameTurn, keyName, memberName, precedes, unconditionalWithin, unwrap } from './syntax.js';

/** Whether an `unregister` of the right token runs before a release: guards, methods called on the way, and the unregisters they make. */
export class UnregisterPaths {
  private readonly methodUnregisterCache = new Map<TSESTree.Node, Unregistration[]>();
  private readonly guardCache = new Map<TSESTree.Node, TSESTree.Node[]>();
  private readonly methodCalledCache = new Map<TSESTree.CallExpression, TSESTree.MethodDefinition | undefined>();

  constructor(private readonly registrations: Registrations) {}

  eventMatches(event: ReleaseEvent, registration: Registration): boolean {
    if (![...event.keys].some((key) => registration.heldKeys.has(key))) return false;
    // Released before it was registered, in the same function: not yet armed.
    const fn = enclosingFunction(registration.call);
    if (enclosingFunction(event.node) === fn && event.node.range[1] <= registration.call.range[0]) return false;
    // A release inside the registry's own cleanup callback is the finalizer itself.
    return !this.registrations.creations.some((creation) => contains(creation, event.node));
  }

  /**
   * Is an `unregister` of this registry with a matching token evaluated before `node` on every path, or
   * right after it in the same synchronous run (`free(ptr); registry.unregister(this)`), where no
   * finalizer can run between the two?
   */
  isGuarded(node: TSESTree.Node, registration: Registration, depth: number): boolean {
    const guards = this.guardsFor(registration);
    if (guards.some((guard) => precedes(guard, node) || followsInSameTurn(guard, node))) return true;
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
          !this.registrations.isProvablyOtherToken(unregistration.argument, registration);
        disarming.set(unregistration, result);
      }
      return result;
    };
    for (const unregistration of this.registrations.unregistrations) if (disarms(unregistration)) guards.push(unregistration.call);
    for (const call of this.registrations.calls) {
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
    return this.registrations.calls.filter((call) => this.methodCalled(call) === method);
  }

  /** Unregisters a method makes unconditionally at the top of its body (one or two calls deep). */
  private methodUnregisters(method: TSESTree.MethodDefinition, depth: number): Unregistration[] {
    const cached = this.methodUnregisterCache.get(method);
    if (cached) return cached;
    this.methodUnregisterCache.set(method, []);
    const result: Unregistration[] = [];
    const body = method.value.body;
    if (body) {
      for (const unregistration of this.registrations.unregistrations) {
        if (!contains(body, unregistration.call) || enclosingFunction(unregistration.call) !== method.value) continue;
        if (unconditionalWithin(unregistration.call, body)) result.push(unregistration);
      }
      if (depth < 2) {
        for (const call of this.registrations.calls) {
          if (!contains(body, call) || enclosingFunction(call) !== method.value || !unconditionalWithin(call, body)) continue;
          const callee = this.methodCalled(call);
          if (callee && callee !== method) result.push(...this.methodUnregisters(callee, depth + 1));
        }
      }
    }
    this.methodUnregisterCache.set(method, result);
    return result;
  }
}
