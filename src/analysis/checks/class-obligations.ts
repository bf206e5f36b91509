/**
 * Class obligations: a class that owns handles must release each of them
 * on every path of a dispose method (the NativeFinalizer seed's dispose
 * chain: session → bridge → repl → platform → bindings → free; one missing
 * link leaks the native handle).
 *
 * A field is owned when the class assigns it the result of an acquisition
 * (a field initialiser, the constructor or any method: `@acquire` calls,
 * `new` of a handle or Disposable class, summarised factories). What a
 * dispose method releases comes from its summary, so delegation
 * (`[Symbol.dispose]() { this.dispose() }`, helpers that release their
 * parameters) counts. Fields filled through a DisposableStack the class
 * owns are the stack's to dispose, and a field put into a container whose
 * entries a release method releases is the container's.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { forEachChild } from '../ir/ast.js';
import ts from 'typescript';
import type { FileContext } from '../program/file-context.js';
import type { Finding } from '../flow/findings.js';
import { inferredReasonAt } from '../inference/inferred-findings.js';
import type { InferredReason } from '../inference/inferred-reason.js';
import { memberName } from '../ir/ast.js';
import { baseClassOf, hasNoRequiredParameters, isReleaseMethodDeclaration } from '../model/ts-nodes.js';

export type ClassObligationKind = 'no-release-method' | 'field-not-released' | 'field-released-on-some-paths' | 'field-overwritten';

export interface OwnedField {
  readonly name: string;
  /** Where the class acquires it (the first acquisition found). */
  readonly acquiredAt: TSESTree.Node;
  /** Acquired by a field initialiser or the constructor: every instance holds it from the start. */
  readonly fromConstruction: boolean;
  /** The field holds a Disposable child (its own dispose chain), not a raw handle. */
  readonly disposable: boolean;
  /** The field's handle is one only by the program's usage (src/analysis/inference): the evidence, for the message. */
  readonly inferred?: InferredReason;
}

/** Owned fields per class, for rules that check assignments to them. */
export interface ClassOwnership {
  readonly classNode: TSESTree.ClassDeclaration | TSESTree.ClassExpression;
  readonly owned: ReadonlyMap<string, OwnedField>;
}

export interface ClassObligationFinding {
  readonly kind: ClassObligationKind;
  /** Where to report: the class name, or the dispose method's key. */
  readonly node: TSESTree.Node;
  readonly className: string;
  readonly fields: readonly OwnedField[];
  /** The dispose method (for field findings). */
  readonly method?: string;
}

type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;

/** Whether a value assigned to a field (in this method, or in an initialiser) is an acquisition: `compute`, or an answer kept from an earlier lint. */
export type AcquisitionLookup = (value: TSESTree.Expression, method: TSESTree.Node | undefined, compute: () => boolean) => boolean;

type FunctionBody = TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

const STACK_METHODS = new Set(['use', 'adopt']);

/**
 * @param overwrites the flow analysis' `field-overwrite` findings: a fresh
 *   handle stored into `this.f` while it still held one. They count for
 *   fields every instance owns from construction on.
 */
export function analyzeClassObligations(
  file: FileContext,
  overwrites: readonly Finding[],
  options: {
    /** The classes of the file, when the caller already walked it. */
    readonly classes?: readonly ClassNode[];
    /** A cheap look: can the class acquire anything at all (see the prefilter)? A class that cannot owns nothing. */
    readonly mayAcquire?: (classNode: ClassNode) => boolean;
    readonly acquisitions?: AcquisitionLookup;
  } = {},
): ClassObligationFinding[] {
  const findings: ClassObligationFinding[] = [];
  const classes = options.classes ?? collectClasses(file.ast);
  for (const classNode of classes) {
    if (options.mayAcquire && !options.mayAcquire(classNode)) continue;
    try {
      const innermost = overwrites.filter((finding) => innermostClass(classes, finding.node) === classNode);
      findings.push(...checkClass(file, classNode, innermost, options.acquisitions));
    } catch (error) {
      if (!(error instanceof RangeError) && !(error instanceof TypeError)) throw error;
    }
  }
  return findings;
}

