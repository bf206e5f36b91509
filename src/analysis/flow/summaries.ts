/**
 * Function summaries, computed on demand: of a function of the file being
 * analysed, of another source file of the program (converted to ESTree once
 * per program and model), or of the implementation beside a `.d.ts`. The
 * file context asks through `summaryOf`; the lowering reads the answers.
 */
import { analyze as analyzeScopes } from '@typescript-eslint/scope-manager';
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import { parseAndGenerateServices, simpleTraverse } from '@typescript-eslint/typescript-estree';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import { lowerFunction } from '../ir/lower.js';
import type { MethodSummary } from '../model/call-effects.js';
import type { HandleModel } from '../model/handle-model.js';
import type { ParserServicesLike } from '../program/file-context.js';
import { FileContext } from '../program/file-context.js';
import { KeptResults } from '../program/kept-results.js';
import { releasesPossible } from '../program/prefilter.js';
import { closeQuestion, components, openQuestion, readDefault } from '../model/open-questions.js';
import { runDataflow } from './dataflow.js';

type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

/**
 * Let the model read the summaries of the program's methods (owner classes, model/owner-classes.ts):
 * from the files linted lately, or converted once per program.
 */
export function installSummaries(program: ts.Program, model: HandleModel): void {
  if (model.ownerClasses.summaryOf) return;
  model.ownerClasses.releasesPossible = () => releasesPossible(program, model);
  model.ownerClasses.summaryOf = (declaration) => {
    const declaredIn = declaration.getSourceFile();
    if (declaredIn.isDeclarationFile) return undefined;
    return summariesOfFile(program, declaredIn, model)?.of(declaration);
  };
}

/**
 * The linted file's summaries from its last lint, by function key (program/function-keys.ts: the
 * function's text and that of the same-file declarations it depends on): after an edit, only the
 * functions whose key changed are summarised again. `byKey` holds the ones still valid, and takes
 * the new ones.
 */
export interface KeyedSummaries {
  readonly keyOf: (fn: TSESTree.Node) => string | undefined;
  readonly byKey: Map<string, MethodSummary | null>;
}

/**
 * Give a file's context its summaries: its own functions', and those of the files it calls into.
 * Returns the summary of a function of the file, by its ESTree node.
 */
export function provideSummaries(
  file: FileContext,
  program: ts.Program,
  model: HandleModel,
  thisFile: ts.SourceFile | undefined,
  keyed?: KeyedSummaries,
): (fn: TSESTree.Node) => MethodSummary | undefined {
  // The linted file's own summaries are made per lint (it is the file that changed), but for those an edit left alone.
  const summaries = new Summaries(() => file, new Map(), keyed);
  if (thisFile) keepLinted(model, thisFile, file, summaries);
  file.summaryOf = (declaration) => summaryOf(program, model, thisFile, summaries, declaration);
  return (fn) => {
    const declaration = file.services.esTreeNodeToTSNodeMap.get(fn);
    return declaration && ts.isFunctionLike(declaration) ? summaries.of(declaration) : undefined;
  };
}

/** While `tentatively` runs: how to take back each summary it made or read from a kept one. */
let tentativeLog: (() => void)[] | undefined;

/**
 * Run `work`, and keep the summaries it computes (of any file) only if it says yes: summaries made
 * from kept ones that may no longer hold (program/early-cutoff.ts). The owner classes the model read
 * from summaries meanwhile are forgotten too.
 */
export function tentatively(model: HandleModel, work: () => boolean): boolean {
  const log: (() => void)[] = [];
  tentativeLog = log;
  let accepted = false;
  try {
    accepted = work();
  } finally {
    tentativeLog = undefined;
    if (!accepted) {
      for (const undo of log.reverse()) undo();
      model.ownerClasses.forget();
    }
  }
  return accepted;
}

/**
 * A summary per declaration and depth (see `Summaries.of`), kept across programs while the file's
 * import closure is unchanged (program/kept-results.ts): a summary is plain data (effects per
 * parameter, field names), read from the function's body and the types its file can see.
 */
const keptSummaries = new KeptResults<MethodSummary | null>('any');

