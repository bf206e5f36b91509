/** The bridge between ESLint and src/analysis: one analysis per file, read by every rule. */
import path from 'node:path';
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { ESLintUtils } from '@typescript-eslint/utils';
import { analyzeFile, FileScanBuilder, presetNames, RELEASED_BEFORE_TEST, validateSettings } from '../analysis/index.js';
import type { AnalysisOptions, FileAnalysis, FileScan, Finding, HandleLifetimeSettings, InferredReason } from '../analysis/index.js';

type AnyRuleContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

const NO_SETTINGS: HandleLifetimeSettings = Object.freeze({});

/** Validated settings per settings object (ESLint hands every rule of a config the same one). */
const validatedSettings = new WeakMap<object, HandleLifetimeSettings>();

/**
 * `settings['handle-lifetime']`, checked: a bad entry throws an Error that
 * names it (`handle-lifetime settings: release[2].method must be a string`),
 * which ESLint reports for the file.
 */
export function handleLifetimeSettings(context: AnyRuleContext): HandleLifetimeSettings {
  const raw = (context.settings as Record<string, unknown> | undefined)?.['handle-lifetime'];
  // One object for "no settings": the model cache is keyed by the settings object.
  if (raw === undefined || raw === null) return NO_SETTINGS;
  if (typeof raw === 'object') {
    const cached = validatedSettings.get(raw);
    if (cached) return cached;
  }
  const settings = validateSettings(raw, presetNames);
  if (typeof raw === 'object') validatedSettings.set(raw, settings);
  return settings;
}

/** The analysis options a rule's context asks for (the bridges of other analyses use them too). */
export function analysisOptionsFor(context: AnyRuleContext): AnalysisOptions {
  return { settings: handleLifetimeSettings(context) };
}

/** Per file: the scan the first rule's listeners collect on ESLint's walk. */
const scanStates = new WeakMap<TSESTree.Program, ScanState>();

type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

interface ScanState {
  readonly builder: FileScanBuilder;
  complete: boolean;
}

/**
 * A rule's listeners, plus (for the first rule of a file) listeners that
 * collect the file's structure (functions, classes, calls) on the walk ESLint
 * makes anyway: `getFileAnalysis` in `Program:exit` then needs no walk of its
 * own. The other rules share what the first collects.
 */
export function withFileScan(context: AnyRuleContext, listeners: TSESLint.RuleListener): TSESLint.RuleListener {
  const ast = context.sourceCode.ast;
  if (scanStates.has(ast)) return listeners;
  const builder = new FileScanBuilder(ast);
  const state: ScanState = { builder, complete: false };
  scanStates.set(ast, state);
  const enter = (node: FunctionNode): void => builder.enterFunction(node);
  const exit = (): void => builder.exitFunction();
  const addClass = (node: TSESTree.ClassDeclaration | TSESTree.ClassExpression): void => builder.class(node);
  const call = (node: TSESTree.CallExpression | TSESTree.NewExpression): void => builder.call(node);
  const collectors: TSESLint.RuleListener = {
    FunctionDeclaration: enter,
    FunctionExpression: enter,
    ArrowFunctionExpression: enter,
    'FunctionDeclaration:exit': exit,
    'FunctionExpression:exit': exit,
    'ArrowFunctionExpression:exit': exit,
    ClassDeclaration: addClass,
    ClassExpression: addClass,
    CallExpression: call,
    NewExpression: call,
    VariableDeclaration: (node) => builder.variableDeclaration(node),
  };
  for (const key of Object.keys(collectors)) {
    if (key in listeners) throw new Error(`withFileScan: the rule listens to ${key} itself`);
  }
  const programExit = listeners['Program:exit'];
  return {
    ...listeners,
    ...collectors,
    'Program:exit'(node) {
      // ESLint runs the rules' listeners in the order the rules were created: this one first.
      state.complete = true;
      programExit?.(node);
    },
  };
}

/** The scan collected on ESLint's walk, once the walk has left the Program; else undefined (the analysis walks the file itself). */
export function collectedFileScan(ast: TSESTree.Program): FileScan | undefined {
  const state = scanStates.get(ast);
  return state?.complete ? state.builder.result() : undefined;
}

/**
 * The file's analysis, run by the first rule that asks. Asked in
 * `Program:exit` by rules whose listeners went through `withFileScan`, it
 * uses the scan collected on ESLint's walk.
 */
export function getFileAnalysis(context: AnyRuleContext): FileAnalysis {
  const services = ESLintUtils.getParserServices(context);
  const sourceCode = context.sourceCode;
  const ast = sourceCode.ast;
  const scan = collectedFileScan(ast);
  return analyzeFile(
    {
      ast,
      services,
      scopeManager: sourceCode.scopeManager as ScopeManager,
      scan,
    },
    analysisOptionsFor(context),
  );
}

/**
 * For a handle that is an instance of a class of the program that owns one, and nothing else (no tag,
 * preset or Disposable) makes it a handle:
 * what made it a handle, for the message, as ` \`Buf\` owns a handle: its \`dispose()\` releases \`this.ptr\`.`
 */
