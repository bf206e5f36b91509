/**
 * A cheap first look at a function: can it acquire or release a handle at
 * all? Only then is it lowered and analysed. Most functions of most files
 * touch no handle, and a full lowering asks the checker about every call
 * and member; this asks about callee symbols (cached per declaration) and
 * about receivers only of calls named like releases.
 */
import type { Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { computedKeyIdentifier, forEachChild, forEachValueChild } from '../ir/ast.js';
import ts from 'typescript';
import type { FileContext } from './file-context.js';
import type { HandleModel } from '../model/handle-model.js';
import { memberName } from '../ir/ast.js';
import { FileFactsUnion } from './file-facts-union.js';
import { KeptResults } from './kept-results.js';
import { verdictByShape } from './verdicts-by-shape.js';
import { filesDeclaringMembers, modulesDeclared, modulesMentioned, programMentions, shapeDeclared } from './program-facts.js';
import { defaultLibraryWords } from '../model/presets/spec-index.js';
import type { HandleApiSpec } from '../model/presets/types.js';
import { DEFAULT_LIBRARY } from '../model/presets/types.js';

type FunctionLike = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression | TSESTree.Program;

/** Per model (its presets and settings decide what a handle type is), per declaration. */
const declarationVerdicts = new WeakMap<object, Map<ts.Declaration, boolean>>();

/**
 * Callee names worth a symbol lookup: release-named methods, names the
 * program tags `@acquire`/`@release`, names presets and settings describe,
 * and functions of this file that themselves touch handles. A call by any
 * other name cannot acquire or release (short of a cross-file summary).
 */
export interface CalleeVocabulary {
  readonly names: ReadonlySet<string>;
  /** A spec matches methods of any name: every member call is looked up. */
  readonly anyMethod: boolean;
  /** The functions of the file that may acquire or release (directly, or by calling such a function of the file). */
  readonly touching: ReadonlySet<TSESTree.Node>;
  /**
   * No call of the program can acquire or release: no type of it can be a
   * handle, no declaration is tagged, and no preset or setting describes a
   * callee of it (typescript.js: 21k functions, none looked at).
   */
  readonly inert?: boolean;
}

/** Does a file mention an `@acquire` or `@release` tag (the default library aside)? */
const tagMentions = new FileFactsUnion((sourceFile, program) =>
  !program.isSourceFileDefaultLibrary(sourceFile) && (sourceFile.text.includes('@acquire') || sourceFile.text.includes('@release')) ? ['tags'] : [],
);

/** Names of the declarations a file tags `@acquire` or `@release` (files without the tags are skipped by a text search). */
const taggedNamesOfFiles = new FileFactsUnion((sourceFile, program) => {
  if (program.isSourceFileDefaultLibrary(sourceFile)) return [];
  const text = sourceFile.text;
  if (!text.includes('@acquire') && !text.includes('@release')) return [];
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isPropertySignature(node)) {
      const tags = ts.getJSDocTags(node);
      if (tags.some((tag) => tag.tagName.text === 'acquire' || tag.tagName.text === 'release')) {
        const name = (node as { name?: ts.Node }).name;
        if (name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name))) names.add(name.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return [...names];
});

/** Does any file of the program (the default library aside) mention an `@acquire` or `@release` tag? */
function tagsPossible(program: ts.Program): boolean {
  return tagMentions.in(program).size > 0;
}

/** Names of declarations tagged `@acquire` or `@release` anywhere in the program. */
function taggedNames(program: ts.Program): ReadonlySet<string> {
  return taggedNamesOfFiles.in(program);
}

type SpecLike = Partial<Pick<HandleApiSpec, 'modules' | 'acquireByReturnType' | 'handleShapes' | 'handleTypes' | 'acquire' | 'moduleShape'>>;

/**
 * Does the program use this spec's library? Its modules appear among the
 * program's files (`/node_modules/<pkg>/`), or, for specs that match
 * generated glue by shape (`modules: ['*']`), some declaration file has
 * every member of a shape.
 */
/** A package or module specifier (`fs`, `bun:ffi`, `@types/node`), not a namespace (`Deno`) or a file. */
function isPackageName(module: string): boolean {
  return module !== DEFAULT_LIBRARY && !/[A-Z]/.test(module) && !/\.[cm]?[jt]sx?$/.test(module);
}

function specActive(program: ts.Program, spec: SpecLike, allModules: readonly string[]): boolean {
  const modules = spec.modules ?? ['*'];
  if (modules.includes('*')) {
    // A module shape's spec where a file declares every member of the shape (the WebIDL Binder's `destroy`, `_malloc`).
    if (spec.moduleShape) return filesDeclaringMembers(program, spec.moduleShape.members).size > 0;
    const shapes = spec.handleShapes ?? [];
    return shapes.length === 0 || shapeDeclared(program, shapes);
  }
  const mentioned = modulesMentioned(program, allModules);
  // The default library is in every program: a spec of it is active where the program names one of its handles.
  if (modules.includes(DEFAULT_LIBRARY) && programMentions(program, defaultLibraryWords(spec))) return true;
  if (!modules.some((module) => mentioned.has(module))) return false;
  // Named but not declared (`require("fs")` without `@types/node`): no declaration can match the spec.
  // Namespaces (`Deno`) and files (`src/native.d.ts`) are not looked for this way.
  const packages = modules.filter(isPackageName);
  if (packages.length < modules.length) return true;
  const declared = modulesDeclared(program, allModules.filter(isPackageName));
  return packages.some((module) => declared.has(module));
}

const specNamesCache = new WeakMap<object, { names: string[]; anyMethod: boolean }>();

/** Function and method names that presets and settings describe (once per model: a model is one program's, with one set of specs). */
function specNames(file: FileContext): { names: string[]; anyMethod: boolean } {
  return specNamesOf(file.services.program, file.model);
}

function specNamesOf(program: ts.Program, model: HandleModel): { names: string[]; anyMethod: boolean } {
  const cached = specNamesCache.get(model);
  if (cached) return cached;
  const allSpecs = (model.options as { specs?: { specs?: readonly SpecLike[] } }).specs?.specs ?? [];
  const allModules = modulesOfSpecs(allSpecs);
  const names: string[] = [];
  let anyMethod = false;
  for (const spec of allSpecs) {
    if (!specActive(program, spec, allModules)) continue;
    const own = namesOfSpec(spec);
    names.push(...own.names);
    anyMethod ||= own.anyMethod;
  }
  const result = { names, anyMethod };
  specNamesCache.set(model, result);
  return result;
}

/**
 * Can any call of the program release a handle: a tag, or a preset or setting of a library the
 * program uses? Where none can, no class of the program can own a handle it releases.
 */
export function releasesPossible(program: ts.Program, model: HandleModel): boolean {
  if (tagsPossible(program)) return true;
  const fromSpecs = specNamesOf(program, model);
  return fromSpecs.anyMethod || fromSpecs.names.length > 0;
}

const modulesOfSpecsCache = new WeakMap<readonly SpecLike[], readonly string[]>();

/** The modules the specs name (their list is compiled once per settings, so this is kept by the list). */
function modulesOfSpecs(specs: readonly SpecLike[]): readonly string[] {
  let modules = modulesOfSpecsCache.get(specs);
  if (!modules) {
    modules = [...new Set(specs.flatMap((spec) => spec.modules ?? []))].filter((module) => module !== '*' && module !== DEFAULT_LIBRARY).sort();
    modulesOfSpecsCache.set(specs, modules);
  }
  return modules;
}

const specNamesOfSpec = new WeakMap<SpecLike, { names: string[]; anyMethod: boolean }>();

/** The function and method names a spec describes, and whether it matches methods of any name (kept per spec object: specs do not change). */
function namesOfSpec(spec: SpecLike): { names: string[]; anyMethod: boolean } {
  const cached = specNamesOfSpec.get(spec);
  if (cached) return cached;
  const names: string[] = [];
  // A spec that acquires by return type matches calls of any name.
  let anyMethod = spec.acquireByReturnType === true;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if ((key === 'method' || key === 'function') && typeof inner === 'string') {
          if (inner === '*') anyMethod = true;
          else names.push(inner);
        } else visit(inner);
      }
    }
  };
  visit(spec);
  const result = { names, anyMethod };
  specNamesOfSpec.set(spec, result);
  return result;
}

