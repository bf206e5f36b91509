/**
 * What one source file says about the APIs it calls: for each API (see
 * api-keys.ts), in how many of its functions the values the API returns are
 * released on every path, handed on, or neither. Read off the TypeScript AST
 * in one walk, with no checker, and kept per `ts.SourceFile`, so a file that
 * did not change is never read again, whatever program it is part of.
 *
 * "On every path" is structural: a release counts when it is not inside a
 * branch, loop body, `catch` or right operand of `&&`/`||`/`??` that the
 * acquisition is not also inside (a test that names the value, such as
 * `if (p) free(p)` or `if (!p) return`, is no branch of its own), or when it
 * sits in a `finally`; and no `return` lies between the acquisition and the
 * release, unless a `finally` around it holds the release, or it returns or
 * tests the value. Exceptions are not paths here.
 */
import ts from 'typescript';
import type { CalleePath, CallNode } from './api-keys.js';
import { calleePathOf, calleeRootAndName, keepsArguments, pairsWith, RELEASE_METHOD_NAMES, skipOuterExpressions } from './api-keys.js';

/** Where a release is written: the release call, 1-based line and column (as ESLint's and SARIF's locations). */
export interface Place {
  readonly fileName: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** One API's evidence in one file. */
export interface ApiEvidence {
  /** Functions that release every value of the API they make, on every path. */
  releasing: number;
  /** Functions that keep a value of the API that they neither release on every path nor hand on. */
  notReleasing: number;
  /** Functions that hand every value on (return, store, pass or capture it) without releasing it. */
  handingOn: number;
  /** The acquisition as written where it was first seen released (`new Module.Shape()`). */
  label: string;
  /** Where releasing functions release it (at most MAX_PLACES). */
  readonly releasePlaces: Place[];
  /** How releasing functions release it (`.delete()`, `Module._free()`), and how often. */
  readonly releaseForms: Map<string, number>;
  /** The receivers releasing functions call it on (`Module`, `this.module`; at most MAX_ROOTS). */
  readonly roots: Set<string>;
}

export type FileEvidence = ReadonlyMap<string, ApiEvidence>;

export const MAX_PLACES = 3;
const MAX_ROOTS = 8;

/** How often a file's evidence was read from its AST, for tests of the caches. */
export const evidenceReads = { count: 0 };

const cache = new WeakMap<ts.SourceFile, FileEvidence>();

/** The evidence of a file, read once per `ts.SourceFile`. */
export function fileEvidence(sourceFile: ts.SourceFile): FileEvidence {
  let evidence = cache.get(sourceFile);
  if (!evidence) {
    evidenceReads.count++;
    evidence = new EvidenceWalk(sourceFile).run();
    cache.set(sourceFile, evidence);
  }
  return evidence;
}

type Outcome = 'releasing' | 'not-releasing' | 'handing-on';

interface Release {
  readonly node: ts.Node;
  readonly form: string;
  /** Not inside a branch the acquisition is outside of. */
  readonly unconditional: boolean;
  /** The `finally` blocks it sits in. */
  readonly finallyBlocks: readonly ts.Block[];
}

/** A local bound to the result of a call: `const shape = new Module.Shape()`. */
interface Binding {
  readonly name: string;
  readonly path: CalleePath;
  readonly call: CallNode;
  readonly frame: Frame;
  /** The node the declaration sits in (its declaration list): a node that contains it is above the acquisition. */
  readonly anchor: ts.Node;
  readonly releases: Release[];
  handedOn: boolean;
  /** Declared twice, or shadowed in its own function: left out. */
  ambiguous: boolean;
}

interface ReturnSite {
  readonly node: ts.ReturnStatement;
  /** Tests of the branches it sits in, and the `try` statements whose block it sits in. */
  readonly tests: readonly ts.Node[];
  readonly tries: readonly ts.TryStatement[];
}

interface Frame {
  readonly fn: ts.Node;
  /** Index of the function in the walk's ancestor stack. */
  readonly depth: number;
  /** Names declared in the function (parameters, variables, functions) that shadow a binding of an enclosing one. */
  readonly declared: Set<string>;
  readonly bindings: Map<string, Binding>;
  readonly returns: ReturnSite[];
}

/** What the walk does at a node, by its kind: one array read per node (each `ts.SyntaxKind.X` is a property lookup). */
const enum Action {
  Pass = 0,
  /** A token, literal or name: no children. */
  Leaf,
  Name,
  Function,
  Variable,
  Class,
  Catch,
  Return,
  /** A type: no values in it. */
  Skip,
}

const ACTIONS: Uint8Array = (() => {
  const actions = new Uint8Array(ts.SyntaxKind.Count);
  actions.fill(Action.Leaf, 0, ts.SyntaxKind.FirstNode);
  actions[ts.SyntaxKind.Identifier] = Action.Name;
  actions.fill(Action.Skip, ts.SyntaxKind.FirstTypeNode, ts.SyntaxKind.LastTypeNode + 1);
  for (const kind of [
    ts.SyntaxKind.FunctionDeclaration,
    ts.SyntaxKind.FunctionExpression,
    ts.SyntaxKind.ArrowFunction,
    ts.SyntaxKind.MethodDeclaration,
    ts.SyntaxKind.Constructor,
    ts.SyntaxKind.GetAccessor,
    ts.SyntaxKind.SetAccessor,
  ]) {
    actions[kind] = Action.Function;
  }
  actions[ts.SyntaxKind.VariableDeclaration] = Action.Variable;
  actions[ts.SyntaxKind.ClassDeclaration] = Action.Class;
  actions[ts.SyntaxKind.CatchClause] = Action.Catch;
  actions[ts.SyntaxKind.ReturnStatement] = Action.Return;
  return actions;
})();

class EvidenceWalk {
  private readonly evidence = new Map<string, ApiEvidence>();
  private readonly stack: ts.Node[] = [];
  private readonly frames: Frame[] = [];
  /** Names of the bindings of the open functions, and how many there are of each: only those are looked up. */
  private readonly visibleNames = new Map<string, number>();

