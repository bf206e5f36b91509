import ts from 'typescript';
import type { ArgumentEffect } from '../call-effects.js';
import { classSymbolOf, skipParentheses } from '../ts-nodes.js';
import type { HandleApiSpec, OperandPattern } from './types.js';
import { DEFAULT_LIBRARY } from './types.js';
import { SpecIndex } from './spec-index.js';
import { SpecScopes } from './spec-scopes.js';
import { UntypedMembers } from './untyped-members.js';
import { CompiledSpecs } from './compiled-specs.js';

export { CompiledSpecs } from './compiled-specs.js';
export type { SpecCallEffect } from './compiled-specs.js';
import type { IndexedPattern, SpecCallEffect } from './compiled-specs.js';
import { EMPTY_MAP, NO_INDICES, RESULT_KINDS } from './compiled-specs.js';
import { hasBody, instantiable, isMethodDeclaration, memberOf, push, returnsCallable, returnsThis, summarisedInstead } from './declarations.js';

/** A parameter of a callback that owns the handle it receives. */
export interface OwnedParameter {
  readonly parameter: number;
  /** The callback's first parameter is an error: where it is set, this one holds nothing. */
  readonly errorFirst: boolean;
}

/**
 * Compiles handle API specs (presets and settings) into lookups, and answers
 * the handle model's two questions about them: is this symbol a handle type
 * of some spec, and what does this call do? Lookups are indexed by name, so
 * a call asks only the patterns written for its callee's name; answers are
 * cached per symbol, declaration and call.
 */
export class SpecMatcher {
  private readonly index: SpecIndex;
  private readonly scopes: SpecScopes;
  private readonly untypedMembers: UntypedMembers;

  /**
   * @param signatureOf the signature a call resolves to, as the model finds it (a single generic
   * signature without inference: `tidy(() => …)` resolved checks the whole callback)
   */
  constructor(compiled: CompiledSpecs, program: ts.Program, signatureOf?: (call: ts.CallExpression | ts.NewExpression) => ts.Signature | undefined) {
    this.index = new SpecIndex(compiled, program, signatureOf);
    this.scopes = new SpecScopes(this.index);
    this.untypedMembers = new UntypedMembers(this.index);
  }

  /**
   * The spec's declaration a call through an untyped receiver stands for (`instance.tf.dispose(t)`
   * is tfjs-core's `dispose`), where the call's file imports it: see untyped-members.ts.
   */
  untypedMemberSignature(call: ts.CallExpression): ts.Signature | undefined {
    return this.untypedMembers.signatureOf(call);
  }

  /** Can a type of this program be a handle of some spec? */
  handleTypesPossible(): boolean {
    return this.index.handleTypesPossible();
  }

  /** @param parts the handles asked of are the result's parts (a result taken apart), not the result itself */
  scopeDisposes(node: ts.CallExpression | ts.NewExpression, resultType: () => ts.Type, parts = false): boolean {
    return this.scopes.scopeDisposes(node, resultType, parts);
  }

  calledOnlyInScopes(declaration: ts.FunctionDeclaration | ts.VariableDeclaration): readonly number[] {
    return this.scopes.calledOnlyInScopes(declaration);
  }

  isScopedHandle(type: ts.Type, specIndices?: readonly number[]): boolean {
    return this.scopes.isScopedHandle(type, specIndices);
  }

  private readonly calleeVerdicts = new Map<ts.Symbol, boolean>();
  private readonly constructVerdicts = new Map<ts.Symbol, boolean>();

  /**
   * The handle mask of a declaration's declared return type, `compute`d or kept: installed by the
   * analysis (program/kept-declaration-facts.ts) to keep it across an editor's programs, since
   * typing a return type can cost seconds (a type inferred by zod).
   */
  declaredReturnMask: (declaration: ts.SignatureDeclaration, compute: () => number) => number = (_, compute) => compute();

  /** Is the class, interface or type alias a handle type of some spec? */
  isHandleSymbol(symbol: ts.Symbol): boolean {
    return this.index.maskOfSymbol(symbol) !== 0;
  }