type CallLike = TSESTree.CallExpression | TSESTree.NewExpression;
type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

/** One walk over a file: what the prefilter and the analysis need to know of its structure. */
export interface FileScan {
  /** The Program, then every function with a body, in source order (outer before inner). */
  readonly functions: readonly FunctionLike[];
  readonly classes: readonly ClassNode[];
  /** Per function (and the Program): the calls and `new`s of its own code, not of the functions nested in it. */
  readonly calls: ReadonlyMap<TSESTree.Node, readonly CallLike[]>;
  /** Functions (or the Program) that declare `using` / `await using` variables in their own code. */
  readonly usesUsing: ReadonlySet<TSESTree.Node>;
}

/**
 * Builds a FileScan from the nodes of a pre-order walk, told when a function
 * starts and ends. `scanFile` drives it with its own walk; under ESLint the
 * rules drive it from the walk ESLint makes anyway (`fileScanListeners` in
 * src/util/analysis.ts), which saves a walk of every file.
 */
export class FileScanBuilder {
  private readonly functions: FunctionLike[];
  private readonly classes: ClassNode[] = [];
  private readonly calls = new Map<TSESTree.Node, CallLike[]>();
  private readonly usesUsing = new Set<TSESTree.Node>();
  private readonly owners: TSESTree.Node[];
  private ownCalls: CallLike[] = [];