  constructor(private readonly sourceFile: ts.SourceFile) {}

  run(): FileEvidence {
    this.visit(this.sourceFile);
    return this.evidence;
  }

  /** One table read per node: most nodes of a large file only pass the walk on. */
  private readonly visit = (node: ts.Node): void => {
    const action = ACTIONS[node.kind] as Action;
    switch (action) {
      case Action.Leaf:
      case Action.Skip:
        return;
      case Action.Name:
        if (this.visibleNames.size > 0) this.identifier(node as ts.Identifier);
        return;
      case Action.Pass:
        break;
      case Action.Function: {
        const fn = node as ts.FunctionLikeDeclaration;
        const frame = this.frame();
        if (frame && fn.name && ts.isIdentifier(fn.name) && ts.isFunctionDeclaration(fn)) this.declare(frame, fn.name);
        if (!fn.body) return;
        this.enterFunction(fn);
        this.stack.push(node);
        ts.forEachChild(node, this.visit);
        this.stack.pop();
        this.exitFunction();
        return;
      }
      default:
        this.declaration(action, node);
        break;
    }
    this.stack.push(node);
    ts.forEachChild(node, this.visit);
    this.stack.pop();
  };

  /** The innermost open function's frame. */
  private frame(): Frame | undefined {
    return this.frames.length > 0 ? this.frames[this.frames.length - 1] : undefined;
  }