/** An ESTree form of a file of the program, as the analysis reads it: its nodes, both ways to TypeScript's, and its scopes. */
interface Conversion {
  readonly ast: TSESTree.Program;
  readonly esTreeNodeToTSNodeMap: ParserServicesLike['esTreeNodeToTSNodeMap'];
  readonly tsNodeToESTreeNodeMap: ParserServicesLike['tsNodeToESTreeNodeMap'];
  readonly scopeManager: ScopeManager;
}

/**
 * Per `ts.SourceFile`: its conversion (null: it failed), made once for every program that keeps
 * the file (the ESTree nodes map to the file's nodes, which are the same objects while it is).
 */
const conversions = new WeakMap<ts.SourceFile, Conversion | null>();
/** The files linted last (ESLint's own conversion of them, oldest first): files linted after often call into them. */
const lintedConversions = new Map<ts.SourceFile, Conversion>();
/** Per model, the summaries of the other files (by their source file) that files of the program called into. */
const foreignSummaries = new WeakMap<HandleModel, Map<ts.SourceFile, Summaries | null>>();
/** Per model, the summaries of the last few files linted (oldest first). */
const lintedSummaries = new WeakMap<HandleModel, Map<ts.SourceFile, Summaries>>();
const MAX_LINTED_KEPT = 4;

/** How often a file was converted to ESTree for summaries, for tests of the caches. */
export const summaryStats = { conversions: 0, summaries: 0 };

/** Keep a linted file's context and ESLint's conversion for the next files: they often call into it, and converting it again costs. */
function keepLinted(model: HandleModel, sourceFile: ts.SourceFile, file: FileContext, summaries: Summaries): void {
  if (sourceFile.text.length > MAX_FOREIGN_FILE_SIZE) return;
  let linted = lintedSummaries.get(model);
  if (!linted) lintedSummaries.set(model, (linted = new Map()));
  linted.delete(sourceFile);
  linted.set(sourceFile, summaries);
  // A lint of the file again in this program (after a tentative one) replaces what other files found of it.
  foreignSummaries.get(model)?.delete(sourceFile);
  if (linted.size > MAX_LINTED_KEPT) linted.delete(linted.keys().next().value!);
  lintedConversions.delete(sourceFile);
  lintedConversions.set(sourceFile, { ast: file.ast, esTreeNodeToTSNodeMap: file.services.esTreeNodeToTSNodeMap, tsNodeToESTreeNodeMap: file.services.tsNodeToESTreeNodeMap, scopeManager: file.scopeManager });
  if (lintedConversions.size > MAX_LINTED_KEPT) lintedConversions.delete(lintedConversions.keys().next().value!);
}
/** Files larger than this (in characters) are not converted for cross-file summaries. */
const MAX_FOREIGN_FILE_SIZE = 300_000;

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
    // Or one declared to return a Disposable, which its body may take from a field instead of making.
    target = takesHandle || returnsDisposable(model, declaration) ? implementationOf(program, declaration) : undefined;
  }
  if (!target) return undefined;
  const declaredIn = target.getSourceFile();
  if (declaredIn === thisFile) return own.of(target);
  return summariesOfFile(program, declaredIn, model)?.of(target);
}

