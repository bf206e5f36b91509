import type { Scope } from '@typescript-eslint/scope-manager';
import { ScopeType } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { forEachChild, forEachChildExcept } from '../../ir/ast.js';
import type { ScopeIndex } from './scopes.js';
import { factorySetupMethods, isInternalMember } from './instance-setup.js';
import type { ClassInfo, ClassNode, Node, Owner, ThisMember } from './store-model.js';
import { appendTo, byPosition, isClassNode, isFunctionLike, isThisMember, memberKeyName, memberName, parentOf, strip } from './syntax.js';

/**
 * The classes of the file: their methods, the owners whose `this` is an
 * instance, the `this.x` members in that code, and the fields counted up.
 */
export class ClassIndex {
  readonly classes = new Map<ClassNode, ClassInfo>();
  /** Owners whose `this` is an instance of a class of the file (every other owner's is not). */
  private readonly thisClasses = new Map<Owner, ClassInfo | null>();
  /** Start and end of each outermost class, in source order. */
  private classRanges: number[] | null = null;
  /** `this.x` in an owner's own code, for owners whose `this` is an instance of a class of the file. */
  private readonly thisMembersCache = new Map<Owner, TSESTree.MemberExpression[]>();
  private readonly classOwners = new Map<ClassInfo, Owner[]>();
  /** The names each method (or function-valued field) is known by in its class. */
  readonly methodNames = new Map<Owner, string[]>();
  /** The class each method (or function-valued field) belongs to. */
  readonly methodClass = new Map<Owner, ClassInfo>();
  private hasInternalTag: boolean | undefined;

  constructor(private readonly scopes: ScopeIndex) {}

  /** The class whose instance `this` is in an owner's code: methods, field initializers, static blocks, and arrows in them. */
  thisClassOf(owner: Owner): ClassInfo | null {
    if (owner === this.scopes.program || !this.insideClass(owner)) return null;
    const cached = this.thisClasses.get(owner);
    if (cached !== undefined) return cached;
    let cls: ClassInfo | null;
    if (isFunctionLike(owner) && owner.type !== AST_NODE_TYPES.ArrowFunctionExpression) {
      const parent = parentOf(owner);
      const method = parent && (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.TSAbstractMethodDefinition);
      cls = method ? this.thisClassAt(owner) : null;
    } else {
      cls = this.thisClassAt(owner);
    }
    this.thisClasses.set(owner, cls);
    return cls;
  }