  /** A node that binds or declares a name, or a `return`, inside a function. */
  private declaration(action: Action, node: ts.Node): void {
    const frame = this.frame();
    if (!frame) return;
    if (action === Action.Variable) this.variable(frame, node as ts.VariableDeclaration);
    else if (action === Action.Class) {
      if ((node as ts.ClassDeclaration).name) this.declare(frame, (node as ts.ClassDeclaration).name!);
    } else if (action === Action.Catch) {
      if ((node as ts.CatchClause).variableDeclaration) this.declare(frame, (node as ts.CatchClause).variableDeclaration!.name);
    } else if (action === Action.Return && frame.bindings.size > 0) this.noteReturn(frame, node as ts.ReturnStatement);
  }

  /** A name that may refer to a binding of an open function. */
  private identifier(node: ts.Identifier): void {
    const text = node.text;
    if (!this.visibleNames.has(text) || !isReferencePosition(node, this.stack[this.stack.length - 1])) return;
    const binding = this.resolve(text);
    if (binding) this.classify(binding, node);
  }

  private enterFunction(fn: ts.SignatureDeclaration): void {
    const frame: Frame = { fn, depth: this.stack.length, declared: new Set(), bindings: new Map(), returns: [] };
    if (this.visibleNames.size > 0) {
      for (const parameter of fn.parameters) this.declare(frame, parameter.name);
      if (fn.name && ts.isIdentifier(fn.name) && ts.isFunctionExpression(fn)) this.declare(frame, fn.name);
    }
    this.frames.push(frame);
  }

  /** `const shape = new Module.Shape()` binds; any other declaration may shadow a binding. */
  private variable(frame: Frame, node: ts.VariableDeclaration): void {
    const call = node.initializer && ts.isIdentifier(node.name) ? acquisitionIn(node.initializer) : undefined;
    const path = call ? calleePathOf(call, this.sourceFile) : undefined;
    if (path && ts.isIdentifier(node.name)) this.bind(frame, node.name.text, call!, path);
    else this.declare(frame, node.name);
  }

  private bind(frame: Frame, name: string, call: CallNode, path: CalleePath): void {
    const existing = frame.bindings.get(name);
    if (existing || frame.declared.has(name)) {
      if (existing) existing.ambiguous = true;
      frame.declared.add(name);
      return;
    }
    frame.bindings.set(name, { name, path, call, frame, anchor: this.stack[this.stack.length - 1], releases: [], handedOn: false, ambiguous: false });
    this.visibleNames.set(name, (this.visibleNames.get(name) ?? 0) + 1);
  }

  /** A declaration that is no binding: it shadows a binding of the same name (only those visible need be known). */
  private declare(frame: Frame, name: ts.BindingName): void {
    if (this.visibleNames.size === 0) return;
    if (!ts.isIdentifier(name)) {
      for (const element of name.elements) if (!ts.isOmittedExpression(element)) this.declare(frame, element.name);
      return;
    }
    if (!this.visibleNames.has(name.text)) return;
    const binding = frame.bindings.get(name.text);
    if (binding) binding.ambiguous = true;
    frame.declared.add(name.text);
  }

  /** The binding a name refers to here: the innermost function that declares it, if that declaration is a binding. */
  private resolve(name: string): Binding | undefined {
    for (let index = this.frames.length - 1; index >= 0; index--) {
      const frame = this.frames[index];
      const binding = frame.bindings.get(name);
      if (binding) return binding;
      if (frame.declared.has(name)) return undefined;
    }
    return undefined;
  }

  private noteReturn(frame: Frame, node: ts.ReturnStatement): void {
    const tests: ts.Node[] = [];
    const tries: ts.TryStatement[] = [];
    for (let index = frame.depth + 1; index < this.stack.length; index++) {
      const ancestor = this.stack[index];
      if (ts.isIfStatement(ancestor)) tests.push(ancestor.expression);
      else if (ts.isConditionalExpression(ancestor)) tests.push(ancestor.condition);
      else if (ts.isTryStatement(ancestor) && ancestor.finallyBlock && ancestor.finallyBlock !== this.stack[index + 1]) tries.push(ancestor);
    }
    if (node.expression) tests.push(node.expression);
    frame.returns.push({ node, tests, tries });
  }

