import type { Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { PlaceKeys } from './places.js';
import type { Registrations } from './registrations.js';
import type { HeldOrigins, ReleaseEvent } from './finalizer-model.js';
import { RELEASE_CALL_NAME, SOLE_ARGUMENT_RELEASE_NAME } from './finalizer-model.js';
import { calleeName, contains, enclosingFunction, isEmptyValue, isFunction, unwrap, walk } from './syntax.js';

/** Explicit releases and take-outs of a value that a registration holds, traced back to its field or variable. */
export class ReleaseEvents {
  private readonly releasedCache = new Map<TSESTree.CallExpression, TSESTree.Node[]>();
  private readonly heldOriginCache = new Map<Variable, { released: HeldOrigins; takenOut: HeldOrigins }>();
  private readonly clearedCache = new Map<TSESTree.Node, Set<string | undefined>>();

  constructor(private readonly places: PlaceKeys, private readonly registrations: Registrations) {}

  releaseEvents(): ReleaseEvent[] {
    for (const registration of this.registrations.registrations) {
      for (const key of registration.heldKeys) {
        this.registrations.heldUnion.add(key);
        const symbol = this.places.propertySymbols.get(key);
        if (symbol) this.registrations.heldPropertyNames.add(symbol.getName());
      }
    }
    const events: ReleaseEvent[] = [];
    for (const call of this.registrations.calls) {
      // Asking the handle model how a call treats its operands is the costly part: only where one could be a held value.
      if (!this.mayReleaseHeld(call)) continue;
      for (const released of this.releasedBy(call)) {
        const keys = this.places.keysAt(released);
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
    const place = this.places.placeOf(node);
    return place !== undefined && this.registrations.heldUnion.has(place);
  }

  /** Does {@link keysAt} of the node share a key with some held value? */
  private keysAtMeetHeld(node: TSESTree.Node): boolean {
    node = unwrap(node);
    if (this.keysMeetHeld(node)) return true;
    if (node.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = this.places.file.variableOf(node);
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
    for (const identifier of this.places.assignmentReferences(variable)) {
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
    if (node.type !== AST_NODE_TYPES.MemberExpression || this.registrations.heldPropertyNames.size === 0) return false;
    const name = this.places.accessedName(node);
    if (name !== undefined && !this.registrations.heldPropertyNames.has(name)) return false;
    const property = this.places.propertyKey(node);
    return property !== undefined && this.registrations.heldUnion.has(property);
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
    const effect = this.places.file.classifyCall(
      call,
      () => receiver !== undefined && receiver.type !== AST_NODE_TYPES.ThisExpression && this.keysAtMeetHeld(receiver) && this.places.file.isHandleNode(receiver),
    );
    if (receiver && effect.receiver === 'release' && receiver.type !== AST_NODE_TYPES.ThisExpression) result.push(receiver);
    call.arguments.forEach((argument, index) => {
      if (argument.type === AST_NODE_TYPES.SpreadElement) return;
      if ((effect.args[index] ?? effect.rest) === 'release') result.push(argument);
    });
    const name = calleeName(callee);
    if (name !== undefined && RELEASE_CALL_NAME.test(name) && (call.arguments.length === 1 || !SOLE_ARGUMENT_RELEASE_NAME.test(name))) {
      for (const argument of call.arguments) if (argument.type !== AST_NODE_TYPES.SpreadElement && !result.includes(argument)) result.push(argument);
    }
    return result;
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
      for (const origin of this.places.originsOf(value, fn)) {
        const field = unwrap(origin);
        if (field.type !== AST_NODE_TYPES.MemberExpression || unwrap(field.object).type !== AST_NODE_TYPES.ThisExpression) continue;
        if (!this.isClearedIn(field, fn)) continue;
        events.push({ node, released: value, keys: this.places.keysOf(field), takeOut: true });
        return;
      }
    };
    for (const statement of this.registrations.returns) if (statement.argument && this.mayTakeOutHeld(statement, statement.argument)) consider(statement, statement.argument);
    for (const call of this.registrations.calls) {
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
    const variable = this.places.file.variableOf(value);
    return variable !== undefined && this.originMeets(this.heldOrigins(variable).takenOut, value, node);
  }

  /** `this.ptr = 0` / `null` / `undefined` somewhere in the function. */
  private isClearedIn(field: TSESTree.MemberExpression, fn: TSESTree.Node): boolean {
    const place = this.places.placeOf(field);
    return place !== undefined && this.clearedPlaces(fn).has(place);
  }

  /** The places a function (not its nested functions) sets to `0` / `null` / `undefined`, once per function. */
  private clearedPlaces(fn: TSESTree.Node): Set<string | undefined> {
    let places = this.clearedCache.get(fn);
    if (places) return places;
    places = new Set();
    walk(fn, (node) => {
      if (node !== fn && isFunction(node)) return false;
      if (node.type === AST_NODE_TYPES.AssignmentExpression && node.operator === '=' && isEmptyValue(node.right)) places.add(this.places.placeOf(node.left));
      return true;
    });
    this.clearedCache.set(fn, places);
    return places;
  }
}