  /**
   * What the specs say about a call, or undefined when none describes it.
   * The first spec that describes the call decides (settings come first).
   */
  classifyCall(
    node: ts.CallExpression | ts.NewExpression,
    signature: ts.Signature,
    signatureDeclaration: ts.SignatureDeclaration,
    returnType: () => ts.Type = () => signature.getReturnType(),
    returnIsDeclared = false,
    parts = false,
  ): SpecCallEffect | undefined {
    // `super(…)` initialises `this`; it returns nothing new.
    if (node.expression.kind === ts.SyntaxKind.SuperKeyword) return undefined;
    const declaration = memberOf(signatureDeclaration);
    const candidates = this.index.candidates(node, declaration);
    const origin = this.index.originOf(declaration);
    const matched = new Map<number, IndexedPattern[]>();
    let mask: number | undefined;
    const returnMask = (): number =>
      (mask ??= parts
        ? this.index.maskOfParts(returnType())
        : returnIsDeclared
          ? this.declaredReturnMask(signatureDeclaration, () => this.index.maskOfType(returnType()))
          : this.index.maskOfType(returnType()));
    if (candidates.length > 0) {
      // Typed only for a candidate of the callee's module: the receiver's type (zod's `schema.parse(…)` is no
      // parser's `parse`) can cost more than the whole call's analysis.
      let containerNames: ReadonlySet<string> | undefined;
      for (const candidate of candidates) {
        if (!this.index.fromModules(origin, candidate.modules) || !this.index.candidatePossible(candidate)) continue;
        containerNames ??= this.index.containerNames(declaration, node);
        if (!this.index.patternMatches(candidate.pattern, declaration, containerNames)) continue;
        push(matched, candidate.specIndex, candidate);
      }
    }
    for (let specIndex = 0; specIndex < this.index.specs.length; specIndex++) {
      const spec = this.index.specs[specIndex];
      const patterns = matched.get(specIndex) ?? [];
      // The return type is asked for last (a generic call's is resolved for it), and only when the patterns leave the result open.
      // Inside the spec's scope an acquisition is the scope's, and a callee without a body has no summary to
      // fall back on: the call's effect is the same whatever it returns (`tidy(() => …)` inside an op).
      const byReturnType =
        !patterns.some((pattern) => RESULT_KINDS.has(pattern.kind)) &&
        spec.acquireByReturnType === true &&
        this.index.fromModules(origin, spec.modules) &&
        !returnsThis(signatureDeclaration) &&
        !summarisedInstead(signatureDeclaration) &&
        // Generated glue (a spec of any module) is declared without bodies; a function of the program's own is
        // summarised instead, as it may hand back one it only borrows (`fromValue(v) { return v.ref; }`).
        !(spec.modules.includes('*') && hasBody(signatureDeclaration)) &&
        !(spec.scopes !== undefined && !hasBody(signatureDeclaration) && this.scopes.insideScope(node, specIndex)) &&
        this.index.specPossible(specIndex) &&
        (returnIsDeclared || this.index.returnsHandlesFrom(specIndex, signatureDeclaration)) &&
        !returnsCallable(this.index.program, signature) &&
        (returnMask() & (1 << specIndex)) !== 0;
      if (patterns.length === 0 && !byReturnType) continue;
      return this.effectOf(spec, specIndex, patterns, byReturnType, node, declaration, parts);
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
    const named = this.index.byName.get(symbol.getName()) ?? [];
    for (const declaration of symbol.declarations ?? []) {
      const origin = this.index.originOf(declaration);
      // A `method` pattern (embind's `clone()`) never describes a plain function of that name, but for a
      // module shape's functions, which a namespace declares (`declare module Ammo { function destroy(…) }`).
      const plainFunction = ts.isFunctionDeclaration(declaration) || ts.isVariableDeclaration(declaration);
      // A method of a named type, for a spec of any module (embind's `ClassHandle#clone`) or of the default library
      // (`VideoFrame#clone`): only a method that type declares (three's `Texture#clone`, `Response#clone` are none).
      const describes = (candidate: IndexedPattern): boolean =>
        !(plainFunction && candidate.pattern.method !== undefined && !this.index.namesModuleShape(candidate)) &&
        this.index.fromModules(origin, candidate.modules) &&
        this.index.candidatePossible(candidate) &&
        (candidate.pattern.type === undefined ||
          !(candidate.modules.includes('*') || candidate.modules.includes(DEFAULT_LIBRARY)) ||
          this.index.containerNames(declaration).has(candidate.pattern.type));
      if (named.some(describes)) verdict = true;
      let summarised: boolean | undefined;
      const byReturnType: readonly number[] = verdict ? NO_INDICES : this.index.byReturnTypeSpecs;
      for (const specIndex of byReturnType) {
        const spec = this.index.specs[specIndex];
        if (!this.index.fromModules(origin, spec.modules)) continue;
        // Its body is summarised instead (see `classifyCall`): only what it does there counts.
        summarised ??= ts.isFunctionLike(declaration) && summarisedInstead(declaration);
        if (summarised) break;
        // A declared return type that no instantiation changes is what every call returns: a callee that
        // returns none of the spec's handles acquires nothing by it (`util.sizeFromShape(): number`).
        const typeNode = ts.isFunctionLike(declaration) ? declaration.type : undefined;
        const mayReturnHandle = (node: ts.TypeNode): boolean => {
          if (!this.index.specPossible(specIndex)) return false;
          const declared = this.index.checker.getTypeFromTypeNode(node);
          return instantiable(declared) || (this.index.maskOfType(declared) & (1 << specIndex)) !== 0;
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
      verdict = this.index.maskOfSymbol(symbol) !== 0;
    } else if (!verdict && isNew && symbol.flags & (ts.SymbolFlags.Property | ts.SymbolFlags.Variable)) {
      // Cached as false first: an alias of itself (`var A = B, B = A`) ends there.
      verdicts.set(symbol, false);
      verdict = this.constructsHandle(symbol);
    }
    verdicts.set(symbol, verdict);
    return verdict;
  }

  /** The member `{ name }` takes from a name or a member (`const { Mat } = cv`); none from any other value. */
  private destructuredMember(element: ts.BindingElement): ts.Symbol | undefined {
    const pattern = element.parent;
    const declaration = ts.isObjectBindingPattern(pattern) && ts.isVariableDeclaration(pattern.parent) ? pattern.parent : undefined;
    const source = declaration?.initializer && skipParentheses(declaration.initializer);
    if (!source || !(ts.isIdentifier(source) || ts.isPropertyAccessExpression(source))) return undefined;
    const key = element.propertyName ?? element.name;
    if (!ts.isIdentifier(key)) return undefined;
    const checker = this.index.checker;
    return checker.getPropertyOfType(checker.getTypeAtLocation(source), key.text);
  }

  /** `new SQL.Database()`, `new cv.Mat()`: a property or variable whose type constructs a handle of some spec. */
  private constructsHandle(symbol: ts.Symbol): boolean {
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!declaration) return false;
    const initializer = ts.isVariableDeclaration(declaration) && !declaration.type ? declaration.initializer : undefined;
    const classSymbol = initializer && ts.isClassExpression(initializer) ? classSymbolOf(this.index.checker, initializer) : undefined;
    // `var Parser = class { … }`: the class's own presets, as for a class declaration.
    if (classSymbol) return this.index.maskOfSymbol(classSymbol) !== 0;
    if (!this.index.handleTypesPossible()) return false;
    if (ts.isBindingElement(declaration) && inferredInJavaScript(declaration)) {
      // `const { Database } = SQL`: the member of what is destructured, when that is a name or a member (as an alias).
      const member = this.destructuredMember(declaration);
      return member !== undefined && this.mayDescribeCallee(member, true);
    }
    if (inferredInJavaScript(declaration)) {
      // `const ArrayType = pickArrayType(…)` in a bundle: inferring its type checks the callee's every
      // return (three.js spent seconds on a few such). Only an alias is followed: `const Mat = cv.Mat`,
      // `const Ctor = big ? BigArray : SmallArray`.
      return aliasedConstructors(assignedValue(declaration)).some((alias) => {
        const target = this.index.checker.getSymbolAtLocation(alias);
        const resolved = target && target.flags & ts.SymbolFlags.Alias ? this.index.checker.getAliasedSymbol(target) : target;
        return resolved !== undefined && this.mayDescribeCallee(resolved, true);
      });
    }
    const construct = this.index.checker.getTypeOfSymbolAtLocation(symbol, declaration).getConstructSignatures();
    return construct.some((signature) => this.index.maskOfType(signature.getReturnType()) !== 0);
  }

  /** The call creates a native callback by a spec's `nativeCallbacks.create` (`koffi.register`). */
  isCallbackCreation(node: ts.CallExpression | ts.NewExpression, signatureDeclaration: ts.SignatureDeclaration): boolean {
    const declaration = memberOf(signatureDeclaration);
    const origin = this.index.originOf(declaration);
    return this.index.candidates(node, declaration).some(
      (candidate) =>
        candidate.kind === 'callback' &&
        this.index.fromModules(origin, candidate.modules) &&
        this.index.patternMatches(candidate.pattern, declaration, this.index.containerNames(declaration, node)),
    );
  }

  /** Is a value of this type a native callback (`Deno.UnsafeCallback`, bun's `JSCallback`)? */
  isNativeCallbackType(type: ts.Type): boolean {
    const mask = this.index.maskOfType(type);
    if (mask === 0) return false;
    const names = this.index.typeNames(type);
    return this.index.specs.some(
      (spec, specIndex) => (mask & (1 << specIndex)) !== 0 && (spec.nativeCallbacks?.types ?? []).some((name) => names.has(name)),
    );
  }

  /**
   * Is a second release of a value of this type a no-op: is its own class (of each part of a
   * union, `null` and `undefined` aside) one a spec lists as `idempotentRelease`?
   */
  releaseIsIdempotent(type: ts.Type): boolean {
    if (!this.index.specs.some((spec) => spec.idempotentRelease?.length)) return false;
    const parts = (type.isUnion() ? type.types : [type]).filter((part) => !(part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    return (
      parts.length > 0 &&
      parts.every((part) => {
        const name = part.getSymbol()?.getName();
        const mask = name === undefined ? 0 : this.index.maskOfType(part);
        return this.index.specs.some((spec, specIndex) => (mask & (1 << specIndex)) !== 0 && spec.idempotentRelease?.includes(name!) === true);
      })
    );
  }

  /**
   * Is `name` a release-like method that does not release a handle of this type, because every spec
   * whose handle it is releases only by other names (`releasedOnlyBy`: embind's `delete()`)?
   */
  notReleasedBy(type: ts.Type, name: string): boolean {
    if (!this.index.specs.some((spec) => spec.releasedOnlyBy !== undefined)) return false;
    const mask = this.index.maskOfType(type);
    return mask !== 0 && this.index.specs.every((spec, specIndex) => (mask & (1 << specIndex)) === 0 || (spec.releasedOnlyBy !== undefined && !spec.releasedOnlyBy.includes(name)));
  }

  /** Members some spec lists as readable after the release, whatever the handle. */
  get readableMembers(): ReadonlySet<string> {
    this.readableMemberNames ??= new Set(this.index.specs.flatMap((spec) => spec.readableAfterRelease ?? []));
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
        // A spec's handle, or a type it says ends by itself (a Node socket, which `destroy()` still releases).
        const mask = this.index.maskOfType(part) | this.index.endsByItselfMask(part);
        return this.index.specs.some((spec, specIndex) => (mask & (1 << specIndex)) !== 0 && spec.readableAfterRelease?.includes(name) === true);
      })
    );
  }

  /** The spec that says this call throws by contract (its `throws`), if one does. */
  throwingSpec(node: ts.CallExpression | ts.NewExpression, signatureDeclaration: ts.SignatureDeclaration): string | undefined {
    if (this.index.throwingByName.size === 0) return undefined;
    const declaration = memberOf(signatureDeclaration);
    const candidates = this.index.candidates(node, declaration, this.index.throwingByName);
    if (candidates.length === 0) return undefined;
    const origin = this.index.originOf(declaration);
    const containerNames = this.index.containerNames(declaration, node);
    const matched = candidates.find(
      (candidate) => this.index.fromModules(origin, candidate.modules) && this.index.patternMatches(candidate.pattern, declaration, containerNames),
    );
    return matched && this.index.specs[matched.specIndex].name;
  }

  /** Does a value of this type end its life without a release (a spec's `endsByItself`)? */
  endsByItself(type: ts.Type): boolean {
    return this.index.endsByItself(type);
  }

  /** Names of the calls a callback may be handed to that then owns a parameter of it (`VideoDecoder`, `open`). */
  get callbackOwnerNames(): ReadonlySet<string> {
    this.ownerNames ??= new Set(this.index.callbackOwners.keys());
    return this.ownerNames;
  }

  private ownerNames: ReadonlySet<string> | undefined;

  /**
   * The parameters of a function written in place as a callback that a spec says the callback
   * owns (`new VideoDecoder({ output: (frame) => … })`, `fs.open(path, (err, fd) => …)`).
   * @param calleeName the written name of the call's callee (`VideoDecoder`, `open`)
   */
  ownedCallbackParameters(call: ts.CallExpression | ts.NewExpression, calleeName: string, argument: number, property: string | undefined): readonly OwnedParameter[] {
    const patterns = (this.index.callbackOwners.get(calleeName) ?? []).filter(
      ({ pattern }) => pattern.property === property && (pattern.argument === 'last' ? argument === (call.arguments?.length ?? 0) - 1 : pattern.argument === argument),
    );
    if (patterns.length === 0) return [];
    const signatureDeclaration = this.index.signatureOf(call)?.getDeclaration() as ts.SignatureDeclaration | undefined;
    if (!signatureDeclaration) return [];
    const declaration = memberOf(signatureDeclaration);
    const origin = this.index.originOf(declaration);
    const containerNames = this.index.containerNames(declaration, call);
    return patterns
      .filter(({ pattern, modules }) => this.index.fromModules(origin, modules) && this.index.patternMatches(pattern, declaration, containerNames))
      .map(({ pattern }) => ({ parameter: pattern.parameter, errorFirst: pattern.errorFirst === true }));
  }

  /** Members that hand a native callback's address out, over every spec. */
  callbackPointerMembers(): ReadonlySet<string> {
    return new Set(this.index.specs.flatMap((spec) => spec.nativeCallbacks?.pointerMembers ?? []));
  }

  private effectOf(
    spec: HandleApiSpec,
    specIndex: number,
    patterns: readonly IndexedPattern[],
    byReturnType: boolean,
    node: ts.CallExpression | ts.NewExpression,
    declaration: ts.Declaration,
    parts: boolean,
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
    const insideScope = spec.scopes !== undefined && this.scopes.insideScope(node, specIndex);
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
    } else if (kinds.has('acquire') || kinds.has('callback') || byReturnType || (parts && kinds.has('acquireParts'))) {
      // Inside `tf.tidy(() => …)` the scope releases what the library allocates.
      result = insideScope ? 'other' : 'acquire';
    }
    const borrowsHandleArguments = spec.callsBorrowHandleArguments === true;
    return { spec: spec.name, result, receiver, args: args.size > 0 ? args : EMPTY_MAP, resultAliasesArg, ...(borrowsHandleArguments ? { borrowsHandleArguments } : {}) };
  }
}