  constructor(ast: TSESTree.Program) {
    this.functions = [ast];
    this.owners = [ast];
    this.calls.set(ast, this.ownCalls);
  }

  enterFunction(node: FunctionLike): void {
    if (node.body) this.functions.push(node);
    this.owners.push(node);
    this.ownCalls = [];
    this.calls.set(node, this.ownCalls);
  }

  exitFunction(): void {
    this.owners.pop();
    this.ownCalls = this.calls.get(this.owners[this.owners.length - 1])!;
  }

  class(node: ClassNode): void {
    this.classes.push(node);
  }

  call(node: CallLike): void {
    this.ownCalls.push(node);
  }

  variableDeclaration(node: TSESTree.VariableDeclaration): void {
    if (node.kind === 'using' || node.kind === 'await using') this.usesUsing.add(this.owners[this.owners.length - 1]);
  }

  private scan: FileScan | undefined;

  result(): FileScan {
    this.scan ??= { functions: this.functions, classes: this.classes, calls: this.calls, usesUsing: this.usesUsing };
    return this.scan;
  }
}

/** Walk the file once (the flow analysis, the prefilter and class obligations used to walk it once each). */
export function scanFile(ast: TSESTree.Program): FileScan {
  const builder = new FileScanBuilder(ast);
  const visit = (node: TSESTree.Node): void => {
    switch (node.type) {
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
        builder.enterFunction(node);
        forEachValueChild(node, visit);
        builder.exitFunction();
        return;
      case AST_NODE_TYPES.ClassDeclaration:
      case AST_NODE_TYPES.ClassExpression:
        builder.class(node);
        break;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        builder.call(node);
        break;
      case AST_NODE_TYPES.VariableDeclaration:
        builder.variableDeclaration(node);
        break;
      default:
        break;
    }
    forEachValueChild(node, visit);
  };
  forEachValueChild(ast, visit);
  return builder.result();
}

/**
 * The vocabulary of a file: computed once, before its functions are looked at. `known`: verdicts
 * kept from an earlier lint (kept-functions.ts), taken as they are.
 */