function returnsDisposable(model: HandleModel, declaration: ts.SignatureDeclaration): boolean {
  if (declaration.type === undefined || !model.ownHandlesPossible()) return false;
  const type = model.checker.getTypeFromTypeNode(declaration.type);
  return model.isDisposableType(model.checker.getAwaitedType(type) ?? type) !== false;
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

/**
 * Summaries of another source file of the program, on the first call into it. Declaration files
 * and libraries have no bodies to summarise.
 */
function summariesOfFile(program: ts.Program, sourceFile: ts.SourceFile, model: HandleModel): Summaries | null {
  if (sourceFile.isDeclarationFile || program.isSourceFileFromExternalLibrary(sourceFile)) return null;
  // Converting a bundle (three.core.js is 2 MB) for one callee costs more than the summary is worth.
  if (sourceFile.text.length > MAX_FOREIGN_FILE_SIZE) return null;
  let byFile = foreignSummaries.get(model);
  if (!byFile) foreignSummaries.set(model, (byFile = new Map()));
  const cached = byFile.get(sourceFile);
  if (cached !== undefined) return cached;
  // A file the rules linted lately (a bundle's chunk, linted before the entry that imports it): its own summaries.
  const linted = lintedSummaries.get(model)?.get(sourceFile);
  if (linted) {
    byFile.set(sourceFile, linted);
    return linted;
  }
  let context: FileContext | null | undefined;
  // The file is converted only when a summary it has not kept must be computed.
  const contextOf = (): FileContext | null => {
    if (context !== undefined) return context;
    const conversion = conversionOf(program, sourceFile);
    context = conversion
      ? new FileContext(conversion.ast, { program, esTreeNodeToTSNodeMap: conversion.esTreeNodeToTSNodeMap, tsNodeToESTreeNodeMap: conversion.tsNodeToESTreeNodeMap }, conversion.scopeManager, model)
      : null;
    if (context) context.summaryOf = (declaration) => summaryOf(program, model, sourceFile, summaries, declaration);
    return context;
  };
  const summaries = new Summaries(contextOf, keptSummaries.of(program, model.options, sourceFile));
  byFile.set(sourceFile, summaries);
  return summaries;
}

/** The file's ESTree form: ESLint's, if it linted the file lately, else converted once per source file. */
function conversionOf(program: ts.Program, sourceFile: ts.SourceFile): Conversion | null {
  const linted = lintedConversions.get(sourceFile);
  if (linted) return linted;
  let conversion = conversions.get(sourceFile);
  if (conversion !== undefined) return conversion;
  summaryStats.conversions++;
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
    conversion = { ast: ast as TSESTree.Program, esTreeNodeToTSNodeMap: services.esTreeNodeToTSNodeMap, tsNodeToESTreeNodeMap: services.tsNodeToESTreeNodeMap, scopeManager };
  } catch {
    conversion = null;
  }
  conversions.set(sourceFile, conversion);
  return conversion;
}

/**
 * Declarations whose summary is being computed, by their question's number (model/open-questions.ts),
 * and those computed whose component of the call graph is not closed yet: they call back into a
 * summary still being computed. In a first round, the functions of one component (recursion, direct
 * or through other functions) read each other's calls from their declared types alone, the sound
 * default, whichever of them was asked first; once the component closes, a second round computes
 * each again reading the others' first summaries (`even` hands its parameter to `odd`, which frees
 * it on one path), and those are kept.
 */
const inProgress = new Map<ts.Node, number>();

/** A function of a component, summarised once. */
interface Member {
  readonly declaration: ts.Node;
  readonly index: number;
  readonly summary: MethodSummary | undefined;
  /** Where its summary is kept: the file's summaries, and its function's key there (an editor's). */
  readonly owner: Summaries;
  readonly key: string | undefined;
  readonly file: FileContext;
  readonly fn: FunctionNode;
}
const waiting = new Map<ts.Node, Member>();
/** The second rounds under way, innermost last: the first summaries of their components, and the round's question. */
const secondRounds: { readonly first: ReadonlyMap<ts.Node, MethodSummary | undefined>; readonly index: number }[] = [];
/**
 * Summaries computed inside each other past this many (a chain of helpers each calling the next) are
 * not made: the innermost call is read from its types, as a cycle's is, and nothing is kept for it, so
 * a shallower question computes it. Bounds the stack, not the analysis: real call chains are shorter.
 */
const MAX_NESTED_SUMMARIES = 64;

function summarize(file: FileContext, fn: FunctionNode): MethodSummary | undefined {
  summaryStats.summaries++;
  // The callees' summaries first, each computed once (bottom-up over the call graph, on demand).
  const lowered = lowerFunction(file, fn, { summarize: true });
  return lowered.tooLarge ? undefined : runDataflow(lowered, { checkLeaks: false, summarize: true }).summary;
}

/** The members waiting on the summary numbered `index`, no longer waiting. */
function takeWaiting(index: number): Member[] {
  const members: Member[] = [];
  for (const [declaration, member] of waiting) {
    if (member.index <= index) continue;
    members.push(member);
    waiting.delete(declaration);
  }
  return members;
}

/** A question that is no summary (whether a class owns handles) closed, and summaries waited on it: they are computed again (or forgotten, when it failed). */
components.settle = (index, keep) => {
  const members = takeWaiting(index);
  if (members.length === 0) return false;
  if (keep) secondRound(members);
  return true;
};

