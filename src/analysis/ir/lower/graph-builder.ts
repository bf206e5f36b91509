import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import type { Block, Key, Node, Op } from '../ir.js';
import { RECEIVER_INDEX, RECEIVER_KEY } from '../ir.js';
import { memberName } from '../ast.js';
import type { FileContext } from '../../program/file-context.js';
import { isBooleanValued } from './syntax.js';

export type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

export const MAX_OPS = 40_000;
/** Member names of a raw pointer (quickjs `.value.ptr`, wasm-bindgen `__wbg_ptr`). */
export const POINTER_NAMES = /^_*(ptr|pointer|address|addr|raw|wbg_ptr)$/i;
export const MAX_PATH_DEPTH = 4;

export type Frame =
  | { readonly kind: 'loop'; readonly labels: readonly string[]; readonly breakTo: Block; readonly continueTo: Block }
  | { readonly kind: 'break'; readonly labels: readonly string[]; readonly breakTo: Block; readonly isSwitch: boolean }
  | { readonly kind: 'finally'; readonly body: TSESTree.BlockStatement; readonly handler: number }
  | { readonly kind: 'using'; readonly declarations: readonly TSESTree.VariableDeclaration[]; readonly handler: number };

export class TooLarge extends Error {}
/** A probe has its answer: the function can report (the rest of it need not be lowered). */
export class CanReport extends Error {}

/** The block graph being built: blocks, the current block and handler, temporaries, operation count, and the keys of variables and paths. */
export class GraphBuilder {
  /** The graph itself, handed out whole as the lowered function. @permanent */
  readonly blocks: Block[] = [];
  current: Block | null;
  handler = -1;
  frames: Frame[] = [];
  private tempCount = 0;
  /** Temporaries made since the last end of a statement. */
  private liveTemps: Key[] = [];
  private opCount = 0;
  mayReport = false;
  readonly paramKeys = new Map<Key, number>();
  readonly keyNames = new Map<Key, string>();
  /** Boolean fields of `this` the function writes, and fields of `this` it tests: a disposed guard is both. */
  readonly thisFlagsWritten = new Set<string>();
  readonly thisFieldsTested = new Set<string>();
  /** Fields of `this` the function sets to `undefined`, `null`, `0` or `false`. */
  readonly thisFieldsCleared = new Set<string>();
  /** Fields of `this` the function (or a method of `this` it calls) sets to some other value. */
  readonly thisFieldsAssigned = new Set<string>();
  /** Locals bound to objects the caller can reach (`for (const s of this.slots)`, `const s = param.slot`). */
  readonly externalLocals = new Set<Key>();
  /** Paths the function tests with a liveness check (`if (this.h.alive) this.h.dispose()`). */
  readonly livenessChecked = new Set<Key>();
  /** Temporaries that hold a fresh acquisition. */
  readonly acquiredTemps = new Set<Key>();
  /**
   * Error parameters of a callback that owns a handle parameter (`(err, fd) => …`): where the
   * error is set, the handle parameter holds nothing.
   */
  readonly errorGuards = new Map<Key, Key>();
  private readonly scope: TSESTree.Node;
  readonly captured: ReadonlySet<Key>;
  /** `flagKey`'s answers, by key. */
  private readonly flags = new Map<Key, boolean>();

  readonly file: FileContext;
  readonly fn: FunctionNode | TSESTree.Program;
  readonly summarize: boolean;
  readonly withSummaries: boolean;
  readonly probe: boolean;

  constructor(file: FileContext, fn: FunctionNode | TSESTree.Program, summarize: boolean, withSummaries: boolean, probe = false) {
    this.file = file;
    this.fn = fn;
    this.summarize = summarize;
    this.withSummaries = withSummaries;
    this.probe = probe;
    this.scope = fn;
    this.current = this.newBlock();
    this.captured = file.capturedLocals(fn);
    if (summarize && fn.type === AST_NODE_TYPES.FunctionExpression) this.paramKeys.set(RECEIVER_KEY, RECEIVER_INDEX);
  }

