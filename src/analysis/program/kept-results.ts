/**
 * Results computed from one file of a program (summaries of its functions,
 * prefilter verdicts on its declarations), kept for later programs while
 * they still hold: an editor's language service builds a new program after
 * every edit, and a lint of the edited file reads the results of the files
 * it calls into instead of computing them again with a new checker.
 *
 * A file's record holds in a later program when (1) the program has the
 * same epoch (no file added or removed, no change to a file that declares
 * globals, the same compiler options: program-changes.ts), (2) the facts
 * read from the program's text are the same (file-facts-union.ts), and
 * (3) no change since reached the file through what it imports
 * (file-dependencies.ts). Records are per model options (the settings
 * decide what a handle is) and hold plain data only: no type, symbol or
 * signature of an old checker.
 */
import type ts from 'typescript';
import { factsVersion } from './file-facts-union.js';
import type { ChangeKind } from './file-dependencies.js';
import { changedSince, keepResults } from './file-dependencies.js';
import { programChange } from './program-changes.js';

interface FileRecord<V> {
  /** The program the record was made in. */
  readonly sequence: number;
  readonly epoch: number;
  readonly factsVersion: number;
  readonly values: Map<ts.Node, V>;
}

/** How often records were made anew, for tests of the caches. */
export const keptResultsStats = { records: 0 };

export class KeptResults<V> {
  private readonly records = new WeakMap<object, WeakMap<ts.SourceFile, FileRecord<V>>>();
  /** Per program, the records found to hold in it. */
  private readonly holding = new WeakMap<ts.Program, WeakSet<FileRecord<V>>>();

  /** @param reads what a change must touch for the results to go stale: `any` (they read bodies) or `declarations` (declared types only) */
  constructor(private readonly reads: ChangeKind) {}

  /** The results kept for a file, by the node they are about: the record that holds in this program, or a new empty one. */
  of(program: ts.Program, options: object, file: ts.SourceFile): Map<ts.Node, V> {
    let byFile = this.records.get(options);
    if (!byFile) this.records.set(options, (byFile = new WeakMap()));
    let holding = this.holding.get(program);
    if (!holding) this.holding.set(program, (holding = new WeakSet()));
    const record = byFile.get(file);
    if (record && (holding.has(record) || this.holds(record, program, file))) {
      holding.add(record);
      return record.values;
    }
    keepResults();
    keptResultsStats.records++;
    const change = programChange(program);
    const fresh: FileRecord<V> = { sequence: change.sequence, epoch: change.epoch, factsVersion: factsVersion(program), values: new Map() };
    byFile.set(file, fresh);
    holding.add(fresh);
    return fresh.values;
  }

  private holds(record: FileRecord<V>, program: ts.Program, file: ts.SourceFile): boolean {
    const change = programChange(program);
    return (
      change.sequence >= record.sequence &&
      change.epoch === record.epoch &&
      factsVersion(program) === record.factsVersion &&
      !changedSince(file, record.sequence, this.reads)
    );
  }
}
