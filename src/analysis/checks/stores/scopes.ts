import type { Reference, Scope, ScopeManager, Variable } from '@typescript-eslint/scope-manager';
import { ScopeType } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { forEachChild, forEachChildExcept } from '../../ir/ast.js';
import type { Def, Node, OwnCode, Owner } from './store-model.js';
import { LINEAR_SEARCH_LIMIT } from './store-model.js';
import { appendTo, byPosition, ensureParents, collectReturns, isFunctionLike, isLocal, parentOf, strip, unstrip } from './syntax.js';

/**
 * Where code runs and what names mean: each node's owner (the function, field
 * initializer or static block whose code it is), each identifier's variable, a
 * variable's definitions, and what an owner's own code returns and hands on.
 */
export class ScopeIndex {
  /** Slots of scopes whose ids do not count up from the first (see `slotOf`). */
  private readonly scopeSlots: Map<Scope, number> | null = null;
  private readonly scopeBase: number;
  readonly exportedNames = new Set<Variable>();
  // Built on demand.
  private readonly defsCache = new Map<Variable, Def[]>();
  private readonly counterCache = new Map<Variable, boolean>();
  private readonly ownCodeCache = new Map<Owner, OwnCode>();
  private readonly returnsCache = new Map<Owner, Node[]>();
  private readonly referenceIndex = new Map<Scope, Map<Node, Variable>>();
  /** The node types of this file's scope blocks: no other node has a scope. */
  private blockTypes: Set<string> | null = null;
  /** `v<id>` keys of `sourceKey` back to their variables. */
  readonly keyVariables = new Map<string, Variable>();
  readonly lookup = (identifier: Node): Variable | undefined => this.variableOf(identifier);
  readonly functionScopes: Scope[] = [];
  /**
   * The variable scopes with an owner nested in them (a function, a field initializer, a static
   * block): only there can a reference to a local come from other code than the scope's own.
   */
  readonly openScopes = new Set<Scope>();
  /** Another scope manager than typescript-eslint's (no scope ids, no node-to-scope map): look identifiers up in a map of them all. */
  readonly legacy: boolean;
  private variables: Map<Node, Variable> | null = null;

  constructor(
    readonly program: TSESTree.Program,
    readonly scopeManager: ScopeManager,
  ) {
    ensureParents(program);
    const scopes = scopeManager.scopes;
    // typescript-eslint's scope manager numbers scopes and references in order, and maps nodes to scopes.
    this.legacy = typeof scopes[0]?.$id !== 'number' || !(scopeManager.nodeToScope instanceof WeakMap);
    this.scopeBase = scopes[0]?.$id ?? 0;
    // Scope ids count up from the first scope's; where they do not, slots come from a map.
    if (this.legacy || (scopes.length > 0 && scopes[scopes.length - 1]!.$id - this.scopeBase !== scopes.length - 1)) {
      this.scopeSlots = new Map(scopes.map((scope, index) => [scope, index]));
    }
  }

  /** The owner whose code `node` is (functions own their parameters and body; the Program owns itself). */
  ownerOf(node: Node): Owner | undefined {
    let current = node;
    for (;;) {
      const parent = parentOf(current);
      if (!parent) return current === this.program ? current : undefined;
      switch (parent.type) {
        case AST_NODE_TYPES.FunctionDeclaration:
        case AST_NODE_TYPES.FunctionExpression:
        case AST_NODE_TYPES.ArrowFunctionExpression:
        case AST_NODE_TYPES.StaticBlock:
          return parent;
        case AST_NODE_TYPES.PropertyDefinition:
          if (parent.value === current) return current;
          break;
        default:
          break;
      }
      current = parent;
    }
  }

  /** The owner of a reference's identifier, read off its scope where that is sure to agree with `ownerOf`. */
  ownerOfReference(reference: Reference): Owner | undefined {
    return this.scopeOwner(reference.from) ?? this.ownerOf(reference.identifier);
  }

