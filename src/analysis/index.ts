/**
 * The analysis entry point: one call per file, shared by every rule.
 * It takes the ESTree AST, the parser services and a scope manager; it does
 * not import ESLint.
 */
import { analyze as analyzeScopes } from '@typescript-eslint/scope-manager';
import { parseAndGenerateServices, simpleTraverse } from '@typescript-eslint/typescript-estree';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import { runDataflow } from './flow/dataflow.js';
import type { MethodSummary } from './model/call-effects.js';
import type { ParserServicesLike } from './program/file-context.js';
import type { AnalysisInput } from './program/input.js';
import { FileContext, fileContextFor } from './program/file-context.js';
import type { Finding } from './flow/findings.js';
import type { HandleModelOptions } from './model/handle-model.js';
import { defaultHandleModelOptions, HandleModel } from './model/handle-model.js';
import { analyzeClassObligations } from './checks/class-obligations.js';
import type { ClassObligationFinding } from './checks/class-obligations.js';
import { lowerFunction } from './ir/lower.js';
import { calleeVocabulary, mayTouchHandles, scanFile } from './program/prefilter.js';
import type { CalleeVocabulary } from './program/prefilter.js';
import { CompiledSpecs, presets } from './model/presets/index.js';
import type { HandleLifetimeSettings } from './model/settings.js';
import { specFromSettings } from './model/settings.js';

export type { Finding, FindingKind, LeakKind, TraceStep } from './flow/findings.js';
export type { ClassObligationFinding, ClassObligationKind, OwnedField } from './checks/class-obligations.js';
export type { HandleModelOptions } from './model/handle-model.js';
export { presetNames } from './model/presets/index.js';
export type { HandleApiSpec } from './model/presets/index.js';
export type { HandleLifetimeSettings } from './model/settings.js';
export { validateSettings } from './model/settings.js';
export { analyzeNativeCallbacks } from './checks/native-callbacks.js';
export type { NativeCallbackAnalysis, PrematureCallbackRelease } from './checks/native-callbacks.js';
export { HandleModel } from './model/handle-model.js';
export { analyzeHandleStores, PERMANENT_STORE_COMMENT } from './checks/stores/handle-stores.js';
export type { HandleStore, HandleStoreAnalysis, StoreFinding, StoreSite } from './checks/stores/handle-stores.js';
export type { FinalizationAnalysis, FinalizerFinding, FinalizerFindingKind, TextEdit } from './checks/finalizers/finalization.js';
export { analyzeFinalizers, RELEASE_CALL_NAME } from './checks/finalizers/finalization.js';
export { FileScanBuilder } from './program/prefilter.js';
export type { FileScan } from './program/prefilter.js';

export type { AnalysisInput } from './program/input.js';

export interface AnalysisOptions {
  readonly model?: Partial<HandleModelOptions>;
  /**
   * `settings['handle-lifetime']`, already validated (src/analysis/settings.ts):
   * presets to turn off and APIs to describe. Every preset is on when absent.
   */
  readonly settings?: HandleLifetimeSettings;
  /** Told how each function went and how long it took (the benchmark's per-function figures). */
  readonly onFunction?: (fn: TSESTree.Node, outcome: FunctionOutcome, ms: number, error?: unknown) => void;
}

/** `prefiltered`: touches no handle; `too-large` / `over-budget` / `error`: skipped. */
export type FunctionOutcome = 'prefiltered' | 'analysed' | 'too-large' | 'over-budget' | 'error';

const compiledSpecsCache = new Map<string, CompiledSpecs>();

/** The presets that are on, after the settings' own spec (settings win over presets). */
export function compiledSpecsFor(settings: HandleLifetimeSettings = {}): CompiledSpecs {
  const fromSettings = specFromSettings(settings);
  const specs = [...(fromSettings ? [fromSettings] : []), ...presets.filter((preset) => settings.presets?.[preset.name] !== false)];
  const compiled = new CompiledSpecs(specs);
  const cached = compiledSpecsCache.get(compiled.key);
  if (cached) return cached;
  compiledSpecsCache.set(compiled.key, compiled);
  return compiled;
}

export interface FileAnalysis {
  readonly findings: readonly Finding[];
  /** Classes that own handles and do not release them all (see class-obligations.ts). */
  readonly classFindings: readonly ClassObligationFinding[];
  /** Functions past the analysis budget: skipped, with no report. */
  readonly skipped: readonly TSESTree.Node[];
  readonly functionsAnalysed: number;
  readonly model: HandleModel;
}

