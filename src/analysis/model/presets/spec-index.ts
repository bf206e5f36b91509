import ts from 'typescript';
import { declaresMember, programMentions, shapeDeclared } from '../../program/program-facts.js';
import type { CallbackOwnership, CallPattern, HandleApiSpec, HandleShape, ModuleName } from './types.js';
import { DEFAULT_LIBRARY } from './types.js';
import type { IndexedPattern, Origin, PatternKind } from './compiled-specs.js';
import { CompiledSpecs } from './compiled-specs.js';
import { isMethodDeclaration, push } from './declarations.js';
import { ModuleShapes } from './module-shapes.js';

/** The properties of an object type looked at for handles it holds: a result taken apart names a few. */
const MAX_PARTS = 16;

/**
 * The compiled specs, indexed for a program: patterns by callee name, handle
 * type names, each symbol's spec mask, each declaration's origin (module,
 * package) and container names, and whether a spec can apply at all.
 */
export class SpecIndex {
  readonly specs: readonly HandleApiSpec[];
  /** Patterns by function or method name (`*` methods under `*`). */
  readonly byName = new Map<string, IndexedPattern[]>();
  /** Calls that throw by contract (a spec's `throws`), by name: apart, since they change no ownership. */
  readonly throwingByName = new Map<string, IndexedPattern[]>();
  private readonly handleTypeNames = new Map<string, number[]>();
  private readonly symbolMasks = new Map<ts.Symbol, number>();
  private readonly originCache = new Map<ts.Node, Origin>();
  private readonly packageCache = new Map<string, readonly string[]>();
  private readonly containerNamesCache = new Map<ts.Declaration, ReadonlySet<string>>();
  /** The names of a method call's receiver type: each call is matched against several patterns, and narrowing the receiver walks the flow. */
  private readonly receiverNamesCache = new Map<ts.Node, ReadonlySet<string>>();
  readonly checker: ts.TypeChecker;
  /** Module lists of specs and patterns, compiled once: `*`, and the program files they name. */
  private readonly moduleLists = new Map<readonly ModuleName[], { readonly any: boolean; readonly files: readonly string[] }>();
  /** Per spec: can a type of the program be one of its handles (see `specPossible`)? */
  private readonly possible: (boolean | undefined)[] = [];
  /** Specs whose calls acquire by their return type (see `classifyCall`), by index. */
  readonly byReturnTypeSpecs: readonly number[];
  /** Callback ownership patterns by the name of the call the callback is passed to. */
  readonly callbackOwners = new Map<string, { readonly specIndex: number; readonly pattern: CallbackOwnership; readonly modules: readonly ModuleName[] }[]>();
  private readonly endsByItselfCache = new Map<ts.Type, number>();
  private readonly moduleShapes: ModuleShapes;
  /** Specs whose handles are what a module of their `moduleShape` constructs, by index. */
  private readonly moduleShapeSpecs: readonly number[];

