/**
 * Compiles handle API specs (presets and settings) into lookups, and answers
 * the handle model's two questions about them: is this symbol a handle type
 * of some spec, and what does this call do? Lookups are indexed by name, so
 * a call asks only the patterns written for its callee's name; answers are
 * cached per symbol, declaration and call.
 */
import ts from 'typescript';
import type { ArgumentEffect } from '../call-effects.js';
import { classSymbolOf, skipParentheses } from '../ts-nodes.js';
import { identifiersNamed, programMentions, shapeDeclared } from '../../program/program-facts.js';
import type { CallPattern, HandleApiSpec, HandleShape, ModuleName, Operand, OperandPattern } from './types.js';

/** The specs a model was built with, independent of any program (so one compilation serves every program). */
export class CompiledSpecs {
  /** Which specs, and in which order: the key of the model cache. */
  readonly key: string;
  readonly livenessMembers: readonly string[];

  constructor(readonly specs: readonly HandleApiSpec[]) {
    if (specs.length > 30) throw new Error(`handle-lifetime: at most 30 handle API specs are supported (got ${specs.length})`);
    this.key = JSON.stringify(specs);
    this.livenessMembers = [...new Set(specs.flatMap((spec) => spec.liveness ?? []))];
  }

  /** Models are cached by `JSON.stringify(options)`: the specs stand for themselves by their key. */
  toJSON(): string {
    return this.key;
  }
}

/** What a matched call does, as far as a spec says; the model fills in the rest. */
export interface SpecCallEffect {
  readonly spec: string;
  readonly result?: 'acquire' | 'other';
  readonly receiver?: ArgumentEffect;
  readonly args: ReadonlyMap<number, ArgumentEffect>;
  readonly resultAliasesArg?: number;
}

type PatternKind = 'acquire' | 'borrow' | 'release' | 'takeOwnership' | 'use' | 'scope' | 'keep' | 'callback';

interface IndexedPattern {
  readonly specIndex: number;
  readonly kind: PatternKind;
  readonly pattern: CallPattern & { readonly operand?: Operand };
  readonly modules: readonly ModuleName[];
}

interface Origin {
  readonly names: ReadonlySet<string>;
  readonly fileName: string;
}

const EMPTY_MAP: ReadonlyMap<number, ArgumentEffect> = new Map();
const NO_INDICES: readonly number[] = [];
/** Pattern kinds that decide a call's result whatever its return type (see `effectOf`). */
const RESULT_KINDS: ReadonlySet<PatternKind> = new Set(['borrow', 'keep', 'acquire', 'callback']);

export class SpecMatcher {
  private readonly specs: readonly HandleApiSpec[];
  /** Patterns by function or method name (`*` methods under `*`). */
  private readonly byName = new Map<string, IndexedPattern[]>();
  private readonly handleTypeNames = new Map<string, number[]>();
  private readonly symbolMasks = new Map<ts.Symbol, number>();
  private readonly originCache = new Map<ts.Node, Origin>();
  private readonly packageCache = new Map<string, readonly string[]>();
  private readonly containerNamesCache = new Map<ts.Declaration, ReadonlySet<string>>();
  private readonly scopeCallCache = new Map<ts.CallExpression, number>();
  private readonly calleeVerdicts = new Map<ts.Symbol, boolean>();
  private readonly constructVerdicts = new Map<ts.Symbol, boolean>();
  private readonly scopedFunctionCache = new Map<ts.FunctionDeclaration | ts.VariableDeclaration, number[]>();
  private readonly checker: ts.TypeChecker;
  /** Module lists of specs and patterns, compiled once: `*`, and the program files they name. */
  private readonly moduleLists = new Map<readonly ModuleName[], { readonly any: boolean; readonly files: readonly string[] }>();
  /** Per spec: can a type of the program be one of its handles (see `specPossible`)? */
  private readonly possible: (boolean | undefined)[] = [];
  /** Specs whose calls acquire by their return type (see `classifyCall`), by index. */
  private readonly byReturnTypeSpecs: readonly number[];

  /**
   * @param signatureOf the signature a call resolves to, as the model finds it (a single generic
   * signature without inference: `tidy(() => …)` resolved checks the whole callback)
   */
  constructor(
    compiled: CompiledSpecs,
    private readonly program: ts.Program,
    private readonly signatureOf: (call: ts.CallExpression) => ts.Signature | undefined = (call) => program.getTypeChecker().getResolvedSignature(call),
  ) {
    this.checker = program.getTypeChecker();
    this.specs = compiled.specs;
    this.byReturnTypeSpecs = this.specs.flatMap((spec, specIndex) => (spec.acquireByReturnType ? [specIndex] : []));
    this.specs.forEach((spec, specIndex) => {
      for (const name of spec.handleTypes ?? []) push(this.handleTypeNames, name, specIndex);
      const add = (kind: PatternKind, patterns: readonly CallPattern[] | undefined): void => {
        for (const pattern of patterns ?? []) {
          const name = pattern.method ?? pattern.function;
          if (name === undefined) continue;
          push(this.byName, name, { specIndex, kind, pattern, modules: pattern.from ?? spec.modules });
        }
      };
      add('borrow', spec.borrow);
      add('acquire', spec.acquire);
      add('release', spec.release);
      add('takeOwnership', spec.takeOwnership);
      add('use', spec.use);
      add('scope', spec.scopes);
      add('keep', spec.keep);
      add('callback', spec.nativeCallbacks?.create);
    });
  }

