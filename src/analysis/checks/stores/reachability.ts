import type { Scope, Variable } from '@typescript-eslint/scope-manager';
import { ScopeType } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { ScopeIndex } from './scopes.js';
import type { ClassIndex } from './classes.js';
import type { CallSite, ClassInfo, ClassNode, FunctionLike, Graph, Node, Owner, Reach } from './store-model.js';
import { DURING_CALL_METHODS, EdgeKind, GLOBAL_OBJECTS, NO_EDGES, ONCE_CALLBACK_FUNCTIONS, REPEATS, RUNS_ONCE } from './store-model.js';
import { appendTo, byPosition, functionMemberUse, isClassNode, isFunctionLike, isThisMember, memberName, parentOf, strip, unstrip, valuePosition } from './syntax.js';

/**
 * Who runs whom, and how often: a graph of owners (calls, references, `this`
 * methods, callbacks) from what the file exports, and per store scope whether an
 * owner repeats or runs once (at load, per instance, per factory call). Decides
 * whether an insertion or a removal is reachable, and whether a handler is
 * replaced before it can run.
 */
export class Reachability {
  /** Edges from `this.m()` and `this.m` to a class's methods, by owner id (found when the owner is first explored). */
  private readonly thisEdgesCache: (number[] | undefined)[] = [];
  /** Graph ids of owners by the slot (index) of the owner's scope (see `ownerScope`): -1 for none yet. */
  private ownerIdBySlot: Int32Array | null = null;
  /** For a reference's scope: its owner's id, -1 when that takes `ownerOf`, -2 when not yet known. */
  private fromOwnerBySlot: Int32Array | null = null;
  /** Owners by graph id: one per owner of the file, dropped with the analysis. */
  private readonly ownerList: Owner[] = [];
  private readonly classIds = new Map<ClassInfo, number>();
  /** The edges found so far, before they are laid out in `graph`. */
  private readonly edgeFrom: number[] = [];
  private readonly edgeTo: number[] = [];
  private readonly edgeKinds: EdgeKind[] = [];
  private graph: Graph | null = null;
  private readonly bindings = new Map<Variable, Node[]>();
  /** The variables each function is bound to (the reverse of `bindings`). */
  private readonly boundVariables = new Map<Node, Variable>();
  private readonly exportedSeeds = new Set<Owner>();
  private readonly reachCache = new Map<Node, Reach>();
  private loadSeen: Uint8Array | null = null;
  private readonly loadQueue: number[] = [];
  private readonly callSitesCache = new Map<Owner, CallSite[]>();

  constructor(private readonly scopes: ScopeIndex, private readonly classes: ClassIndex) {}