/** A variable or property of a JavaScript file that no annotation or JSDoc type declares: its type is inferred from its value. */
function inferredInJavaScript(declaration: ts.Declaration): boolean {
  if (!(declaration.getSourceFile().flags & ts.NodeFlags.JavaScriptFile)) return false;
  if (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) return !declaration.type && ts.getJSDocType(declaration) === undefined;
  if (ts.isBindingElement(declaration)) {
    const variable = ts.walkUpBindingElementsAndPatterns(declaration);
    return ts.isVariableDeclaration(variable) && !variable.type && ts.getJSDocType(variable) === undefined;
  }
  // `this.Ctor = …`, `exports.Ctor = …`: assignments, typed only by inference.
  return ts.isBinaryExpression(declaration) || ts.isPropertyAccessExpression(declaration) || ts.isElementAccessExpression(declaration);
}

/** The value a variable, field or assignment declaration gives its name (`exports.Mat = cv.Mat`: `cv.Mat`). */
function assignedValue(declaration: ts.Declaration): ts.Expression | undefined {
  if (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) return declaration.initializer;
  if (ts.isBinaryExpression(declaration)) return declaration.right;
  const parent = declaration.parent;
  return parent && ts.isBinaryExpression(parent) && (parent.left as ts.Node) === declaration ? parent.right : undefined;
}

/** The names or members an initializer is an alias of (both sides of `c ? A : B`); none for any other value. */
function aliasedConstructors(initializer: ts.Expression | undefined): ts.Node[] {
  if (!initializer) return [];
  const value = skipParentheses(initializer);
  if (ts.isIdentifier(value)) return [value];
  if (ts.isPropertyAccessExpression(value)) return [value.name];
  if (ts.isConditionalExpression(value)) return [...aliasedConstructors(value.whenTrue), ...aliasedConstructors(value.whenFalse)];
  if (ts.isBinaryExpression(value) && (value.operatorToken.kind === ts.SyntaxKind.BarBarToken || value.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
    return [...aliasedConstructors(value.left), ...aliasedConstructors(value.right)];
  }
  return [];
}