  /**
   * Can a type of this program be a handle of the spec? A spec for one
   * library's modules applies where its declarations are. A spec for any
   * module (`*`, generated glue) matches types by shape in declaration files
   * or by name: where no declaration file has a shape and no file names one
   * of its types, no type is its handle, and no call needs its return type
   * resolved to say so (tfjs-core's `runKernel<T>` was, for embind).
   */
  private specPossible(specIndex: number): boolean {
    let possible = this.possible[specIndex];
    if (possible === undefined) {
      const spec = this.specs[specIndex];
      possible = !spec.modules.includes('*') || this.shapeDeclared(spec) || programMentions(this.program, spec.handleTypes ?? []);
      this.possible[specIndex] = possible;
    }
    return possible;
  }

  /** A shape of the spec that any class may have, or one that a declaration file of the program has. */
  private shapeDeclared(spec: HandleApiSpec): boolean {
    const shapes = spec.handleShapes ?? [];
    return shapes.some((shape) => !shape.declarationFilesOnly) || shapeDeclared(this.program, shapes);
  }

  /**
   * Can a preset or the settings make any type of this program a handle? A
   * spec for a library's modules only where the program names one of them
   * (a file under `/node_modules/<module>/`, a file it names, or the name as
   * a word of a TypeScript file); a spec for any module (`*`) as
   * `specPossible` says. The names of all the specs are looked for in one
   * pass over the files.
   */
  handleTypesPossible(): boolean {
    if (this.typesPossible === undefined) {
      const modules = new Set<string>();
      const names = new Set<string>();
      let possible = false;
      for (const spec of this.specs) {
        if ((spec.handleTypes ?? []).length === 0 && (spec.handleShapes ?? []).length === 0) continue;
        if (!spec.modules.includes('*')) for (const module of spec.modules) modules.add(module);
        else if (this.shapeDeclared(spec)) possible = true;
        else for (const name of spec.handleTypes ?? []) names.add(name);
        if (possible) break;
      }
      // A declaration's modules come from its file's path or from the `declare module` or namespace around
      // it, which JavaScript cannot write: typescript.js's 9 MB need no search for module names.
      this.typesPossible =
        possible || programMentions(this.program, [...modules].sort(), { typeScriptOnly: true }) || programMentions(this.program, [...names].sort());
    }
    return this.typesPossible;
  }

  private typesPossible: boolean | undefined;

  get specCount(): number {
    return this.specs.length;
  }

  // ------------------------------------------------------------------ types

  /** Is the class, interface or type alias a handle type of some spec? */
  isHandleSymbol(symbol: ts.Symbol): boolean {
    return this.maskOfSymbol(symbol) !== 0;
  }

  /** The specs (as a bit mask) that make values of this type handles. */
  maskOfType(type: ts.Type, depth = 0): number {
    if (depth > 4) return 0;
    let mask = 0;
    if (type.aliasSymbol) mask |= this.maskOfSymbol(type.aliasSymbol);
    if (type.isUnionOrIntersection()) {
      for (const part of type.types) mask |= this.maskOfType(part, depth + 1);
      return mask;
    }
    const symbol = type.getSymbol();
    // `typeof Tensor` (the class itself, as `getGlobalTensorClass()` returns it) is no handle.
    if (symbol && symbol.flags & ts.SymbolFlags.Class && type.getConstructSignatures().length > 0) return mask;
    if (symbol) {
      if (symbol.getName() === 'Promise' || symbol.getName() === 'PromiseLike') {
        const [awaited] = this.checker.getTypeArguments(type as ts.TypeReference);
        return awaited ? mask | this.maskOfType(awaited, depth + 1) : mask;
      }
      mask |= this.maskOfSymbol(symbol);
    }
    return mask;
  }

  private maskOfSymbol(symbol: ts.Symbol): number {
    // No spec names a handle type of this program: no need to look at the symbol's bases.
    if (!this.handleTypesPossible()) return 0;
    const cached = this.symbolMasks.get(symbol);
    if (cached !== undefined) return cached;
    this.symbolMasks.set(symbol, 0); // recursive heritage
    let mask = 0;
    const named = this.handleTypeNames.get(symbol.getName());
    for (const declaration of symbol.declarations ?? []) {
      if (named) {
        const origin = this.originOf(declaration);
        for (const specIndex of named) if (this.fromModules(origin, this.specs[specIndex].modules)) mask |= 1 << specIndex;
      }
      this.specs.forEach((spec, specIndex) => {
        if ((mask & (1 << specIndex)) !== 0 || !spec.handleShapes) return;
        if (spec.handleShapes.some((shape) => this.hasShape(symbol, declaration, shape)) && this.fromModules(this.originOf(declaration), spec.modules)) {
          mask |= 1 << specIndex;
        }
      });
      if (ts.isClassLike(declaration) || ts.isInterfaceDeclaration(declaration)) {
        for (const clause of declaration.heritageClauses ?? []) {
          for (const heritage of clause.types) {
            const base = this.checker.getTypeAtLocation(heritage).getSymbol() ?? this.checker.getSymbolAtLocation(heritage.expression);
            if (base && base !== symbol) mask |= this.maskOfSymbol(base);
          }
        }
      }
    }
    this.symbolMasks.set(symbol, mask);
    return mask;
  }