function innermostClass(classes: readonly ClassNode[], node: TSESTree.Node): ClassNode | undefined {
  let best: ClassNode | undefined;
  for (const candidate of classes) {
    if (candidate.range[0] <= node.range[0] && node.range[1] <= candidate.range[1]) {
      if (!best || candidate.range[0] >= best.range[0]) best = candidate;
    }
  }
  return best;
}

function checkClass(file: FileContext, classNode: ClassNode, overwrites: readonly Finding[], acquisitions?: AcquisitionLookup): ClassObligationFinding[] {
  const className = classNode.id?.name ?? 'this class';
  const owned = new Map<string, OwnedField>();
  const stackOwned = new Set<string>();
  const releaseMethods: { name: string; key: TSESTree.Node; summary: () => ReturnType<FileContext['summaryOf']> }[] = [];
  const releaseNames = new Set(file.model.options.releaseMethodNames);

  const acquires = (value: TSESTree.Expression, method: TSESTree.Node | undefined): boolean =>
    acquisitions ? acquisitions(value, method, () => isAcquisition(file, value)) : isAcquisition(file, value);
  const noteAssignment = (field: string, value: TSESTree.Expression, fromConstruction: boolean, method?: TSESTree.Node): void => {
    const inner = unwrap(value);
    if (isStackAdoption(inner)) {
      stackOwned.add(field);
      return;
    }
    const existing = owned.get(field);
    if ((existing && (existing.fromConstruction || !fromConstruction)) || !acquires(inner, method)) return;
    const inferred = inferredReasonAt(file, inner);
    owned.set(field, { name: field, acquiredAt: inner, disposable: file.isDisposableNode(inner), fromConstruction, ...(inferred ? { inferred } : {}) });
  };

  for (const member of classNode.body.body) {
    if (member.type === AST_NODE_TYPES.PropertyDefinition && !member.static && member.value) {
      const name = keyName(member.key, member.computed);
      if (name !== null) noteAssignment(name, member.value, true);
    }
    if (member.type !== AST_NODE_TYPES.MethodDefinition || member.static || !member.value.body) continue;
    const name = keyName(member.key, member.computed);
    // A callback the constructor makes (a stream's `start`) runs later, if at all: what it assigns is no instance's from the start.
    forEachThisAssignment(member.value, (field, value, nested) => noteAssignment(field, value, member.kind === 'constructor' && !nested, member.value));
    if (member.kind === 'constructor') {
      for (const param of member.value.params) {
        // `constructor(private readonly ptr: Ptr)` borrows unless the parameter says it takes ownership.
        if (param.type === AST_NODE_TYPES.TSParameterProperty && param.parameter.type === AST_NODE_TYPES.Identifier && hasOwnedTag(file, param)) {
          owned.set(param.parameter.name, {
            name: param.parameter.name,
            acquiredAt: param,
            disposable: file.isDisposableNode(param.parameter),
            fromConstruction: true,
          });
        }
      }
      continue;
    }
    if (member.kind !== 'method' || name === null) continue;
    if (name === '@@dispose' || name === '@@asyncDispose' || (releaseNames.has(name) && takesNoArguments(file, member)) || hasReleaseTag(file, member)) {
      const fn = member.value;
      releaseMethods.push({ name: name.startsWith('@@') ? `[Symbol.${name.slice(2)}]` : name, key: member.key, summary: () => methodSummary(file, fn) });
    }
  }
  for (const field of stackOwned) owned.delete(field);
  if (owned.size === 0) return [];

  const overwritten: ClassObligationFinding[] = [];
  for (const finding of overwrites) {
    const field = owned.get(finding.danglingPath?.slice('this.'.length) ?? '');
    if (field?.fromConstruction) overwritten.push({ kind: 'field-overwritten', node: finding.node, className, fields: [field] });
  }

  const fields = [...owned.values()];
  // A class that declares no release method is released by the one it inherits (a wrapper's base class
  // whose `dispose()` deletes `this.ref`, which each subclass fills).
  if (releaseMethods.length === 0) {
    for (const inherited of inheritedReleaseMethods(file, classNode, releaseNames)) {
      releaseMethods.push({ name: inherited.name, key: classNode.id ?? classNode, summary: () => file.summaryOf(inherited.declaration) });
    }
  }
  if (releaseMethods.length === 0) {
    // A method by another name may release a field (tfjs-converter's `clearAndClose()`): the class has
    // a way to release it, only not one a `using` or a caller looks for. Only the others have none.
    const elsewhere = releasedByOtherMethods(file, classNode, fields);
    const unreleased = elsewhere === 'unknown' ? [] : fields.filter((field) => !elsewhere.has(field.name));
    if (unreleased.length === 0) return overwritten;
    return [{ kind: 'no-release-method', node: classNode.id ?? classNode, className, fields: unreleased }, ...overwritten];
  }

  const released = new Set<string>();
  const partly = new Map<string, string>();
  for (const method of releaseMethods) {
    const summary = method.summary();
    if (!summary) {
      // No summary (too large to analyse): trust the method.
      return overwritten;
    }
    for (const field of summary.releasedFields) released.add(field);
    // `if (this.disposed) return; this.disposed = true; …`: the skipped path already released everything.
    if (summary.guardedByFlag) for (const field of summary.maybeReleasedFields) released.add(field);
    for (const field of summary.maybeReleasedFields) if (!partly.has(field)) partly.set(field, method.name);
  }
  const primary = releaseMethods.find((method) => method.name === 'dispose') ?? releaseMethods[0];
  const findings: ClassObligationFinding[] = [];
  for (const field of fields) {
    if (released.has(field.name) || releasedThroughContainer(file, classNode, field.name)) continue;
    const partial = partly.get(field.name);
    const method = partial ? releaseMethods.find((candidate) => candidate.name === partial)! : primary;
    findings.push({
      kind: partial ? 'field-released-on-some-paths' : 'field-not-released',
      node: method.key,
      className,
      fields: [field],
      method: method.name,
    });
  }
  return [...findings, ...overwritten];
}

