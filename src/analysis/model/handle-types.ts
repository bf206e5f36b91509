import * as tsutils from 'ts-api-utils';
import ts from 'typescript';
import type { SpecMatcher } from './presets/matcher.js';
import { OWN_HANDLE_WORDS, programMentions } from '../program/program-facts.js';
import type { ArgumentEffect } from './call-effects.js';
import { ContainerEntries } from './container-entries.js';
import type { HandleModelOptions } from './options.js';
import { OwnerClasses } from './owner-classes.js';
import { answer } from './open-questions.js';
import { HANDLE_TAG } from './tags.js';
import { hasNoRequiredParameters } from './ts-nodes.js';

/** Types that are never handles. */
const PRIMITIVE_FLAGS =
  ts.TypeFlags.StringLike |
  ts.TypeFlags.NumberLike |
  ts.TypeFlags.BigIntLike |
  ts.TypeFlags.BooleanLike |
  ts.TypeFlags.ESSymbolLike |
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void;

/**
 * Which types are handles: `@handle`, Disposable (less no-op disposals and
 * built-in iterators), the presets and settings, less `notHandles`; and what
 * a parameter's or value's type means for the argument a call is given.
 */
export class HandleTypes {
  readonly checker: ts.TypeChecker;
  readonly options: HandleModelOptions;
  private readonly handleTypeCache = new Map<ts.Type, boolean>();
  private readonly handleSymbolCache = new Map<ts.Symbol, boolean>();
  readonly releaseMethodNames: ReadonlySet<string>;
  readonly livenessMemberNames: ReadonlySet<string>;
  /** Presets and settings: handle types and calls described by name (see src/analysis/model/presets). */
  readonly specs: SpecMatcher | undefined;

  readonly program: ts.Program;
  /** Classes of the program that own a handle and release it in a release-named method: handles too. */
  readonly owners: OwnerClasses;
  /** Containers of the program's classes whose entries a release method releases (a cache, a set of disposables). */
  readonly containers: ContainerEntries;

  constructor(program: ts.Program, options: HandleModelOptions, specs: SpecMatcher | undefined) {
    this.program = program;
    this.checker = program.getTypeChecker();
    this.options = options;
    this.releaseMethodNames = new Set(options.releaseMethodNames);
    this.livenessMemberNames = new Set(options.livenessMemberNames);
    this.specs = specs;
    this.owners = new OwnerClasses(program, this.releaseMethodNames);
    this.containers = new ContainerEntries(program, this.releaseMethodNames);
  }

  isLivenessMember(name: string): boolean {
    return this.livenessMemberNames.has(name);
  }

  /** `'closed'` in `decoder.state === 'closed'` (WebCodecs' codec state): a liveness name that says released, as a state's value. */
  isReleasedStateName(value: string): boolean {
    return this.livenessMemberNames.has(value) && !/^is[A-Z]|^alive$|^constructor$/.test(value);
  }

  /**
   * Can any type of this program be a handle? Not where no file declares a
   * disposable member, names a Disposable type or a `@handle` tag, and no
   * preset or setting names a handle type of the program (three's program:
   * the prefilter no longer resolves the JSDoc types of its 10k functions to
   * find none).
   */
  handleTypesPossible(): boolean {
    // A class of the program may own a handle whatever it is named (owner-classes.ts).
    this.typesPossible ??= this.ownHandlesPossible() || (this.specs?.handleTypesPossible() ?? false) || this.owners.possible();
    return this.typesPossible;
  }

  private typesPossible: boolean | undefined;

  /** Can a type of the program be Disposable or tagged `@handle`? (Not where only a preset's handles are possible: three's ImageBitmaps.) */
  ownHandlesPossible(): boolean {
    this.ownPossible ??= programMentions(this.program, OWN_HANDLE_WORDS, { outsideStrings: true });
    return this.ownPossible;
  }

  private ownPossible: boolean | undefined;