  newBlock(): Block {
    const block: Block = { id: this.blocks.length, ops: [], next: [], handler: this.handler, loopHead: false };
    this.blocks.push(block);
    return block;
  }

  emit(op: Op): void {
    if (!this.current) return;
    if (++this.opCount > MAX_OPS) throw new TooLarge();
    if (op.kind === 'acquire' || op.kind === 'release' || op.kind === 'liveness' || (op.kind === 'store' && op.replaces)) {
      this.mayReport = true;
      if (this.probe) throw new CanReport();
    }
    if (op.kind === 'acquire') this.acquiredTemps.add(op.dst);
    this.current.ops.push(op);
  }

  link(from: Block | null, to: Block): void {
    if (from && !from.next.includes(to.id)) from.next.push(to.id);
  }

  /** Continue in `block` (reachable only through explicit links). */
  enter(block: Block): void {
    this.current = block;
  }

  goto(block: Block): void {
    this.link(this.current, block);
    this.current = null;
  }

  setHandler(handler: number): void {
    if (handler === this.handler) return;
    this.handler = handler;
    const next = this.newBlock();
    this.link(this.current, next);
    this.current = this.current ? next : null;
  }

  temp(): Key {
    const key = `~${this.tempCount++}`;
    this.liveTemps.push(key);
    return key;
  }

  /** The temporaries made since the last end of a statement, no longer live here. */
  takeTemps(): Key[] {
    const temps = this.liveTemps;
    this.liveTemps = [];
    return temps;
  }

  /** Enter one branch of a test: the test's temporaries die on each branch. */
  enterBranch(block: Block, temps: readonly Key[], node: Node): void {
    this.enter(block);
    if (temps.length > 0) this.emit({ kind: 'dropTemps', node, temps });
  }

  /** End of a statement: the temporaries made since the last one die. */
  dropTemps(node: Node): void {
    const temps = this.liveTemps;
    this.liveTemps = [];
    this.emit({ kind: 'dropTemps', node, temps });
  }

  registerParam(param: TSESTree.Parameter, index: number): void {
    const target = param.type === AST_NODE_TYPES.TSParameterProperty ? param.parameter : param;
    if (target.type === AST_NODE_TYPES.Identifier) {
      const key = this.identifierKey(target);
      if (!key) return;
      this.paramKeys.set(key, index);
      // `constructor(private h: Ptr)` stores the parameter in a field.
      if (param.type === AST_NODE_TYPES.TSParameterProperty) {
        this.emit({ kind: 'escape', src: key, node: param, operand: target, how: 'store' });
      }
      return;
    }
    for (const id of this.file.patternIdentifiers(target)) {
      const key = this.identifierKey(id);
      if (key) this.paramKeys.set(key, -1);
    }
  }

  /**
   * A callback that owns what it is handed (a decoder's `output`, `fs.open`'s callback): its
   * handle parameters start owned, acquired where they are declared. Not in a summary, which
   * says what a function does with what its caller passes.
   */
  acquireOwnedParameters(params: readonly TSESTree.Parameter[]): void {
    if (this.summarize) return;
    for (const { parameter, errorFirst } of this.file.ownedParameters(this.fn)) {
      const param = params[parameter];
      if (param?.type !== AST_NODE_TYPES.Identifier) continue;
      const key = this.identifierKey(param);
      if (!key) continue;
      this.emit({ kind: 'acquire', dst: key, node: param });
      const error = errorFirst ? params[0] : undefined;
      const errorKey = error?.type === AST_NODE_TYPES.Identifier ? this.identifierKey(error) : null;
      if (errorKey) this.errorGuards.set(errorKey, key);
    }
  }