export function calleeVocabulary(file: FileContext, scan: FileScan, known?: ReadonlyMap<TSESTree.Node, boolean>): CalleeVocabulary {
  const fromSpecs = specNames(file);
  // Nothing to look up: a call can touch handles only by a handle type, a tag or a preset, or by
  // calling a function of the file that declares `using`.
  const inferred = file.model.inference?.acquisitionNames ?? new Set<string>();
  if (scan.usesUsing.size === 0 && fromSpecs.names.length === 0 && !fromSpecs.anyMethod && inferred.size === 0 && !tagsPossible(file.services.program) && !file.model.handleTypesPossible()) {
    return { names: new Set(), anyMethod: false, touching: new Set(), inert: true };
  }
  const releaseNames = new Set(file.model.options.releaseMethodNames);
  // Release-named methods (`x.dispose()`) are checked by their receiver's type, not looked up by name.
  const names = new Set<string>([...taggedNames(file.services.program), ...fromSpecs.names, ...inferred]);
  const base: CalleeVocabulary = { names: new Set(names), anyMethod: fromSpecs.anyMethod, touching: new Set() };
  const touches = (fn: TSESTree.Node, vocabulary: CalleeVocabulary): boolean =>
    scan.usesUsing.has(fn) || file.ownedParameters(fn).length > 0 || (scan.calls.get(fn) ?? []).some((call) => callMayTouchHandles(file, call, releaseNames, vocabulary));
  // Functions that touch handles by the base vocabulary (the only pass that asks the checker), then
  // those that call them, to a fixpoint (bounded by the file).
  const touching = new Set<TSESTree.Node>(scan.functions.filter((fn) => known?.get(fn) ?? touches(fn, base)));
  const localNames = new Set<string>();
  for (const fn of touching) {
    const name = functionName(fn as FunctionLike);
    if (name) localNames.add(name);
  }
  // A call by one of those names touches handles only if it resolves to such a function: ask the
  // checker, but only for functions that make such a call.
  let grew = localNames.size > 0;
  while (grew) {
    grew = false;
    for (const name of localNames) names.add(name);
    const vocabulary: CalleeVocabulary = { names, anyMethod: fromSpecs.anyMethod, touching };
    for (const fn of scan.functions) {
      if (touching.has(fn) || known?.has(fn)) continue;
      const own = scan.calls.get(fn) ?? [];
      if (!own.some((call) => localNames.has(calleeName(call) ?? '')) || !touches(fn, vocabulary)) continue;
      touching.add(fn);
      const name = functionName(fn);
      if (name && !localNames.has(name)) {
        localNames.add(name);
        grew = true;
      }
    }
  }
  return { names, anyMethod: fromSpecs.anyMethod, touching };
}

function functionName(fn: FunctionLike): string | null {
  if (fn.type === AST_NODE_TYPES.FunctionDeclaration && fn.id) return fn.id.name;
  if (fn.type === AST_NODE_TYPES.FunctionExpression && fn.id) return fn.id.name;
  const parent = fn.parent;
  if (!parent) return null;
  if ((parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.Property || parent.type === AST_NODE_TYPES.PropertyDefinition) && !parent.computed) {
    return parent.key.type === AST_NODE_TYPES.Identifier ? parent.key.name : parent.key.type === AST_NODE_TYPES.PrivateIdentifier ? `#${parent.key.name}` : null;
  }
  // `[key]() {…}`, `[(decorators = […], key)]() {…}`: called as `this[key]()`.
  if (parent.type === AST_NODE_TYPES.MethodDefinition && parent.computed) {
    const key = computedKeyIdentifier(parent.key);
    return key === null ? null : `[${key}]`;
  }
  if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) return parent.id.name;
  if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.left.type === AST_NODE_TYPES.MemberExpression) return memberName(parent.left);
  return null;
}

/** `this[key]()`: a call of the class's method keyed `[key]` (see `functionName`). */
function thisComputedCallee(node: TSESTree.CallExpression | TSESTree.NewExpression): string | null {
  const callee = node.callee;
  if (node.type !== AST_NODE_TYPES.CallExpression || callee.type !== AST_NODE_TYPES.MemberExpression || !callee.computed || callee.object.type !== AST_NODE_TYPES.ThisExpression) return null;
  return callee.property.type === AST_NODE_TYPES.Identifier ? `[${callee.property.name}]` : null;
}

