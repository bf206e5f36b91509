import type { Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import { FileContext, fileContextFor } from '../../program/file-context.js';
import type { HandleModel } from '../../model/handle-model.js';
import type { FinalizationInput } from './finalizer-model.js';
import { contains, enclosingFunction, memberName, thisContext, unwrap } from './syntax.js';

/**
 * Place keys: what a value is, so that a held value, a token and a released
 * value can be matched (`c3:this.ptr`, `v7.ptr`, `s12`, `t4`), and where a
 * variable's value came from. The file, its checker and the shared caches.
 */
export class PlaceKeys {
  readonly checker: ts.TypeChecker;
  readonly file: FileContext;
  readonly sourceText: string;
  readonly isJavaScript: boolean;
  private readonly ids = new Map<object, number>();
  private readonly symbolCache = new Map<TSESTree.Node, ts.Symbol | undefined>();
  /** Per variable: its references that are the left or right side of a plain assignment, in order. */
  private readonly assignmentCache = new Map<Variable, TSESTree.Identifier[]>();
  /** The declared property symbols behind `s` keys: one per property the file names, dropped with the analysis. */
  readonly propertySymbols = new Map<string, ts.Symbol>();
  readonly input: FinalizationInput;

  constructor(input: FinalizationInput, model: HandleModel) {
    this.input = input;
    this.checker = model.checker;
    this.file = fileContextFor(input, model);
    const sourceFile = input.services.esTreeNodeToTSNodeMap.get(input.ast)?.getSourceFile();
    this.sourceText = sourceFile?.text ?? '';
    this.isJavaScript = /\.[cm]?jsx?$/.test(sourceFile?.fileName ?? '');
  }

  /**
   * Declared by the default library (`Array#length`, `Object`): no key of a
   * handle. (TypeScript 6's lib files no longer say `no-default-lib`, so the
   * program is asked.)
   */
  inDefaultLib(declaration: ts.Declaration): boolean {
    return this.input.services.program.isSourceFileDefaultLibrary(declaration.getSourceFile());
  }

  symbolOf(node: TSESTree.Node): ts.Symbol | undefined {
    node = unwrap(node);
    if (this.symbolCache.has(node)) return this.symbolCache.get(node);
    const symbol = this.lookUpSymbol(node);
    this.symbolCache.set(node, symbol);
    return symbol;
  }

  private lookUpSymbol(node: TSESTree.Node): ts.Symbol | undefined {
    const tsNode = this.file.tsNode(node);
    if (!tsNode) return undefined;
    let at: ts.Node = tsNode;
    if (ts.isPropertyAccessExpression(tsNode) && !ts.isPrivateIdentifier(tsNode.name) && node.type === AST_NODE_TYPES.MemberExpression) {
      // A member of a receiver whose declared type is one object type: its property, without narrowing the receiver.
      const receiverType = this.file.declaredTypeOf(node.object);
      if (receiverType && !(receiverType.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Union | ts.TypeFlags.Intersection))) {
        const property = this.checker.getPropertyOfType(this.checker.getApparentType(receiverType), tsNode.name.text);
        if (property) return property;
      }
    }
    if (ts.isPropertyAccessExpression(tsNode)) at = tsNode.name;
    else if (ts.isElementAccessExpression(tsNode)) at = tsNode.argumentExpression;
    return this.checker.getSymbolAtLocation(at);
  }

  idOf(value: object): number {
    let id = this.ids.get(value);
    if (id === undefined) this.ids.set(value, (id = this.ids.size));
    return id;
  }

  /** `c3:this.ptr`, `v7.ptr`, `v7`: the structural place an expression reads. */
  placeOf(node: TSESTree.Node): string | undefined {
    node = unwrap(node);
    switch (node.type) {
      case AST_NODE_TYPES.ThisExpression: {
        const context = thisContext(node);
        return context && !context.isStatic ? `c${this.idOf(context.cls)}:this` : undefined;
      }
      case AST_NODE_TYPES.Identifier: {
        const variable = this.file.variableOf(node);
        return variable ? `v${this.idOf(variable)}` : undefined;
      }
      case AST_NODE_TYPES.MemberExpression: {
        const base = this.placeOf(node.object);
        const name = memberName(node);
        return base !== undefined && name !== undefined ? `${base}.${name}` : undefined;
      }
      default:
        return undefined;
    }
  }

  /** A declared property's symbol (`s12`), so `this.ptr` and `other.ptr` of the same class match. */
  propertyKey(node: TSESTree.Node): string | undefined {
    node = unwrap(node);
    if (node.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const symbol = this.symbolOf(node);
    if (!symbol || (symbol.flags & ts.SymbolFlags.Property) === 0) return undefined;
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!declaration || this.inDefaultLib(declaration)) return undefined;
    const key = `s${this.idOf(symbol)}`;
    this.propertySymbols.set(key, symbol);
    return key;
  }

  keysOf(node: TSESTree.Node): Set<string> {
    const keys = new Set<string>();
    const place = this.placeOf(node);
    if (place) keys.add(place);
    const property = this.propertyKey(node);
    if (property) keys.add(property);
    return keys;
  }

  /**
   * Where a local's value comes from, or goes to, in its function:
   * `const p = this.ptr`, `p = this.ptr`, `this[0] = address`.
   */
  originsOf(identifier: TSESTree.Identifier, fn: TSESTree.Node): TSESTree.Node[] {
    const variable = this.file.variableOf(identifier);
    if (!variable) return [];
    const result: TSESTree.Node[] = [];
    for (const definition of variable.defs) {
      if (definition.node.type === AST_NODE_TYPES.VariableDeclarator && definition.node.id.type === AST_NODE_TYPES.Identifier && definition.node.init) {
        result.push(definition.node.init);
      }
    }
    for (const identifier of this.assignmentReferences(variable)) {
      const parent = identifier.parent as TSESTree.AssignmentExpression;
      if (!contains(fn, parent)) continue;
      if (parent.left === identifier) result.push(parent.right);
      else if (unwrap(parent.right) === identifier && parent.left.type === AST_NODE_TYPES.MemberExpression) result.push(parent.left);
    }
    return result;
  }

  /** The references of a variable whose parent is a plain assignment (`=`), once per variable. */
  assignmentReferences(variable: Variable): TSESTree.Identifier[] {
    let result = this.assignmentCache.get(variable);
    if (!result) {
      result = [];
      for (const reference of variable.references) {
        const parent = reference.identifier.parent;
        if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.operator === '=') result.push(reference.identifier as TSESTree.Identifier);
      }
      this.assignmentCache.set(variable, result);
    }
    return result;
  }

  /**
   * The name of the symbol {@link symbolOf} can find for a member, when it
   * is plain: `o.name` (not `o.#name`), `o['name']`, `o[0]` (the property
   * of that name), `o[key]` (the variable `key`), as TypeScript reads the
   * name (escapes decoded, numbers normalised).
   */
  accessedName(node: TSESTree.MemberExpression): string | undefined {
    const property = node.property;
    if (property.type !== AST_NODE_TYPES.Identifier && !(node.computed && property.type === AST_NODE_TYPES.Literal)) return undefined;
    const name = this.file.tsNode(property);
    if (!name) return undefined;
    if (ts.isIdentifier(name)) return name.text;
    return node.computed && (ts.isStringLiteral(name) || ts.isNumericLiteral(name)) ? name.text : undefined;
  }

  /**
   * Keys of a released expression where it is released: its own, and for a
   * local, those of what it was read from (`const p = this.ptr`). A pointer
   * that comes out of a take-out method (`this.__destroy_into_raw()`) is the
   * method's event, not the caller's.
   */
  keysAt(node: TSESTree.Node): Set<string> {
    node = unwrap(node);
    const keys = this.keysOf(node);
    if (node.type === AST_NODE_TYPES.Identifier) {
      const fn = enclosingFunction(node);
      for (const origin of this.originsOf(node, fn)) {
        const source = unwrap(origin);
        if (source.type === AST_NODE_TYPES.CallExpression) continue;
        if (source.type === AST_NODE_TYPES.MemberExpression || source.type === AST_NODE_TYPES.Identifier) {
          for (const key of this.keysOf(source)) keys.add(key);
        }
      }
    }
    return keys;
  }
}
