/**
 * Function summaries, computed on demand: of a function of the file being
 * analysed, of another source file of the program (converted to ESTree once
 * per program and model), or of the implementation beside a `.d.ts`. The
 * file context asks through `summaryOf`; the lowering reads the answers.
 */
import { analyze as analyzeScopes } from '@typescript-eslint/scope-manager';
import { parseAndGenerateServices, simpleTraverse } from '@typescript-eslint/typescript-estree';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import { lowerFunction } from '../ir/lower.js';
import type { MethodSummary } from '../model/call-effects.js';
import type { HandleModel } from '../model/handle-model.js';
import type { ParserServicesLike } from '../program/file-context.js';
import { FileContext } from '../program/file-context.js';
import { runDataflow } from './dataflow.js';

type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

/** Give a file's context its summaries: its own functions', and those of the files it calls into. */
export function provideSummaries(file: FileContext, program: ts.Program, model: HandleModel, thisFile: ts.SourceFile | undefined): void {
  const summaries = new Summaries(file);
  if (thisFile) keepLinted(model, thisFile, summaries);
  file.summaryOf = (declaration) => summaryOf(program, model, thisFile, summaries, declaration);
}

const foreignSummaries = new WeakMap<HandleModel, Map<string, Summaries | null>>();
/** The summaries of the last few files linted, per model, by file name (oldest first). */
const lintedSummaries = new WeakMap<HandleModel, Map<string, Summaries>>();
const MAX_LINTED_KEPT = 4;

/** Keep a linted file's summaries for the next files: they often call into it, and converting it again costs. */
function keepLinted(model: HandleModel, sourceFile: ts.SourceFile, summaries: Summaries): void {
  if (sourceFile.text.length > MAX_FOREIGN_FILE_SIZE) return;
  let kept = lintedSummaries.get(model);
  if (!kept) lintedSummaries.set(model, (kept = new Map()));
  kept.delete(sourceFile.fileName);
  kept.set(sourceFile.fileName, summaries);
  if (kept.size > MAX_LINTED_KEPT) kept.delete(kept.keys().next().value!);
}
/** Files larger than this (in characters) are not converted for cross-file summaries. */
const MAX_FOREIGN_FILE_SIZE = 300_000;

/**
 * Summaries of another source file of the program: it is converted to
 * ESTree once per program (and model), on the first call into it.
 * Declaration files and libraries have no bodies to summarise.
 */
/** The summary of a callee's declaration: from the file being analysed, another source file, or the implementation beside a `.d.ts`. */
function summaryOf(
  program: ts.Program,
  model: HandleModel,
  thisFile: ts.SourceFile | undefined,
  own: Summaries,
  declaration: ts.SignatureDeclaration,
): MethodSummary | undefined {
  let target: ts.SignatureDeclaration | undefined = declaration;
  if (declaration.getSourceFile().isDeclarationFile) {
    // Reading the implementation parses its file: only for a callee that takes a handle and nothing else at some
    // parameter (`raw: RawVector`), which its body may release. (`a: Tensor | TensorLike` in tfjs-core's ops:
    // the ops are the preset's to describe.)
    const takesHandle = declaration.parameters.some((parameter) => {
      if (parameter.type === undefined) return false;
      const type = model.checker.getTypeFromTypeNode(parameter.type);
      return !type.isUnion() && !(type.flags & ts.TypeFlags.TypeParameter) && model.isHandleType(type);
    });
    target = takesHandle ? implementationOf(program, declaration) : undefined;
  }
  if (!target) return undefined;
  const declaredIn = target.getSourceFile();
  if (declaredIn === thisFile) return own.of(target);
  return summariesOfFile(program, declaredIn, model)?.of(target);
}

/**
 * The implementation, in a JavaScript file of the program, of a function or class method that
 * a `.d.ts` beside it declares: shipped code linted with its generated types, where
 * `import { VectorOps } from './math'` resolves to math.d.ts, not to the math.js that rapier's
 * `VectorOps.fromRaw(raw)` (which frees `raw`) is written in. Found by name: a top-level
 * function, or a method (static or not) of a top-level class.
 */
function implementationOf(program: ts.Program, declaration: ts.SignatureDeclaration): ts.SignatureDeclaration | undefined {
  const fileName = declaration.getSourceFile().fileName;
  const match = /\.d\.([mc]?)ts$/.exec(fileName);
  if (!match) return undefined;
  const base = fileName.slice(0, match.index);
  const extensions = match[1] ? [`.${match[1]}js`] : ['.js', '.mjs', '.cjs'];
  let js: ts.SourceFile | undefined;
  for (const extension of extensions) js ??= program.getSourceFile(base + extension);
  if (!js || js.isDeclarationFile) return undefined;
  const nameOf = (node: ts.Node): string | undefined => {
    const name = (node as { readonly name?: ts.Node }).name;
    return name && ts.isIdentifier(name) ? name.text : undefined;
  };
  const name = nameOf(declaration);
  if (name === undefined) return undefined;
  if (ts.isFunctionDeclaration(declaration) && ts.isSourceFile(declaration.parent)) {
    return js.statements.find((statement): statement is ts.FunctionDeclaration => ts.isFunctionDeclaration(statement) && statement.body !== undefined && nameOf(statement) === name);
  }
  if (ts.isMethodDeclaration(declaration) && ts.isClassDeclaration(declaration.parent) && ts.isSourceFile(declaration.parent.parent)) {
    const className = nameOf(declaration.parent);
    const isStatic = ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Static;
    const cls = js.statements.find((statement): statement is ts.ClassDeclaration => ts.isClassDeclaration(statement) && nameOf(statement) === className);
    return cls?.members.find(
      (member): member is ts.MethodDeclaration => ts.isMethodDeclaration(member) && member.body !== undefined && nameOf(member) === name && (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static) === isStatic,
    );
  }
  return undefined;
}