  private hasShape(symbol: ts.Symbol, declaration: ts.Declaration, shape: HandleShape): boolean {
    if (shape.classesOnly ? !ts.isClassLike(declaration) : !(ts.isClassLike(declaration) || ts.isInterfaceDeclaration(declaration))) return false;
    if (shape.declarationFilesOnly && !declaration.getSourceFile().isDeclarationFile) return false;
    const type = this.checker.getDeclaredTypeOfSymbol(symbol);
    return shape.members.every((member) => type.getProperty(member) !== undefined);
  }

  // ------------------------------------------------------------------ calls

  /**
   * What the specs say about a call, or undefined when none describes it.
   * The first spec that describes the call decides (settings come first).
   */
  classifyCall(
    node: ts.CallExpression | ts.NewExpression,
    signature: ts.Signature,
    signatureDeclaration: ts.SignatureDeclaration,
    returnType: () => ts.Type = () => signature.getReturnType(),
  ): SpecCallEffect | undefined {
    // `super(…)` initialises `this`; it returns nothing new.
    if (node.expression.kind === ts.SyntaxKind.SuperKeyword) return undefined;
    const declaration = memberOf(signatureDeclaration);
    const candidates = this.candidates(node, declaration);
    const origin = this.originOf(declaration);
    const matched = new Map<number, IndexedPattern[]>();
    if (candidates.length > 0) {
      const containerNames = this.containerNames(declaration, node);
      for (const candidate of candidates) {
        if (!this.fromModules(origin, candidate.modules)) continue;
        if (!this.patternMatches(candidate.pattern, declaration, containerNames)) continue;
        push(matched, candidate.specIndex, candidate);
      }
    }
    for (let specIndex = 0; specIndex < this.specs.length; specIndex++) {
      const spec = this.specs[specIndex];
      const patterns = matched.get(specIndex) ?? [];
      // The return type is asked for last (a generic call's is resolved for it), and only when the patterns leave the result open.
      // Inside the spec's scope an acquisition is the scope's, and a callee without a body has no summary to
      // fall back on: the call's effect is the same whatever it returns (`tidy(() => …)` inside an op).
      const byReturnType =
        !patterns.some((pattern) => RESULT_KINDS.has(pattern.kind)) &&
        spec.acquireByReturnType === true &&
        this.fromModules(origin, spec.modules) &&
        !returnsThis(signatureDeclaration) &&
        !summarisedInstead(signatureDeclaration) &&
        !(spec.scopes !== undefined && !hasBody(signatureDeclaration) && this.insideScope(node, specIndex)) &&
        this.specPossible(specIndex) &&
        !returnsCallable(this.program, signature) &&
        (this.maskOfType(returnType()) & (1 << specIndex)) !== 0;
      if (patterns.length === 0 && !byReturnType) continue;
      return this.effectOf(spec, specIndex, patterns, byReturnType, node, declaration);
    }
    return undefined;
  }

  /**
   * A cheap look for the prefilter: may a call to this symbol be described by
   * a spec (so its function must be analysed)? Cached per symbol.
   */
  mayDescribeCallee(symbol: ts.Symbol, isNew: boolean): boolean {
    const verdicts = isNew ? this.constructVerdicts : this.calleeVerdicts;
    const cached = verdicts.get(symbol);
    if (cached !== undefined) return cached;
    let verdict = false;
    const named = this.byName.get(symbol.getName()) ?? [];
    for (const declaration of symbol.declarations ?? []) {
      const origin = this.originOf(declaration);
      // A `method` pattern (embind's `clone()`) never describes a plain function of that name.
      const plainFunction = ts.isFunctionDeclaration(declaration) || ts.isVariableDeclaration(declaration);
      if (named.some((candidate) => !(plainFunction && candidate.pattern.method !== undefined) && this.fromModules(origin, candidate.modules))) verdict = true;
      let summarised: boolean | undefined;
      const byReturnType: readonly number[] = verdict ? NO_INDICES : this.byReturnTypeSpecs;
      for (const specIndex of byReturnType) {
        const spec = this.specs[specIndex];
        if (!this.fromModules(origin, spec.modules)) continue;
        // Its body is summarised instead (see `classifyCall`): only what it does there counts.
        summarised ??= ts.isFunctionLike(declaration) && summarisedInstead(declaration);
        if (summarised) break;
        // A declared return type that no instantiation changes is what every call returns: a callee that
        // returns none of the spec's handles acquires nothing by it (`util.sizeFromShape(): number`).
        const typeNode = ts.isFunctionLike(declaration) ? declaration.type : undefined;
        const mayReturnHandle = (node: ts.TypeNode): boolean => {
          if (!this.specPossible(specIndex)) return false;
          const declared = this.checker.getTypeFromTypeNode(node);
          return instantiable(declared) || (this.maskOfType(declared) & (1 << specIndex)) !== 0;
        };
        // Any callee of the spec's own modules, unless its declared type says otherwise; for a spec of any
        // module (generated glue), only what a declaration file declares.
        if (!spec.modules.includes('*')) verdict = !typeNode || mayReturnHandle(typeNode);
        else if (typeNode && declaration.getSourceFile().isDeclarationFile) verdict = mayReturnHandle(typeNode);
        if (verdict) break;
      }
      if (verdict) break;
    }
    // `new SQL.Database()`, `new cv.Mat()`: a property whose type constructs a handle of some spec.
    // (Only for `new`: the type of every variable called would infer half of an untyped bundle.)
    if (!verdict && isNew && symbol.flags & ts.SymbolFlags.Class) {
      // A class constructs instances of itself: its own handle presets (no need to type its constructor).
      verdict = this.maskOfSymbol(symbol) !== 0;
    } else if (!verdict && isNew && symbol.flags & (ts.SymbolFlags.Property | ts.SymbolFlags.Variable)) {
      const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
      const initializer = declaration && ts.isVariableDeclaration(declaration) && !declaration.type ? declaration.initializer : undefined;
      const classSymbol = initializer && ts.isClassExpression(initializer) ? classSymbolOf(this.checker, initializer) : undefined;
      // `var Parser = class { … }`: the class's own presets, as for a class declaration.
      if (classSymbol) verdict = this.maskOfSymbol(classSymbol) !== 0;
      else if (declaration && this.handleTypesPossible()) {
        const construct = this.checker.getTypeOfSymbolAtLocation(symbol, declaration).getConstructSignatures();
        verdict = construct.some((signature) => this.maskOfType(signature.getReturnType()) !== 0);
      }
    }
    verdicts.set(symbol, verdict);
    return verdict;
  }