  /** `v<id>` for locals of this function, `o<id>` for outer variables, null for globals we do not track. */
  identifierKey(id: TSESTree.Identifier | TSESTree.JSXIdentifier): Key | null {
    const variable = this.file.variableOf(id);
    if (!variable) return null;
    const varId = this.file.variableId(variable);
    const key = this.file.isLocalTo(variable, this.fn) ? `v${varId}` : `o${varId}`;
    this.keyNames.set(key, variable.name);
    return key;
  }

  /**
   * The key of a boolean local of this function that no closure sees (`let owned = false`,
   * `const fresh = n > 0`, a `shouldClose: boolean` parameter): what a test of it learns holds
   * until the function assigns it again.
   */
  flagKey(id: TSESTree.Identifier): Key | null {
    const key = this.identifierKey(id);
    if (key === null || !key.startsWith('v') || this.captured.has(key)) return null;
    let flag = this.flags.get(key);
    if (flag === undefined) {
      const defs = this.file.variableOf(id)?.defs ?? [];
      flag =
        defs.length > 0 &&
        defs.every((def) => {
          const name = def.name as TSESTree.Node;
          const annotated = name.type === AST_NODE_TYPES.Identifier && name.typeAnnotation?.typeAnnotation.type === AST_NODE_TYPES.TSBooleanKeyword;
          if (def.type === 'Variable') return annotated || (def.node.id === name && def.node.init !== null && isBooleanValued(def.node.init));
          if (def.type !== 'Parameter') return false;
          return annotated || (name.parent?.type === AST_NODE_TYPES.AssignmentPattern && isBooleanValued(name.parent.right));
        });
      this.flags.set(key, flag);
    }
    return flag ? key : null;
  }

  /** The access path an expression denotes, if it has one. */
  pathOf(node: TSESTree.Node, depth = 0): Key | null {
    switch (node.type) {
      case AST_NODE_TYPES.Identifier:
        return this.identifierKey(node);
      case AST_NODE_TYPES.ThisExpression:
        return 'this';
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
        return this.pathOf(node.expression, depth);
      case AST_NODE_TYPES.ChainExpression:
        return this.pathOf(node.expression, depth);
      case AST_NODE_TYPES.MemberExpression: {
        if (depth >= MAX_PATH_DEPTH) return null;
        const name = memberName(node);
        if (name === null) return null;
        const base = this.pathOf(node.object, depth + 1);
        return base === null ? null : `${base}.${name}`;
      }
      default:
        return null;
    }
  }

  isHandle(node: TSESTree.Node): boolean {
    return this.file.isHandleNode(node);
  }

  /**
   * In a summary, a field of `this` typed by a type parameter of its class (`ref: T`, narrowed or not):
   * `this.ref.delete()` in a generic base class releases whatever handle a subclass fills it with
   * (react-native-skia's `BaseHostObject<T>#dispose()`).
   */
  isGenericField(node: TSESTree.Node): boolean {
    return this.summarize && node.type === AST_NODE_TYPES.MemberExpression && node.object.type === AST_NODE_TYPES.ThisExpression && this.file.isTypeParameterNode(node);
  }

  /**
   * In a summary, a parameter that plain JavaScript leaves untyped (`any`): `raw.free()` on it
   * releases whatever handle the caller passes, as rapier's `VectorOps.fromRaw(raw)` does (its
   * `.d.ts` says `raw: RawVector`; the `.js` beside it says nothing).
   */
  isUntypedParameter(node: TSESTree.Node): boolean {
    if (!this.summarize || node.type !== AST_NODE_TYPES.Identifier) return false;
    const key = this.identifierKey(node);
    const index = key === null ? undefined : this.paramKeys.get(key);
    if (index === undefined || index < 0) return false;
    const type = this.file.typeOf(node);
    return type !== undefined && (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
  }

  isConstructor(): boolean {
    const parent = this.fn.parent;
    return parent?.type === AST_NODE_TYPES.MethodDefinition && parent.kind === 'constructor';
  }
}