  /** Functions and classes: how each comes to run, and the calls and references between them. */
  private ensureGraph(): Graph {
    if (this.graph) return this.graph;
    const scopes = this.scopes.scopeManager.scopes;
    this.ownerIdBySlot = new Int32Array(scopes.length).fill(-1);
    this.fromOwnerBySlot = new Int32Array(scopes.length).fill(-2);
    for (const scope of this.scopes.functionScopes) {
      const fn = scope.block;
      if (!isFunctionLike(fn)) continue;
      // A function-valued field initializer owns itself (its scope's upper one says so too).
      let owner = scope.upper ? this.fromOwnerId(scope.upper) : -1;
      if (owner < 0) {
        const climbed = this.scopes.ownerOf(fn);
        if (!climbed) continue;
        owner = this.idOf(climbed);
      }
      this.noteFunctionPosition(fn, parentOf(fn) ?? null, owner, scope);
    }
    for (const info of this.classes.classes.values()) {
      const node = info.node;
      const parent = parentOf(node) ?? null;
      const bound = this.isBindingPosition(node, parent);
      if (node.type === AST_NODE_TYPES.ClassExpression && !bound) {
        const owner = this.scopes.ownerOf(node);
        if (owner) this.edge(this.idOf(owner), this.classIdOf(info), EdgeKind.ClassRef);
      }
      if (parent?.type === AST_NODE_TYPES.ExportNamedDeclaration || parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration) info.exported = true;
    }
    // Bindings in source order, as the calls they resolve are tried in that order.
    for (const targets of this.bindings.values()) if (targets.length > 1) targets.sort(byPosition);
    this.collectReferenceEdges();
    // Every class member and seed gets an id before the adjacency is laid out.
    const publicMembers: number[][] = [];
    const perInstance: number[][] = [];
    const exportedClasses: number[] = [];
    for (const info of this.classes.classes.values()) {
      const id = this.classIdOf(info);
      // Methods are reached through `this.m()` too: edges found as their callers are explored.
      for (const methods of info.methods.values()) for (const method of methods) this.idOf(method);
      publicMembers[id] = info.publicMembers.map((member) => this.idOf(member));
      perInstance[id] = info.perInstance.map((member) => this.idOf(member));
      if (info.exported) exportedClasses.push(id);
    }
    const exportedSeeds = [...this.exportedSeeds].map((seed) => this.idOf(seed));
    const count = this.ownerList.length;
    const offsets = new Int32Array(count + 1);
    for (const from of this.edgeFrom) offsets[from + 1]!++;
    for (let i = 0; i < count; i++) offsets[i + 1]! += offsets[i]!;
    const fill = offsets.slice(0, count);
    const targets = new Int32Array(this.edgeFrom.length);
    const kinds = new Uint8Array(this.edgeFrom.length);
    const users: number[][] = publicMembers.map(() => []);
    for (let e = 0; e < this.edgeFrom.length; e++) {
      const from = this.edgeFrom[e]!;
      const at = fill[from]!++;
      targets[at] = this.edgeTo[e]!;
      kinds[at] = this.edgeKinds[e]!;
      if (this.edgeKinds[e] === EdgeKind.ClassRef || this.edgeKinds[e] === EdgeKind.Construct) users[this.edgeTo[e]!]!.push(from);
    }
    this.graph = { offsets, targets, kinds, publicMembers, perInstance, users, exportedSeeds, exportedClasses };
    return this.graph;
  }

  /**
   * The scope that stands for an owner: the Program's global scope, a function's own scope, a
   * field initializer's or static block's.
   */
  private ownerScope(owner: Owner): Scope | null {
    if (owner === this.scopes.program) return this.scopes.scopeManager.scopes[0]!;
    return this.scopes.scopeManager.acquire(owner, isFunctionLike(owner));
  }

  private idOf(owner: Owner): number {
    return this.idOfSlot(this.scopes.slotOf(this.ownerScope(owner)!), owner);
  }

  private idOfSlot(slot: number, owner: Owner): number {
    let id = this.ownerIdBySlot![slot]!;
    if (id < 0) {
      id = this.ownerList.length;
      this.ownerIdBySlot![slot] = id;
      this.ownerList.push(owner);
    }
    return id;
  }

  /** Edges from `this.m()` and `this.m` in an owner's code to its class's methods: target, kind, target, kind, … */
  private thisEdges(id: number): number[] {
    let edges = this.thisEdgesCache[id];
    if (edges) return edges;
    const owner = this.ownerList[id]!;
    const cls = this.classes.thisClassOf(owner);
    edges = cls && cls.methods.size > 0 ? [] : NO_EDGES;
    if (cls && cls.methods.size > 0) {
      for (const node of this.classes.thisMembersOf(owner)) {
        const name = memberName(node);
        const methods = name === null ? undefined : cls.methods.get(name);
        if (!methods) continue;
        const site = valuePosition(node);
        const parent = parentOf(site);
        const called = (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === site) || this.runsWithCaller(site, parent);
        for (const method of methods) edges.push(this.knownIdOf(method), called ? EdgeKind.Call : EdgeKind.Escape);
      }
    }
    this.thisEdgesCache[id] = edges;
    return edges;
  }

  /** The id of an owner, if it has one (owners without edges have none). */
  private knownIdOf(owner: Owner): number {
    const scope = this.ownerScope(owner);
    return scope ? this.ownerIdBySlot![this.scopes.slotOf(scope)]! : -1;
  }

