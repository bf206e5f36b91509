/**
 * Why a mutant was missed, guessed cheaply: from what the plugin reported on
 * the mutant instead, from the syntax around the site, and from whether the
 * plugin's handle model (the type and call classification it starts from,
 * not its flow analysis) takes the variable's type for a handle and its
 * initializer for an acquisition. Also: which mutants are equivalent to the
 * original program (a library whose second release or post-release read is
 * harmless), and so are not counted.
 */
import path from 'node:path';
import ts from 'typescript';
import { handleModelFor } from '../../../dist/analysis/index.js';
import { isFunctionWithBody } from './sites.js';
import { inNestedFunction, movedUnit } from './mutate.js';

const EXPECTED_RULE = {
  drop: 'handle-lifetime/no-leaked-handle',
  dup: 'handle-lifetime/no-double-release',
  uaf: 'handle-lifetime/no-use-after-release',
};

export function expectedRule(kind) {
  return EXPECTED_RULE[kind];
}

const CONTAINER_METHODS = new Set(['push', 'unshift', 'set', 'add', 'splice', 'enqueue', 'append']);
/** Members of a tfjs tensor that are plain JavaScript fields, readable after `dispose()`. */
const TFJS_PLAIN_FIELDS = new Set(['id', 'shape', 'dtype', 'size', 'rank', 'strides', 'dataId', 'kept', 'scopeId', 'name', 'isDisposed']);
/** Members that only ask whether a handle is alive. */
const LIVENESS_MEMBERS = new Set(['alive', 'isDeleted', 'isDisposed', 'isAliasOf']);

/** Facts about a site the cause of a miss is read from; computed once per site on the base program. */
export function siteFacts(site, program) {
  const model = handleModelFor(program);
  const { checker } = site;
  const symbols = new Set(site.variables.map((variable) => variable.symbol));
  const references = referencesIn(site.fn, symbols, checker);
  const variable = site.variables[0];
  return {
    untyped: site.types.every(isUntyped),
    typeNames: site.types.map((type) => checker.typeToString(type)),
    handleType: site.types.some((type) => !isUntyped(type) && safe(() => model.isHandleType(type.getNonNullableType()), false)),
    tfjsTensor: site.types.every(isTfjsTensor),
    origin: originOf(variable.declaration, model, program),
    releaseKnown: isKnownRelease(site.call, model),
    releasedInArray: site.call.arguments.length > 0 && ts.isArrayLiteralExpression(site.call.arguments[0]),
    capturedByClosure: references.some((reference) => inNestedFunction(reference, site.fn)),
    storedInContainer: references.some(isStoredInContainer),
    returned: references.some(isReturned),
    passedToCall: references.some((reference) => isCallArgument(reference) && !within(reference, site.call)),
    otherRelease: countReleases(site, references) > 1,
    callbackOf: callbackCalleeOf(site.fn),
    inLoop: inLoopOf(site.statement, site.fn),
    guarded: movedUnit(site.statement) !== site.statement,
    exceptionCleanup: isExceptionCleanup(site.statement, site.fn),
  };
}

/** Is the mutant equivalent to the original (nothing a user would call a bug)? Returns the reason, or undefined. */
export function equivalentReason(kind, site, facts, mutant) {
  if (kind === 'dup' && facts.tfjsTensor) return 'tfjs Tensor#dispose returns at once on a disposed tensor';
  if (kind === 'uaf' && mutant.use) {
    const symbols = new Set(site.variables.map((variable) => variable.symbol));
    const reads = referencesIn(mutant.use, symbols, site.checker);
    const harmless = (reference) => {
      const member = ts.isPropertyAccessExpression(reference.parent) && reference.parent.expression === reference ? reference.parent.name.text : undefined;
      return member !== undefined && (LIVENESS_MEMBERS.has(member) || (facts.tfjsTensor && TFJS_PLAIN_FIELDS.has(member)));
    };
    if (reads.length > 0 && reads.every(harmless)) return 'the moved statement reads only fields that stay readable after the release';
  }
  return undefined;
}

/**
 * The cause of a miss. `newReports` are the plugin's reports on the mutant
 * that the original did not have (`inExpected`: they start in the expected
 * range); `fatal` a crash or parse error.
 */