  /** What a reference to a bound value does to it. */
  private classify(binding: Binding, reference: ts.Node): void {
    if (this.frames[this.frames.length - 1] !== binding.frame) {
      // Referred to by a closure: it may outlive the call.
      binding.handedOn = true;
      return;
    }
    // The value as the expression around it passes it on: `(p)`, `p!`, `p || q`, `c ? p : q`, `await p`.
    let value: ts.Node = reference;
    let depth = this.stack.length - 1;
    let parent = this.stack[depth];
    while (
      ts.isParenthesizedExpression(parent) ||
      ts.isNonNullExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isSatisfiesExpression(parent) ||
      ts.isTypeAssertionExpression(parent) ||
      ts.isAwaitExpression(parent) ||
      (ts.isConditionalExpression(parent) && parent.condition !== value) ||
      (ts.isBinaryExpression(parent) && isShortCircuit(parent.operatorToken.kind))
    ) {
      value = parent;
      parent = this.stack[--depth];
    }
    if (ts.isPropertyAccessExpression(parent) && parent.expression === value) {
      const call = this.stack[depth - 1];
      if (value === reference && call && ts.isCallExpression(call) && call.expression === parent && call.arguments.length === 0 && RELEASE_METHOD_NAMES.has(parent.name.text)) {
        this.addRelease(binding, call, `.${parent.name.text}()`, depth - 1);
      }
      return;
    }
    if (ts.isElementAccessExpression(parent) || ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent) || ts.isTypeOfExpression(parent) || ts.isIfStatement(parent) || ts.isForOfStatement(parent)) return;
    if (ts.isBinaryExpression(parent)) {
      if (parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) binding.handedOn = true;
      return;
    }
    if (ts.isCallExpression(parent) && parent.expression !== value) {
      this.argument(binding, parent, value, depth);
      return;
    }
    if (ts.isCallExpression(parent) || ts.isTemplateSpan(parent) || ts.isExpressionStatement(parent) || ts.isSwitchStatement(parent) || ts.isCaseClause(parent)) return;
    if (ts.isWhileStatement(parent) || ts.isDoStatement(parent) || ts.isForStatement(parent) || ts.isDeleteExpression(parent) || ts.isVoidExpression(parent)) return;
    // Returned, yielded, thrown, stored in a literal, aliased, passed to `new`, spread, a JSX attribute: handed on.
    binding.handedOn = true;
  }

  /** The value passed to a call: released by its pair, read by a method of its own module, else handed on. */
  private argument(binding: Binding, call: ts.CallExpression, value: ts.Node, depth: number): void {
    const callee = calleeRootAndName(call);
    if (callee && callee.root === binding.path.root && call.arguments[0] === value && pairsWith(binding.path.name, callee.name)) {
      this.addRelease(binding, call, calleePathOf(call, this.sourceFile)!.label, depth);
      return;
    }
    // A method of its module (`Module._decode(p)`), or of any receiver that is no container (`path.addPath(p)` keeps it): read.
    if (callee?.isMember && !keepsArguments(callee.name) && (callee.root === binding.path.root || !callee.root.startsWith('this'))) return;
    binding.handedOn = true;
  }

  private addRelease(binding: Binding, call: ts.Node, form: string, depth: number): void {
    let unconditional = true;
    const finallyBlocks: ts.Block[] = [];
    for (let index = depth - 1; index >= binding.frame.depth; index--) {
      const ancestor = this.stack[index];
      const child = this.stack[index + 1];
      if (ts.isTryStatement(ancestor) && ancestor.finallyBlock === child) finallyBlocks.push(ancestor.finallyBlock);
      if ((ancestor.pos <= binding.anchor.pos && binding.anchor.end <= ancestor.end) || !isConditionalPart(ancestor, child)) continue;
      if (finallyBlocks.length > 0) continue;
      const test = branchTest(ancestor, this.stack[index - 2]);
      if (test && mentions(test, binding.name)) continue;
      unconditional = false;
    }
    binding.releases.push({ node: call, form, unconditional, finallyBlocks });
  }