  /** Is a value of this type a handle (an owned native resource)? */
  isHandleType(type: ts.Type): boolean {
    if (!this.handleTypesPossible()) return false;
    const cached = this.handleTypeCache.get(type);
    if (cached !== undefined) return cached;
    // Asked again while computing (a recursive type, or a class whose release method's summary asks): not a handle meanwhile.
    return answer(this.handleTypeCache, type, false, () => this.computeIsHandleType(type));
  }

  /**
   * Is a value of this type Disposable (`[Symbol.dispose]` or `[Symbol.asyncDispose]`)?
   * Never where no file of the program names one; else read once per type
   * (`getWellKnownSymbolPropertyOfType` lists every property of the type).
   */
  isDisposableType(type: ts.Type): 'sync' | 'async' | false {
    if (!this.ownHandlesPossible()) return false;
    let disposable = this.disposableCache.get(type);
    if (disposable === undefined) {
      disposable = this.computeIsDisposableType(type);
      this.disposableCache.set(type, disposable);
    }
    return disposable;
  }

  private readonly disposableCache = new Map<ts.Type, 'sync' | 'async' | false>();

  private computeIsDisposableType(type: ts.Type): 'sync' | 'async' | false {
    for (const part of tsutils.unionConstituents(type)) {
      if (tsutils.isTypeFlagSet(part, ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) continue;
      if (this.isBuiltinIterator(part)) continue;
      const dispose = tsutils.getWellKnownSymbolPropertyOfType(part, 'dispose', this.checker);
      if (dispose && !this.ownsNothing(dispose)) return 'sync';
      const asyncDispose = tsutils.getWellKnownSymbolPropertyOfType(part, 'asyncDispose', this.checker);
      if (asyncDispose && !this.ownsNothing(asyncDispose)) return 'async';
    }
    return false;
  }

  /** A dispose member every declaration of which is in a class or interface the `notHandles` setting names. */
  private ownsNothing(member: ts.Symbol): boolean {
    const names = this.options.notHandles;
    if (!names || names.length === 0) return false;
    const declarations = member.declarations ?? [];
    return (
      declarations.length > 0 &&
      declarations.every((declaration) => {
        const owner = declaration.parent;
        const name = owner && (ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner)) ? owner.name?.text : undefined;
        return name !== undefined && names.includes(name);
      })
    );
  }