export function ownerClassNote(context: AnyRuleContext, analysis: FileAnalysis, node: TSESTree.Node): string {
  const tsNode = ESLintUtils.getParserServices(context).esTreeNodeToTSNodeMap.get(node);
  try {
    const owner = tsNode ? analysis.model.handleOnlyAsOwnerClass(analysis.model.checker.getTypeAtLocation(tsNode)) : undefined;
    if (!owner) return '';
    return ` \`${owner.name}\` owns a handle: its \`${owner.method}()\` releases ${owner.fields.map((field) => `\`this.${field}\``).join(', ')}.`;
  } catch {
    return '';
  }
}

/**
 * Why the call at an exception exit visibly throws, for the message (` (it throws at util.ts:12)`),
 * or undefined when nothing in the program says it throws.
 */
export function visibleThrowNote(context: AnyRuleContext, analysis: FileAnalysis, node: TSESTree.Node, holders?: ReadonlySet<string>): string | undefined {
  const tsNode = ESLintUtils.getParserServices(context).esTreeNodeToTSNodeMap.get(node);
  let visible;
  try {
    visible = tsNode ? analysis.model.visibleThrow(tsNode, holders) : undefined;
  } catch {
    return undefined;
  }
  if (!visible) return undefined;
  if (visible.kind === 'statement') return '';
  if (visible.kind === 'contract') return ` (the ${visible.spec} preset says \`${visible.callee}\` throws)`;
  const file = visible.at.getSourceFile();
  const line = file.getLineAndCharacterOfPosition(visible.at.getStart(file)).line + 1;
  const where = file.fileName === tsNode!.getSourceFile().fileName ? `line ${line}` : `${path.basename(file.fileName)}:${line}`;
  return ` (\`${visible.callee}\` throws at ${where})`;
}

const MAX_NAME = 40;

/** Source text of a node, shortened for a message. */
export function nameOf(sourceCode: Readonly<TSESLint.SourceCode>, node: TSESTree.Node): string {
  const text = sourceCode.getText(node).replace(/\s+/g, ' ');
  return text.length > MAX_NAME ? `${text.slice(0, MAX_NAME - 1)}…` : text;
}

/** The name a handle goes by where it was acquired: `tree` in `const tree = parser.parse(src)`. */
export function acquiredName(sourceCode: Readonly<TSESLint.SourceCode>, acquiredAt: TSESTree.Node): string {
  let node: TSESTree.Node = acquiredAt;
  while (
    node.parent &&
    (node.parent.type === 'AwaitExpression' ||
      node.parent.type === 'TSAsExpression' ||
      node.parent.type === 'TSNonNullExpression' ||
      node.parent.type === 'ChainExpression')
  ) {
    node = node.parent;
  }
  const parent = node.parent;
  if (parent?.type === 'VariableDeclarator' && parent.init === node) return nameOf(sourceCode, parent.id);
  if (parent?.type === 'AssignmentExpression' && parent.right === node) return nameOf(sourceCode, parent.left);
  return nameOf(sourceCode, acquiredAt);
}

export function lineOf(node: TSESTree.Node): number {
  return node.loc.start.line;
}

/** "line 4" or "line 4 or line 9": where it was released. */
export function releaseLines(finding: Finding): string {
  const linesOf = (label: string): number[] =>
    [...new Set(finding.trace.filter((step) => step.label === label).map((step) => lineOf(step.node)))].sort((a, b) => a - b);
  const places = [
    ...linesOf('released').map((line) => `line ${line}`),
    ...linesOf(RELEASED_BEFORE_TEST).map((line) => `a line before the test at line ${line}`),
  ];
  if (places.length === 0) return 'an earlier line';
  return places.join(' or ');
}

/** The evidence of a handle found by usage inference, as message data (`api`, `verb`, `releasing`, `keeping`, `places`). */
export function inferredData(finding: Finding): Record<string, string | number> {
  const reason = finding.inferred!;
  return { api: reason.api, verb: reason.released, releasing: reason.releasing, keeping: reason.keeping, places: reason.places };
}

/** The evidence of a handle found by usage inference, as a sentence for a message's `why`. */
export function inferredNote(reason: InferredReason): string {
  return ` Inferred from usage: values of \`${reason.api}\` are ${reason.released} in ${reason.releasing} of the ${reason.keeping} functions that make one (${reason.places}).`;
}

/** The option of every rule that can report a handle found by usage inference: report it on weak evidence too. */
export const checkWeaklyInferredSchema = {
  type: 'boolean',
  description:
    'Also report handles inferred from usage on weak evidence (z score below `minZ`, at least `weakMinZ`: 4 of 5 functions releasing; on in `strict` and `all`).',
} as const;

/** A finding on this handle is reported: it is no inferred handle, or its evidence is strong, or the rule asks for weak evidence too. */
export function reportsInferred(reason: InferredReason | undefined, options: { readonly checkWeaklyInferred?: boolean }): boolean {
  return !reason?.weak || options.checkWeaklyInferred === true;
}