  /**
   * The owner of the code directly in a scope: its variable scope's function, field initializer,
   * static block or Program. Null where the scope manager's view differs from `ownerOf`: class
   * level code (a method's parameter decorators are visited there, yet are the method's), TS
   * namespaces, accessor initializers, bodiless TS functions.
   */
  scopeOwner(scope: Scope): Owner | null {
    let current = scope;
    while (current !== current.variableScope) {
      if (current.type === ScopeType.class || !current.upper) return null;
      current = current.upper;
    }
    const block = current.block as Node;
    switch (current.type as ScopeType) {
      case ScopeType.global:
      case ScopeType.module:
        return this.program;
      case ScopeType.function:
        return block.type === AST_NODE_TYPES.Program || isFunctionLike(block) ? block : null;
      case ScopeType.classFieldInitializer: {
        const parent = parentOf(block);
        return parent?.type === AST_NODE_TYPES.PropertyDefinition && parent.value === block ? block : null;
      }
      case ScopeType.classStaticBlock:
        return block.type === AST_NODE_TYPES.StaticBlock ? block : null;
      default:
        return null;
    }
  }

  /**
   * The variable an identifier declares or refers to. Where an identifier is known to several
   * scopes (a class name: its own scope and the enclosing one), the innermost one wins, and in a
   * scope a declaration wins over a reference.
   */
  variableOf(identifier: Node): Variable | undefined {
    if (this.legacy) return this.variableMap().get(identifier);
    const parent = parentOf(identifier);
    // Function and class names are declarations only, never references.
    const declarationOnly =
      parent !== undefined &&
      (parent.type === AST_NODE_TYPES.FunctionDeclaration ||
        parent.type === AST_NODE_TYPES.FunctionExpression ||
        parent.type === AST_NODE_TYPES.ClassDeclaration ||
        parent.type === AST_NODE_TYPES.ClassExpression) &&
      parent.id === identifier;
    const name = identifier.type === AST_NODE_TYPES.Identifier ? identifier.name : null;
    const blockTypes = (this.blockTypes ??= new Set(this.scopeManager.scopes.map((scope) => scope.block.type)));
    for (let current: Node | undefined = identifier; current; current = parentOf(current)) {
      if (!blockTypes.has(current.type)) continue;
      const scopes = this.scopeManager.nodeToScope.get(current);
      if (!scopes) continue;
      for (let i = scopes.length - 1; i >= 0; i--) {
        const scope = scopes[i]!;
        if (name !== null) {
          const variable = scope.set.get(name);
          if (variable && variable.identifiers.includes(identifier as TSESTree.Identifier)) return variable;
        }
        if (declarationOnly) continue;
        const resolved = this.resolvedIn(scope, identifier);
        if (resolved) return resolved;
      }
    }
    return undefined;
  }

  /** Every identifier's variable, as `variableOf` finds them: for a scope manager without `nodeToScope` and ids. */
  private variableMap(): Map<Node, Variable> {
    if (this.variables) return this.variables;
    const variables = new Map<Node, Variable>();
    for (const scope of this.scopeManager.scopes) {
      for (const reference of scope.references) if (reference.resolved) variables.set(reference.identifier, reference.resolved);
      for (const variable of scope.variables) for (const identifier of variable.identifiers) variables.set(identifier, variable);
    }
    this.variables = variables;
    return variables;
  }

  /** The variable a scope's (last resolved) reference with this identifier resolves to. */
  private resolvedIn(scope: Scope, identifier: Node): Variable | undefined {
    const references = scope.references;
    if (references.length <= LINEAR_SEARCH_LIMIT) {
      let resolved: Variable | undefined;
      for (const reference of references) if (reference.identifier === identifier && reference.resolved) resolved = reference.resolved;
      return resolved;
    }
    let index = this.referenceIndex.get(scope);
    if (!index) {
      index = new Map();
      for (const reference of references) if (reference.resolved) index.set(reference.identifier, reference.resolved);
      this.referenceIndex.set(scope, index);
    }
    return index.get(identifier);
  }

  /** References in the order the scope manager lists them: by scope, then within the scope (both in order of creation). */
  inScopeOrder<T extends { reference: Reference }>(items: T[]): T[] {
    if (items.length < 2) return items;
    if (!this.legacy) return items.sort((a, b) => a.reference.from.$id - b.reference.from.$id || a.reference.$id - b.reference.$id);
    const keyed = items.map((item) => ({ item, scope: this.slotOf(item.reference.from), index: item.reference.from.references.indexOf(item.reference) }));
    return keyed.sort((a, b) => a.scope - b.scope || a.index - b.index).map(({ item }) => item);
  }

