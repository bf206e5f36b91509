/**
 * The names usage inference gives calls, read off the TypeScript AST with no
 * checker: an API's key (the callee path with the receiver's root left out,
 * so `Module._malloc`, `this.module._malloc` and `wasm._malloc` are one
 * API), the root it was called on, and which calls are shaped like releases.
 */
import ts from 'typescript';

export type CallNode = ts.CallExpression | ts.NewExpression;

export interface CalleePath {
  /** `new .Shape`, `call ._malloc`, `call createShape`: the same for every receiver of the same member path. */
  readonly key: string;
  /** The receiver's root as written (`Module`, `this.module`), or '' for a plain name or a receiver that is no path. */
  readonly root: string;
  /** The name called (`_malloc`, `Shape`). */
  readonly name: string;
  /** The callee as written, for messages (`new Module.Shape()`). */
  readonly label: string;
}

/** Zero-argument methods that release their receiver (`shape.delete()`, `file.close()`). */
export const RELEASE_METHOD_NAMES: ReadonlySet<string> = new Set(['delete', 'free', 'dispose', 'close', 'destroy', 'release']);

const RELEASE_VERBS = new Set(['free', 'release', 'destroy', 'dispose', 'delete', 'close', 'dealloc', 'deallocate', 'unref']);
const ACQUIRE_VERBS = new Set(['malloc', 'calloc', 'alloc', 'allocate', 'create', 'new', 'make', 'open', 'acquire', 'init']);

const MAX_LABEL = 40;

/** The member a callee reads: `a.b`, `a?.b`, `a['b']`. */
function memberOf(node: ts.Expression): { object: ts.Expression; name: string } | undefined {
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) return { object: node.expression, name: node.name.text };
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) return { object: node.expression, name: node.argumentExpression.text };
  return undefined;
}

/** Parentheses, `!` and type assertions around an expression, which do not change the value. */
export function skipOuterExpressions(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current) || ts.isAsExpression(current) || ts.isTypeAssertionExpression(current) || ts.isSatisfiesExpression(current)) {
    current = current.expression;
  }
  return current;
}

/**
 * The API a call or `new` belongs to, or none: a call of a method of `this`
 * (the class's own, summarised instead), or of a callee that is no name or member path.
 */
export function calleePathOf(call: CallNode, sourceFile: ts.SourceFile): CalleePath | undefined {
  const prefix = ts.isNewExpression(call) ? 'new' : 'call';
  const callee = skipOuterExpressions(call.expression);
  const label = (): string => {
    const text = callee.getText(sourceFile).replace(/\s+/g, '');
    const shown = text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
    return prefix === 'new' ? `new ${shown}()` : `${shown}()`;
  };
  if (ts.isIdentifier(callee)) return { key: `${prefix} ${callee.text}`, root: '', name: callee.text, get label() { return label(); } };
  const names: string[] = [];
  let current: ts.Expression = callee;
  for (let member = memberOf(current); member; member = memberOf(current)) {
    names.unshift(member.name);
    current = skipOuterExpressions(member.object);
  }
  if (names.length === 0) return undefined;
  let root = '';
  if (current.kind === ts.SyntaxKind.ThisKeyword) {
    // `this.create()` is the class's own method; `this.module._malloc()` a member of a field.
    if (names.length < 2) return undefined;
    root = `this.${names.shift()}`;
  } else if (ts.isIdentifier(current)) {
    root = current.text;
  }
  const name = names[names.length - 1];
  return { key: `${prefix} .${names.join('.')}`, root, name, get label() { return label(); } };
}

/** The root and name of a callee, as `calleePathOf` gives them, with no key or label built (asked for every call a value is passed to). */
export function calleeRootAndName(call: CallNode): { readonly root: string; readonly name: string; readonly isMember: boolean } | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isIdentifier(callee)) return { root: '', name: callee.text, isMember: false };
  const last = memberOf(callee);
  if (!last) return undefined;
  let current: ts.Expression = callee;
  let below = '';
  let depth = 0;
  for (let member = memberOf(current); member; member = memberOf(current)) {
    below = member.name;
    depth++;
    current = skipOuterExpressions(member.object);
  }
  if (current.kind === ts.SyntaxKind.ThisKeyword) return depth < 2 ? undefined : { root: `this.${below}`, name: last.name, isMember: true };
  return { root: ts.isIdentifier(current) ? current.text : '', name: last.name, isMember: true };
}

/** A name split into lower-case words: `createShape` → create, shape; `sqlite3_open` → sqlite3, open. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

const stems = new Map<string, string | null>();

/** The name without its verb (first or last word among `verbs`); undefined when it has none. */
function stemOf(name: string, verbs: ReadonlySet<string>): string | undefined {
  const key = `${verbs === RELEASE_VERBS ? 'r' : 'a'}${name}`;
  let stem = stems.get(key);
  if (stem === undefined) stems.set(key, (stem = computeStem(name, verbs) ?? null));
  return stem ?? undefined;
}

function computeStem(name: string, verbs: ReadonlySet<string>): string | undefined {
  const words = wordsOf(name);
  if (words.length > 0 && verbs.has(words[0])) return words.slice(1).join('');
  if (words.length > 1 && verbs.has(words[words.length - 1])) return words.slice(0, -1).join('');
  return undefined;
}

/** A function named like a release: `_free`, `destroy`, `destroyShape`, `Shape_delete`, `sqlite3_close`. */
export function isReleaseFunctionName(name: string): boolean {
  return stemOf(name, RELEASE_VERBS) !== undefined;
}

/**
 * Does a function of this name release what a call of `acquireName` gives?
 * A release with no stem of its own (`_free`, `destroy`) releases whatever
 * its module made; one with a stem only what the acquisition of the same
 * stem made (`destroyShape` for `createShape`, `sqlite3_close` for `sqlite3_open`).
 */
export function pairsWith(acquireName: string, releaseName: string): boolean {
  const releaseStem = stemOf(releaseName, RELEASE_VERBS);
  if (releaseStem === undefined) return false;
  if (releaseStem === '') return true;
  const acquireStem = stemOf(acquireName, ACQUIRE_VERBS) ?? wordsOf(acquireName).join('');
  return acquireStem === releaseStem;
}

/** Untyped methods that keep their argument (a container's), whatever the receiver. */
const KEEPING_METHOD = /^(push|unshift|splice|set|add|append|prepend|insert|enqueue|put|store|register|keep|retain|adopt|attach|manage|track|defer|use|concat|fill|assign|resolve|emit|send|postMessage)/;

/** A method that may keep what it is given (`list.push(p)`), so an argument to it is handed on. */
export function keepsArguments(methodName: string): boolean {
  return KEEPING_METHOD.test(methodName);
}