type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

const modelCache = new WeakMap<ts.Program, Map<string, HandleModel>>();
const analysisCache = new WeakMap<TSESTree.Program, FileAnalysis>();

/** The model for a program, shared by every file of it (its caches are per type and declaration). */
export function handleModelFor(program: ts.Program, options: AnalysisOptions = {}): HandleModel {
  // The rules ask once per file each, with the same settings object: skip compiling the specs and the key.
  const settings = options.model === undefined ? options.settings : undefined;
  const bySettings = settings ? modelsBySettings.get(program) : undefined;
  const known = settings ? bySettings?.get(settings) : undefined;
  if (known) return known;
  const model = modelFor(program, options);
  if (settings) {
    if (bySettings) bySettings.set(settings, model);
    else modelsBySettings.set(program, new WeakMap([[settings, model]]));
  }
  return model;
}

const modelsBySettings = new WeakMap<ts.Program, WeakMap<HandleLifetimeSettings, HandleModel>>();

function modelFor(program: ts.Program, options: AnalysisOptions): HandleModel {
  const specs = options.model?.specs ?? compiledSpecsFor(options.settings);
  const resolved: HandleModelOptions = {
    ...defaultHandleModelOptions,
    ...options.model,
    // Presets add their liveness checks (`alive`, `isDeleted`) to the defaults.
    livenessMemberNames: [...new Set([...(options.model?.livenessMemberNames ?? defaultHandleModelOptions.livenessMemberNames), ...specs.livenessMembers])],
    specs,
    ...(options.settings?.notHandles?.length ? { notHandles: options.settings.notHandles } : {}),
  };
  // The specs serialise to their key (CompiledSpecs#toJSON).
  const key = JSON.stringify(resolved);
  let byOptions = modelCache.get(program);
  if (!byOptions) modelCache.set(program, (byOptions = new Map()));
  let model = byOptions.get(key);
  if (!model) byOptions.set(key, (model = new HandleModel(program, resolved)));
  return model;
}

/** Analyse a file once; later calls with the same AST return the same result. */
export function analyzeFile(input: AnalysisInput, options: AnalysisOptions = {}): FileAnalysis {
  const cached = analysisCache.get(input.ast);
  if (cached) return cached;
  const result = runAnalysis(input, options);
  analysisCache.set(input.ast, result);
  return result;
}

/**
 * The analysis of a file if a rule already ran it, without running it: the
 * CLI reads the traces after the rules, so the analysis still runs once.
 */
export function cachedFileAnalysis(ast: TSESTree.Program): FileAnalysis | undefined {
  return analysisCache.get(ast);
}

function runAnalysis(input: AnalysisInput, options: AnalysisOptions): FileAnalysis {
  const model = handleModelFor(input.services.program, options);
  const file = fileContextFor(input, model);
  const summaries = new Summaries(file);
  const thisFile = input.services.esTreeNodeToTSNodeMap.get(input.ast)?.getSourceFile();
  if (thisFile) keepLinted(model, thisFile, summaries);
  file.summaryOf = (declaration) => summaryOf(input.services.program, model, thisFile, summaries, declaration);

  const findings: Finding[] = [];
  const skipped: TSESTree.Node[] = [];
  const scan = input.scan ?? scanFile(input.ast);
  const { functions, classes } = scan;
  let vocabulary: CalleeVocabulary | undefined;
  try {
    vocabulary = calleeVocabulary(file, scan);
  } catch (error) {
    if (!(error instanceof RangeError) && !(error instanceof TypeError)) throw error;
  }
  for (const fn of functions) {
    const started = options.onFunction ? performance.now() : 0;
    let outcome: FunctionOutcome = 'prefiltered';
    let failure: unknown;
    try {
      // Most functions of most files touch no handle: a cheap look first.
      if (vocabulary ? vocabulary.touching.has(fn) : mayTouchHandles(file, fn)) {
        // Nothing acquired, released or tested: no finding can arise. The probe does not type what
        // calls return (most functions of a library like tfjs-core only pass tensors along).
        const probe = lowerFunction(file, fn, { probe: true });
        const lowered = probe.tooLarge || probe.mayReport ? lowerFunction(file, fn) : probe;
        if (lowered.tooLarge) outcome = 'too-large';
        else if (!lowered.mayReport) outcome = 'analysed';
        else {
          const result = runDataflow(lowered, { checkLeaks: fn.type !== AST_NODE_TYPES.Program, summarize: false });
          outcome = result.skipped ? 'over-budget' : 'analysed';
          findings.push(...withoutScopedLeaks(file, fn, result.findings));
        }
      }
    } catch (error) {
      // Never a crash: a function the analysis (or the checker under it) cannot handle is skipped.
      if (!(error instanceof RangeError) && !(error instanceof TypeError)) throw error;
      outcome = 'error';
      failure = error;
    }
    if (outcome === 'too-large' || outcome === 'over-budget' || outcome === 'error') skipped.push(fn);
    options.onFunction?.(fn, outcome, performance.now() - started, failure);
  }
  findings.sort((a, b) => a.node.range[0] - b.node.range[0] || a.kind.localeCompare(b.kind));
  const classFindings = analyzeClassObligations(
    file,
    findings.filter((finding) => finding.kind === 'field-overwrite'),
    { classes, mayAcquire: vocabulary ? (classNode) => classMayAcquire(file, classNode, vocabulary) : undefined },
  );
  return { findings, classFindings, skipped, functionsAnalysed: functions.length, model };
}

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