/**
 * The release methods of the nearest class the class extends that declares any (`dispose()`,
 * `free()`…, `[Symbol.dispose]()`, with a body): a base class of the program, in any file.
 */
function inheritedReleaseMethods(file: FileContext, classNode: ClassNode, releaseNames: ReadonlySet<string>): { name: string; declaration: ts.MethodDeclaration }[] {
  const declaration = file.tsNode(classNode);
  if (declaration === undefined || !ts.isClassLike(declaration) || !declaration.heritageClauses) return [];
  const checker = file.model.checker;
  const seen = new Set<ts.ClassLikeDeclaration>();
  for (let base = baseClassOf(checker, declaration); base && !seen.has(base) && !base.getSourceFile().isDeclarationFile; base = baseClassOf(checker, base)) {
    seen.add(base);
    const found = base.members
      .filter((member): member is ts.MethodDeclaration => ts.isMethodDeclaration(member) && member.body !== undefined && isReleaseMethodDeclaration(member, releaseNames))
      .map((member) => ({ name: ts.isIdentifier(member.name) ? member.name.text : `[${(member.name as ts.ComputedPropertyName).expression.getText()}]`, declaration: member }));
    if (found.length > 0) return found.map((method) => ({ ...method, name: `${base.name?.text ?? 'base'}#${method.name}` }));
  }
  return [];
}

/** `this._disposables.add(this._mapGet)`, with a release method that releases every entry of `_disposables`. */
function releasedThroughContainer(file: FileContext, classNode: ClassNode, field: string): boolean {
  const declaration = file.tsNode(classNode);
  return declaration !== undefined && ts.isClassLike(declaration) && file.model.containerEntries.releasedThroughContainer(declaration, field);
}