  /**
   * @param signatureOf the signature a call resolves to, as the model finds it (a single generic
   * signature without inference: `tidy(() => …)` resolved checks the whole callback)
   */
  constructor(
    compiled: CompiledSpecs,
    readonly program: ts.Program,
    readonly signatureOf: (call: ts.CallExpression | ts.NewExpression) => ts.Signature | undefined = (call) => program.getTypeChecker().getResolvedSignature(call),
  ) {
    this.checker = program.getTypeChecker();
    this.specs = compiled.specs;
    this.byReturnTypeSpecs = this.specs.flatMap((spec, specIndex) => (spec.acquireByReturnType ? [specIndex] : []));
    this.moduleShapes = new ModuleShapes(program, this.checker);
    this.moduleShapeSpecs = this.specs.flatMap((spec, specIndex) => (spec.moduleShape ? [specIndex] : []));
    this.specs.forEach((spec, specIndex) => {
      for (const name of spec.handleTypes ?? []) push(this.handleTypeNames, name, specIndex);
      const add = (kind: PatternKind, patterns: readonly CallPattern[] | undefined, into = this.byName): void => {
        for (const pattern of patterns ?? []) {
          const name = pattern.method ?? pattern.function;
          if (name === undefined) continue;
          push(into, name, { specIndex, kind, pattern, modules: pattern.from ?? spec.modules });
        }
      };
      add('borrow', spec.borrow);
      add('acquire', spec.acquire);
      add('acquireParts', spec.acquireParts);
      add('release', spec.release);
      add('takeOwnership', spec.takeOwnership);
      add('use', spec.use);
      add('scope', spec.scopes);
      add('keep', spec.keep);
      add('callback', spec.nativeCallbacks?.create);
      add('throws', spec.throws, this.throwingByName);
      for (const pattern of spec.callbackOwns ?? []) {
        const name = pattern.method ?? pattern.function;
        if (name !== undefined) push(this.callbackOwners, name, { specIndex, pattern, modules: pattern.from ?? spec.modules });
      }
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
  specPossible(specIndex: number): boolean {
    let possible = this.possible[specIndex];
    if (possible === undefined) {
      const spec = this.specs[specIndex];
      possible = !spec.modules.includes('*') || this.shapeDeclared(spec) || programMentions(this.program, spec.handleTypes ?? []);
      this.possible[specIndex] = possible;
    }
    return possible;
  }

  /**
   * May a call of this declaration, whose return type depends on the call (a generic's), return a
   * handle of the spec by its return type alone? For a spec of any module whose handles are classes of
   * a shape in declaration files (wasm-bindgen's, embind's), only a function of the program's own files
   * or of a library file that declares such a class (the glue): another library's generic
   * (`schema.parse(…)`) returns what its caller's type arguments say, and typing those can take seconds
   * (zod's inferred types).
   */
  returnsHandlesFrom(specIndex: number, declaration: ts.Declaration): boolean {
    const spec = this.specs[specIndex];
    const shapes = spec.handleShapes ?? [];
    if (!spec.modules.includes('*') || shapes.length === 0 || shapes.some((shape) => !shape.declarationFilesOnly)) return true;
    const file = declaration.getSourceFile();
    if (!this.program.isSourceFileFromExternalLibrary(file)) return true;
    return shapes.some((shape) => shape.members.every((member) => declaresMember(file.text, member)));
  }

  /** A shape of the spec that any class may have, or one that a declaration file of the program has; or a module of its shape may be declared. */
  private shapeDeclared(spec: HandleApiSpec): boolean {
    const shapes = spec.handleShapes ?? [];
    if (spec.moduleShape && this.moduleShapes.possible(spec.moduleShape)) return true;
    return shapes.some((shape) => !shape.declarationFilesOnly) || shapeDeclared(this.program, shapes);
  }

  /**
   * Can the candidate describe a call of this program? Not one of a spec whose module shape no file
   * declares: its patterns name common methods (`destroy`), whose receivers need not be typed for it.
   */
  candidatePossible(candidate: IndexedPattern): boolean {
    return this.specs[candidate.specIndex].moduleShape === undefined || this.specPossible(candidate.specIndex);
  }

  /** Is the pattern's type the name a spec gives its module shape (a module's own functions, in a namespace too)? */
  namesModuleShape(candidate: IndexedPattern): boolean {
    const shape = this.specs[candidate.specIndex].moduleShape;
    return shape !== undefined && candidate.pattern.type === shape.name;
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
        if ((spec.handleTypes ?? []).length === 0 && (spec.handleShapes ?? []).length === 0 && !spec.moduleShape) continue;
        if (!spec.modules.includes('*')) {
          for (const module of spec.modules) if (module !== DEFAULT_LIBRARY) modules.add(module);
          // The default library is in every program: its handles are possible where the program names one.
          if (spec.modules.includes(DEFAULT_LIBRARY)) for (const word of defaultLibraryWords(spec)) names.add(word);
        } else if (this.shapeDeclared(spec)) possible = true;
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

  /**
   * The handles an array, a tuple or an object literal's type holds as its parts (`Tensor[]`,
   * `[Tensor, Tensor]`, `{ values: Tensor; indices: Tensor }`), as a mask; a class instance's fields are its own.
   */
  maskOfParts(type: ts.Type, depth = 0): number {
    if (depth > 2) return 0;
    if (type.isUnion()) return type.types.reduce((mask, part) => mask | this.maskOfParts(part, depth + 1), 0);
    if (!(type.flags & ts.TypeFlags.Object)) return 0;
    const symbol = type.getSymbol();
    if (symbol?.getName() === 'Promise' || symbol?.getName() === 'PromiseLike') {
      const [awaited] = this.checker.getTypeArguments(type as ts.TypeReference);
      return awaited ? this.maskOfParts(awaited, depth + 1) : 0;
    }
    if (this.checker.isArrayType(type) || this.checker.isTupleType(type)) {
      return this.checker.getTypeArguments(type as ts.TypeReference).reduce((mask, part) => mask | this.maskOfType(part), 0);
    }
    if (symbol && symbol.flags & ts.SymbolFlags.Class) return 0;
    if (this.maskOfType(type) !== 0) return 0;
    return type
      .getProperties()
      .slice(0, MAX_PARTS)
      .reduce((mask, property) => mask | this.maskOfType(this.checker.getTypeOfSymbol(property)), 0);
  }

  maskOfSymbol(symbol: ts.Symbol): number {
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
      for (const specIndex of this.moduleShapeSpecs) {
        const spec = this.specs[specIndex];
        if (this.specPossible(specIndex) && this.moduleShapes.constructs(spec.moduleShape!, symbol) && this.fromModules(this.originOf(declaration), spec.modules)) mask |= 1 << specIndex;
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

  candidates(
    node: ts.CallExpression | ts.NewExpression,
    declaration: ts.Declaration,
    byName: ReadonlyMap<string, IndexedPattern[]> = this.byName,
  ): IndexedPattern[] {
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
    for (const name of names) result.push(...(byName.get(name) ?? []));
    if (isMethodDeclaration(declaration)) result.push(...(byName.get('*') ?? []));
    return result;
  }

  patternMatches(pattern: CallPattern, declaration: ts.Declaration, containerNames: ReadonlySet<string>): boolean {
    if (pattern.type !== undefined) return pattern.method !== undefined && containerNames.has(pattern.type);
    // A free function: not a method of a class or interface.
    return pattern.function !== undefined && !isMethodDeclaration(declaration);
  }

  /**
   * Names of the type that declares a method and of the types it extends,
   * and of the receiver's type at the call (a method inherited from a base
   * the spec does not name).
   */
  containerNames(declaration: ts.Declaration, node?: ts.CallExpression | ts.NewExpression): ReadonlySet<string> {
    let names = this.containerNamesCache.get(declaration);
    if (!names) {
      const collected = new Set<string>();
      const container = declaration.parent;
      for (const specIndex of this.moduleShapeSpecs) {
        const shape = this.specs[specIndex].moduleShape!;
        if (this.specPossible(specIndex) && this.moduleShapes.declaresMember(shape, declaration)) collected.add(shape.name);
      }
      if (container && (ts.isClassLike(container) || ts.isInterfaceDeclaration(container))) {
        const symbol = container.name ? this.checker.getSymbolAtLocation(container.name) : undefined;
        if (symbol) for (const name of this.typeNames(this.checker.getDeclaredTypeOfSymbol(symbol))) collected.add(name);
        // A bundle's `DisposableSuccess = class extends …`: the class goes by its variable's name.
        const bound = ts.isClassExpression(container) ? boundName(container) : undefined;
        if (bound !== undefined) collected.add(bound);
      } else if (container && ts.isTypeLiteralNode(container) && ts.isTypeAliasDeclaration(container.parent)) {
        collected.add(container.parent.name.text);
      } else if (container && ts.isTypeLiteralNode(container) && ts.isVariableDeclaration(container.parent) && ts.isIdentifier(container.parent.name)) {
        // `declare var URL: { createObjectURL(…): string; new(…): URL }`: how the default library declares statics.
        collected.add(container.parent.name.text);
      }
      names = collected;
      this.containerNamesCache.set(declaration, names);
    }
    if (node && ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const receiverNames = this.receiverNames(node.expression.expression);
      if (receiverNames.size > 0) return new Set([...names, ...receiverNames]);
    }
    return names;
  }

  private receiverNames(receiver: ts.Expression): ReadonlySet<string> {
    let names = this.receiverNamesCache.get(receiver);
    if (!names) this.receiverNamesCache.set(receiver, (names = this.typeNames(this.checker.getTypeAtLocation(receiver))));
    return names;
  }

  /** The names a type goes by: its alias, its symbol, and its base classes and interfaces. */
  typeNames(type: ts.Type): Set<string> {
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
      const declaration = symbol.valueDeclaration;
      const bound = declaration && ts.isClassExpression(declaration) ? boundName(declaration) : undefined;
      if (bound !== undefined) names.add(bound);
      const target = (current as ts.TypeReference).target ?? current;
      if (target.isClassOrInterface()) for (const base of this.checker.getBaseTypes(target)) visit(base, depth + 1);
    };
    visit(type, 0);
    return names;
  }

  fromModules(origin: Origin, modules: readonly ModuleName[]): boolean {
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
  originOf(declaration: ts.Node): Origin {
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
    if (this.program.isSourceFileDefaultLibrary(sourceFile)) names.add(DEFAULT_LIBRARY);
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

  /**
   * Is a value of this type one whose life ends without a release, by a spec's `endsByItself`
   * (its class, or a class it extends, named there and declared in the spec's modules)?
   */
  endsByItself(type: ts.Type): boolean {
    return this.endsByItselfMask(type) !== 0;
  }

  /** The specs (a bit per spec) whose `endsByItself` names this type's class or a class it extends. */
  endsByItselfMask(type: ts.Type): number {
    let mask = this.endsByItselfCache.get(type);
    if (mask === undefined) {
      let found = 0;
      const visit = (current: ts.Type, depth: number): void => {
        if (depth > 8) return;
        const symbol = current.getSymbol();
        if (!symbol) return;
        const name = symbol.getName();
        this.specs.forEach((spec, specIndex) => {
          if (!spec.endsByItself?.includes(name)) return;
          if ((symbol.declarations ?? []).some((declaration) => this.fromModules(this.originOf(declaration), spec.modules))) found |= 1 << specIndex;
        });
        const target = (current as ts.TypeReference).target ?? current;
        if (target.isClassOrInterface()) for (const base of this.checker.getBaseTypes(target)) visit(base, depth + 1);
      };
      for (const part of type.isUnion() ? type.types : [type]) visit(part, 0);
      mask = found;
      this.endsByItselfCache.set(type, mask);
    }
    return mask;
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

/**
 * Words without which no handle of a spec of the default library can reach a
 * program: its handle types, and the calls that acquire one from something
 * that is no handle (`createImageBitmap`, `device.createBuffer`, `URL.createObjectURL`).
 */
export function defaultLibraryWords(spec: Partial<Pick<HandleApiSpec, 'handleTypes' | 'acquire' | 'modules'>>): string[] {
  const handleTypes = spec.handleTypes ?? [];
  const words = new Set(handleTypes);
  for (const pattern of spec.acquire ?? []) {
    const name = pattern.method ?? pattern.function;
    if (!(pattern.from ?? spec.modules ?? []).includes(DEFAULT_LIBRARY)) continue;
    if (name !== undefined && name !== '*' && (pattern.type === undefined || !handleTypes.includes(pattern.type))) words.add(name);
  }
  return [...words].sort();
}

/** The name of the variable an anonymous class expression is assigned to (`var DisposableFail = class extends …`). */
function boundName(node: ts.ClassExpression): string | undefined {
  if (node.name) return undefined;
  const parent = node.parent;
  return ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : undefined;
}
