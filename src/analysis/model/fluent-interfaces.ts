/**
 * Interface methods that hand back the object they are called on: a method an
 * interface of the program declares (`translate(x, y): SkMatrix`, a builder's
 * `setFillType(fill): SkPathBuilder`) whose every implementation among the
 * program's classes that name the interface in their `implements` clause
 * returns `this` (react-native-skia's `JsiSkMatrix`). Its declared result
 * reads as a fresh Disposable, but the caller gets the receiver back. Read
 * from the syntax of those classes, once per method declaration, and asked
 * only of a declaration that would otherwise acquire.
 */
import ts from 'typescript';
import { programClassesWithMethod } from './ts-nodes.js';

export class FluentInterfaces {
  private readonly verdicts = new Map<ts.SignatureDeclaration, boolean>();

  constructor(private readonly program: ts.Program) {}

  /** Does every implementation of this interface method in the program return `this`? */
  returnsReceiver(declaration: ts.SignatureDeclaration): boolean {
    let verdict = this.verdicts.get(declaration);
    if (verdict === undefined) {
      verdict = this.implementationsReturnThis(declaration);
      this.verdicts.set(declaration, verdict);
    }
    return verdict;
  }

  private implementationsReturnThis(declaration: ts.SignatureDeclaration): boolean {
    // `translate(x: number, y: number): SkMatrix`, or `translate: (x: number, y: number) => SkMatrix`.
    const member = ts.isFunctionTypeNode(declaration) && ts.isPropertySignature(declaration.parent) ? declaration.parent : declaration;
    if (!(ts.isMethodSignature(member) || ts.isPropertySignature(member)) || !ts.isIdentifier(member.name) || !ts.isInterfaceDeclaration(member.parent)) return false;
    const file = declaration.getSourceFile();
    if (file.isDeclarationFile || this.program.isSourceFileFromExternalLibrary(file)) return false;
    const iface = member.parent;
    const name = member.name.text;
    const checker = this.program.getTypeChecker();
    let implementations = 0;
    for (const [owner, method] of programClassesWithMethod(this.program, iface.name.text, name)) {
      if (!implementsInterface(checker, owner, iface)) continue;
      if (!returnsOnlyThis(method.body!)) return false;
      implementations++;
    }
    return implementations > 0;
  }
}

/** Does the class name the interface in its `implements` clause? */
function implementsInterface(checker: ts.TypeChecker, declaration: ts.ClassDeclaration, iface: ts.InterfaceDeclaration): boolean {
  for (const clause of declaration.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
    for (const type of clause.types) {
      if (!type.getText().includes(iface.name.text)) continue;
      let symbol = checker.getSymbolAtLocation(type.expression);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      if (symbol?.declarations?.includes(iface)) return true;
    }
  }
  return false;
}

/** Is every `return` of the body (not of functions inside it) `return this`, with at least one? */
function returnsOnlyThis(body: ts.Block): boolean {
  let returns = 0;
  let other = false;
  const visit = (node: ts.Node): void => {
    if (other || ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node)) {
      if (node.expression?.kind === ts.SyntaxKind.ThisKeyword) returns++;
      else other = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return !other && returns > 0;
}