  /** Initializers and plain assignments of a variable (`const x = e`, `x = e`), in source order. */
  defsOf(variable: Variable): Def[] {
    const cached = this.defsCache.get(variable);
    if (cached) return cached;
    const found: { node: Node; def: Def }[] = [];
    const consider = (identifier: Node, reference?: Reference): void => {
      const parent = parentOf(identifier);
      if (parent?.type === AST_NODE_TYPES.VariableDeclarator) {
        if (parent.id !== identifier || !parent.init || found.some((entry) => entry.node === parent)) return;
        if (this.variableOf(identifier) !== variable) return;
        // The declaration stands in its variable's scope (a `var` in a block: in the function around it).
        const owner = reference ? this.ownerOfReference(reference) : (this.scopeOwner(variable.scope) ?? this.ownerOf(parent));
        if (owner) found.push({ node: parent, def: { expr: parent.init, owner } });
      } else if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.operator === '=' && parent.left === identifier) {
        const owner = reference ? this.ownerOfReference(reference) : this.ownerOf(parent);
        if (owner) found.push({ node: parent, def: { expr: parent.right, owner } });
      }
    };
    for (const identifier of variable.identifiers) consider(identifier);
    for (const reference of variable.references) if (reference.isWrite()) consider(reference.identifier, reference);
    if (found.length > 1) found.sort((a, b) => byPosition(a.node, b.node));
    const defs = found.map(({ def }) => def);
    this.defsCache.set(variable, defs);
    return defs;
  }

  /** `x++`, `x += n`, `x = x + n`: a counter. */
  isCounter(variable: Variable): boolean {
    const cached = this.counterCache.get(variable);
    if (cached !== undefined) return cached;
    let counter = false;
    for (const reference of variable.references) {
      const identifier = reference.identifier;
      const target = unstrip(identifier);
      const parent = parentOf(target);
      if (!parent) continue;
      if (parent.type === AST_NODE_TYPES.UpdateExpression && parent.argument === target) counter = true;
      else if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.left === target && (parent.operator === '+=' || parent.operator === '-=')) counter = true;
      else if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.operator === '=' && parent.left === identifier) {
        const right = strip(parent.right);
        if (right.type === AST_NODE_TYPES.BinaryExpression && (right.operator === '+' || right.operator === '-')) {
          const operand = strip(right.left);
          if (operand.type === AST_NODE_TYPES.Identifier && variable.references.some((ref) => ref.identifier === operand)) counter = true;
        }
      }
      if (counter) break;
    }
    this.counterCache.set(variable, counter);
    return counter;
  }

  collectExports(program: TSESTree.Program): void {
    for (const statement of program.body) {
      if (statement.type === AST_NODE_TYPES.ExportNamedDeclaration && !statement.source) {
        for (const specifier of statement.specifiers) {
          if (specifier.local.type === AST_NODE_TYPES.Identifier) this.exportName(specifier.local);
        }
      } else if (statement.type === AST_NODE_TYPES.ExportDefaultDeclaration && statement.declaration.type === AST_NODE_TYPES.Identifier) {
        this.exportName(statement.declaration);
      } else if (statement.type === AST_NODE_TYPES.TSExportAssignment && statement.expression.type === AST_NODE_TYPES.Identifier) {
        this.exportName(statement.expression);
      }
    }
  }

  private exportName(identifier: TSESTree.Identifier): void {
    const moduleScope = this.scopeManager.globalScope?.childScopes.find((scope) => scope.type === 'module') ?? this.scopeManager.globalScope;
    // Usually the name's own variable at the top, referred to from there: no need to index the top scope's references.
    const local = moduleScope?.set.get(identifier.name);
    let variable = local?.references.some((reference) => reference.identifier === identifier) ? local : this.variableOf(identifier);
    variable ??= local;
    if (variable) this.exportedNames.add(variable);
  }

  slotOf(scope: Scope): number {
    return this.scopeSlots ? this.scopeSlots.get(scope)! : scope.$id - this.scopeBase;
  }

  /** The identifiers that name the same variable as `identifier`, or the same undeclared global. */
  sameReferences(identifier: TSESTree.Identifier): Node[] {
    const variable = this.variableOf(identifier);
    if (variable) return variable.references.map((reference) => reference.identifier);
    if (!this.globalReferences) {
      this.globalReferences = new Map();
      for (const reference of this.scopeManager.globalScope?.through ?? []) appendTo(this.globalReferences, reference.identifier.name, reference.identifier);
    }
    return this.globalReferences.get(identifier.name) ?? [];
  }

  private globalReferences: Map<string, Node[]> | undefined;

  /** `variableOf(fn.id)` for a function declaration: its name is declared in the scope around its own. */
  functionNameVariable(scope: Scope, id: TSESTree.Identifier): Variable | undefined {
    const variable = scope.upper?.set.get(id.name);
    return variable && variable.identifiers.includes(id) ? variable : this.variableOf(id);
  }

  /** What `owner`'s own code returns and hands on (to calls, fields, outer variables, literals). */
  ownCode(owner: Owner): OwnCode {
    const cached = this.ownCodeCache.get(owner);
    if (cached) return cached;
    const code: OwnCode = { returns: [], leaving: [] };
    if (owner.type === AST_NODE_TYPES.ArrowFunctionExpression && owner.expression) {
      code.returns.push(owner.body);
      code.leaving.push({ expr: owner.body });
    }
    if (isFunctionLike(owner) || owner.type === AST_NODE_TYPES.Program) this.scanChildren(owner, owner, code);
    else if (owner.type === AST_NODE_TYPES.StaticBlock) for (const statement of owner.body) this.scanOwnCode(statement, owner, code);
    else this.scanOwnCode(owner, owner, code);
    this.ownCodeCache.set(owner, code);
    return code;
  }

  /** What `owner` returns: as `ownCode(owner).returns`, reading statements only (a return is never inside an expression of its own function). */
  returnsOf(owner: Owner): Node[] {
    const known = this.ownCodeCache.get(owner);
    if (known) return known.returns;
    let returns = this.returnsCache.get(owner);
    if (returns) return returns;
    returns = [];
    if (owner.type === AST_NODE_TYPES.ArrowFunctionExpression && owner.expression) returns.push(owner.body);
    else if (isFunctionLike(owner) && owner.body) collectReturns(owner.body, returns);
    else if (owner.type === AST_NODE_TYPES.Program) for (const statement of owner.body) collectReturns(statement, returns);
    this.returnsCache.set(owner, returns);
    return returns;
  }

  private scanChildren(node: Node, owner: Owner, code: OwnCode): void {
    forEachChild(node, (child) => this.scanOwnCode(child, owner, code));
  }

  private scanOwnCode(node: Node, owner: Owner, code: OwnCode): void {
    switch (node.type) {
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.StaticBlock:
        return; // owners of their own
      case AST_NODE_TYPES.PropertyDefinition:
        if (node.value) {
          forEachChildExcept(node, 'value', (child) => this.scanOwnCode(child, owner, code));
          return;
        }
        break;
      case AST_NODE_TYPES.ReturnStatement:
        if (node.argument) {
          code.returns.push(node.argument);
          code.leaving.push({ expr: node.argument });
        }
        break;
      case AST_NODE_TYPES.YieldExpression:
        if (node.argument) code.leaving.push({ expr: node.argument });
        break;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        for (const argument of node.arguments) code.leaving.push({ expr: argument, call: node });
        break;
      case AST_NODE_TYPES.AssignmentExpression:
        if (node.operator === '=') {
          if (node.left.type === AST_NODE_TYPES.Identifier) {
            const variable = this.variableOf(node.left);
            if (variable && !isLocal(variable, owner)) code.leaving.push({ expr: node.right });
          } else if (node.left.type === AST_NODE_TYPES.MemberExpression) {
            code.leaving.push({ expr: node.right });
          }
        }
        break;
      case AST_NODE_TYPES.Property:
        if (parentOf(node)?.type === AST_NODE_TYPES.ObjectExpression) code.leaving.push({ expr: node.value });
        break;
      case AST_NODE_TYPES.ArrayExpression:
        for (const element of node.elements) if (element) code.leaving.push({ expr: element });
        break;
      default:
        break;
    }
    this.scanChildren(node, owner, code);
  }
}
