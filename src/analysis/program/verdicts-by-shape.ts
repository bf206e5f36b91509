/**
 * Prefilter verdicts on the declarations of a file, kept across an edit of
 * the file itself while its declaration shape (declaration-shape.ts) is the
 * same: a verdict reads a declaration's tags and declared types, which the
 * shape holds, and the types it names, which come from the shape and from
 * what the file imports. An editor's edit inside a typed function's body
 * gives the file a new `ts.SourceFile` (so kept-results.ts keeps nothing of
 * it) and the same shape. A declaration is known again by its place in the
 * walk of the file (the same shape, the same walk). Held while the epoch
 * and text facts are the same and no file it imports changed. Only once a
 * program replaced a file (`filesAreEdited`): a lint of a whole project,
 * which sees each file once, pays nothing.
 */
import ts from 'typescript';
import { declarationShape } from './declaration-shape.js';
import { factsVersion } from './file-facts-union.js';
import { changedSince, keepResults } from './file-dependencies.js';
import { filesAreEdited, programChange } from './program-changes.js';

interface ShapeRecord {
  readonly shape: string;
  readonly sequence: number;
  readonly epoch: number;
  readonly factsVersion: number;
  /** By question, then place: `matters:12`. */
  readonly verdicts: Map<string, unknown>;
}

const records = new WeakMap<object, Map<string, ShapeRecord>>();
const places = new WeakMap<ts.SourceFile, Map<ts.Node, number>>();
/** The declaration's place in a walk of its file, skipping what the shape skips (the bodies of typed functions): undefined in such a body. */
function placeOf(declaration: ts.Node): number | undefined {
  const file = declaration.getSourceFile();
  let byNode = places.get(file);
  if (!byNode) {
    const found = new Map<ts.Node, number>();
    let count = 0;
    const bodiesDeclare = (file.flags & ts.NodeFlags.JavaScriptFile) !== 0;
    const visit = (node: ts.Node): void => {
      found.set(node, count++);
      const skipped = !bodiesDeclare && ts.isFunctionLike(node) && node.type !== undefined && 'body' in node ? (node.body as ts.Node | undefined) : undefined;
      ts.forEachChild(node, (child) => {
        if (child !== skipped) visit(child);
      });
    };
    visit(file);
    places.set(file, (byNode = found));
  }
  return byNode.get(declaration);
}

/** The verdicts kept for the declaration's file under this shape, made anew when they no longer hold. */
function verdictsOf(program: ts.Program, options: object, file: ts.SourceFile): Map<string, unknown> {
  let byFile = records.get(options);
  if (!byFile) records.set(options, (byFile = new Map()));
  const change = programChange(program);
  const shape = declarationShape(file);
  const record = byFile.get(file.fileName);
  if (
    record &&
    record.shape === shape &&
    change.sequence >= record.sequence &&
    change.epoch === record.epoch &&
    factsVersion(program) === record.factsVersion &&
    !changedSince(file, record.sequence, 'imports')
  ) {
    return record.verdicts;
  }
  keepResults();
  const fresh: ShapeRecord = { shape, sequence: change.sequence, epoch: change.epoch, factsVersion: factsVersion(program), verdicts: new Map() };
  byFile.set(file.fileName, fresh);
  return fresh.verdicts;
}

/**
 * The answer to a question about the declaration (`question` names it: answers to different
 * questions are kept apart), computed by `compute` unless kept from an earlier version of its file.
 */
export function valueByShape<V>(program: ts.Program, options: object, declaration: ts.Declaration, question: string, compute: () => V): V {
  const file = declaration.getSourceFile();
  if (file.isDeclarationFile || !filesAreEdited(program)) return compute();
  const place = placeOf(declaration);
  if (place === undefined) return compute();
  const verdicts = verdictsOf(program, options, file);
  const key = `${question}:${place}`;
  let verdict = verdicts.get(key) as V | undefined;
  if (verdict === undefined) verdicts.set(key, (verdict = compute()));
  return verdict;
}

/** The prefilter's verdict on the declaration, computed by `compute` unless kept from an earlier version of its file. */
export function verdictByShape(program: ts.Program, options: object, declaration: ts.Declaration, compute: () => boolean): boolean {
  return valueByShape(program, options, declaration, 'matters', compute);
}