  private exitFunction(): void {
    const frame = this.frames.pop()!;
    for (const name of frame.bindings.keys()) {
      const count = this.visibleNames.get(name)! - 1;
      if (count === 0) this.visibleNames.delete(name);
      else this.visibleNames.set(name, count);
    }
    const outcomes = new Map<string, { outcome: Outcome; binding: Binding; release?: Release }>();
    for (const binding of frame.bindings.values()) {
      if (binding.ambiguous) continue;
      const release = binding.releases.find((each) => each.unconditional && !this.returnBetween(frame, binding, each));
      const outcome: Outcome = release ? 'releasing' : binding.handedOn ? 'handing-on' : 'not-releasing';
      const known = outcomes.get(binding.path.key);
      // A function counts once per API: as not releasing if one of its values is not, else as releasing if one is.
      if (!known || rank(outcome) > rank(known.outcome)) outcomes.set(binding.path.key, { outcome, binding, release });
    }
    for (const [key, { outcome, binding, release }] of outcomes) this.count(key, outcome, binding, release);
  }

  /** A `return` after the acquisition and before the release that skips it. */
  private returnBetween(frame: Frame, binding: Binding, release: Release): boolean {
    const from = binding.call.end;
    const to = release.node.pos;
    return frame.returns.some(
      (site) =>
        site.node.pos > from &&
        site.node.pos < to &&
        !site.tries.some((statement) => release.finallyBlocks.includes(statement.finallyBlock!)) &&
        !site.tests.some((test) => mentions(test, binding.name)),
    );
  }

  private count(key: string, outcome: Outcome, binding: Binding, release: Release | undefined): void {
    let evidence = this.evidence.get(key);
    if (!evidence) {
      evidence = { releasing: 0, notReleasing: 0, handingOn: 0, label: '', releasePlaces: [], releaseForms: new Map(), roots: new Set() };
      this.evidence.set(key, evidence);
    }
    if (outcome === 'releasing') {
      evidence.releasing++;
      if (evidence.releasing === 1) evidence.label = binding.path.label;
      if (evidence.releasePlaces.length < MAX_PLACES) evidence.releasePlaces.push(this.placeOf(release!.node));
      evidence.releaseForms.set(release!.form, (evidence.releaseForms.get(release!.form) ?? 0) + 1);
      if (evidence.roots.size < MAX_ROOTS) evidence.roots.add(binding.path.root);
    } else if (outcome === 'not-releasing') evidence.notReleasing++;
    else evidence.handingOn++;
    if (evidence.label === '') evidence.label = binding.path.label;
  }