/** The summary of a method's function (none when it is too large to analyse). */
function methodSummary(file: FileContext, fn: TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression): ReturnType<FileContext['summaryOf']> {
  const tsMethod = file.tsNode(fn);
  const declaration = tsMethod && ts.isFunctionLike(tsMethod) ? (tsMethod as ts.SignatureDeclaration) : undefined;
  const parent = declaration?.parent;
  return parent && ts.isMethodDeclaration(parent) ? file.summaryOf(parent) : declaration ? file.summaryOf(declaration) : undefined;
}

/**
 * The fields that some instance method releases, on some path at least, or a callback that a method
 * or the constructor hands out (the `close` of a stream's sink, which the stream calls when it is
 * closed); unknown when a method is too large to summarise.
 */
function releasedByOtherMethods(file: FileContext, classNode: ClassNode, candidates: readonly OwnedField[]): Set<string> | 'unknown' {
  const released = new Set<string>();
  const note = (summary: NonNullable<ReturnType<typeof methodSummary>>): void => {
    // A method that frees a field only to give it a fresh handle (`free(this.buf); this.buf = malloc(n)`) releases no instance's last one.
    for (const field of [...summary.releasedFields, ...summary.maybeReleasedFields]) if (!summary.replacedFields?.includes(field)) released.add(field);
  };
  for (const member of classNode.body.body) {
    if (member.type !== AST_NODE_TYPES.MethodDefinition || member.static || member.kind !== 'method' || !member.value.body) continue;
    const summary = methodSummary(file, member.value);
    if (!summary) return 'unknown';
    note(summary);
  }
  for (const callback of callbacksNaming(classNode, candidates.filter((field) => !released.has(field.name)))) {
    const summary = methodSummary(file, callback);
    if (summary) note(summary);
  }
  return released;
}

/** Arrow functions in the class's methods and constructor whose text names `this.<field>` of one of `fields`. */
function callbacksNaming(classNode: ClassNode, fields: readonly OwnedField[]): TSESTree.ArrowFunctionExpression[] {
  if (fields.length === 0) return [];
  const found: TSESTree.ArrowFunctionExpression[] = [];
  const visit = (node: TSESTree.Node): void => {
    if (node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.FunctionDeclaration || node.type === AST_NODE_TYPES.ClassExpression || node.type === AST_NODE_TYPES.ClassDeclaration) return;
    if (node.type === AST_NODE_TYPES.ArrowFunctionExpression && fields.some((field) => namesThisField(node, field.name))) found.push(node);
    forEachChild(node, visit);
  };
  for (const member of classNode.body.body) {
    if (member.type === AST_NODE_TYPES.MethodDefinition && !member.static && member.value.body) forEachChild(member.value.body, visit);
  }
  return found;
}