function summariesOfFile(program: ts.Program, sourceFile: ts.SourceFile, model: HandleModel): Summaries | null {
  if (sourceFile.isDeclarationFile || program.isSourceFileFromExternalLibrary(sourceFile)) return null;
  // Converting a bundle (three.core.js is 2 MB) for one callee costs more than the summary is worth.
  if (sourceFile.text.length > MAX_FOREIGN_FILE_SIZE) return null;
  let byFile = foreignSummaries.get(model);
  if (!byFile) foreignSummaries.set(model, (byFile = new Map()));
  const cached = byFile.get(sourceFile.fileName);
  if (cached !== undefined) return cached;
  // A file the rules linted lately (a bundle's chunk, linted before the entry that imports it): no conversion.
  const linted = lintedSummaries.get(model)?.get(sourceFile.fileName);
  if (linted) {
    byFile.set(sourceFile.fileName, linted);
    return linted;
  }
  let summaries: Summaries | null;
  try {
    const { ast, services } = parseAndGenerateServices(sourceFile, {
      filePath: sourceFile.fileName,
      programs: [program],
      range: true,
      loc: true,
      jsx: /\.[jt]sx$/.test(sourceFile.fileName),
    });
    // FileContext finds an identifier's scope through its parents, which ESLint sets on the files it lints.
    simpleTraverse(ast, { enter: () => undefined }, true);
    const scopeManager = analyzeScopes(ast, { sourceType: 'module' });
    const file = new FileContext(ast as TSESTree.Program, services as ParserServicesLike, scopeManager, model);
    const fileSummaries = new Summaries(file);
    file.summaryOf = (declaration) => summaryOf(program, model, sourceFile, fileSummaries, declaration);
    summaries = fileSummaries;
  } catch {
    summaries = null;
  }
  byFile.set(sourceFile.fileName, summaries);
  return summaries;
}

/** Summaries of functions whose bodies are in this file, computed on demand, with a guard against recursion. */
/** How many summaries are being computed inside each other (see `Summaries.of`). */
let summaryDepth = 0;
const MAX_SUMMARY_DEPTH = 2;

class Summaries {
  private readonly cache = new Map<ts.Node, MethodSummary | undefined>();
  private readonly inProgress = new Set<ts.Node>();

  constructor(private readonly file: FileContext) {}

  of(declaration: ts.SignatureDeclaration): MethodSummary | undefined {
    if (this.cache.has(declaration)) return this.cache.get(declaration);
    if (this.inProgress.has(declaration)) return undefined;
    const fn = this.functionNode(declaration);
    if (!fn) {
      this.cache.set(declaration, undefined);
      return undefined;
    }
    this.inProgress.add(declaration);
    summaryDepth++;
    let summary: MethodSummary | undefined;
    try {
      // Summaries of summaries stop two levels down: in a large file the
      // callees of callees would otherwise pull in most of the file.
      const lowered = lowerFunction(this.file, fn, { summarize: true, withSummaries: summaryDepth < MAX_SUMMARY_DEPTH });
      if (!lowered.tooLarge) summary = runDataflow(lowered, { checkLeaks: false, summarize: true }).summary;
    } finally {
      summaryDepth--;
      this.inProgress.delete(declaration);
    }
    this.cache.set(declaration, summary);
    return summary;
  }

  private functionNode(signature: ts.SignatureDeclaration): FunctionNode | undefined {
    const declaration = 'body' in signature && signature.body ? signature : this.implementationOf(signature);
    if (!declaration) return undefined;
    const node = this.file.services.tsNodeToESTreeNodeMap.get(declaration);
    if (!node) return undefined;
    if (
      node.type === AST_NODE_TYPES.FunctionDeclaration ||
      node.type === AST_NODE_TYPES.FunctionExpression ||
      node.type === AST_NODE_TYPES.ArrowFunctionExpression
    ) {
      return node;
    }
    if ((node.type === AST_NODE_TYPES.MethodDefinition || node.type === AST_NODE_TYPES.Property) && node.value.type === AST_NODE_TYPES.FunctionExpression) {
      return node.value;
    }
    return undefined;
  }

  /** An overload signature's implementation (the declaration of the same symbol that has a body). */
  private implementationOf(signature: ts.SignatureDeclaration): ts.SignatureDeclaration | undefined {
    const name = signature.name;
    if (!name) return undefined;
    const symbol = this.file.model.checker.getSymbolAtLocation(name);
    return symbol?.declarations?.find(
      (declaration): declaration is ts.SignatureDeclaration => ts.isFunctionLike(declaration) && 'body' in declaration && declaration.body !== undefined,
    );
  }
}