  private placeOf(node: ts.Node): Place {
    const start = this.sourceFile.getLineAndCharacterOfPosition(node.getStart(this.sourceFile));
    const end = this.sourceFile.getLineAndCharacterOfPosition(node.getEnd());
    return { fileName: this.sourceFile.fileName, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
  }
}

function rank(outcome: Outcome): number {
  return outcome === 'not-releasing' ? 2 : outcome === 'releasing' ? 1 : 0;
}

/** The call an initialiser is, under `await`, parentheses and assertions. */
function acquisitionIn(initializer: ts.Expression): CallNode | undefined {
  let expression = skipOuterExpressions(initializer);
  if (ts.isAwaitExpression(expression)) expression = skipOuterExpressions(expression.expression);
  return ts.isCallExpression(expression) || ts.isNewExpression(expression) ? expression : undefined;
}

function isShortCircuit(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken;
}

/** How a parent tells whether an identifier under it names a value (see `isReferencePosition`), by the parent's kind. */
const enum Position {
  Value = 0,
  /** A label, an import or export specifier, `new.target`: never a value. */
  NotValue,
  /** A declaration or a member: a value unless it is the declared name. */
  UnlessName,
  /** `a.b`: `a` only. */
  Member,
}

const POSITIONS: Uint8Array = (() => {
  const positions = new Uint8Array(ts.SyntaxKind.Count);
  positions[ts.SyntaxKind.PropertyAccessExpression] = Position.Member;
  for (const kind of [
    ts.SyntaxKind.QualifiedName,
    ts.SyntaxKind.LabeledStatement,
    ts.SyntaxKind.BreakStatement,
    ts.SyntaxKind.ContinueStatement,
    ts.SyntaxKind.ImportSpecifier,
    ts.SyntaxKind.ExportSpecifier,
    ts.SyntaxKind.ImportClause,
    ts.SyntaxKind.NamespaceImport,
    ts.SyntaxKind.ImportEqualsDeclaration,
    ts.SyntaxKind.MetaProperty,
  ]) {
    positions[kind] = Position.NotValue;
  }
  for (const kind of [
    ts.SyntaxKind.PropertyAssignment,
    ts.SyntaxKind.MethodDeclaration,
    ts.SyntaxKind.PropertyDeclaration,
    ts.SyntaxKind.GetAccessor,
    ts.SyntaxKind.SetAccessor,
    ts.SyntaxKind.EnumMember,
    ts.SyntaxKind.PropertySignature,
    ts.SyntaxKind.MethodSignature,
    ts.SyntaxKind.BindingElement,
    ts.SyntaxKind.VariableDeclaration,
    ts.SyntaxKind.Parameter,
    ts.SyntaxKind.FunctionDeclaration,
    ts.SyntaxKind.FunctionExpression,
    ts.SyntaxKind.ClassDeclaration,
    ts.SyntaxKind.ClassExpression,
    ts.SyntaxKind.JsxAttribute,
  ]) {
    positions[kind] = Position.UnlessName;
  }
  return positions;
})();

/** An identifier that names a value here, not a property, a declaration or a label. */
function isReferencePosition(identifier: ts.Identifier, parent: ts.Node | undefined): boolean {
  if (!parent) return false;
  switch (POSITIONS[parent.kind] as Position) {
    case Position.Value:
      return true;
    case Position.NotValue:
      return false;
    case Position.Member:
      return (parent as ts.PropertyAccessExpression).name !== identifier;
    default:
      return (parent as { name?: ts.Node }).name !== identifier && !(ts.isBindingElement(parent) && parent.propertyName === identifier);
  }
}

/** Is `child` a part of `node` that may not run when `node` does? */
function isConditionalPart(node: ts.Node, child: ts.Node): boolean {
  if (ts.isIfStatement(node)) return child !== node.expression;
  if (ts.isConditionalExpression(node)) return child !== node.condition;
  if (ts.isBinaryExpression(node)) return isShortCircuit(node.operatorToken.kind) && child === node.right;
  if (ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node) || ts.isWhileStatement(node)) return child === node.statement;
  return ts.isCaseClause(node) || ts.isDefaultClause(node) || ts.isCatchClause(node);
}

/** The test that decides whether the part of a branching node runs (`switch` is a clause's grandparent). */
function branchTest(node: ts.Node, grandparent: ts.Node | undefined): ts.Node | undefined {
  if (ts.isIfStatement(node) || ts.isWhileStatement(node)) return node.expression;
  if (ts.isConditionalExpression(node)) return node.condition;
  if (ts.isBinaryExpression(node)) return node.left;
  if ((ts.isCaseClause(node) || ts.isDefaultClause(node)) && grandparent && ts.isSwitchStatement(grandparent)) return grandparent.expression;
  return undefined;
}

/** Does the expression name `name`? */
function mentions(node: ts.Node, name: string): boolean {
  if (ts.isIdentifier(node)) return node.text === name;
  return ts.forEachChild(node, (child) => mentions(child, name) || undefined) === true;
}