  /** The call creates a native callback by a spec's `nativeCallbacks.create` (`koffi.register`). */
  isCallbackCreation(node: ts.CallExpression | ts.NewExpression, signatureDeclaration: ts.SignatureDeclaration): boolean {
    const declaration = memberOf(signatureDeclaration);
    const origin = this.originOf(declaration);
    return this.candidates(node, declaration).some(
      (candidate) =>
        candidate.kind === 'callback' &&
        this.fromModules(origin, candidate.modules) &&
        this.patternMatches(candidate.pattern, declaration, this.containerNames(declaration, node)),
    );
  }

  /** Is a value of this type a native callback (`Deno.UnsafeCallback`, bun's `JSCallback`)? */
  isNativeCallbackType(type: ts.Type): boolean {
    const mask = this.maskOfType(type);
    if (mask === 0) return false;
    const names = this.typeNames(type);
    return this.specs.some(
      (spec, specIndex) => (mask & (1 << specIndex)) !== 0 && (spec.nativeCallbacks?.types ?? []).some((name) => names.has(name)),
    );
  }

  /**
   * Is a second release of a value of this type a no-op: is its own class (of each part of a
   * union, `null` and `undefined` aside) one a spec lists as `idempotentRelease`?
   */
  releaseIsIdempotent(type: ts.Type): boolean {
    if (!this.specs.some((spec) => spec.idempotentRelease?.length)) return false;
    const parts = (type.isUnion() ? type.types : [type]).filter((part) => !(part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    return (
      parts.length > 0 &&
      parts.every((part) => {
        const name = part.getSymbol()?.getName();
        const mask = name === undefined ? 0 : this.maskOfType(part);
        return this.specs.some((spec, specIndex) => (mask & (1 << specIndex)) !== 0 && spec.idempotentRelease?.includes(name!) === true);
      })
    );
  }

  /** Members some spec lists as readable after the release, whatever the handle. */
  get readableMembers(): ReadonlySet<string> {
    this.readableMemberNames ??= new Set(this.specs.flatMap((spec) => spec.readableAfterRelease ?? []));
    return this.readableMemberNames;
  }

  private readableMemberNames: ReadonlySet<string> | undefined;

  /** Is `name` a member that a spec of this type's handles lists as readable after the release? */
  readableAfterRelease(name: string, type: ts.Type): boolean {
    if (!this.readableMembers.has(name)) return false;
    const parts = (type.isUnion() ? type.types : [type]).filter((part) => !(part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    return (
      parts.length > 0 &&
      parts.every((part) => {
        const mask = this.maskOfType(part);
        return this.specs.some((spec, specIndex) => (mask & (1 << specIndex)) !== 0 && spec.readableAfterRelease?.includes(name) === true);
      })
    );
  }

  /** Members that hand a native callback's address out, over every spec. */
  callbackPointerMembers(): ReadonlySet<string> {
    return new Set(this.specs.flatMap((spec) => spec.nativeCallbacks?.pointerMembers ?? []));
  }

  private effectOf(
    spec: HandleApiSpec,
    specIndex: number,
    patterns: readonly IndexedPattern[],
    byReturnType: boolean,
    node: ts.CallExpression | ts.NewExpression,
    declaration: ts.Declaration,
  ): SpecCallEffect {
    const isMethod = isMethodDeclaration(declaration);
    const args = new Map<number, ArgumentEffect>();
    let receiver: ArgumentEffect | undefined;
    let result: SpecCallEffect['result'];
    let resultAliasesArg: number | undefined;
    const setOperand = (pattern: OperandPattern, effect: ArgumentEffect): void => {
      const operand = pattern.operand ?? (isMethod && pattern.method !== undefined ? 'receiver' : 0);
      if (operand === 'receiver') receiver = effect;
      else args.set(operand, effect);
    };
    const kinds = new Set(patterns.map((pattern) => pattern.kind));
    for (const { kind, pattern } of patterns) {
      if (kind === 'release') setOperand(pattern, 'release');
      else if (kind === 'takeOwnership') setOperand(pattern, 'escape');
      else if (kind === 'use') setOperand(pattern, 'use');
    }
    const insideScope = spec.scopes !== undefined && this.insideScope(node, specIndex);
    if (kinds.has('borrow')) result = 'other';
    else if (kinds.has('keep')) {
      const argument = node.arguments?.[0] && skipParentheses(node.arguments[0]);
      let statement: ts.Node = node.parent;
      while (ts.isParenthesizedExpression(statement)) statement = statement.parent;
      const discarded = ts.isExpressionStatement(statement);
      if (insideScope && discarded && argument && !ts.isCallExpression(argument) && !ts.isNewExpression(argument)) {
        // `logs[key] = log; tf.keep(logs[key]);` (tfjs-layers): the value survives the scope, held where it was
        // stored; the call hands back nothing new.
        result = 'other';
        args.set(0, 'use');
      } else if (insideScope) {
        result = 'acquire';
        args.set(0, 'escape');
      } else {
        result = 'other';
        resultAliasesArg = 0;
        args.set(0, 'use');
      }
    } else if (kinds.has('acquire') || kinds.has('callback') || byReturnType) {
      // Inside `tf.tidy(() => …)` the scope releases what the library allocates.
      result = insideScope ? 'other' : 'acquire';
    }
    return { spec: spec.name, result, receiver, args: args.size > 0 ? args : EMPTY_MAP, resultAliasesArg };
  }

  /**
   * Is the call inside a scope of a spec whose handles its result may be (`tf.tidy(() => helper(x))`)?
   * The scope disposes what is allocated while it runs, by the library's own ops or by a helper
   * that calls them. An untyped result (a helper of plain JavaScript: tfjs-layers'
   * `this.inputConv(…)`) is taken to be the scope's too. The result's type is asked only inside
   * such a scope.
   */
  scopeDisposes(node: ts.CallExpression | ts.NewExpression, resultType: () => ts.Type): boolean {
    let mask: number | undefined;
    return this.specs.some((spec, specIndex) => {
      if (!spec.scopes || !this.insideScope(node, specIndex)) return false;
      if (mask === undefined) {
        const type = resultType();
        mask = type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) ? -1 : this.maskOfType(type);
      }
      return (mask & (1 << specIndex)) !== 0;
    });
  }

  /**
   * Is the call inside a callback handed to one of this spec's scope calls (at
   * any depth)? A callback written in place (`tf.tidy(() => …)`), or a
   * function declared by name and handed over at the top level of its file
   * (tfjs-core's `export const add = op({ add_ })`: `op` runs `add_` in an
   * engine scope).
   */
  private insideScope(node: ts.Node, specIndex: number): boolean {
    for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
      if (ts.isFunctionDeclaration(current)) {
        if (this.handedToScopeAtTopLevel(current).includes(specIndex)) return true;
        continue;
      }
      if (!(ts.isArrowFunction(current) || ts.isFunctionExpression(current))) continue;
      const call: ts.Node = current.parent;
      // `const lossFn = () => …; optimizer.minimize(lossFn)` (tfjs-layers' training step).
      if (ts.isVariableDeclaration(call) && call.initializer === current && this.handedToScopeInBlock(call).includes(specIndex)) return true;
      if (!ts.isCallExpression(call) || !call.arguments.includes(current as ts.Expression)) continue;
      if (this.scopeOfCall(call) === specIndex) return true;
    }
    return false;
  }

  /**
   * The specs whose scopes cover every run of a top-level function of the program: each of its
   * call sites in the program's files is inside a callback handed to a scope call of the spec, as
   * tfjs-converter's `sliceJoin.executeOp(…)` is inside `tidy(() => …)`. Tensors the function
   * makes and drops belong to the scope around its caller (tfjs scopes are dynamic). None when it
   * has no call site, or a reference that is no call (handed on, stored: it may run anywhere).
   * A reference through a module's `.d.ts` counts as one to the function of its `.js`.
   */
  calledOnlyInScopes(declaration: ts.FunctionDeclaration | ts.VariableDeclaration): readonly number[] {
    const cached = this.onlyInScopesCache.get(declaration);
    if (cached) return cached;
    this.onlyInScopesCache.set(declaration, NO_INDICES);
    const result = this.computeCalledOnlyInScopes(declaration);
    this.onlyInScopesCache.set(declaration, result);
    return result;
  }

  private readonly onlyInScopesCache = new Map<ts.Declaration, readonly number[]>();

  private computeCalledOnlyInScopes(declaration: ts.FunctionDeclaration | ts.VariableDeclaration): readonly number[] {
    const scoped = this.specs.flatMap((spec, specIndex) => (spec.scopes?.length ? [specIndex] : []));
    const name = declaration.name;
    if (scoped.length === 0 || !name || !ts.isIdentifier(name)) return NO_INDICES;
    const file = declaration.getSourceFile();
    const statement = ts.isVariableDeclaration(declaration) ? declaration.parent?.parent : declaration;
    if (!statement || statement.parent !== file) return NO_INDICES;
    const own = this.checker.getSymbolAtLocation(name);
    if (!own) return NO_INDICES;
    // The module's declaration file: other modules import the function through it.
    const stem = file.fileName.replace(/\.(?:[cm]?js|jsx|[cm]?ts|tsx)$/, '');
    const isOurs = (symbol: ts.Symbol): boolean =>
      symbol === own ||
      (symbol.declarations ?? []).some((d) => {
        const declared = ts.getNameOfDeclaration(d);
        return declared !== undefined && ts.isIdentifier(declared) && declared.text === name.text && d.getSourceFile().fileName.replace(/\.d\.[cm]?ts$/, '') === stem;
      });
    let remaining = scoped;
    let calls = 0;
    for (const sourceFile of this.program.getSourceFiles()) {
      if (remaining.length === 0) break;
      if (sourceFile.isDeclarationFile || this.program.isSourceFileDefaultLibrary(sourceFile) || !sourceFile.text.includes(name.text)) continue;
      for (const node of identifiersNamed(sourceFile, name.text)) {
        if (remaining.length === 0) break;
        if (node === name) continue;
        const parent = node.parent;
        // Imports and exports name it without using it.
        if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) continue;
        // `name.x`: the function's name as the object of a member, or `o.name`, another object's member.
        if (ts.isPropertyAccessExpression(parent) && parent.expression === node) continue;
        const expression: ts.Node = ts.isPropertyAccessExpression(parent) && parent.name === node ? parent : node;
        let symbol = this.checker.getSymbolAtLocation(node);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
        if (!symbol || !isOurs(symbol)) continue;
        const call = expression.parent;
        if (ts.isCallExpression(call) && call.expression === expression) {
          calls++;
          remaining = remaining.filter((specIndex) => this.insideScope(call, specIndex));
        } else if (ts.isCallExpression(call) && call.arguments.includes(expression as ts.Expression)) {
          // `tidy(executeOp)`: handed to the scope itself.
          const scope = this.scopeOfCall(call);
          remaining = remaining.filter((specIndex) => specIndex === scope);
        } else remaining = [];
      }
    }
    return calls > 0 ? remaining : NO_INDICES;
  }

  /** Is a value of this type a handle of a spec with scopes (among these, when given)? */
  isScopedHandle(type: ts.Type, specIndices?: readonly number[]): boolean {
    const mask = this.maskOfType(type);
    return this.specs.some((spec, specIndex) => (mask & (1 << specIndex)) !== 0 && spec.scopes?.length && (!specIndices || specIndices.includes(specIndex)));
  }

  /** The spec whose scope call this is, or -1. */
  private scopeOfCall(call: ts.CallExpression): number {
    let scopeOf = this.scopeCallCache.get(call);
    if (scopeOf === undefined) {
      scopeOf = -1;
      const signatureDeclaration = this.signatureOf(call)?.getDeclaration() as ts.SignatureDeclaration | undefined;
      if (signatureDeclaration) {
        const declaration = memberOf(signatureDeclaration);
        const origin = this.originOf(declaration);
        const containerNames = this.containerNames(declaration, call);
        const scope = this.candidates(call, declaration).find(
          (candidate) =>
            candidate.kind === 'scope' && this.fromModules(origin, candidate.modules) && this.patternMatches(candidate.pattern, declaration, containerNames),
        );
        if (scope) scopeOf = scope.specIndex;
      }
      this.scopeCallCache.set(call, scopeOf);
    }
    return scopeOf;
  }

  /**
   * The specs whose scope calls a top-level statement of the function's file
   * hands it to: as an argument (`op(add_)`) or a property of an object
   * argument (`op({ add_ })`, `op({ add: add_ })`).
   */
  private handedToScopeAtTopLevel(fn: ts.FunctionDeclaration): number[] {
    const cached = this.scopedFunctionCache.get(fn);
    if (cached) return cached;
    const result: number[] = [];
    this.scopedFunctionCache.set(fn, result);
    const name = fn.name?.text;
    if (name === undefined || !ts.isSourceFile(fn.parent)) return result;
    return this.scopesHandedTo(name, fn.parent.statements, result);
  }

  /**
   * The specs whose scope calls a `const` function is handed to, by name, in the statements of
   * its own block (`const f = () => …; optimizer.minimize(f)`).
   */
  private handedToScopeInBlock(declaration: ts.VariableDeclaration): number[] {
    const cached = this.scopedFunctionCache.get(declaration);
    if (cached) return cached;
    const result: number[] = [];
    this.scopedFunctionCache.set(declaration, result);
    const list = declaration.parent;
    const statement = list?.parent;
    const block = statement?.parent;
    if (!ts.isIdentifier(declaration.name) || !ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const) || !ts.isVariableStatement(statement)) return result;
    if (!block || !(ts.isBlock(block) || ts.isSourceFile(block))) return result;
    return this.scopesHandedTo(declaration.name.text, block.statements, result);
  }