function calleeName(node: TSESTree.CallExpression | TSESTree.NewExpression): string | null {
  const computed = thisComputedCallee(node);
  if (computed !== null) return computed;
  const callee = node.callee.type === AST_NODE_TYPES.ChainExpression ? node.callee.expression : node.callee;
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression) return memberName(callee);
  return null;
}

export function mayTouchHandles(file: FileContext, fn: FunctionLike | TSESTree.Node, vocabulary?: CalleeVocabulary): boolean {
  const releaseNames = new Set(file.model.options.releaseMethodNames);
  let found = false;
  const visit = (node: TSESTree.Node): void => {
    if (found) return;
    switch (node.type) {
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
        if (node !== fn) return; // analysed on their own
        // A callback that owns a handle parameter (a decoder's `output`).
        if (file.ownedParameters(node).length > 0) {
          found = true;
          return;
        }
        break;
      case AST_NODE_TYPES.VariableDeclaration:
        if (node.kind === 'using' || node.kind === 'await using') {
          found = true;
          return;
        }
        break;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        if (callMayTouchHandles(file, node, releaseNames, vocabulary)) {
          found = true;
          return;
        }
        break;
      default:
        break;
    }
    forEachChild(node, (child) => {
      if (!found) visit(child);
    });
  };
  visit(fn);
  return found;
}

function callMayTouchHandles(
  file: FileContext,
  node: TSESTree.CallExpression | TSESTree.NewExpression,
  releaseNames: ReadonlySet<string>,
  vocabulary: CalleeVocabulary | undefined,
): boolean {
  const callee = node.callee.type === AST_NODE_TYPES.ChainExpression ? node.callee.expression : node.callee;
  // An API the program's usage says acquires (its classification checks the result is untyped).
  if (file.model.inference?.acquisitionNames.has(calleeName(node) ?? '')) return true;
  // `this[disposeSymbol]()` where a touching method of the file is keyed `[disposeSymbol]`: the
  // checker may not see that method (decorated, its key is a comma expression).
  const computed = vocabulary && vocabulary.touching.size > 0 ? thisComputedCallee(node) : null;
  if (computed !== null && vocabulary!.names.has(computed)) return true;
  if (vocabulary && node.type === AST_NODE_TYPES.CallExpression && callee.type === AST_NODE_TYPES.MemberExpression && !vocabulary.anyMethod) {
    // A method's symbol costs the receiver's type: only names in the vocabulary are worth it
    // (plain function names resolve cheaply and are always looked up, as is `new`).
    const name = memberName(callee);
    if (name !== '@@dispose' && name !== '@@asyncDispose' && (name === null || !vocabulary.names.has(name))) return false;
  }
  if (callee.type === AST_NODE_TYPES.MemberExpression) {
    const name = memberName(callee);
    if (name === '@@dispose' || name === '@@asyncDispose') return true;
    if (vocabulary?.inert) return false;
    // `x.dispose()`, `tree.delete()`: a release when the receiver is a handle.
    if (name !== null && releaseNames.has(name) && node.arguments.length === 0 && file.isHandleNode(callee.object)) return true;
  }
  if (vocabulary?.inert) return false;
  const isNew = node.type === AST_NODE_TYPES.NewExpression;
  // A name no variable of the file by that name makes matter needs no lookup (names in the vocabulary,
  // the file's own touching functions among them, always get one).
  if (callee.type === AST_NODE_TYPES.Identifier && !vocabulary?.names.has(callee.name) && inertNames(file).inert(callee.name, isNew)) return false;
  let symbol: ts.Symbol | undefined;
  if (callee.type === AST_NODE_TYPES.Identifier) {
    // A plain name: resolved once per variable (the scope manager knows it), not once per call.
    const variable = file.variableNamed(callee);
    const symbols = variable ? symbolsOf(file) : undefined;
    const cached = variable ? symbols!.get(variable) : undefined;
    if (cached !== undefined) symbol = cached ?? undefined;
    else {
      const declarationName = variable && variable.defs.length === 1 ? file.tsNode(variable.defs[0].name) : undefined;
      symbol = calleeSymbol(file, declarationName ?? file.tsNode(callee));
      if (variable) symbols!.set(variable, symbol ?? null);
    }
  } else {
    const tsCallee = file.tsNode(callee);
    if (callee.type === AST_NODE_TYPES.MemberExpression && tsCallee && ts.isPropertyAccessExpression(tsCallee) && !tsCallee.questionDotToken) {
      // The receiver's declared type (cached per variable) names the method without narrowing the receiver.
      const receiverType = file.declaredTypeOf(callee.object);
      if (receiverType && !(receiverType.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Union))) {
        const checker = file.model.checker;
        symbol = checker.getPropertyOfType(checker.getApparentType(receiverType), tsCallee.name.text);
      } else if (receiverType?.isUnion()) {
        // `T | undefined` (an optional field or parameter): each member names the method (`null` and
        // `undefined` aside: the call throws on them), as narrowing would, and the call may touch
        // handles if one of them may. Narrowing the receiver would have the checker walk the flow.
        const methods = unionMethods(file, receiverType, tsCallee.name.text);
        if (methods) return methods.some((method) => symbolTouches(file, method, isNew, vocabulary));
      }
      // An untyped value that is no reference (`instantiateAsync(…).catch(…)` in emscripten glue): no
      // narrowing can give it members, and asking would have the checker check the call again.
      else if (receiverType && !isReference(callee.object)) return false;
      // `this.ffi.QTS_NewString(…)` on a field declared `any`: no declaration to find (the checker would
      // narrow the receiver to say so).
      else if (!receiverType && file.model.reachedThroughAny(tsCallee.expression)) return false;
    }
    symbol ??= calleeSymbol(file, tsCallee && ts.isPropertyAccessExpression(tsCallee) ? tsCallee.name : tsCallee);
  }
  return symbol !== undefined && symbolTouches(file, symbol, isNew, vocabulary);
}