/**
 * Can this class acquire a handle at all? Its methods are in the
 * vocabulary's touching set, or a field initialiser or static block makes a
 * call the prefilter cannot rule out, or a constructor parameter property
 * may take ownership (`@owned`).
 */
function classMayAcquire(file: FileContext, classNode: ClassNode, vocabulary: CalleeVocabulary): boolean {
  for (const member of classNode.body.body) {
    switch (member.type) {
      case AST_NODE_TYPES.MethodDefinition:
        if (vocabulary.touching.has(member.value)) return true;
        if (member.kind === 'constructor' && member.value.params.some((param) => param.type === AST_NODE_TYPES.TSParameterProperty)) return true;
        break;
      case AST_NODE_TYPES.PropertyDefinition:
      case AST_NODE_TYPES.AccessorProperty:
        if (member.value && (isFunctionNode(member.value) ? vocabulary.touching.has(member.value) : mayTouchHandles(file, member.value, vocabulary))) return true;
        break;
      case AST_NODE_TYPES.StaticBlock:
        if (mayTouchHandles(file, member, vocabulary)) return true;
        break;
      default:
        // Index signatures and abstract members hold no code.
        break;
    }
  }
  return false;
}

/**
 * The findings, less the leaks of handles that a scope around every caller disposes: a top-level
 * function whose every call site is inside `tf.tidy(() => …)` (tfjs-converter's executors) runs in
 * that scope, which disposes what it allocates and drops. Asked only when such a leak is found.
 */
function withoutScopedLeaks(file: FileContext, fn: TSESTree.Node, findings: readonly Finding[]): readonly Finding[] {
  const specs = file.model.specs;
  if (!specs) return findings;
  // A leak of a handle of a spec with scopes (tfjs), before any search for callers.
  const isScopedLeak = (finding: Finding, scopes?: readonly number[]): boolean => {
    if ((finding.kind !== 'leak' && finding.kind !== 'leak-on-exception') || finding.acquiredAt === undefined) return false;
    const type = file.typeOf(finding.acquiredAt);
    return type !== undefined && specs.isScopedHandle(type, scopes);
  };
  if (!findings.some((finding) => isScopedLeak(finding))) return findings;
  const declaration = topLevelDeclarationOf(file, fn);
  const scopes = declaration ? specs.calledOnlyInScopes(declaration) : [];
  if (scopes.length === 0) return findings;
  return findings.filter((finding) => !isScopedLeak(finding, scopes));
}

/** `function f() {}` or `const f = () => …` at the top level of its file: its TypeScript declaration. */
function topLevelDeclarationOf(file: FileContext, fn: TSESTree.Node): ts.FunctionDeclaration | ts.VariableDeclaration | undefined {
  const parent = fn.parent;
  const target =
    fn.type === AST_NODE_TYPES.FunctionDeclaration
      ? fn
      : (fn.type === AST_NODE_TYPES.ArrowFunctionExpression || fn.type === AST_NODE_TYPES.FunctionExpression) && parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === fn
        ? parent
        : undefined;
  if (!target) return undefined;
  const tsNode = file.services.esTreeNodeToTSNodeMap.get(target);
  return tsNode && (ts.isFunctionDeclaration(tsNode) || ts.isVariableDeclaration(tsNode)) ? tsNode : undefined;
}

function isFunctionNode(node: TSESTree.Node): node is FunctionNode {
  return node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.ArrowFunctionExpression;
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
