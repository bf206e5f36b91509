/**
 * The three mutants of a release site, each one splice of the file's text
 * (`start`, `end`, `insert`) and the range of the mutated text where the
 * expected report must start:
 *   - drop: the release statement deleted; a leak is expected in its function;
 *   - dup: the statement repeated on the next line; a double release is expected at the copy;
 *   - uaf: the release moved up to just before the nearest preceding statement
 *     of its block that reads the variable (a swap when they are adjacent); a
 *     use after release is expected in that statement.
 * A release guarded by an `if` of its own (`if (h.alive) h.dispose()`) moves with its guard.
 */
import ts from 'typescript';
import { isFunctionWithBody } from './sites.js';

export const KINDS = ['drop', 'dup', 'uaf'];

/** `{ drop, dup, uaf }`: each a mutant, or for uaf `{ skipped: reason }` when no move makes sense. */
export function mutantsOf(site, sourceFile) {
  return { drop: dropMutant(site, sourceFile), dup: dupMutant(site, sourceFile), uaf: uafMutant(site, sourceFile) };
}

function dropMutant(site, sourceFile) {
  const statement = site.statement;
  const start = statement.getStart(sourceFile);
  // Outside a statement list (`if (c) x.free();`) the statement becomes an empty block.
  const insert = inStatementList(statement) ? '' : '{}';
  const fnStart = site.fn.getStart(sourceFile);
  const fnEnd = site.fn.end + insert.length - (statement.end - start);
  return { kind: 'drop', start, end: statement.end, insert, expected: { start: fnStart, end: fnEnd } };
}

function dupMutant(site, sourceFile) {
  const statement = site.statement;
  const start = statement.getStart(sourceFile);
  const text = statement.getText(sourceFile);
  const indent = indentationAt(sourceFile, start);
  if (inStatementList(statement)) {
    const insert = `\n${indent}${text}`;
    const copyStart = statement.end + 1 + indent.length;
    return { kind: 'dup', start: statement.end, end: statement.end, insert, expected: { start: copyStart, end: copyStart + text.length } };
  }
  const insert = `{ ${text}\n${indent}${text} }`;
  const copyStart = start + 2 + text.length + 1 + indent.length;
  return { kind: 'dup', start, end: statement.end, insert, expected: { start: copyStart, end: copyStart + text.length } };
}

function uafMutant(site, sourceFile) {
  const unit = movedUnit(site.statement);
  if (!inStatementList(unit)) return { skipped: 'release not in a block' };
  const statements = unit.parent.statements;
  const index = statements.indexOf(unit);
  const symbols = new Set(site.variables.map((variable) => variable.symbol));
  const checker = site.checker;
  let use;
  for (let at = index - 1; at >= 0 && !use; at--) if (readsAny(statements[at], symbols, checker)) use = statements[at];
  if (!use) return { skipped: 'no preceding use' };
  const useStart = use.getStart(sourceFile);
  if (declaredAfter(unit, useStart, checker, site.fn)) return { skipped: 'release names a variable declared after the use' };
  const unitStart = unit.getStart(sourceFile);
  const unitText = sourceFile.text.slice(unitStart, unit.end);
  const between = sourceFile.text.slice(useStart, unitStart);
  const gap = /\s*$/.exec(between)[0];
  const insert = `${unitText}${gap}${between.slice(0, between.length - gap.length)}`;
  const movedStart = useStart + unitText.length + gap.length;
  return {
    kind: 'uaf',
    start: useStart,
    end: unit.end,
    insert,
    expected: { start: movedStart, end: movedStart + (use.end - useStart) },
    use,
  };
}

/** The release statement, or the `if` around it when the `if` does nothing else. */
export function movedUnit(statement) {
  let unit = statement;
  for (;;) {
    const parent = unit.parent;
    if (ts.isBlock(parent) && parent.statements.length === 1 && ts.isIfStatement(parent.parent) && parent.parent.thenStatement === parent && !parent.parent.elseStatement) {
      unit = parent.parent;
    } else if (ts.isIfStatement(parent) && parent.thenStatement === unit && !parent.elseStatement) {
      unit = parent;
    } else {
      return unit;
    }
  }
}

function inStatementList(statement) {
  const parent = statement.parent;
  return ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isModuleBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent);
}

/** Does the statement read one of the variables (a reference that is neither its declaration nor the target of an assignment)? */
export function readsAny(statement, symbols, checker) {
  let found = false;
  const visit = (node) => {
    if (found) return;
    if (ts.isIdentifier(node) && isRead(node)) {
      const symbol = checker.getSymbolAtLocation(node);
      if (symbol && symbols.has(symbol)) found = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return found;
}

function isRead(identifier) {
  const parent = identifier.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === identifier) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === identifier) return false;
  if (ts.isPropertyAssignment(parent) && parent.name === identifier) return false;
  if (ts.isBinaryExpression(parent) && parent.left === identifier && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return false;
  return true;
}

/** Does the moved unit name a local declared at or after `position` (it would be read before its declaration)? */
function declaredAfter(unit, position, checker, fn) {
  let found = false;
  const visit = (node) => {
    if (found) return;
    if (ts.isIdentifier(node) && isRead(node)) {
      const declaration = checker.getSymbolAtLocation(node)?.valueDeclaration;
      if (declaration && declaration.getSourceFile() === unit.getSourceFile() && declaration.pos >= position && within(declaration, fn)) found = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(unit);
  return found;
}

function within(node, ancestor) {
  for (let current = node; current; current = current.parent) if (current === ancestor) return true;
  return false;
}

function indentationAt(sourceFile, position) {
  const lineStart = sourceFile.getPositionOfLineAndCharacter(sourceFile.getLineAndCharacterOfPosition(position).line, 0);
  return /^[ \t]*/.exec(sourceFile.text.slice(lineStart, position))[0];
}

/** The mutated text of a mutant. */
export function applyMutant(text, mutant) {
  return `${text.slice(0, mutant.start)}${mutant.insert}${text.slice(mutant.end)}`;
}

/**
 * An offset of the mutated text as an offset of the original text, or
 * `undefined` inside the splice (text the mutant wrote).
 */
export function originalOffset(mutant, offset) {
  if (offset < mutant.start) return offset;
  const insertedEnd = mutant.start + mutant.insert.length;
  if (offset >= insertedEnd) return offset - insertedEnd + mutant.end;
  return undefined;
}

/** Is a node inside a function nested in `fn` (a closure)? */
export function inNestedFunction(node, fn) {
  for (let current = node.parent; current && current !== fn; current = current.parent) if (isFunctionWithBody(current)) return true;
  return false;
}