/** A name, `this`, or a member of one: what control flow can narrow. */
function isReference(node: TSESTree.Node): boolean {
  switch (node.type) {
    case AST_NODE_TYPES.Identifier:
    case AST_NODE_TYPES.ThisExpression:
      return true;
    case AST_NODE_TYPES.MemberExpression:
      return isReference(node.object);
    case AST_NODE_TYPES.TSNonNullExpression:
      return isReference(node.expression);
    default:
      return false;
  }
}

/** The method of each member of a union, `null` and `undefined` aside; none if one has none or is untyped. */
function unionMethods(file: FileContext, union: ts.UnionType, name: string): ts.Symbol[] | undefined {
  const checker = file.model.checker;
  const methods = new Set<ts.Symbol>();
  for (const member of union.types) {
    if (member.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)) continue;
    if (member.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
    const method = checker.getPropertyOfType(checker.getApparentType(member), name);
    if (!method) return undefined;
    methods.add(method);
  }
  return methods.size > 0 ? [...methods] : undefined;
}

function symbolTouches(file: FileContext, symbol: ts.Symbol, isNew: boolean, vocabulary: CalleeVocabulary | undefined): boolean {
  if (symbolMayTouchHandles(file, symbol, isNew)) return true;
  // A function of this file that touches handles (its summary says what it does).
  if (vocabulary && vocabulary.touching.size > 0) {
    for (const declaration of symbol.declarations ?? []) {
      const fn = functionOfDeclaration(file, declaration);
      if (fn && vocabulary.touching.has(fn)) return true;
    }
  }
  return false;
}

const symbolsByFile = new WeakMap<FileContext, Map<Variable, ts.Symbol | null>>();

/** A name declared by more variables than this is looked up per call. */
const MAX_VARIABLES_PER_NAME = 16;