/** A closed component's functions summarised again, each reading the others' first summaries; kept. Returns the first's. */
function secondRound(members: readonly Member[]): MethodSummary | undefined {
  const index = openQuestion();
  secondRounds.push({ first: new Map(members.map((member) => [member.declaration, member.summary])), index });
  const summaries: (MethodSummary | undefined)[] = [];
  try {
    for (const member of members) summaries.push(summarize(member.file, member.fn));
  } finally {
    secondRounds.pop();
    closeQuestion();
    // A summary first made in this round that read a first one is forgotten: asked again, it reads the final ones.
    takeWaiting(index);
  }
  members.forEach((member, i) => member.owner.remember(member.declaration, summaries[i] ?? null, member.key));
  return summaries[0];
}

/** Summaries of functions whose bodies are in one file, computed on demand (the file's context only then), with a guard against recursion. */
class Summaries {
  constructor(
    private readonly context: () => FileContext | null,
    private readonly kept: Map<ts.Node, MethodSummary | null>,
    private readonly keyed?: KeyedSummaries,
  ) {}

  of(declaration: ts.SignatureDeclaration): MethodSummary | undefined {
    const known = this.kept.get(declaration);
    if (known !== undefined) return known ?? undefined;
    for (let i = secondRounds.length - 1; i >= 0; i--) {
      const round = secondRounds[i]!;
      if (!round.first.has(declaration)) continue;
      // What reads a first summary is no final answer (model/open-questions.ts).
      readDefault(round.index);
      return round.first.get(declaration);
    }
    const open = inProgress.get(declaration) ?? waiting.get(declaration)?.index;
    if (open !== undefined) {
      readDefault(open);
      return undefined;
    }
    if (inProgress.size >= MAX_NESTED_SUMMARIES) return undefined;
    const file = this.context();
    const fn = file ? this.functionNode(file, declaration) : undefined;
    const key = fn && this.keyed?.keyOf(fn);
    const keptByKey = key === undefined ? undefined : this.keyed!.byKey.get(key);
    if (keptByKey !== undefined) {
      this.remember(declaration, keptByKey, undefined);
      return keptByKey ?? undefined;
    }
    if (!file || !fn) {
      this.remember(declaration, null, undefined);
      return undefined;
    }
    let summary: MethodSummary | undefined;
    const index = openQuestion();
    inProgress.set(declaration, index);
    let final: boolean;
    let threw = true;
    try {
      summary = summarize(file, fn);
      threw = false;
    } finally {
      inProgress.delete(declaration);
      final = closeQuestion();
      // Nothing is kept of a component whose summary failed: asked again, it is computed again.
      if (threw) takeWaiting(index);
    }
    const member: Member = { declaration, index, summary, owner: this, key, file, fn };
    if (!final) {
      // A call back into a summary still being computed: the caller, of the same component, reads this one from its types.
      waiting.set(declaration, member);
      return undefined;
    }
    // The component is closed: alone, its summary is final; with others, they are computed again together.
    const others = takeWaiting(index);
    if (others.length === 0) {
      this.remember(declaration, summary ?? null, key);
      return summary;
    }
    return secondRound([member, ...others]);
  }

  /** Keep a summary (by its declaration, and its function's key), as `tentatively` can take it back. */
  remember(declaration: ts.Node, summary: MethodSummary | null, key: string | undefined): void {
    const kept = this.kept;
    const byKey = this.keyed?.byKey;
    kept.set(declaration, summary);
    if (key !== undefined) byKey!.set(key, summary);
    tentativeLog?.push(() => {
      kept.delete(declaration);
      if (key !== undefined) byKey!.delete(key);
    });
  }

  private functionNode(file: FileContext, signature: ts.SignatureDeclaration): FunctionNode | undefined {
    const declaration = 'body' in signature && signature.body ? signature : this.implementationOf(file, signature);
    if (!declaration) return undefined;
    const node = file.services.tsNodeToESTreeNodeMap.get(declaration);
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
  private implementationOf(file: FileContext, signature: ts.SignatureDeclaration): ts.SignatureDeclaration | undefined {
    const name = signature.name;
    if (!name) return undefined;
    const symbol = file.model.checker.getSymbolAtLocation(name);
    return symbol?.declarations?.find(
      (declaration): declaration is ts.SignatureDeclaration => ts.isFunctionLike(declaration) && 'body' in declaration && declaration.body !== undefined,
    );
  }
}
