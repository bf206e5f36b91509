/**
 * The declarative description of a native-handle API that cannot carry JSDoc
 * tags (a library's published `.d.ts`, generated glue): which types are
 * handles, and which functions and methods acquire, release, borrow or take
 * ownership of one. Presets (one file per library in this folder) and the
 * `handle-lifetime` settings are both written in this form; matcher.ts
 * compiles them into lookups the handle model asks.
 *
 * Names are matched against declarations, not against the text at the call
 * site: `tf.tidy` and `import { tidy } from '@tensorflow/tfjs-core'` are the
 * same function, and a method matches when it is declared on the named type
 * or on a class that type extends.
 */

/**
 * Where a declaration comes from. A string is matched against
 * - the package whose files declare it (`/node_modules/<package>/`, and
 *   `@types/<package>`),
 * - an ambient module around it (`declare module 'bun:ffi' { … }`),
 * - a namespace around it (`declare namespace Deno { … }`; `Deno` matches),
 * - {@link DEFAULT_LIBRARY}: TypeScript's default library files (`lib.dom.d.ts`,
 *   `lib.es2015.d.ts`, whichever the program's `lib` includes).
 * `*` matches any declaration.
 */
export type ModuleName = string;

/** The origin of TypeScript's default library files: the platform's own types (DOM, WebCodecs, WebGPU). */
export const DEFAULT_LIBRARY: ModuleName = 'typescript:lib';

/** A call the spec describes: a free function, or a method of a type. */
export interface CallPattern {
  /** A function (or a namespace member such as `Deno.dlopen`: write `dlopen`). */
  readonly function?: string;
  /** The type that declares the method, or a type it extends (`QuickJSContext`, `Lifetime`). */
  readonly type?: string;
  /** The method name; `*` matches any method of `type`. */
  readonly method?: string;
  /** Overrides the spec's `modules` for this pattern. */
  readonly from?: readonly ModuleName[];
}

/** The handle a call acts on: the receiver of a method, or an argument. */
export type Operand = number | 'receiver';

export interface OperandPattern extends CallPattern {
  /** Which operand; methods default to their receiver, functions to their first argument. */
  readonly operand?: Operand;
}

/** Structural match for generated classes that share no named base (embind, wasm-bindgen). */
export interface HandleShape {
  /** Every one of these members must exist on the type. */
  readonly members: readonly string[];
  /** Only classes and interfaces declared in a declaration file (`.d.ts`): generated glue, not the user's own classes. */
  readonly declarationFilesOnly?: boolean;
  /** Only classes (not interfaces or type aliases). */
  readonly classesOnly?: boolean;
}

/**
 * A module object known by its members, not its name: an Emscripten module the WebIDL Binder fills
 * (`destroy(obj)`, `_malloc(n)`), declared as an interface, a type literal, a class or a namespace of
 * any name. The classes it constructs are the spec's handles: the instance types of its members
 * `X: typeof X` or `X: new () => X`, and the classes of such a namespace. Only declared classes (`declare
 * class`, a declaration file's) and interfaces count: a class of the program's own is no glue.
 */
export interface ModuleShape {
  /** The name call patterns give as their `type` for the module's own functions (`{ type: 'WebIDLModule', method: 'destroy' }`). */
  readonly name: string;
  /** Every one of these members must exist on the module (for a namespace: be declared in it). */
  readonly members: readonly string[];
}

/**
 * A call that runs its callback inside an ownership scope: handles the
 * library allocates while the callback runs are released when it returns
 * (`tf.tidy(() => …)`). Inside the callback those handles are not owned by
 * the code that made them.
 */
export type ScopePattern = CallPattern;

/**
 * A callback the library hands a handle it no longer owns: the callback must
 * release it or hand it on (a decoder's `output` gets each decoded frame;
 * `fs.open`'s callback gets the descriptor). Recognised where the callback is
 * written in place: as the argument, or as a property of an object literal
 * passed as the argument.
 */
export interface CallbackOwnership extends CallPattern {
  /** Which argument of the call the callback is (or holds it): an index, or `last`. */
  readonly argument: number | 'last';
  /** The callback is this property of the object literal passed there (`{ output: (frame) => … }`). */
  readonly property?: string;
  /** The callback's parameter that receives the handle. */
  readonly parameter: number;
  /**
   * The callback's first parameter is an error (`(err, fd) => …`): where it is set, the
   * handle parameter holds nothing.
   */
  readonly errorFirst?: boolean;
}

