/**
 * The evidence of a whole program: the sum of its files' evidence
 * (file-evidence.ts). The sums are kept from one program to the next and
 * only the files that changed are taken out and put in again (an editor
 * builds a new program after every edit and keeps the `ts.SourceFile` of
 * every file that did not change), so a lint reads no unchanged file again.
 */
import type ts from 'typescript';
import type { ApiEvidence, FileEvidence, Place } from './file-evidence.js';
import { fileEvidence, MAX_PLACES } from './file-evidence.js';

/** An API's evidence over the program. */
export interface ApiTotals {
  readonly releasing: number;
  readonly notReleasing: number;
  readonly handingOn: number;
}

/** What the program says of one API, in full (read from the files when it is asked for). */
export interface ApiDetails extends ApiTotals {
  readonly label: string;
  readonly releasePlaces: readonly Place[];
  /** The way releasing functions release it most often (`.delete()`, `Module._free()`). */
  readonly releaseForm: string;
  readonly roots: ReadonlySet<string>;
}

/**
 * The evidence one program was linted with: totals of the APIs some function
 * releases (no other can be inferred), fixed for the program's life.
 */
export class ProgramEvidence {
  private readonly details = new Map<string, ApiDetails>();

  constructor(
    /** Per API key. */
    readonly totals: ReadonlyMap<string, ApiTotals>,
    private readonly files: readonly FileEvidence[],
  ) {}

  /** Labels, places, release forms and roots, gathered from the files (only for APIs that are inferred). */
  detailsOf(key: string): ApiDetails | undefined {
    const totals = this.totals.get(key);
    if (!totals) return undefined;
    let details = this.details.get(key);
    if (!details) {
      details = gatherDetails(totals, this.files.map((file) => file.get(key)).filter((each): each is ApiEvidence => each !== undefined));
      this.details.set(key, details);
    }
    return details;
  }
}

function gatherDetails(totals: ApiTotals, parts: readonly ApiEvidence[]): ApiDetails {
  const releasePlaces: Place[] = [];
  const forms = new Map<string, number>();
  const roots = new Set<string>();
  let label = '';
  for (const part of parts) {
    if (part.releasing === 0) continue;
    label ||= part.label;
    for (const place of part.releasePlaces) if (releasePlaces.length < MAX_PLACES) releasePlaces.push(place);
    for (const [form, count] of part.releaseForms) forms.set(form, (forms.get(form) ?? 0) + count);
    for (const root of part.roots) roots.add(root);
  }
  const releaseForm = [...forms].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
  return { ...totals, label: label || parts[0]?.label || '', releasePlaces, releaseForm, roots };
}

/** The files whose evidence counts: the program's own code (not declaration files, libraries or JSON). */
export function readsEvidence(program: ts.Program, sourceFile: ts.SourceFile): boolean {
  return (
    !sourceFile.isDeclarationFile &&
    !program.isSourceFileDefaultLibrary(sourceFile) &&
    !program.isSourceFileFromExternalLibrary(sourceFile) &&
    !sourceFile.fileName.endsWith('.json')
  );
}

/**
 * Running sums over the files of the last program seen, brought up to the
 * next program by the positions of its file list that hold other files.
 */
class RunningTotals {
  private readonly sums = new Map<string, { releasing: number; notReleasing: number; handingOn: number }>();
  /** The keys some function releases (a snapshot copies only these). */
  private readonly released = new Set<string>();
  private files: readonly ts.SourceFile[] = [];
  private readonly counted = new Map<ts.SourceFile, FileEvidence>();

  update(program: ts.Program): ProgramEvidence {
    const files = program.getSourceFiles();
    const length = Math.max(files.length, this.files.length);
    for (let index = 0; index < length; index++) {
      const before = this.files[index];
      const after = files[index];
      if (before === after) continue;
      if (before) this.remove(before);
      if (after && readsEvidence(program, after)) this.add(after);
    }
    this.files = files;
    const released = new Map<string, ApiTotals>();
    for (const key of this.released) released.set(key, { ...this.sums.get(key)! });
    return new ProgramEvidence(released, [...this.counted.values()]);
  }

  private add(sourceFile: ts.SourceFile): void {
    // A file twice in the list (it cannot be, but the sums must not count it twice).
    if (this.counted.has(sourceFile)) return;
    const evidence = fileEvidence(sourceFile);
    this.counted.set(sourceFile, evidence);
    this.apply(evidence, 1);
  }

  private remove(sourceFile: ts.SourceFile): void {
    const evidence = this.counted.get(sourceFile);
    if (!evidence) return;
    this.counted.delete(sourceFile);
    this.apply(evidence, -1);
  }

  private apply(evidence: FileEvidence, sign: 1 | -1): void {
    for (const [key, part] of evidence) {
      let sums = this.sums.get(key);
      if (!sums) this.sums.set(key, (sums = { releasing: 0, notReleasing: 0, handingOn: 0 }));
      sums.releasing += sign * part.releasing;
      sums.notReleasing += sign * part.notReleasing;
      sums.handingOn += sign * part.handingOn;
      if (sums.releasing > 0) this.released.add(key);
      else this.released.delete(key);
      if (sums.releasing === 0 && sums.notReleasing === 0 && sums.handingOn === 0) this.sums.delete(key);
    }
  }
}

const running = new RunningTotals();
const byProgram = new WeakMap<ts.Program, ProgramEvidence>();

/** The evidence of a program, worked out once per program from the last one's. */
export function programEvidence(program: ts.Program): ProgramEvidence {
  let evidence = byProgram.get(program);
  if (!evidence) {
    evidence = running.update(program);
    byProgram.set(program, evidence);
  }
  return evidence;
}