  /**
   * A class whose release methods all have empty bodies (quickjs's
   * `StaticLifetime`: `dispose() {}`) owns nothing: constructing one
   * acquires nothing.
   */
  hasNoOpDisposal(type: ts.Type): boolean {
    const declaration = type.getSymbol()?.declarations?.find(ts.isClassLike);
    if (!declaration || ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === HANDLE_TAG)) return false;
    const releasers = declaration.members.filter((member): member is ts.MethodDeclaration => {
      if (!ts.isMethodDeclaration(member) || !member.body) return false;
      const name = member.name;
      if (ts.isIdentifier(name)) return this.releaseMethodNames.has(name.text) && hasNoRequiredParameters(member);
      return ts.isComputedPropertyName(name) && /Symbol\.(asyncD|d)ispose/.test(name.expression.getText());
    });
    return releasers.length > 0 && releasers.every((method) => method.body!.statements.length === 0);
  }

  /**
   * `lib.esnext.disposable` makes every built-in iterator and generator
   * Disposable (`IteratorObject extends Disposable`; disposing calls
   * `return()`); they hold no native resource, so they are not handles.
   */
  private isBuiltinIterator(type: ts.Type): boolean {
    const symbol = type.getSymbol() ?? type.aliasSymbol;
    if (!symbol || !/Iterator|Generator/.test(symbol.getName())) return false;
    const declarations = symbol.declarations ?? [];
    return declarations.length > 0 && declarations.every((declaration) => this.program.isSourceFileDefaultLibrary(declaration.getSourceFile()));
  }

  private computeIsHandleType(type: ts.Type): boolean {
    if (tsutils.isTypeFlagSet(type, ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) return false;
    if (type.aliasSymbol && this.isHandleSymbol(type.aliasSymbol)) return true;
    if (type.isUnion()) return type.types.some((part) => this.isHandleType(part));
    if (type.isIntersection()) return type.types.some((part) => this.isHandleType(part));
    if (tsutils.isTypeFlagSet(type, PRIMITIVE_FLAGS)) return false;
    // Disposable first: a fact of the type, where the symbol's answer may read the class's summaries.
    if (this.isDisposableType(type)) return true;
    const symbol = type.getSymbol();
    if (symbol && this.isHandleSymbol(symbol)) return true;
    if (tsutils.isTypeReference(type) && type.target !== type) return this.isHandleType(type.target);
    return false;
  }

  /** A class, interface or type alias tagged `@handle`, or a class/interface extending one. */
  private isHandleSymbol(symbol: ts.Symbol): boolean {
    const cached = this.handleSymbolCache.get(symbol);
    if (cached !== undefined) return cached;
    // Recursive heritage, or an owner class's summary asking about the class: not a handle meanwhile.
    return answer(this.handleSymbolCache, symbol, false, () => this.computeIsHandleSymbol(symbol));
  }

  private computeIsHandleSymbol(symbol: ts.Symbol): boolean {
    // Hook (presets/settings): a type a preset or the settings name is a handle.
    let result = this.specs?.isHandleSymbol(symbol) ?? false;
    for (const declaration of result ? [] : (symbol.declarations ?? [])) {
      if (ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === HANDLE_TAG)) {
        result = true;
        break;
      }
      if (ts.isClassDeclaration(declaration) || ts.isInterfaceDeclaration(declaration) || ts.isClassExpression(declaration)) {
        for (const clause of declaration.heritageClauses ?? []) {
          for (const heritage of clause.types) {
            const baseType = this.checker.getTypeAtLocation(heritage.expression);
            const baseSymbol =
              clause.token === ts.SyntaxKind.ExtendsKeyword && ts.isClassLike(declaration)
                ? this.checker.getTypeAtLocation(heritage).getSymbol()
                : baseType.getSymbol();
            if (baseSymbol && baseSymbol !== symbol && this.isHandleSymbol(baseSymbol)) result = true;
          }
        }
      }
      if (!result && ts.isClassLike(declaration) && this.owners.ownerClassOf(declaration)) result = true;
      if (result) break;
    }
    return result;
  }

  effectOfDeclaredParameter(parameter: ts.ParameterDeclaration): ArgumentEffect {
    let type = this.checker.getTypeAtLocation(parameter);
    if (parameter.dotDotDotToken) {
      const element = this.checker.getIndexTypeOfType(type, ts.IndexKind.Number);
      if (element) type = element;
    }
    return this.effectOfType(type);
  }

  /** What a callee does with a value passed where `type` is declared. */
  effectOfType(type: ts.Type): ArgumentEffect {
    if (type.isUnion()) {
      const parts = type.types.filter((part) => !tsutils.isTypeFlagSet(part, ts.TypeFlags.Undefined | ts.TypeFlags.Null));
      if (parts.length === 1) type = parts[0];
    }
    if (tsutils.isTypeFlagSet(type, ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.NonPrimitive)) {
      return 'escape';
    }
    if (this.isHandleType(type)) return 'use';
    if (tsutils.isTypeFlagSet(type, ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike)) return 'use';
    // Callbacks, options objects, strings: a handle passed there is kept or
    // serialised, not operated on; be conservative about ownership.
    if (type.getCallSignatures().length > 0) return 'escape';
    if (type.isUnion() && type.types.some((part) => tsutils.isTypeFlagSet(part, ts.TypeFlags.TypeParameter))) return 'escape';
    const symbol = type.getSymbol();
    if (symbol && (symbol.flags & ts.SymbolFlags.TypeLiteral) !== 0) return 'escape';
    return 'use';
  }
}