  /** The owner id of the code directly in a scope (as `scopeOwner`), or -1 where `ownerOf` must tell. */
  private fromOwnerId(scope: Scope): number {
    const slot = this.scopes.slotOf(scope);
    let id = this.fromOwnerBySlot![slot]!;
    if (id === -2) {
      const owner = this.scopes.scopeOwner(scope);
      if (!owner) id = -1;
      else if (owner === this.scopes.program) id = this.idOfSlot(0, owner);
      else {
        // The owner's scope is the variable scope found on the way, but for a function-valued field initializer.
        const variableScope = scope.variableScope;
        id = variableScope.block === owner && (variableScope.type as ScopeType) !== ScopeType.classFieldInitializer ? this.idOfSlot(this.scopes.slotOf(variableScope), owner) : this.idOf(owner);
      }
      this.fromOwnerBySlot![slot] = id;
    }
    return id;
  }

  private classIdOf(info: ClassInfo): number {
    let id = this.classIds.get(info);
    if (id === undefined) this.classIds.set(info, (id = this.classIds.size));
    return id;
  }

  private edge(from: number, to: number, kind: EdgeKind): void {
    this.edgeFrom.push(from);
    this.edgeTo.push(to);
    this.edgeKinds.push(kind);
  }

  /** How an inline function comes to run: called on the spot, bound to a name, a class member, or handed out. */
  private noteFunctionPosition(fn: FunctionLike, parent: Node | null, owner: number, scope: Scope): void {
    if (!parent || fn.type === AST_NODE_TYPES.FunctionDeclaration) {
      if (fn.type === AST_NODE_TYPES.FunctionDeclaration && fn.id) {
        const variable = this.scopes.functionNameVariable(scope, fn.id);
        if (variable) this.bind(variable, fn);
      }
      if (parent?.type === AST_NODE_TYPES.ExportNamedDeclaration || parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration) this.exportedSeeds.add(fn);
      return;
    }
    if (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.TSAbstractMethodDefinition) return;
    if (parent.type === AST_NODE_TYPES.PropertyDefinition && parent.value === fn) return;
    if (this.isBindingPosition(fn, parent)) return;
    const site = valuePosition(fn);
    const at = parentOf(site) ?? parent;
    const called = (at.type === AST_NODE_TYPES.CallExpression && at.callee === site) || at.type === AST_NODE_TYPES.TaggedTemplateExpression || this.runsWithCaller(site, at);
    this.edge(owner, this.idOfSlot(this.scopes.slotOf(scope), fn), called ? EdgeKind.Call : EdgeKind.Escape);
  }

  /**
   * Is the function at `site` handed to a call that runs it only as that call runs, as a call on
   * the spot would? Either at most once per call, later: promise reactions (`p.then(f, g)`,
   * `.catch(f)`, `.finally(f)`: a thenable calls each at most once, Promises/A+ 2.2.2.3), a
   * `new Promise(f)` executor, and one-shot timers and tasks (`setTimeout(f)`, `queueMicrotask(f)`,
   * `process.nextTick(f)`) the file does not declare itself; emscripten's
   * `instantiate().then(() => run())` is one. Or during the call, as a loop body runs:
   * iteration callbacks (`items.forEach(f)`, `.map(f)`, `Array.from(xs, f)`) and `s.replace(re, f)`;
   * emscripten's `_strptime` fills a local array from one. Or until replaced: a handler assigned
   * where the file assigns another (`replacedLater`).
   */
  private runsWithCaller(site: Node, parent: Node | null | undefined): boolean {
    if (parent?.type === AST_NODE_TYPES.AssignmentExpression) return this.replacedLater(site, parent);
    if (parent?.type !== AST_NODE_TYPES.CallExpression && parent?.type !== AST_NODE_TYPES.NewExpression) return false;
    const index = parent.arguments.indexOf(site as TSESTree.CallExpressionArgument);
    if (index < 0) return false;
    const callee = strip(parent.callee);
    const isGlobal = (identifier: Node): boolean => (this.scopes.variableOf(identifier)?.defs.length ?? 0) === 0;
    if (parent.type === AST_NODE_TYPES.NewExpression) return index === 0 && callee.type === AST_NODE_TYPES.Identifier && callee.name === 'Promise' && isGlobal(callee);
    if (callee.type === AST_NODE_TYPES.Identifier) return index === 0 && ONCE_CALLBACK_FUNCTIONS.has(callee.name) && isGlobal(callee);
    const name = memberName(callee);
    if (name === 'then') return index <= 1;
    if (name === 'catch' || name === 'finally') return index === 0;
    if (name !== null && DURING_CALL_METHODS.get(name) === index) return true;
    if (name === null || callee.type !== AST_NODE_TYPES.MemberExpression) return false;
    // `globalThis.setTimeout(f)`, `window.queueMicrotask(f)`, `process.nextTick(f)`, `Array.from(xs, f)`.
    const object = strip(callee.object);
    if (object.type !== AST_NODE_TYPES.Identifier || !isGlobal(object)) return false;
    if (object.name === 'Array' && name === 'from') return index === 1;
    if (index !== 0) return false;
    return (GLOBAL_OBJECTS.has(object.name) && ONCE_CALLBACK_FUNCTIONS.has(name)) || (object.name === 'process' && name === 'nextTick');
  }

