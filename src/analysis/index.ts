/**
 * The analysis entry point: one call per file, shared by every rule.
 * It takes the ESTree AST, the parser services and a scope manager; it does
 * not import ESLint. How the parts fit: README.md beside this file.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import type ts from 'typescript';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { analyzeClassObligations } from './checks/class-obligations.js';
import type { ClassObligationFinding } from './checks/class-obligations.js';
import { withoutIdentityArguments } from './checks/identity-arguments.js';
import { withoutScopedLeaks } from './checks/scoped-leaks.js';
import { runDataflow } from './flow/dataflow.js';
import type { Finding } from './flow/findings.js';
import { installSummaries, provideSummaries, tentatively } from './flow/summaries.js';
import { inferredApiKeys, withInferredReasons } from './inference/inferred-findings.js';
import { lowerFunction } from './ir/lower.js';
import type { MethodSummary } from './model/call-effects.js';
import type { HandleModel } from './model/handle-model.js';
import { handleModelFor as modelOfProgram } from './model/model-cache.js';
import { fileContextFor } from './program/file-context.js';
import { installKeptDeclarationFacts } from './program/kept-declaration-facts.js';
import type { FileContext } from './program/file-context.js';
import { filesAreEdited } from './program/program-changes.js';
import { FileUnits } from './program/function-keys.js';
import type { UnitRecord } from './program/function-keys.js';
import { cutoffHolds, inferredReturnType, outermostFunctions, standIns } from './program/early-cutoff.js';
import type { AnalysisInput, AnalysisOptions, FunctionOutcome } from './program/input.js';
import type { KeptFile, KeptFunction } from './program/kept-functions.js';
import { decodeFindings, encodeFindings, keepFile, keptAnswer, keptFile, keptFunctionStats, keptByKey, keptOutcomes } from './program/kept-functions.js';
import { calleeVocabulary, classMayAcquire, mayTouchHandles, scanFile } from './program/prefilter.js';
import type { CalleeVocabulary } from './program/prefilter.js';

export type { Finding, FindingKind, LeakKind, TraceStep } from './flow/findings.js';
export { RELEASED_BEFORE_TEST } from './flow/findings.js';
export type { InferredReason } from './inference/inferred-reason.js';
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
export { isFinalizerCallback } from './ir/ast.js';
export type { FileScan } from './program/prefilter.js';

export type { AnalysisInput, AnalysisOptions, FunctionOutcome } from './program/input.js';
export { compiledSpecsFor } from './model/model-cache.js';

/** The model for a program, shared by every file of it, able to read the program's summaries (owner classes ask them). */
export function handleModelFor(program: ts.Program, options: AnalysisOptions = {}): HandleModel {
  const model = modelOfProgram(program, options);
  installSummaries(program, model);
  installKeptDeclarationFacts(program, model);
  return model;
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

const analysisCache = new WeakMap<TSESTree.Program, FileAnalysis>();

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
  const sourceFile = input.services.esTreeNodeToTSNodeMap.get(input.ast)?.getSourceFile();

  const findings: Finding[] = [];
  const skipped: TSESTree.Node[] = [];
  const scan = input.scan ?? scanFile(input.ast);
  const { functions, classes } = scan;
  // Functions an edit left alone keep their outcome and summary from the file's last lint (kept-functions.ts),
  // while the usage inference decides as it did then (its evidence comes from every function of the program).
  const program = input.services.program;
  const inferring = (model.inference?.acquisitionNames.size ?? 0) > 0;
  const inference = inferring ? model.inference!.decisions : '';
  const keptOfFile = sourceFile && filesAreEdited(program) ? keptFile(program, model.options, sourceFile.fileName, inference) : undefined;
  const units = sourceFile && keptOfFile ? new FileUnits(input.ast, sourceFile.text, functions, new Set(model.options.releaseMethodNames)) : undefined;
  const { keys, summariesByKey, returnTypes, unitRecords } =
    keptOfFile && units ? keyFunctions(input, file, model, keptOfFile, units) : { keys: new Map<TSESTree.Node, string>(), summariesByKey: undefined, returnTypes: undefined, unitRecords: undefined };
  if (!summariesByKey) provideSummaries(file, program, model, sourceFile);
  const kept = keptOfFile ? keptOutcomes(keptOfFile, keys) : new Map<TSESTree.Node, KeptFunction>();
  const toKeep = new Map<string, KeptFunction>();
  let vocabulary: CalleeVocabulary | undefined;
  try {
    vocabulary = calleeVocabulary(file, scan, new Map([...kept].map(([fn, outcome]) => [fn, outcome.touching])));
  } catch (error) {
    if (!(error instanceof RangeError) && !(error instanceof TypeError)) throw error;
  }
  for (const fn of functions) {
    const started = options.onFunction ? performance.now() : 0;
    let outcome: FunctionOutcome = 'prefiltered';
    let failure: unknown;
    const key = keys.get(fn);
    const keptFunction = kept.get(fn);
    const keptFindings = keptFunction && decodeFindings(fn, keptFunction.findings);
    if (keptFunction && keptFindings && key !== undefined) {
      keptFunctionStats.reused++;
      outcome = keptFunction.outcome;
      findings.push(...withInferredReasons(file, keptFindings, keptFunction.inferredApis));
      toKeep.set(key, keptFunction);
    } else {
      let own: readonly Finding[] = [];
      let reported: readonly Finding[] = [];
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
            own = withoutIdentityArguments(file, withoutScopedLeaks(file, fn, result.findings));
            reported = withInferredReasons(file, own);
          }
        }
      } catch (error) {
        // Never a crash: a function the analysis (or the checker under it) cannot handle is skipped.
        if (!(error instanceof RangeError) && !(error instanceof TypeError)) throw error;
        outcome = 'error';
        failure = error;
        reported = [];
      }
      keptFunctionStats.analysed++;
      const encoded = key !== undefined && vocabulary && outcome !== 'error' ? encodeFindings(fn, own) : undefined;
      if (key !== undefined && vocabulary && encoded) {
        toKeep.set(key, { outcome, touching: vocabulary.touching.has(fn), findings: encoded, inferredApis: inferring ? inferredApiKeys(file, own) : [] });
      }
      findings.push(...reported);
    }
    if (outcome === 'too-large' || outcome === 'over-budget' || outcome === 'error') skipped.push(fn);
    options.onFunction?.(fn, outcome, performance.now() - started, failure);
  }
  findings.sort((a, b) => a.node.range[0] - b.node.range[0] || a.kind.localeCompare(b.kind));
  const answers = new Map<string, boolean>();
  const classFindings = analyzeClassObligations(
    file,
    findings.filter((finding) => finding.kind === 'field-overwrite'),
    {
      classes,
      mayAcquire: vocabulary ? (classNode) => classMayAcquire(file, classNode, vocabulary) : undefined,
      // Not kept under the usage inference: an acquisition it made is explained from this program's classification.
      acquisitions: keptOfFile && !inferring ? (value, method, compute) => keptAnswer(keptOfFile, answers, method && keys.get(method), method, value, compute) : undefined,
    },
  );
  if (sourceFile && keptOfFile && vocabulary) keepFile(program, model.options, sourceFile.fileName, inference, {
      functions: toKeep,
      answers,
      summaries: summariesByKey ?? new Map(),
      returnTypes: returnTypes ?? new Map(),
      units: unitRecords ?? [],
    });
  return { findings, classFindings, skipped, functionsAnalysed: functions.length, model };
}