  /** Scope calls, in the expressions of these statements (not of functions nested in them), that are handed `name`. */
  private scopesHandedTo(name: string, statements: readonly ts.Statement[], result: number[]): number[] {
    const names = (expression: ts.Expression): boolean =>
      ts.isIdentifier(expression) && expression.text === name;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const hands = node.arguments.some(
          (argument) =>
            names(argument) ||
            (ts.isObjectLiteralExpression(argument) &&
              argument.properties.some(
                (property) => (ts.isShorthandPropertyAssignment(property) && property.name.text === name) || (ts.isPropertyAssignment(property) && names(property.initializer)),
              )),
        );
        const scope = hands ? this.scopeOfCall(node) : -1;
        if (scope >= 0 && !result.includes(scope)) result.push(scope);
      }
      // Expressions of the statement only: functions nested in it are their own business.
      if (!ts.isFunctionLike(node) && !ts.isClassLike(node)) ts.forEachChild(node, visit);
    };
    for (const statement of statements) {
      if (ts.isVariableStatement(statement) || ts.isExpressionStatement(statement) || ts.isExportAssignment(statement) || ts.isReturnStatement(statement)) ts.forEachChild(statement, visit);
    }
    return result;
  }

  private candidates(node: ts.CallExpression | ts.NewExpression, declaration: ts.Declaration): IndexedPattern[] {
    const names = new Set<string>();
    const nameNode = ts.getNameOfDeclaration(declaration);
    const declared = nameNode && (ts.isIdentifier(nameNode) || ts.isStringLiteral(nameNode)) ? nameNode.text : undefined;
    if (declared) names.add(declared);
    // `export declare const add: typeof add_`: the written name too.
    const callee = node.expression;
    if (ts.isIdentifier(callee)) names.add(callee.text);
    else if (ts.isPropertyAccessExpression(callee)) names.add(callee.name.text);
    if (ts.isConstructorDeclaration(declaration) || ts.isConstructSignatureDeclaration(declaration)) names.add('constructor');
    const result: IndexedPattern[] = [];
    for (const name of names) result.push(...(this.byName.get(name) ?? []));
    if (isMethodDeclaration(declaration)) result.push(...(this.byName.get('*') ?? []));
    return result;
  }

  private patternMatches(pattern: CallPattern, declaration: ts.Declaration, containerNames: ReadonlySet<string>): boolean {
    if (pattern.type !== undefined) return pattern.method !== undefined && containerNames.has(pattern.type);
    // A free function: not a method of a class or interface.
    return pattern.function !== undefined && !isMethodDeclaration(declaration);
  }

  /**
   * Names of the type that declares a method and of the types it extends,
   * and of the receiver's type at the call (a method inherited from a base
   * the spec does not name).
   */
  private containerNames(declaration: ts.Declaration, node: ts.CallExpression | ts.NewExpression): ReadonlySet<string> {
    let names = this.containerNamesCache.get(declaration);
    if (!names) {
      const collected = new Set<string>();
      const container = declaration.parent;
      if (container && (ts.isClassLike(container) || ts.isInterfaceDeclaration(container))) {
        const symbol = container.name ? this.checker.getSymbolAtLocation(container.name) : undefined;
        if (symbol) for (const name of this.typeNames(this.checker.getDeclaredTypeOfSymbol(symbol))) collected.add(name);
      } else if (container && ts.isTypeLiteralNode(container) && ts.isTypeAliasDeclaration(container.parent)) {
        collected.add(container.parent.name.text);
      }
      names = collected;
      this.containerNamesCache.set(declaration, names);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const receiverNames = this.typeNames(this.checker.getTypeAtLocation(node.expression.expression));
      if (receiverNames.size > 0) return new Set([...names, ...receiverNames]);
    }
    return names;
  }

  /** The names a type goes by: its alias, its symbol, and its base classes and interfaces. */
  private typeNames(type: ts.Type): Set<string> {
    const names = new Set<string>();
    const visit = (current: ts.Type, depth: number): void => {
      if (depth > 8) return;
      if (current.aliasSymbol) names.add(current.aliasSymbol.getName());
      if (current.isUnionOrIntersection()) {
        for (const part of current.types) visit(part, depth + 1);
        return;
      }
      const symbol = current.getSymbol();
      if (!symbol) return;
      if (names.has(symbol.getName()) && depth > 0) return;
      names.add(symbol.getName());
      const target = (current as ts.TypeReference).target ?? current;
      if (target.isClassOrInterface()) for (const base of this.checker.getBaseTypes(target)) visit(base, depth + 1);
    };
    visit(type, 0);
    return names;
  }

  // ------------------------------------------------------------------ origins

  private fromModules(origin: Origin, modules: readonly ModuleName[]): boolean {
    let compiled = this.moduleLists.get(modules);
    if (!compiled) {
      // A file of the program: `src/native.d.ts` names the declaring file.
      const files = modules.filter((name) => /\.[cm]?[jt]sx?$/.test(name)).map((name) => (name.startsWith('/') ? name : `/${name}`));
      compiled = { any: modules.includes('*'), files };
      this.moduleLists.set(modules, compiled);
    }
    if (compiled.any) return true;
    for (const name of modules) if (origin.names.has(name)) return true;
    return compiled.files.some((suffix) => origin.fileName.endsWith(suffix));
  }

  /** Packages, ambient modules and namespaces a declaration sits in. */
  private originOf(declaration: ts.Node): Origin {
    const cached = this.originCache.get(declaration);
    if (cached) return cached;
    const sourceFile = declaration.getSourceFile();
    // JavaScript declares no ambient modules or namespaces: one origin serves the whole file.
    const isJavaScript = (sourceFile.flags & ts.NodeFlags.JavaScriptFile) !== 0;
    if (isJavaScript && declaration !== sourceFile) {
      const origin = this.originOf(sourceFile);
      this.originCache.set(declaration, origin);
      return origin;
    }
    const names = new Set<string>(this.packagesOf(sourceFile.fileName));
    const namespaces: string[] = [];
    for (let current: ts.Node | undefined = isJavaScript ? undefined : declaration.parent; current; current = current.parent) {
      if (!ts.isModuleDeclaration(current)) continue;
      if (ts.isStringLiteral(current.name)) names.add(current.name.text);
      else namespaces.unshift(current.name.text);
    }
    for (let i = 0; i < namespaces.length; i++) {
      names.add(namespaces[i]);
      names.add(namespaces.slice(0, i + 1).join('.'));
    }
    const origin = { names, fileName: sourceFile.fileName.replace(/\\/g, '/') };
    this.originCache.set(declaration, origin);
    return origin;
  }

  private packagesOf(fileName: string): readonly string[] {
    const cached = this.packageCache.get(fileName);
    if (cached) return cached;
    const normalized = fileName.replace(/\\/g, '/');
    const at = normalized.lastIndexOf('/node_modules/');
    let packages: string[] = [];
    if (at >= 0) {
      const parts = normalized.slice(at + '/node_modules/'.length).split('/');
      const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
      packages = [name];
      if (name.startsWith('@types/')) {
        const typed = name.slice('@types/'.length);
        packages.push(typed.includes('__') ? `@${typed.replace('__', '/')}` : typed);
      }
    }
    this.packageCache.set(fileName, packages);
    return packages;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A method typed as a property (`manage: <T>(lifetime: T) => T`) is known by its property. */
function memberOf(declaration: ts.SignatureDeclaration): ts.Declaration {
  const parent = declaration.parent;
  if ((ts.isFunctionTypeNode(declaration) || ts.isArrowFunction(declaration) || ts.isFunctionExpression(declaration)) && parent) {
    if (ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent;
  }
  return declaration;
}

function isMethodDeclaration(declaration: ts.Node): boolean {
  return (
    ts.isMethodDeclaration(declaration) ||
    ts.isMethodSignature(declaration) ||
    ts.isPropertyDeclaration(declaration) ||
    ts.isPropertySignature(declaration) ||
    ts.isGetAccessor(declaration)
  );
}

function hasBody(declaration: ts.SignatureDeclaration): boolean {
  return 'body' in declaration && declaration.body !== undefined;
}

/** `method(): this`: the receiver comes back, not a fresh handle. */
function returnsThis(declaration: ts.SignatureDeclaration): boolean {
  return declaration.type !== undefined && declaration.type.kind === ts.SyntaxKind.ThisType;
}

/**
 * A JavaScript function with a body and no declared return type (the
 * library's own source, linted in place): its return type would be inferred
 * by checking its body, and the flow analysis summarises that body anyway,
 * which says more (a fresh tensor, or one of its arguments).
 */
/**
 * The signature returns a type parameter constrained to functions
 * (tfjs-core's `op<T extends Function>(f: {[name: string]: T}): T`): every
 * call returns a function, never a handle, whatever it infers (a candidate
 * that is not a function is replaced by the constraint), so the call need
 * not be resolved to say so.
 */
function returnsCallable(program: ts.Program, signature: ts.Signature): boolean {
  const checker = program.getTypeChecker();
  const declared = checker.getReturnTypeOfSignature(signature);
  if (!(declared.flags & ts.TypeFlags.TypeParameter)) return false;
  const constraint = checker.getBaseConstraintOfType(declared);
  if (!constraint || constraint.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  if (constraint.isUnionOrIntersection()) return false;
  if (constraint.getCallSignatures().length > 0 && constraint.getConstructSignatures().length === 0) return true;
  const symbol = constraint.getSymbol();
  return symbol?.getName() === 'Function' && (symbol.declarations ?? []).some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
}

/**
 * Can a call return something else than this declared type, where
 * {@link SpecMatcher.maskOfType} looks: a type parameter (of the signature,
 * or of any class, interface or type alias around it), `this`, an indexed
 * or conditional type, in a union or a promise? Then only the call says.
 */
function instantiable(type: ts.Type, depth = 0): boolean {
  if (depth > 4 || type.flags & ts.TypeFlags.Instantiable) return true;
  if (type.isUnionOrIntersection()) return type.types.some((part) => instantiable(part, depth + 1));
  const name = type.getSymbol()?.getName();
  if (name === 'Promise' || name === 'PromiseLike') return ((type as ts.TypeReference).typeArguments ?? []).some((argument) => instantiable(argument, depth + 1));
  return false;
}

function summarisedInstead(declaration: ts.SignatureDeclaration): boolean {
  if (!('body' in declaration) || declaration.body === undefined || declaration.type !== undefined) return false;
  if (!(declaration.getSourceFile().flags & ts.NodeFlags.JavaScriptFile)) return false;
  return ts.getJSDocReturnType(declaration) === undefined;
}
