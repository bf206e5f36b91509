import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import ts from 'typescript';
import type { PlaceKeys } from './places.js';
import type { FinalizerFinding, Registration, Unregistration } from './finalizer-model.js';
import { isFinalizationRegistryConstructor } from '../../ir/ast.js';
import { enclosingClass, enclosingFunction, isFinalizationRegistryType, isUndefinedLiteral, rootOf, unwrap } from './syntax.js';

/**
 * The registry calls of the file: registrations (target, held value, token)
 * and unregistrations, found through the checker, with the keys of each held
 * value and token, and the findings of every check.
 */
export class Registrations {
  readonly calls: TSESTree.CallExpression[] = [];
  readonly creations: TSESTree.NewExpression[] = [];
  readonly returns: TSESTree.ReturnStatement[] = [];
  readonly registrations: Registration[] = [];
  readonly unregistrations: Unregistration[] = [];
  /** Every key of every registration's held value: no release event with none of them can match. */
  readonly heldUnion = new Set<string>();
  /** The names of the properties among {@link heldUnion}. */
  readonly heldPropertyNames = new Set<string>();
  readonly findings: FinalizerFinding[] = [];

  constructor(private readonly places: PlaceKeys) {}

  /** Calls, registry creations and returns, in source order (a depth-first walk with an explicit stack). */
  collect(root: TSESTree.Node): void {
    const stack: TSESTree.Node[] = [root];
    for (let node = stack.pop(); node; node = stack.pop()) {
      if (node.type === AST_NODE_TYPES.CallExpression) this.calls.push(node);
      else if (node.type === AST_NODE_TYPES.NewExpression && isFinalizationRegistryConstructor(node.callee)) this.creations.push(node);
      else if (node.type === AST_NODE_TYPES.ReturnStatement) this.returns.push(node);
      const keys = visitorKeys[node.type];
      if (!keys) continue;
      // Children pushed last to first, so that they are visited first to last.
      for (let k = keys.length - 1; k >= 0; k--) {
        const value = (node as unknown as Record<string, unknown>)[keys[k]];
        if (!value || typeof value !== 'object') continue;
        if (Array.isArray(value)) {
          for (let i = value.length - 1; i >= 0; i--) {
            const child: unknown = value[i];
            if (child && typeof child === 'object' && 'type' in child) stack.push(child as TSESTree.Node);
          }
        } else if ('type' in value) stack.push(value as TSESTree.Node);
      }
    }
  }

  classifyRegistryCall(call: TSESTree.CallExpression): void {
    const callee = call.callee;
    if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return;
    const method = callee.property.name;
    if (method !== 'register' && method !== 'unregister') return;
    if (!this.isRegistryExpression(callee.object)) return;
    const registryKey = this.registryKey(callee.object);
    if (!registryKey) return;
    if (call.arguments.some((argument) => argument.type === AST_NODE_TYPES.SpreadElement)) return;
    if (method === 'unregister') {
      this.unregistrations.push({ call, registryNode: callee.object, registryKey, argument: call.arguments[0] });
      return;
    }
    const [target, held, tokenArgument] = call.arguments;
    if (!target || !held) return;
    const token = tokenArgument && !isUndefinedLiteral(tokenArgument) ? tokenArgument : undefined;
    this.registrations.push({
      call,
      registryNode: callee.object,
      registryKey,
      optional: callee.optional,
      target,
      held,
      token,
      heldKeys: this.heldKeys(call, held, target),
    });
  }

  private isRegistryExpression(node: TSESTree.Node): boolean {
    // The declared type where narrowing cannot change the answer (no flow walk per `.register(…)`).
    const type = this.places.file.typeOf(node);
    return type !== undefined && isFinalizationRegistryType(type);
  }

  /** The identity of a registry: its variable or property symbol. */
  registryKey(node: TSESTree.Node): string | undefined {
    const symbol = this.places.symbolOf(node);
    if (symbol) return `r${this.places.idOf(symbol)}`;
    return this.places.placeOf(node);
  }

  /** Keys of a token: its place, plus the named class or interface of its type (`this` and `other: C` match). */
  private tokenKeys(node: TSESTree.Node, registration?: Registration): Set<string> {
    const keys = this.places.keysOf(node);
    const tsNode = this.places.file.tsNode(unwrap(node));
    if (tsNode) {
      const type = this.places.checker.getTypeAtLocation(tsNode).getNonNullableType();
      const symbol = type.getSymbol();
      if (
        symbol &&
        (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) !== 0 &&
        !(symbol.declarations ?? []).some((declaration) => this.places.inDefaultLib(declaration))
      ) {
        keys.add(`t${this.places.idOf(symbol)}`);
      }
    }
    // `register(obj, obj.ptr, obj)` in a static `__wrap` of class C: the token is an instance of C.
    if (registration) for (const key of this.targetAsThis(registration.call, registration.target, [...keys])) keys.add(key);
    return keys;
  }

  /** Keys based on the registration's target variable, rewritten as `this` of the enclosing class. */
  private targetAsThis(call: TSESTree.CallExpression, targetArgument: TSESTree.Node, keys: readonly string[]): string[] {
    const target = unwrap(targetArgument);
    if (target.type !== AST_NODE_TYPES.Identifier) return [];
    const targetPlace = this.places.placeOf(target);
    const cls = enclosingClass(call);
    if (!targetPlace || !cls) return [];
    const thisPlace = `c${this.places.idOf(cls)}:this`;
    const result: string[] = [];
    for (const key of keys) {
      if (key === targetPlace) result.push(thisPlace);
      else if (key.startsWith(`${targetPlace}.`)) result.push(thisPlace + key.slice(targetPlace.length));
    }
    return result;
  }