export function causeOfMiss(kind, site, facts, newReports, mutant) {
  const rule = EXPECTED_RULE[kind];
  const fatal = newReports.find((report) => report.fatal);
  if (fatal) return `lint error: ${fatal.message.split('\n')[0]}`;
  const sameRule = newReports.filter((report) => report.ruleId === rule);
  if (kind === 'drop' && sameRule.some((report) => report.inExpected)) return 'leak reported for another variable';
  if (sameRule.length > 0) return `reported elsewhere (${where(sameRule[0], mutant)})`;
  const otherRules = [...new Set(newReports.map((report) => report.ruleId))];
  if (otherRules.length > 0) return `wrong report kind (${otherRules.map((ruleId) => ruleId.replace('handle-lifetime/', '')).join(', ')})`;
  if (kind === 'drop' && facts.leakAlreadyReported) return 'a leak of the variable is already reported on the unmutated code';
  if (facts.untyped) return 'handle type is any/untyped';
  if (!facts.handleType) return 'type is not a handle to the model';
  if (!facts.releaseKnown) return 'the model does not take the call for a release';
  if (kind === 'drop') {
    if (facts.exceptionCleanup) return 'cleanup on exception paths (catch, or a guarded finally): recommended does not check them';
    if (facts.origin === 'loop') return 'loop variable: an element of a container';
    if (facts.origin === 'alias') return 'not acquired in the function (alias of a field, element or parameter)';
    if (facts.origin === 'destructured') return 'destructured from a result that holds several handles';
    if (facts.origin === 'library-call') return 'acquired by a library call the model does not know (not an acquisition)';
    if (facts.origin === 'local-call') return "acquired by a call of the code base's own function (no summary says it acquires)";
    if (facts.otherRelease) return 'another release of the variable remains';
  }
  if (kind !== 'drop' && facts.releasedInArray) return 'released as an element of an array literal (`tf.dispose([a, b])`)';
  if (kind === 'uaf' && mutant.use && passesToCall(mutant.use, site)) return 'the moved use passes it to a call';
  if (facts.storedInContainer) return 'handle stored in a container';
  if (facts.capturedByClosure) return 'captured by a closure';
  if (facts.callbackOf) return 'released inside a closure/callback';
  if (kind === 'drop' && facts.returned) return 'returned on some path';
  if (kind === 'drop' && facts.passedToCall) return 'passed to a call that may keep it';
  if (kind === 'uaf' && mutant.use && inNestedOnly(mutant)) return 'the moved use is inside a closure';
  if (facts.inLoop) return 'released in a loop';
  return 'unknown';
}

function where(report, mutant) {
  if (report.inExpected) return 'in the expected place, other message';
  if (report.offset < mutant.start) return `line ${report.line}, before the mutation`;
  return `line ${report.line}`;
}

function inNestedOnly(mutant) {
  let direct = false;
  const visit = (node) => {
    if (direct || isFunctionWithBody(node)) return;
    if (ts.isIdentifier(node)) direct = true;
    ts.forEachChild(node, visit);
  };
  visit(mutant.use);
  return !direct;
}

function safe(compute, fallback) {
  try {
    return compute();
  } catch {
    return fallback;
  }
}

function isUntyped(type) {
  return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0 || type.getNonNullableType().flags & ts.TypeFlags.Any;
}

function isTfjsTensor(type) {
  const nonNullable = type.getNonNullableType();
  const parts = nonNullable.isUnion() ? nonNullable.types : [nonNullable];
  return parts.every((part) => {
    const symbol = part.getSymbol();
    const declaration = symbol?.declarations?.[0];
    if (!declaration || symbol.getName() === 'Variable') return false;
    const file = declaration.getSourceFile().fileName;
    return file.includes(`${path.sep}@tensorflow${path.sep}tfjs-core${path.sep}`) && /^Tensor/.test(symbol.getName());
  });
}

/**
 * Where the variable's value comes from: `loop`, `alias`, `destructured`, `none`, `acquire`
 * (an acquisition to the model's presets and tags), or a call it does not
 * classify so: `local-call` (declared in the code base) or `library-call`.
 */
function originOf(declaration, model, program) {
  let node = declaration;
  while (ts.isBindingElement(node)) node = node.parent.parent;
  const list = node.parent;
  if (ts.isVariableDeclarationList(list) && (ts.isForOfStatement(list.parent) || ts.isForInStatement(list.parent))) return 'loop';
  if (!ts.isVariableDeclaration(node)) return 'other';
  if (node !== declaration) return 'destructured';
  let initializer = node.initializer;
  if (!initializer) return 'none';
  while (ts.isAwaitExpression(initializer) || ts.isParenthesizedExpression(initializer) || ts.isAsExpression(initializer) || ts.isNonNullExpression(initializer)) {
    initializer = initializer.expression;
  }
  if (ts.isCallExpression(initializer) || ts.isNewExpression(initializer)) {
    const effect = safe(() => model.classifyCall(initializer, () => false), undefined);
    if (effect?.result === 'acquire') return 'acquire';
    const declared = safe(() => model.signatureOf(initializer)?.getDeclaration()?.getSourceFile(), undefined);
    // `map.get(key)`, `array.pop()`: an element taken out of a container.
    if (declared && program.isSourceFileDefaultLibrary(declared)) return 'alias';
    return declared && program.getRootFileNames().includes(declared.fileName) ? 'local-call' : 'library-call';
  }
  if (ts.isIdentifier(initializer) || ts.isPropertyAccessExpression(initializer) || ts.isElementAccessExpression(initializer)) return 'alias';
  return 'other';
}