/**
 * Plain callee names whose every variable in the file touches no handle as
 * a callee: a call by such a name cannot, whichever of them it resolves to,
 * so the prefilter spares it the lexical lookup (typescript.js makes 54k
 * calls by plain names, to 10k declarations). A name some reference of the
 * file leaves unresolved (a global of another script), or that a variable
 * declares more than once, is not decided here.
 */
class InertNames {
  private readonly variables = new Map<string, Variable[]>();
  private readonly unresolved = new Set<string>();
  private readonly verdicts = new Map<string, boolean>();

  constructor(private readonly file: FileContext) {
    for (const scope of file.scopeManager.scopes) {
      for (const [name, variable] of scope.set) {
        if (!variable.isValueVariable) continue;
        const list = this.variables.get(name);
        if (list) list.push(variable);
        else this.variables.set(name, [variable]);
      }
    }
    for (const reference of file.scopeManager.globalScope?.through ?? []) this.unresolved.add(reference.identifier.name);
  }

  inert(name: string, isNew: boolean): boolean {
    const key = isNew ? `new ${name}` : name;
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      verdict = this.decide(name, isNew);
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }

  private decide(name: string, isNew: boolean): boolean {
    const variables = this.variables.get(name);
    if (!variables || variables.length > MAX_VARIABLES_PER_NAME || this.unresolved.has(name)) return false;
    const symbols = symbolsOf(this.file);
    for (const variable of variables) {
      if (variable.defs.length !== 1) return false;
      let symbol = symbols.get(variable);
      if (symbol === undefined) {
        symbol = calleeSymbol(this.file, this.file.tsNode(variable.defs[0].name)) ?? null;
        symbols.set(variable, symbol);
      }
      if (symbol && symbolMayTouchHandles(this.file, symbol, isNew)) return false;
    }
    return true;
  }
}

const inertNamesByFile = new WeakMap<FileContext, InertNames>();

function inertNames(file: FileContext): InertNames {
  let names = inertNamesByFile.get(file);
  if (!names) inertNamesByFile.set(file, (names = new InertNames(file)));
  return names;
}

function symbolsOf(file: FileContext): Map<Variable, ts.Symbol | null> {
  let symbols = symbolsByFile.get(file);
  if (!symbols) symbolsByFile.set(file, (symbols = new Map()));
  return symbols;
}

function calleeSymbol(file: FileContext, nameNode: ts.Node | undefined): ts.Symbol | undefined {
  if (!nameNode) return undefined;
  const checker = file.model.checker;
  let symbol = checker.getSymbolAtLocation(nameNode);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol;
}

/** The ESTree function a declaration of this file declares (`function f`, `const f = () => …`, a method). */
function functionOfDeclaration(file: FileContext, declaration: ts.Declaration): TSESTree.Node | undefined {
  const target = ts.isVariableDeclaration(declaration) || ts.isPropertyAssignment(declaration) || ts.isPropertyDeclaration(declaration) ? declaration.initializer : declaration;
  if (!target) return undefined;
  const node = file.services.tsNodeToESTreeNodeMap.get(target);
  if (!node) return undefined;
  if (node.type === AST_NODE_TYPES.MethodDefinition || node.type === AST_NODE_TYPES.Property) return node.value;
  return node;
}

/** Per model (its presets and settings decide), per symbol: [as a call, as `new`]. */
const symbolVerdicts = new WeakMap<object, Map<ts.Symbol, [boolean | undefined, boolean | undefined]>>();

/** The callee may acquire or release by its tags, a preset, or its declared types (cached per symbol). */
function symbolMayTouchHandles(file: FileContext, symbol: ts.Symbol, isNew: boolean): boolean {
  let byModel = symbolVerdicts.get(file.model);
  if (!byModel) symbolVerdicts.set(file.model, (byModel = new Map()));
  let pair = byModel.get(symbol);
  if (!pair) byModel.set(symbol, (pair = [undefined, undefined]));
  const cached = pair[isNew ? 1 : 0];
  if (cached !== undefined) return cached;
  let verdict: boolean;
  // Hook (presets and settings): `tf.square`, `koffi.register` carry no tags and may return no handle type.
  if (file.model.specs?.mayDescribeCallee(symbol, isNew)) verdict = true;
  else if (isNew) {
    verdict =
      (file.model.handleTypesPossible() && file.model.isHandleType(file.model.checker.getDeclaredTypeOfSymbol(symbol))) ||
      (symbol.declarations ?? []).some((d) => declarationMatters(file, d));
  } else verdict = (symbol.declarations ?? []).some((declaration) => declarationMatters(file, declaration));
  pair[isNew ? 1 : 0] = verdict;
  return verdict;
}

