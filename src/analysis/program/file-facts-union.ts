/**
 * A fact of a whole program that is the union of its files' facts (the
 * modules they mention, the names they tag), kept from program to program:
 * a file's facts are read once per `ts.SourceFile`, and a new program only
 * adds and takes away the files that changed (see program-changes.ts), so a
 * lint in an editor reads no unchanged file again, nor walks the file list
 * of every program.
 */
import type ts from 'typescript';
import type { ReplacedFile } from './program-changes.js';
import { programChange, replacedFiles } from './program-changes.js';

/** How often facts were read from a file's text, for tests of the caches. */
export const fileFactReads = { count: 0 };

const unions: FileFactsUnion[] = [];

/**
 * A number that changes whenever the answer of some union changes (brought up to this program
 * first): results that read the program's facts hold while it is the same.
 */
export function factsVersion(program: ts.Program): number {
  let version = unions.length;
  for (const union of unions) {
    union.in(program);
    version += union.version;
  }
  return version;
}

export class FileFactsUnion {
  private readonly perFile = new WeakMap<ts.SourceFile, readonly string[]>();
  /** How many files of the last program have each fact. */
  private readonly counts = new Map<string, number>();
  private lastFiles: readonly ts.SourceFile[] = [];
  private current: ReadonlySet<string> = new Set();
  /** Raised each time the answer changes. */
  version = 0;
  private readonly answers = new WeakMap<ts.Program, ReadonlySet<string>>();

  /** @param factsOf a file's facts, from its text and path alone (never from another file or the checker) */
  constructor(private readonly factsOf: (file: ts.SourceFile, program: ts.Program) => readonly string[]) {
    unions.push(this);
  }

  /** The facts some file of the program has. */
  in(program: ts.Program): ReadonlySet<string> {
    const known = this.answers.get(program);
    if (known) return known;
    const change = programChange(program);
    const files = program.getSourceFiles();
    // The program seen just before is the one this union was last brought up to: its change says what differs.
    const replaced: readonly ReplacedFile[] = change.sequence > 0 && change.previousFiles === this.lastFiles ? change.replaced : replacedFiles(this.lastFiles, files);
    let changed = false;
    for (const { before, after } of replaced) {
      if (before) changed = this.count(this.perFile.get(before)!, -1) || changed;
      if (after) changed = this.count(this.factsOfFile(after, program), 1) || changed;
    }
    if (changed) {
      this.current = new Set(this.counts.keys());
      this.version++;
    }
    this.lastFiles = files;
    this.answers.set(program, this.current);
    return this.current;
  }

  private factsOfFile(file: ts.SourceFile, program: ts.Program): readonly string[] {
    let facts = this.perFile.get(file);
    if (!facts) {
      fileFactReads.count++;
      facts = this.factsOf(file, program);
      this.perFile.set(file, facts);
    }
    return facts;
  }

  /** Adds (or takes away) a file's facts; true when a fact appeared or disappeared. */
  private count(facts: readonly string[], step: 1 | -1): boolean {
    let changed = false;
    for (const fact of facts) {
      const count = (this.counts.get(fact) ?? 0) + step;
      if (count === 0) this.counts.delete(fact);
      else this.counts.set(fact, count);
      if (count === 0 || (count === 1 && step === 1)) changed = true;
    }
    return changed;
  }
}