/** Does the model take the release statement's call for a release of its receiver or an argument? */
function isKnownRelease(call, model) {
  const effect = safe(() => model.classifyCall(call, () => true), undefined);
  return effect !== undefined && (effect.receiver === 'release' || effect.args.includes('release') || effect.rest === 'release');
}

/** Does the statement hand one of the site's variables to a call or `new` as an argument? */
function passesToCall(statement, site) {
  const symbols = new Set(site.variables.map((variable) => variable.symbol));
  return referencesIn(statement, symbols, site.checker).some(isCallArgument);
}

/** Identifier references to the variables anywhere under `root` (their declarations left out). */
function referencesIn(root, symbols, checker) {
  const found = [];
  const visit = (node) => {
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const isDeclarationName = (ts.isVariableDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === node;
      const isMemberName = ts.isPropertyAccessExpression(parent) && parent.name === node;
      if (!isDeclarationName && !isMemberName && symbols.has(checker.getSymbolAtLocation(node))) found.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}

function isStoredInContainer(reference) {
  const parent = reference.parent;
  if (ts.isArrayLiteralExpression(parent) || ts.isShorthandPropertyAssignment(parent)) return !isReleaseArgument(parent);
  if (ts.isPropertyAssignment(parent) && parent.initializer === reference) return true;
  if (ts.isBinaryExpression(parent) && parent.right === reference && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return ts.isPropertyAccessExpression(parent.left) || ts.isElementAccessExpression(parent.left);
  }
  if (ts.isCallExpression(parent) && parent.arguments.includes(reference) && ts.isPropertyAccessExpression(parent.expression)) {
    return CONTAINER_METHODS.has(parent.expression.name.text);
  }
  return false;
}

/** `tf.dispose([a, b])`: the array literal is the release's own argument, not a container. */
function isReleaseArgument(node) {
  return ts.isCallExpression(node.parent) && ts.isExpressionStatement(node.parent.parent);
}

function isReturned(reference) {
  for (let current = reference.parent; current && !isFunctionWithBody(current); current = current.parent) {
    if (ts.isReturnStatement(current)) return true;
    if (!ts.isArrayLiteralExpression(current) && !ts.isObjectLiteralExpression(current) && !ts.isPropertyAssignment(current) && !ts.isShorthandPropertyAssignment(current) && !ts.isParenthesizedExpression(current)) return false;
  }
  return ts.isArrowFunction(reference.parent) && reference.parent.body === reference;
}

function isCallArgument(reference) {
  const parent = reference.parent;
  return (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && (parent.arguments ?? []).includes(reference);
}

function countReleases(site, references) {
  const releaseNames = new Set([site.method]);
  return references.filter((reference) => {
    const parent = reference.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === reference) return releaseNames.has(parent.name.text) && ts.isCallExpression(parent.parent);
    const call = ts.isArrayLiteralExpression(parent) ? parent.parent : parent;
    return ts.isCallExpression(call) && methodName(call) === site.method;
  }).length;
}

function methodName(call) {
  const callee = call.expression;
  return ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
}

/** The callee (`forEach`, `tidy`, `then`) when `fn` is a function expression passed to a call. */
function callbackCalleeOf(fn) {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const parent = fn.parent;
  if (!ts.isCallExpression(parent) || !parent.arguments.includes(fn)) return undefined;
  return methodName(parent) ?? 'call';
}

/** In a `catch` block, or under an `if` in a `finally` block: a release that runs when something threw. */
function isExceptionCleanup(statement, fn) {
  let guarded = false;
  for (let current = statement; current.parent && current !== fn; current = current.parent) {
    const parent = current.parent;
    if (ts.isIfStatement(parent)) guarded = true;
    if (ts.isCatchClause(parent)) return true;
    if (ts.isTryStatement(parent) && parent.finallyBlock === current) return guarded;
  }
  return false;
}

function inLoopOf(statement, fn) {
  for (let current = statement.parent; current && current !== fn; current = current.parent) {
    if (ts.isIterationStatement(current, false)) return true;
  }
  return false;
}

function within(node, ancestor) {
  for (let current = node; current; current = current.parent) if (current === ancestor) return true;
  return false;
}