/** Native callbacks: values that native code may call back through after they are registered. */
export interface NativeCallbackSpec {
  /** Handle types whose values are callbacks (`UnsafeCallback`, `JSCallback`). */
  readonly types?: readonly string[];
  /** Calls whose result is a registered callback that is not typed as a handle (`koffi.register` returns a `bigint`). */
  readonly create?: readonly CallPattern[];
  /** Members that hand the callback's native address out (`pointer`, `ptr`). */
  readonly pointerMembers?: readonly string[];
}

export interface HandleApiSpec {
  /** The preset's key in `settings['handle-lifetime'].presets` (`quickjs-emscripten`, `tfjs`). */
  readonly name: string;
  /** One line for docs and errors. */
  readonly description: string;
  /** Packages, ambient modules or namespaces the spec covers (see {@link ModuleName}). */
  readonly modules: readonly ModuleName[];
  /** Classes, interfaces and type aliases whose values are handles, by name; classes extending them are handles too. */
  readonly handleTypes?: readonly string[];
  readonly handleShapes?: readonly HandleShape[];
  readonly moduleShape?: ModuleShape;
  /** Calls that return a fresh handle the caller owns. */
  readonly acquire?: readonly CallPattern[];
  /**
   * Calls whose result holds several fresh handles (an array or a map of them: a model's
   * `execute`): a caller that takes it apart (`const [scores, boxes] = …`) owns each part; one
   * that holds it whole holds a container, which is not followed.
   */
  readonly acquireParts?: readonly CallPattern[];
  /**
   * Every call declared in the spec's modules whose result is a handle of
   * this spec acquires it (tfjs ops, embind methods returning objects),
   * unless a `borrow` pattern says otherwise.
   */
  readonly acquireByReturnType?: boolean;
  /** Calls whose handle result stays owned by someone else (wins over `acquire` and `acquireByReturnType`). */
  readonly borrow?: readonly CallPattern[];
  /** Calls that end the life of a handle. */
  readonly release?: readonly OperandPattern[];
  /** Calls that keep a handle they are given: the caller no longer owes its release. */
  readonly takeOwnership?: readonly OperandPattern[];
  /** Calls that only read a handle they are given (the caller still owns it). */
  readonly use?: readonly OperandPattern[];
  /**
   * The only methods that release the spec's handles by their name, where the runtime has no other
   * (embind's `delete()`): a method of another release-like name that a bound class declares
   * (canvaskit's `PathBuilder#close()` closes a contour) only uses the handle.
   */
  readonly releasedOnlyBy?: readonly string[];
  /**
   * The spec's own calls (those its patterns describe, or whose result is its handle: a bound constructor)
   * receive its handles by reference or by copy: a constructor declared without a body still only uses a
   * handle argument, which stays the caller's to release (embind's `new Module.PathBuilder(path)`). A
   * parameter declared `any` or generic may still keep what it is given.
   */
  readonly callsBorrowHandleArguments?: boolean;
  /** Members that tell whether a handle is still alive; reading them is not a use. */
  readonly liveness?: readonly string[];
  readonly scopes?: readonly ScopePattern[];
  /**
   * Calls that take a handle out of the enclosing scope (`tf.keep`): inside a
   * scope the result is owned by the caller; outside it is the argument itself.
   */
  readonly keep?: readonly CallPattern[];
  readonly nativeCallbacks?: NativeCallbackSpec;
  /**
   * Handle classes whose release is a no-op the second time (tfjs `Tensor.dispose()` returns when
   * `isDisposed`). By the value's own class, not its subclasses: tfjs `Variable.dispose()` has no
   * such check. A field of `this` that still holds such a handle after a release is not dangling.
   */
  readonly idempotentRelease?: readonly string[];
  /**
   * Members of the spec's handles that hold plain JavaScript data, which stays readable after the
   * release (tfjs `Tensor#id`, `shape`, `dtype`), or methods the platform makes a no-op on a released
   * handle (a destroyed Node socket's `setTimeout`): reading or calling one is no use of the native resource.
   */
  readonly readableAfterRelease?: readonly string[];
  /** Callbacks whose handle parameter the callback owns (see {@link CallbackOwnership}). */
  readonly callbackOwns?: readonly CallbackOwnership[];
  /**
   * Disposable types of the spec's modules whose life ends without a release: a timer that fires,
   * a stream read to its end, a child process that exits, a server that runs for the program. A
   * call that returns one (or a subclass) does not acquire it by its Disposable type alone.
   */
  readonly endsByItself?: readonly string[];
  /**
   * Calls that throw by contract (quickjs-emscripten's `unwrapResult` throws a failed result's
   * error): a handle that leaks when one throws is reported in `recommended`, as for a callee
   * whose body has a `throw`. Only this; the call's ownership effects come from the other lists.
   */
  readonly throws?: readonly CallPattern[];
}