/**
 * The keys of the file's functions, with its summaries provided and kept by them. An edit inside
 * units that read the same to the rest of the file leaves the other functions their last keys
 * (program/early-cutoff.ts); the edited units' inferred return types are noted for the next lint.
 */
function keyFunctions(
  input: AnalysisInput,
  file: FileContext,
  model: HandleModel,
  kept: KeptFile,
  units: FileUnits,
): { keys: Map<TSESTree.Node, string>; summariesByKey: Map<string, MethodSummary | null>; returnTypes: Map<string, string>; unitRecords: UnitRecord[] } {
  const program = input.services.program;
  const sourceFile = input.services.esTreeNodeToTSNodeMap.get(input.ast)?.getSourceFile();
  const provide = (keys: Map<TSESTree.Node, string>) => {
    const byKey = keptByKey(kept.summaries, keys);
    return { keys, byKey, summaryOf: provideSummaries(file, program, model, sourceFile, { keyOf: (fn) => keys.get(fn), byKey }) };
  };
  const { carried, edited } = standIns(kept.units, units);
  const returnTypeOf = (fn: TSESTree.Node) => inferredReturnType(model.checker, input.services.esTreeNodeToTSNodeMap.get(fn), fn);
  const hopeful = new Map([...carried, ...edited.map(({ index, previous }): [number, string] => [index, previous.standsFor])]);
  const hopefulKeys = units.keys(hopeful);
  const plainKeys = edited.length > 0 ? units.keys(carried) : hopefulKeys;
  // Checking costs a lowering of each edited function: worth it only if the cutoff would keep a function that
  // was analysed (one the prefilter passed costs little to look at again).
  const worthChecking = [...hopefulKeys].some(([fn, key]) => key !== plainKeys.get(fn) && (kept.functions.get(key)?.outcome ?? 'prefiltered') !== 'prefiltered');
  let substitutes = worthChecking ? hopeful : carried;
  let provided = provide(worthChecking ? hopefulKeys : plainKeys);
  if (worthChecking && !tentatively(model, () => cutoffHolds(edited, units, kept, { summaryOf: provided.summaryOf, returnTypeOf }))) {
    substitutes = carried;
    provided = provide(plainKeys);
  }
  const returnTypes = keptByKey(kept.returnTypes, provided.keys);
  // The units changed since the last lint: what their functions infer, for the next lint's cutoff.
  if (kept.units.length > 0) {
    const before = new Set(kept.units.map((unit) => unit.digest));
    for (let index = 0; index < units.size; index++) {
      // Only of a unit a cutoff may keep others for: inferring a JavaScript function's return type can take longer than its analysis.
      if (before.has(units.digestOf(index)) || units.declaresItsClass(index) || !units.isNamedByOthers(index)) continue;
      for (const fn of outermostFunctions(units, index)) {
        const key = provided.keys.get(fn);
        const inferred = key === undefined ? undefined : returnTypeOf(fn);
        if (key !== undefined && typeof inferred === 'string') returnTypes.set(key, inferred);
      }
    }
  }
  return { keys: provided.keys, summariesByKey: provided.byKey, returnTypes, unitRecords: units.records(provided.keys, substitutes) };
}
