/**
 * The module objects of a spec's `moduleShape` in a program (see types.ts):
 * which declarations are such modules, and which classes and interfaces they
 * construct. Read once per program and shape, and only in the files whose
 * text declares every member of the shape.
 */
import ts from 'typescript';
import { filesDeclaringMembers } from '../../program/program-facts.js';
import type { ModuleShape } from './types.js';

interface ShapeModules {
  /** Where the module's own members are declared: an interface, a class, a type literal, or a namespace's body. */
  readonly containers: ReadonlySet<ts.Node>;
  /** The classes and interfaces the modules construct. */
  readonly constructed: ReadonlySet<ts.Symbol>;
}

export class ModuleShapes {
  private readonly found = new Map<ModuleShape, ShapeModules>();

  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
  ) {}

  /** Can the program declare a module of the shape (a file's text declares its every member)? */
  possible(shape: ModuleShape): boolean {
    return filesDeclaringMembers(this.program, shape.members).size > 0;
  }

  /** Is the class or interface one that a module of the shape constructs? */
  constructs(shape: ModuleShape, symbol: ts.Symbol): boolean {
    return this.modules(shape).constructed.has(symbol);
  }

  /** Is the method or function declared by a module of the shape? */
  declaresMember(shape: ModuleShape, declaration: ts.Declaration): boolean {
    const container = declaration.parent;
    return container !== undefined && this.modules(shape).containers.has(container);
  }

  private modules(shape: ModuleShape): ShapeModules {
    let modules = this.found.get(shape);
    if (!modules) {
      modules = this.collect(shape);
      this.found.set(shape, modules);
    }
    return modules;
  }

  private collect(shape: ModuleShape): ShapeModules {
    const containers = new Set<ts.Node>();
    const constructed = new Set<ts.Symbol>();
    for (const fileName of filesDeclaringMembers(this.program, shape.members)) {
      const file = this.program.getSourceFile(fileName);
      const visit = (node: ts.Node): void => {
        // A module is declared, never built in a function's body.
        if (ts.isBlock(node)) return;
        if (ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node) || ts.isTypeLiteralNode(node)) this.readObjectModule(node, shape, containers, constructed);
        else if (ts.isModuleBlock(node)) this.readNamespaceModule(node, shape, containers, constructed);
        ts.forEachChild(node, visit);
      };
      if (file) visit(file);
    }
    return { containers, constructed };
  }

  /** `interface Draco3D { destroy(x): void; _malloc(n): number; Decoder: typeof Decoder }`, with members it inherits. */
  private readObjectModule(
    node: ts.InterfaceDeclaration | ts.ClassDeclaration | ts.TypeLiteralNode,
    shape: ModuleShape,
    containers: Set<ts.Node>,
    constructed: Set<ts.Symbol>,
  ): void {
    // Asked of the checker only where the members are declared here or may be inherited.
    const inherits = !ts.isTypeLiteralNode(node) && node.heritageClauses !== undefined;
    if (!inherits && !shape.members.every((member) => declaredIn(node, member))) return;
    const symbol = ts.isTypeLiteralNode(node) ? undefined : node.name && this.checker.getSymbolAtLocation(node.name);
    const type = symbol ? this.checker.getDeclaredTypeOfSymbol(symbol) : this.checker.getTypeAtLocation(node);
    const members = shape.members.map((member) => type.getProperty(member));
    if (members.some((member) => member === undefined)) return;
    containers.add(node);
    for (const member of members) for (const declaration of member!.declarations ?? []) containers.add(declaration.parent);
    for (const property of type.getProperties()) {
      if (!property.declarations?.some((declaration) => constructorTyped(declaration))) continue;
      for (const signature of this.checker.getTypeOfSymbol(property).getConstructSignatures()) {
        const instance = signature.getReturnType().getSymbol();
        if (instance && isGlue(instance)) constructed.add(instance);
      }
    }
  }

  /** `declare module Ammo { function destroy(obj: any): void; function _malloc(size: number): number; class btVector3 {…} }`. */
  private readNamespaceModule(block: ts.ModuleBlock, shape: ModuleShape, containers: Set<ts.Node>, constructed: Set<ts.Symbol>): void {
    const declared = new Set<string>();
    for (const statement of block.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name) declared.add(statement.name.text);
      else if (ts.isVariableStatement(statement)) for (const variable of statement.declarationList.declarations) if (ts.isIdentifier(variable.name)) declared.add(variable.name.text);
    }
    if (!shape.members.every((member) => declared.has(member))) return;
    containers.add(block);
    for (const statement of block.statements) {
      if (!(ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement)) || !statement.name) continue;
      const symbol = this.checker.getSymbolAtLocation(statement.name);
      if (symbol && isGlue(symbol)) constructed.add(symbol);
    }
  }
}

/** Does the interface, class or type literal itself declare the member? */
function declaredIn(node: ts.InterfaceDeclaration | ts.ClassDeclaration | ts.TypeLiteralNode, member: string): boolean {
  return node.members.some((element) => element.name !== undefined && ts.isIdentifier(element.name) && element.name.text === member);
}

/** A member typed as a constructor: `Decoder: typeof Decoder`, `Mesh: new () => Mesh`. */
function constructorTyped(declaration: ts.Declaration): boolean {
  const type = (ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.type;
  return type !== undefined && type !== false && (ts.isTypeQueryNode(type) || ts.isConstructorTypeNode(type));
}

/** Generated glue, not the program's own class: an interface, or a declared class (`declare class`, a declaration file's). */
function isGlue(symbol: ts.Symbol): boolean {
  const declarations = symbol.declarations ?? [];
  return (
    declarations.length > 0 &&
    declarations.every((declaration) => ts.isInterfaceDeclaration(declaration) || (ts.isClassDeclaration(declaration) && isAmbient(declaration)))
  );
}

/** In a declaration file, or `declare`d itself or by a namespace around it. */
function isAmbient(node: ts.Node): boolean {
  if (node.getSourceFile().isDeclarationFile) return true;
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if ((ts.isClassDeclaration(current) || ts.isModuleDeclaration(current)) && current.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.DeclareKeyword)) return true;
  }
  return false;
}
