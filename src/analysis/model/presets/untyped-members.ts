import ts from 'typescript';
import { skipParentheses } from '../ts-nodes.js';
import type { PatternKind } from './compiled-specs.js';
import type { SpecIndex } from './spec-index.js';

/**
 * What such a call may stand for: a release, a scope, or a call that borrows, uses or keeps what it is
 * given, of handles acquired where the types say so. Not an acquisition: the untyped code around it
 * is where the analysis cannot follow a handle on (elm-language-server's `parser.parse(…)` on an
 * untyped parameter, whose tree a field keeps alive through its nodes).
 */
const STANDS_FOR: ReadonlySet<PatternKind> = new Set(['release', 'scope', 'borrow', 'use', 'takeOwnership']);

/**
 * Calls of a spec's API through a receiver the checker cannot type (`any`): tfjs-layers'
 * JavaScript `this.optimizer_.minimize(f)` (a field assigned from an untyped argument), or
 * `instance.tf.dispose(t)` (a field declared without a type that holds the tfjs namespace). Such a
 * call stands for the spec's declaration of its name when the call's file imports a module that
 * exports that declaration: the function itself (`dispose`), or the type that declares the method
 * (`Optimizer`). Asked only for a call whose signature has no declaration and whose name a spec
 * lists; the answer is cached per file and name.
 */
export class UntypedMembers {
  private readonly byFile = new Map<ts.SourceFile, Map<string, ts.Signature | null>>();

  constructor(private readonly index: SpecIndex) {}

  /** The signature of the spec's declaration `receiver.name(…)` stands for, if the receiver is untyped and the file imports one. */
  signatureOf(call: ts.CallExpression): ts.Signature | undefined {
    const callee = skipParentheses(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || ts.isPrivateIdentifier(callee.name) || !this.index.byName.has(callee.name.text)) return undefined;
    const file = call.getSourceFile();
    let byName = this.byFile.get(file);
    if (!byName) this.byFile.set(file, (byName = new Map()));
    const name = callee.name.text;
    let signature = byName.get(name);
    if (signature === undefined) {
      signature = this.importedSignature(file, name) ?? null;
      byName.set(name, signature);
    }
    // The receiver is typed (narrowing it walks the flow) only where the name stands for a declaration.
    if (!signature || !(this.index.checker.getTypeAtLocation(callee.expression).flags & ts.TypeFlags.Any)) return undefined;
    return signature;
  }

  /** The declaration of the first pattern named `name` that a module the file imports exports, from the pattern's modules. */
  private importedSignature(file: ts.SourceFile, name: string): ts.Signature | undefined {
    const checker = this.index.checker;
    const modules = importedModules(file)
      .map((specifier) => checker.getSymbolAtLocation(specifier))
      .filter((symbol): symbol is ts.Symbol => symbol !== undefined);
    const patterns = this.index.byName.get(name) ?? [];
    // A name some spec acquires by (quickjs's `unwrapResult`, which also takes its argument over) stands for nothing.
    if (patterns.some(({ kind }) => !STANDS_FOR.has(kind))) return undefined;
    for (const { pattern, modules: patternModules } of patterns) {
      // Any method of a type (`*`) is too loose a match for a receiver that says nothing of its type.
      const exportName = pattern.method !== undefined ? (pattern.method === '*' ? undefined : pattern.type) : pattern.function;
      if (exportName === undefined) continue;
      for (const moduleSymbol of modules) {
        let exported = checker.tryGetMemberInModuleExports(exportName, moduleSymbol);
        if (exported && exported.flags & ts.SymbolFlags.Alias) exported = checker.getAliasedSymbol(exported);
        const declaration = exported?.declarations?.find((candidate) => this.index.fromModules(this.index.originOf(candidate), patternModules));
        if (!exported || !declaration) continue;
        const member = pattern.method !== undefined ? (ts.isClassLike(declaration) || ts.isInterfaceDeclaration(declaration) ? checker.getDeclaredTypeOfSymbol(exported).getProperty(name) : undefined) : exported;
        const signatures = member ? checker.getTypeOfSymbol(member).getCallSignatures() : [];
        if (signatures.length === 1 && signatures[0].getDeclaration()) return signatures[0];
      }
    }
    return undefined;
  }
}

/** The module names a file imports at its top level: `import`, `export … from`, `import x = require(…)`, and JavaScript's `const x = require(…)` (or a helper around it: `__importStar(require(…))`). */
function importedModules(file: ts.SourceFile): ts.StringLiteral[] {
  const specifiers: ts.StringLiteral[] = [];
  const add = (expression: ts.Expression | undefined): void => {
    if (expression && ts.isStringLiteral(expression)) specifiers.push(expression);
  };
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) add(statement.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) add(statement.moduleReference.expression);
    else if (ts.isVariableStatement(statement) && file.flags & ts.NodeFlags.JavaScriptFile) {
      for (const declaration of statement.declarationList.declarations) add(requiredModule(declaration.initializer));
    }
  }
  return specifiers;
}

/** `require('m')`, or `helper(require('m'))`: the module name. */
function requiredModule(expression: ts.Expression | undefined): ts.Expression | undefined {
  if (!expression || !ts.isCallExpression(expression) || expression.arguments.length !== 1) return undefined;
  const [argument] = expression.arguments;
  if (ts.isIdentifier(expression.expression) && expression.expression.text === 'require') return argument;
  return ts.isCallExpression(argument) ? requiredModule(argument) : undefined;
}