/**
 * A callee that acquires or releases by its tags, returns a handle, or takes
 * a handle parameter (its summary may release or keep it).
 */
function declarationMatters(file: FileContext, declaration: ts.Declaration): boolean {
  let verdicts = declarationVerdicts.get(file.model);
  if (!verdicts) declarationVerdicts.set(file.model, (verdicts = new Map()));
  const cached = verdicts.get(declaration);
  if (cached !== undefined) return cached;
  const kept = keptVerdicts.of(file.services.program, file.model.options, declaration.getSourceFile());
  let verdict = kept.get(declaration);
  if (verdict === undefined) {
    verdict = verdictByShape(file.services.program, file.model.options, declaration, () => computeDeclarationMatters(file, declaration));
    kept.set(declaration, verdict);
  }
  verdicts.set(declaration, verdict);
  return verdict;
}

/**
 * Verdicts on declarations, kept across programs while the declaration's file and what it imports
 * are unchanged (kept-results.ts): a verdict reads the declaration's tags and declared types.
 */
const keptVerdicts = new KeptResults<boolean>('declarations');

function computeDeclarationMatters(file: FileContext, declaration: ts.Declaration): boolean {
  let verdict = false;
  const target = ts.isVariableDeclaration(declaration) && declaration.initializer ? declaration.initializer : declaration;
  // Reading a declaration's JSDoc costs; the program's tagged names are known (typescript.js documents most of its 10k functions).
  const name = (declaration as { readonly name?: ts.Node }).name;
  const mayBeTagged = !name || !(ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name)) || taggedNames(file.services.program).has(name.text);
  if (mayBeTagged && ts.getJSDocTags(target).some((tag) => tag.tagName.text === 'acquire' || tag.tagName.text === 'release')) verdict = true;
  else if (ts.isFunctionLike(target) && file.model.handleTypesPossible()) {
    // Declared types only: inferring a return type checks the whole body
    // (and, in large untyped files, recurses deep into the checker).
    const checker = file.model.checker;
    const declared = (typeNode: ts.TypeNode | undefined): boolean =>
      typeNode !== undefined && file.model.isHandleType(checker.getTypeFromTypeNode(typeNode));
    verdict =
      declared(target.type ?? ts.getJSDocReturnType(target)) ||
      target.parameters.some((parameter) => declared(parameter.type ?? ts.getJSDocType(parameter)));
  }
  return verdict;
}

/**
 * Can this class acquire a handle at all? Its methods are in the
 * vocabulary's touching set, or a field initialiser or static block makes a
 * call the prefilter cannot rule out, or a constructor parameter property
 * may take ownership (`@owned`).
 */
export function classMayAcquire(file: FileContext, classNode: ClassNode, vocabulary: CalleeVocabulary): boolean {
  for (const member of classNode.body.body) {
    switch (member.type) {
      case AST_NODE_TYPES.MethodDefinition:
        if (vocabulary.touching.has(member.value)) return true;
        if (member.kind === 'constructor' && member.value.params.some((param) => param.type === AST_NODE_TYPES.TSParameterProperty)) return true;
        break;
      case AST_NODE_TYPES.PropertyDefinition:
      case AST_NODE_TYPES.AccessorProperty:
        if (member.value && (isFunctionValue(member.value) ? vocabulary.touching.has(member.value) : mayTouchHandles(file, member.value, vocabulary))) return true;
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

function isFunctionValue(node: TSESTree.Node): node is TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression {
  return node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.ArrowFunctionExpression;
}