/** Does the function mention `this.<field>`? */
function namesThisField(fn: TSESTree.Node, field: string): boolean {
  let found = false;
  const visit = (node: TSESTree.Node): void => {
    if (found) return;
    if (node.type === AST_NODE_TYPES.MemberExpression && node.object.type === AST_NODE_TYPES.ThisExpression && memberName(node) === field) {
      found = true;
      return;
    }
    forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

function collectClasses(root: TSESTree.Node): ClassNode[] {
  const result: ClassNode[] = [];
  const visit = (node: TSESTree.Node): void => {
    if (node.type === AST_NODE_TYPES.ClassDeclaration || node.type === AST_NODE_TYPES.ClassExpression) result.push(node);
    forEachChild(node, visit);
  };
  visit(root);
  return result;
}

/** `this.f = value` anywhere in a method body (arrow functions keep `this`; other functions and classes do not); `nested`: inside an arrow function. */
function forEachThisAssignment(fn: FunctionBody, callback: (field: string, value: TSESTree.Expression, nested: boolean) => void): void {
  const visit = (node: TSESTree.Node): void => {
    if (node !== fn && (node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.FunctionDeclaration)) return;
    if (node.type === AST_NODE_TYPES.ClassDeclaration || node.type === AST_NODE_TYPES.ClassExpression) return;
    if (
      node.type === AST_NODE_TYPES.AssignmentExpression &&
      (node.operator === '=' || node.operator === '??=' || node.operator === '||=') &&
      node.left.type === AST_NODE_TYPES.MemberExpression &&
      node.left.object.type === AST_NODE_TYPES.ThisExpression
    ) {
      const name = memberName(node.left);
      if (name !== null) callback(name, node.right, insideArrow(node, fn));
    }
    forEachChild(node, visit);
  };
  visit(fn);
}

/** Is `node` inside an arrow function within `fn`? */
function insideArrow(node: TSESTree.Node, fn: TSESTree.Node): boolean {
  for (let current = node.parent; current && current !== fn; current = current.parent) {
    if (current.type === AST_NODE_TYPES.ArrowFunctionExpression) return true;
  }
  return false;
}

function unwrap(node: TSESTree.Expression): TSESTree.Expression {
  let current = node;
  for (;;) {
    if (
      current.type === AST_NODE_TYPES.AwaitExpression ||
      current.type === AST_NODE_TYPES.TSAsExpression ||
      current.type === AST_NODE_TYPES.TSNonNullExpression ||
      current.type === AST_NODE_TYPES.TSSatisfiesExpression
    ) {
      current = current.type === AST_NODE_TYPES.AwaitExpression ? current.argument : current.expression;
    } else {
      return current;
    }
  }
}

/** `this.stack.use(x)` / `stack.adopt(x, fn)`: the stack owns what it returns. */
function isStackAdoption(node: TSESTree.Expression): boolean {
  return (
    node.type === AST_NODE_TYPES.CallExpression &&
    node.callee.type === AST_NODE_TYPES.MemberExpression &&
    !node.callee.computed &&
    node.callee.property.type === AST_NODE_TYPES.Identifier &&
    STACK_METHODS.has(node.callee.property.name)
  );
}

function isAcquisition(file: FileContext, node: TSESTree.Expression): boolean {
  if (node.type !== AST_NODE_TYPES.CallExpression && node.type !== AST_NODE_TYPES.NewExpression) return false;
  return file.classifyCall(node, false).result === 'acquire';
}

function keyName(key: TSESTree.Node, computed: boolean): string | null {
  if (!computed) {
    if (key.type === AST_NODE_TYPES.Identifier) return key.name;
    if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
    if (key.type === AST_NODE_TYPES.Literal) return String(key.value);
    return null;
  }
  if (
    key.type === AST_NODE_TYPES.MemberExpression &&
    key.object.type === AST_NODE_TYPES.Identifier &&
    key.object.name === 'Symbol' &&
    key.property.type === AST_NODE_TYPES.Identifier
  ) {
    return `@@${key.property.name}`;
  }
  return null;
}

function jsDocTagNames(file: FileContext, node: TSESTree.Node): string[] {
  const tsNode = file.tsNode(node);
  return tsNode ? ts.getJSDocTags(tsNode).map((tag) => tag.tagName.text) : [];
}

/** A release-named method that needs no argument (`close()`, `close(force = false)`) is how the class is released. */
function takesNoArguments(file: FileContext, member: TSESTree.MethodDefinition): boolean {
  const declaration = file.services.esTreeNodeToTSNodeMap.get(member);
  return declaration !== undefined && ts.isMethodDeclaration(declaration) ? hasNoRequiredParameters(declaration) : member.value.params.length === 0;
}

function hasReleaseTag(file: FileContext, member: TSESTree.MethodDefinition): boolean {
  return jsDocTagNames(file, member).includes('release');
}

function hasOwnedTag(file: FileContext, param: TSESTree.TSParameterProperty): boolean {
  const tsNode = file.tsNode(param);
  if (!tsNode || !ts.isParameter(tsNode)) return false;
  return ts.getJSDocTags(tsNode).some((tag) => tag.tagName.text === 'owned') || ts.getJSDocParameterTags(tsNode).some((tag) => /@owned|\bowned\b/.test(String(tag.comment ?? '')));
}