  /**
   * `self.onmessage = f`, where the file also assigns something else to `self.onmessage`: `f` runs
   * until that replaces it, which the code that installs it is taken to do. Emscripten's pthread
   * worker queues the messages that come before it has loaded
   * (`self.onmessage = (e) => queue.push(e)`), replays them and installs its handler in their place.
   */
  private replacedLater(site: Node, assignment: TSESTree.AssignmentExpression): boolean {
    if (assignment.operator !== '=' || assignment.right !== site) return false;
    const left = assignment.left;
    if (left.type !== AST_NODE_TYPES.MemberExpression || left.computed) return false;
    const name = memberName(left);
    const base = strip(left.object);
    if (name === null || base.type !== AST_NODE_TYPES.Identifier) return false;
    for (const identifier of this.scopes.sameReferences(base)) {
      if (identifier === base) continue;
      const member = parentOf(identifier);
      if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== identifier || member.computed || memberName(member) !== name) continue;
      const other = parentOf(member);
      if (other?.type === AST_NODE_TYPES.AssignmentExpression && other.left === member && other.operator === '=') return true;
    }
    return false;
  }

  private bind(variable: Variable, target: Node): void {
    appendTo(this.bindings, variable, target);
    // A function or class stands in one place: it is bound to one variable at most.
    this.boundVariables.set(target, variable);
  }

  /** `const f = () => …`, `f = function () {}`: reached through references to the name. */
  private isBindingPosition(node: Node, parent: Node | null): boolean {
    if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === node && parent.id.type === AST_NODE_TYPES.Identifier) {
      const variable = this.scopes.variableOf(parent.id);
      if (variable) this.bind(variable, node);
      const declaration = parentOf(parent);
      if (declaration && parentOf(declaration)?.type === AST_NODE_TYPES.ExportNamedDeclaration) {
        if (node.type === AST_NODE_TYPES.ClassExpression) this.classes.classInfo(node).exported = true;
        else this.exportedSeeds.add(node);
      }
      return true;
    }
    if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === node && parent.left.type === AST_NODE_TYPES.Identifier) {
      const variable = this.scopes.variableOf(parent.left);
      if (variable) this.bind(variable, node);
      return true;
    }
    if (node.type === AST_NODE_TYPES.ClassDeclaration && node.id) {
      const variable = this.scopes.variableOf(node.id);
      if (variable) this.bind(variable, node);
      return true;
    }
    return false;
  }

  /** References to named functions and classes: calls, `new`, or the function handed out as a value. */
  private collectReferenceEdges(): void {
    for (const [variable, targets] of this.bindings) {
      const ids = targets.map((target) => (isClassNode(target) ? this.classIdOf(this.classes.classInfo(target)) : this.idOf(target)));
      // References from one scope come in runs: look its owner up once per run.
      let lastScope: Scope | null = null;
      let from = -1;
      for (const reference of variable.references) {
        if (!reference.isRead()) continue;
        const identifier = reference.identifier;
        if (reference.from !== lastScope) {
          lastScope = reference.from;
          from = this.fromOwnerId(lastScope);
        }
        let owner = from;
        if (owner < 0) {
          const climbed = this.scopes.ownerOf(identifier);
          if (!climbed) continue;
          owner = this.idOf(climbed);
        }
        const site = valuePosition(identifier);
        const parent = parentOf(site);
        const called = (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === site) || this.runsWithCaller(site, parent);
        const constructed = parent?.type === AST_NODE_TYPES.NewExpression && parent.callee === site;
        const member = functionMemberUse(site, parent);
        for (let i = 0; i < targets.length; i++) {
          const isClass = isClassNode(targets[i]!);
          // `f.count++`, `f.prototype`: the function used as an object runs from there no more than a class does.
          if (!isClass && member === 'property') continue;
          const kind = isClass ? (constructed ? EdgeKind.Construct : EdgeKind.ClassRef) : called || member === 'call' ? EdgeKind.Call : EdgeKind.Escape;
          this.edgeFrom.push(owner);
          this.edgeTo.push(ids[i]!);
          this.edgeKinds.push(kind);
        }
      }
    }
    for (const variable of this.scopes.exportedNames) {
      for (const target of this.bindings.get(variable) ?? []) {
        if (isClassNode(target)) this.classes.classInfo(target).exported = true;
        else this.exportedSeeds.add(target);
      }
    }
  }

  /** The calls that run `fn` (by its name, as `this.m()`, or on the spot), in source order. */
  callSitesOf(fn: Owner): CallSite[] {
    const cached = this.callSitesCache.get(fn);
    if (cached) return cached;
    this.ensureGraph();
    const sites: CallSite[] = [];
    const consider = (callee: Node, owner?: Owner): void => {
      const site = unstrip(callee);
      const call = parentOf(site);
      if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== site) return;
      const callOwner = owner ?? this.scopes.ownerOf(call);
      if (callOwner) sites.push({ call, owner: callOwner });
    };
    const variable = this.boundVariables.get(fn);
    if (variable) for (const reference of variable.references) consider(reference.identifier, this.scopes.ownerOfReference(reference));
    const names = this.classes.methodNames.get(fn);
    const cls = this.classes.methodClass.get(fn);
    if (names && cls) {
      for (const { node, owner } of this.classes.thisMembersOfClass(cls, names)) {
        const name = memberName(node);
        if (name && this.classes.thisClassOf(owner)?.methods.get(name)?.includes(fn)) consider(node, owner);
      }
    }
    if (isFunctionLike(fn)) consider(fn);
    sites.sort((a, b) => byPosition(a.call, b.call));
    this.callSitesCache.set(fn, sites);
    return sites;
  }

  calleeFunctions(callee: Node, owner: Owner): Owner[] {
    this.ensureGraph();
    const expr = strip(callee);
    if (expr.type === AST_NODE_TYPES.Identifier) {
      const variable = this.scopes.variableOf(expr);
      return (variable && this.bindings.get(variable)?.filter((target) => !isClassNode(target))) || [];
    }
    if (isThisMember(expr)) {
      const cls = this.classes.thisClassOf(owner);
      const name = memberName(expr);
      return (cls && name && cls.methods.get(name)) || [];
    }
    if (isFunctionLike(expr)) return [expr];
    return [];
  }

  reachOf(scope: Node): Reach {
    const cached = this.reachCache.get(scope);
    if (cached) return cached;
    const graph = this.ensureGraph();
    const cls = isClassNode(scope) ? this.classIdOf(this.classes.classInfo(scope)) : -1;
    const scopeId = cls < 0 ? this.knownIdOf(scope) : -1;
    const reach: Reach = { scope: scopeId, cls, marks: null, onceQueue: [], queue: [], head: 0 };
    this.reachCache.set(scope, reach);
    if (cls >= 0) {
      reach.onceQueue.push(...graph.perInstance[cls]!);
      if (this.classes.classInfo(scope as ClassNode).exported || this.classIsLive(cls)) reach.queue.push(...graph.publicMembers[cls]!);
    } else {
      if (scopeId >= 0) reach.onceQueue.push(scopeId);
      if (scope.type === AST_NODE_TYPES.Program) {
        reach.queue.push(...graph.exportedSeeds);
        for (const id of graph.exportedClasses) reach.queue.push(...graph.publicMembers[id]!, ...graph.perInstance[id]!);
      }
    }
    return reach;
  }

  /**
   * Does `owner` run any number of times per life of the store? Explores only as far as needed:
   * what runs once seeds what repeats, and both sets only grow, so the order does not matter.
   */
  repeats(reach: Reach, owner: Owner): boolean {
    const target = this.knownIdOf(owner);
    if (target < 0) return false; // no edges in or out: nothing reaches it
    if (reach.marks && reach.marks[target]! & REPEATS) return true;
    if (target === reach.scope) return false;
    const { offsets, targets, kinds, publicMembers, perInstance } = this.graph!;
    const { cls, onceQueue, scope } = reach;
    const marks = (reach.marks ??= new Uint8Array(this.ownerList.length));
    for (;;) {
      if (reach.head < reach.queue.length) {
        const current = reach.queue[reach.head++]!;
        if (marks[current]! & REPEATS || current === scope) continue;
        marks[current]! |= REPEATS;
        const queue = reach.queue;
        for (let e = offsets[current]!, end = offsets[current + 1]!; e < end; e++) {
          const to = targets[e]!;
          if (kinds[e]! <= EdgeKind.Escape) queue.push(to);
          else {
            for (const member of publicMembers[to]!) queue.push(member);
            if (to !== cls) for (const member of perInstance[to]!) queue.push(member);
          }
        }
        const thisEdges = this.thisEdges(current);
        for (let e = 0; e < thisEdges.length; e += 2) queue.push(thisEdges[e]!);
        if (current === target) return true;
        if (reach.head > 4096 && reach.head * 2 > queue.length) {
          reach.queue = queue.slice(reach.head);
          reach.head = 0;
        }
        continue;
      }
      const current = onceQueue.pop();
      if (current === undefined) {
        reach.queue = [];
        reach.head = 0;
        return false;
      }
      if (marks[current]! & RUNS_ONCE) continue;
      marks[current]! |= RUNS_ONCE;
      const thisEdges = this.thisEdges(current);
      for (let e = 0; e < thisEdges.length; e += 2) (thisEdges[e + 1] === EdgeKind.Call ? onceQueue : reach.queue).push(thisEdges[e]!);
      for (let e = offsets[current]!, end = offsets[current + 1]!; e < end; e++) {
        const to = targets[e]!;
        switch (kinds[e]) {
          case EdgeKind.Call:
            onceQueue.push(to);
            break;
          case EdgeKind.Escape:
            reach.queue.push(to);
            break;
          case EdgeKind.Construct:
            if (to !== cls) for (const member of perInstance[to]!) onceQueue.push(member);
            for (const member of publicMembers[to]!) reach.queue.push(member);
            break;
          default:
            for (const member of publicMembers[to]!) reach.queue.push(member);
            for (const member of perInstance[to]!) reach.queue.push(member);
            break;
        }
      }
    }
  }

  private classIsLive(cls: number): boolean {
    const program = this.scopes.program;
    const programId = this.knownIdOf(program);
    const reached = this.reachOf(program);
    for (const user of this.graph!.users[cls]!) {
      if (user === programId || this.repeatsId(reached, user) || this.runsAtLoad(user)) return true;
    }
    return false;
  }

  private repeatsId(reach: Reach, id: number): boolean {
    return (reach.marks !== null && (reach.marks[id]! & REPEATS) !== 0) || this.repeats(reach, this.ownerById(id));
  }

  private ownerById(id: number): Owner {
    return this.ownerList[id]!;
  }

  /** Called, directly or not, from the module's top level. */
  private runsAtLoad(id: number): boolean {
    const { offsets, targets, kinds } = this.graph!;
    if (!this.loadSeen) {
      this.loadSeen = new Uint8Array(this.ownerList.length);
      const programId = this.knownIdOf(this.scopes.program);
      if (programId >= 0) this.loadQueue.push(programId);
    }
    const seen = this.loadSeen;
    if (seen[id]) return true;
    const queue = this.loadQueue;
    while (queue.length > 0) {
      const current = queue.pop()!;
      if (seen[current]) continue;
      seen[current] = 1;
      for (let e = offsets[current]!, end = offsets[current + 1]!; e < end; e++) if (kinds[e] === EdgeKind.Call) queue.push(targets[e]!);
      const thisEdges = this.thisEdges(current);
      for (let e = 0; e < thisEdges.length; e += 2) if (thisEdges[e + 1] === EdgeKind.Call) queue.push(thisEdges[e]!);
      if (current === id) return true;
    }
    return false;
  }
}