  /** Does `node` stand in a class? (Classes nest or stand apart: the outermost ones are sorted and disjoint.) */
  private insideClass(node: Node): boolean {
    if (!this.classRanges) {
      this.classRanges = [];
      let end = -1;
      for (const info of this.classes.values()) {
        const [start, stop] = info.node.range;
        if (start < end) continue;
        this.classRanges.push(start, stop);
        end = stop;
      }
    }
    const ranges = this.classRanges;
    const position = node.range[0];
    let low = 0;
    let high = ranges.length >> 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (ranges[2 * middle + 1]! <= position) low = middle + 1;
      else high = middle;
    }
    return low < ranges.length >> 1 && ranges[2 * low]! < position;
  }

  /** The class of `this` where `node` stands: that of the nearest class or function around it. */
  private thisClassAt(node: Node): ClassInfo | null {
    for (let current = parentOf(node); current; current = parentOf(current)) {
      if (isClassNode(current)) return this.classInfo(current);
      if (isFunctionLike(current)) return this.thisClassOf(current);
    }
    return null;
  }

  /** `this.x` members in an owner's own code (none where `this` is no instance of a class of the file), in source order. */
  thisMembersOf(owner: Owner): TSESTree.MemberExpression[] {
    let members = this.thisMembersCache.get(owner);
    if (members) return members;
    members = [];
    if (this.thisClassOf(owner)) {
      if (isFunctionLike(owner)) this.collectThisMembersIn(owner, members);
      else if (owner.type === AST_NODE_TYPES.StaticBlock) for (const statement of owner.body) this.collectThisMembers(statement, members);
      else this.collectThisMembers(owner, members);
    }
    this.thisMembersCache.set(owner, members);
    return members;
  }

  private collectThisMembersIn(node: Node, members: TSESTree.MemberExpression[]): void {
    forEachChild(node, (child) => this.collectThisMembers(child, members));
  }

  /** Walks an owner's own code for `this.x`: the common node types by hand (types hold none), any other by its visitor keys. */
  private collectThisMembers(node: Node, members: TSESTree.MemberExpression[]): void {
    switch (node.type) {
      case AST_NODE_TYPES.Literal:
      case AST_NODE_TYPES.ThisExpression:
      case AST_NODE_TYPES.Super:
      case AST_NODE_TYPES.TemplateElement:
      case AST_NODE_TYPES.PrivateIdentifier:
      case AST_NODE_TYPES.EmptyStatement:
      case AST_NODE_TYPES.BreakStatement:
      case AST_NODE_TYPES.ContinueStatement:
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.StaticBlock:
        return; // leaves, and owners of their own
      case AST_NODE_TYPES.Identifier:
        if (!node.typeAnnotation && !node.decorators?.length) return;
        break;
      case AST_NODE_TYPES.MemberExpression:
        if (strip(node.object).type === AST_NODE_TYPES.ThisExpression) members.push(node);
        this.collectThisMembers(node.object, members);
        if (node.computed) this.collectThisMembers(node.property, members);
        return;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        this.collectThisMembers(node.callee, members);
        for (const argument of node.arguments) this.collectThisMembers(argument, members);
        return;
      case AST_NODE_TYPES.ExpressionStatement:
      case AST_NODE_TYPES.ChainExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
        this.collectThisMembers(node.expression, members);
        return;
      case AST_NODE_TYPES.BinaryExpression:
      case AST_NODE_TYPES.LogicalExpression:
      case AST_NODE_TYPES.AssignmentExpression:
        this.collectThisMembers(node.left, members);
        this.collectThisMembers(node.right, members);
        return;
      case AST_NODE_TYPES.UnaryExpression:
      case AST_NODE_TYPES.UpdateExpression:
      case AST_NODE_TYPES.SpreadElement:
      case AST_NODE_TYPES.AwaitExpression:
      case AST_NODE_TYPES.ThrowStatement:
        this.collectThisMembers(node.argument, members);
        return;
      case AST_NODE_TYPES.ReturnStatement:
      case AST_NODE_TYPES.YieldExpression:
        if (node.argument) this.collectThisMembers(node.argument, members);
        return;
      case AST_NODE_TYPES.ConditionalExpression:
        this.collectThisMembers(node.test, members);
        this.collectThisMembers(node.consequent, members);
        this.collectThisMembers(node.alternate, members);
        return;
      case AST_NODE_TYPES.IfStatement:
        this.collectThisMembers(node.test, members);
        this.collectThisMembers(node.consequent, members);
        if (node.alternate) this.collectThisMembers(node.alternate, members);
        return;
      case AST_NODE_TYPES.BlockStatement:
        for (const statement of node.body) this.collectThisMembers(statement, members);
        return;
      case AST_NODE_TYPES.VariableDeclaration:
        for (const declarator of node.declarations) this.collectThisMembers(declarator, members);
        return;
      case AST_NODE_TYPES.VariableDeclarator:
        this.collectThisMembers(node.id, members);
        if (node.init) this.collectThisMembers(node.init, members);
        return;
      case AST_NODE_TYPES.ArrayExpression:
        for (const element of node.elements) if (element) this.collectThisMembers(element, members);
        return;
      case AST_NODE_TYPES.ObjectExpression:
        for (const property of node.properties) this.collectThisMembers(property, members);
        return;
      case AST_NODE_TYPES.Property:
        if (node.computed) this.collectThisMembers(node.key, members);
        this.collectThisMembers(node.value, members);
        return;
      case AST_NODE_TYPES.SequenceExpression:
        for (const expression of node.expressions) this.collectThisMembers(expression, members);
        return;
      case AST_NODE_TYPES.TemplateLiteral:
        for (const expression of node.expressions) this.collectThisMembers(expression, members);
        return;
      case AST_NODE_TYPES.ForStatement:
        if (node.init) this.collectThisMembers(node.init, members);
        if (node.test) this.collectThisMembers(node.test, members);
        if (node.update) this.collectThisMembers(node.update, members);
        this.collectThisMembers(node.body, members);
        return;
      case AST_NODE_TYPES.ForInStatement:
      case AST_NODE_TYPES.ForOfStatement:
        this.collectThisMembers(node.left, members);
        this.collectThisMembers(node.right, members);
        this.collectThisMembers(node.body, members);
        return;
      case AST_NODE_TYPES.WhileStatement:
      case AST_NODE_TYPES.DoWhileStatement:
        this.collectThisMembers(node.test, members);
        this.collectThisMembers(node.body, members);
        return;
      case AST_NODE_TYPES.PropertyDefinition:
        if (node.value) {
          forEachChildExcept(node, 'value', (child) => this.collectThisMembers(child, members));
          return;
        }
        break;
      default:
        break;
    }
    this.collectThisMembersIn(node, members);
  }

  /** The owners whose `this` is an instance of `cls`, in source order. */
  private ownersOfClass(cls: ClassInfo): Owner[] {
    let owners = this.classOwners.get(cls);
    if (owners) return owners;
    // Scopes come in the order the scope manager made them, each class's (decorators first) in one run.
    owners = [];
    const scopes = this.scopes.scopeManager.scopes;
    const classScope = this.scopes.scopeManager.acquire(cls.node);
    const [start, end] = cls.node.range;
    const inside = (scope: Scope): boolean => {
      const block = scope.block as Node;
      return start <= block.range[0] && block.range[1] <= end;
    };
    if (classScope) {
      const at = this.scopes.slotOf(classScope);
      let first = at;
      while (first > 0 && inside(scopes[first - 1]!)) first--;
      for (let i = first; i < scopes.length && inside(scopes[i]!); i++) {
        const scope = scopes[i]!;
        const block = scope.block as Node;
        let owner: Owner | null = null;
        if (scope.type === ScopeType.function) owner = isFunctionLike(block) ? block : null;
        else if (scope.type === ScopeType.classStaticBlock) owner = block.type === AST_NODE_TYPES.StaticBlock ? block : null;
        else if (scope.type === ScopeType.classFieldInitializer && !isFunctionLike(block)) {
          const parent = parentOf(block);
          owner = parent?.type === AST_NODE_TYPES.PropertyDefinition && parent.value === block ? block : null;
        }
        if (owner && this.thisClassOf(owner) === cls) owners.push(owner);
      }
    }
    this.classOwners.set(cls, owners);
    return owners;
  }

  /** `this.x` members with one of the given names in the code whose `this` is an instance of `cls`, with their owners, in source order. */
  thisMembersOfClass(cls: ClassInfo, names: ReadonlySet<string> | readonly string[]): ThisMember[] {
    const has = Array.isArray(names) ? (name: string): boolean => names.includes(name) : (name: string): boolean => (names as ReadonlySet<string>).has(name);
    const members: ThisMember[] = [];
    for (const owner of this.ownersOfClass(cls)) {
      for (const node of this.thisMembersOf(owner)) {
        const name = memberName(node);
        if (name !== null && has(name)) members.push({ node, owner });
      }
    }
    return members.sort((a, b) => byPosition(a.node, b.node));
  }

  /** The fields of `cls` counted up where `this` is its instance (`this.next++`, `this.next += 1`). */
  counterFieldsOf(cls: ClassInfo): Set<string> {
    if (cls.counterFields) return cls.counterFields;
    const fields = new Set<string>();
    const visit = (node: Node): void => {
      switch (node.type) {
        case AST_NODE_TYPES.FunctionDeclaration:
        case AST_NODE_TYPES.FunctionExpression: {
          // Only a method keeps `this`; anywhere else it is some other object.
          const parent = parentOf(node);
          if (!parent || (parent.type !== AST_NODE_TYPES.MethodDefinition && parent.type !== AST_NODE_TYPES.TSAbstractMethodDefinition)) return;
          break;
        }
        case AST_NODE_TYPES.ClassDeclaration:
        case AST_NODE_TYPES.ClassExpression:
          return; // `this` of its own
        case AST_NODE_TYPES.UpdateExpression:
          this.noteFieldCounter(node.argument, fields);
          break;
        case AST_NODE_TYPES.AssignmentExpression:
          if (node.operator === '+=' || node.operator === '-=') this.noteFieldCounter(node.left, fields);
          break;
        default:
          break;
      }
      forEachChild(node, (child) => visit(child));
    };
    forEachChild(cls.node, (child) => visit(child));
    cls.counterFields = fields;
    return fields;
  }

  /** One pass over the scopes: the classes (in source order), the function scopes, and the scopes with closures. */
  collectScopes(): void {
    const nodes: ClassNode[] = [];
    const open = this.scopes.openScopes;
    for (const scope of this.scopes.scopeManager.scopes) {
      switch (scope.type) {
        case ScopeType.class:
          if (isClassNode(scope.block)) nodes.push(scope.block);
          continue;
        case ScopeType.function:
          this.scopes.functionScopes.push(scope);
          break;
        case ScopeType.classFieldInitializer:
        case ScopeType.classStaticBlock:
          break;
        default:
          continue;
      }
      // An owner nested in these variable scopes: references to their locals may come from other code.
      for (let upper: Scope | null = scope.upper; upper; upper = upper.variableScope.upper) {
        if (open.has(upper.variableScope)) break;
        open.add(upper.variableScope);
      }
    }
    nodes.sort(byPosition);
    for (const node of nodes) this.classInfo(node);
  }

  classInfo(node: ClassNode): ClassInfo {
    let info = this.classes.get(node);
    if (info) return info;
    const parent = parentOf(node);
    const name = node.id?.name ?? (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier ? parent.id.name : '(class)');
    info = { node, name, methods: new Map(), publicMembers: [], perInstance: [], counterFields: null, exported: false };
    const comments = this.internalTagged() ? (this.scopes.program.comments ?? []) : [];
    let previousEnd = node.body.range[0];
    let hasStatic = false;
    for (const member of node.body.body) {
      const after = previousEnd;
      previousEnd = member.range[1];
      if (member.type === AST_NODE_TYPES.PropertyDefinition && !member.static && member.value && isFunctionLike(member.value)) {
        const fieldName = memberKeyName(member.key, member.computed);
        if (fieldName === null) continue;
        appendTo(info.methods, fieldName, member.value);
        appendTo(this.methodNames, member.value, fieldName);
        this.methodClass.set(member.value, info);
        if (isPublic(member, comments, after)) info.publicMembers.push(member.value);
        continue;
      }
      if (member.type !== AST_NODE_TYPES.MethodDefinition) continue;
      if (member.static) hasStatic = true;
      const memberName = memberKeyName(member.key, member.computed);
      if (memberName === null) continue;
      appendTo(info.methods, memberName, member.value);
      appendTo(this.methodNames, member.value, memberName);
      this.methodClass.set(member.value, info);
      if (member.kind === 'constructor') info.perInstance.push(member.value);
      else if (isPublic(member, comments, after)) info.publicMembers.push(member.value);
    }
    // What the class's own factory runs on each new instance is part of making it.
    const className = hasStatic && node.id ? this.scopes.scopeManager.acquire(node)?.set.get(node.id.name) : undefined;
    if (node.id && className) {
      for (const setup of factorySetupMethods(node, className, (identifier) => this.scopes.variableOf(identifier))) {
        for (const method of info.methods.get(setup) ?? []) if (!info.perInstance.includes(method)) info.perInstance.push(method);
      }
    }
    // A function-valued field is a member like a method; any other initializer runs once per instance.
    for (const member of node.body.body) {
      if (member.type === AST_NODE_TYPES.PropertyDefinition && member.value && !member.static && !isFunctionLike(member.value)) info.perInstance.push(member.value);
    }
    this.classes.set(node, info);
    return info;
  }

  /** Does any comment of the file say `@internal`? Most files have none, and then no member needs its JSDoc read. */
  private internalTagged(): boolean {
    this.hasInternalTag ??= (this.scopes.program.comments ?? []).some((comment) => comment.value.includes('@internal'));
    return this.hasInternalTag;
  }

  private noteFieldCounter(target: Node, fields: Set<string>): void {
    const expr = strip(target);
    if (!isThisMember(expr)) return;
    const name = memberName(expr);
    if (name) fields.add(name);
  }
}

/** Callable by whoever holds an instance: not `#private`, not `private`, not tagged `@internal`. */
function isPublic(member: TSESTree.MethodDefinition | TSESTree.PropertyDefinition, comments: readonly TSESTree.Comment[], after: number): boolean {
  return member.key.type !== AST_NODE_TYPES.PrivateIdentifier && member.accessibility !== 'private' && !isInternalMember(member, comments, after);
}