  /** The held value's keys and those of the field(s) it came from. */
  private heldKeys(call: TSESTree.CallExpression, held: TSESTree.Node, target: TSESTree.Node): Set<string> {
    const keys = new Set<string>();
    const fn = enclosingFunction(held);
    const add = (node: TSESTree.Node, depth: number): void => {
      node = unwrap(node);
      if (node.type === AST_NODE_TYPES.ArrayExpression) {
        for (const element of node.elements) if (element && element.type !== AST_NODE_TYPES.SpreadElement) add(element, depth);
        return;
      }
      if (node.type === AST_NODE_TYPES.ObjectExpression) {
        for (const property of node.properties) if (property.type === AST_NODE_TYPES.Property) add(property.value, depth);
        return;
      }
      for (const key of this.places.keysOf(node)) keys.add(key);
      if (node.type === AST_NODE_TYPES.Identifier && depth < 2) {
        for (const origin of this.places.originsOf(node, fn)) add(origin, depth + 1);
      }
    };
    add(held, 0);
    for (const key of this.targetAsThis(call, target, [...keys])) keys.add(key);
    return keys;
  }

  /**
   * Is `argument` certainly not the object the registration passed as its
   * token? Only identities the file pins down count: `this` and its fields,
   * and constants holding a fresh object (`{}`, `Symbol()`, `new X()`). A
   * parameter or other variable may hold anything (`unregister(geometry)`
   * in one function, `register(geometry, id, geometry)` in another), except
   * a fresh token made in its own function, which no parameter can be.
   */
  isProvablyOtherToken(argument: TSESTree.Node, registration: Registration): boolean {
    const token = registration.token;
    if (!token) return true;
    const argumentKeys = this.tokenKeys(argument);
    const tokenKeys = this.tokenKeys(token, registration);
    if (argumentKeys.size === 0 || tokenKeys.size === 0) return false;
    // A token stored somewhere (`this.#token = token`) is also known by that place.
    const tokenNode = unwrap(token);
    if (tokenNode.type === AST_NODE_TYPES.Identifier) {
      for (const origin of this.places.originsOf(tokenNode, enclosingFunction(tokenNode))) for (const key of this.places.keysOf(origin)) tokenKeys.add(key);
    }
    if ([...argumentKeys].some((key) => tokenKeys.has(key))) return false;
    const argumentIdentity = this.identityOf(argument);
    const tokenIdentity = this.identityOf(token);
    if (argumentIdentity !== 'unknown' && tokenIdentity !== 'unknown') return true;
    if (tokenIdentity === 'fresh' && tokenNode.type === AST_NODE_TYPES.Identifier) {
      const argumentNode = unwrap(argument);
      const freshIn = enclosingFunction(this.places.file.variableOf(tokenNode)?.defs[0]?.node ?? tokenNode);
      if (argumentNode.type === AST_NODE_TYPES.ThisExpression) return true;
      const variable = argumentNode.type === AST_NODE_TYPES.Identifier ? this.places.file.variableOf(argumentNode) : undefined;
      return variable?.defs.some((definition) => definition.type === 'Parameter' && definition.node === freshIn) ?? false;
    }
    return false;
  }

  /** `this` (or a field of it), a constant holding a fresh object, or anything. */
  private identityOf(node: TSESTree.Node): 'this' | 'fresh' | 'unknown' {
    node = unwrap(node);
    if (rootOf(node).type === AST_NODE_TYPES.ThisExpression && this.places.placeOf(node) !== undefined) return 'this';
    if (node.type !== AST_NODE_TYPES.Identifier) return 'unknown';
    const variable = this.places.file.variableOf(node);
    const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
    if (
      definition?.node.type !== AST_NODE_TYPES.VariableDeclarator ||
      definition.parent?.type !== AST_NODE_TYPES.VariableDeclaration ||
      definition.parent.kind !== 'const' ||
      !definition.node.init
    ) {
      return 'unknown';
    }
    const init = unwrap(definition.node.init);
    const fresh =
      init.type === AST_NODE_TYPES.ObjectExpression ||
      init.type === AST_NODE_TYPES.ArrayExpression ||
      init.type === AST_NODE_TYPES.NewExpression ||
      init.type === AST_NODE_TYPES.ArrowFunctionExpression ||
      init.type === AST_NODE_TYPES.FunctionExpression ||
      (init.type === AST_NODE_TYPES.CallExpression && init.callee.type === AST_NODE_TYPES.Identifier && init.callee.name === 'Symbol');
    return fresh ? 'fresh' : 'unknown';
  }

  /** Declared in this file and not exported from it: every registration is in sight. */
  isOwnRegistry(node: TSESTree.Node): boolean {
    const symbol = this.places.symbolOf(node);
    const declaration = symbol?.valueDeclaration;
    const thisFile = this.places.input.services.esTreeNodeToTSNodeMap.get(this.places.input.ast)?.getSourceFile();
    if (!declaration || declaration.getSourceFile() !== thisFile) return false;
    if (ts.isVariableDeclaration(declaration)) {
      const statement = declaration.parent.parent;
      if (ts.isVariableStatement(statement) && statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) return false;
    }
    return true;
  }
}
