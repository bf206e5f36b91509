/**
 * What changed from one program the analysis is given to the next. An
 * editor's language service builds a new program after every edit and keeps
 * the `ts.SourceFile` of every file that did not change (the same object), so
 * results computed from a file can outlive its program: the caches of
 * per-file results read here which files are new, and whether a change may
 * reach every file (then they start again).
 */
import ts from 'typescript';

/** A position of the file list where the two programs hold different files. */
export interface ReplacedFile {
  readonly before: ts.SourceFile | undefined;
  readonly after: ts.SourceFile | undefined;
}

export interface ProgramChange {
  /** The order in which programs were first seen (0 for the first). */
  readonly sequence: number;
  /** The files of the program seen before, or none for the first. */
  readonly previousFiles: readonly ts.SourceFile[];
  /** Positions where this program's files differ from the previous one's (none for the first program). */
  readonly replaced: readonly ReplacedFile[];
  /**
   * Raised on a change that may change the types of files that did not change: a file added or
   * removed (module resolution may differ), a changed file that declares globals, ambient modules
   * or module augmentations, other compiler options. Results kept from a program of another epoch
   * are not reused.
   */
  readonly epoch: number;
}

const changes = new WeakMap<ts.Program, ProgramChange>();
const listeners: ((program: ts.Program, change: ProgramChange) => void)[] = [];
let lastFiles: readonly ts.SourceFile[] = [];
let lastOptions: ts.CompilerOptions | undefined;
let sequence = 0;
let epoch = 0;

/** The change from the program seen last to this one, worked out when the program is first seen. */
export function programChange(program: ts.Program): ProgramChange {
  const known = changes.get(program);
  if (known) return known;
  const files = program.getSourceFiles();
  const options = program.getCompilerOptions();
  const replaced = sequence === 0 ? [] : replacedFiles(lastFiles, files);
  const reachesEveryFile =
    sequence === 0 ||
    options !== lastOptions ||
    replaced.some(({ before, after }) => !before || !after || before.fileName !== after.fileName || declaresGlobals(before) || declaresGlobals(after));
  if (reachesEveryFile) epoch++;
  const change: ProgramChange = { sequence: sequence++, previousFiles: lastFiles, replaced, epoch };
  changes.set(program, change);
  if (replaced.some(({ before, after }) => before && after && before.fileName === after.fileName)) fileEdited = true;
  lastFiles = files;
  lastOptions = options;
  for (const listener of listeners) listener(program, change);
  return change;
}

let fileEdited = false;

/**
 * Has any program so far replaced a file by a new version of it (an editor's edit, or a fix
 * pass)? Results kept for a later version of a file are worth making only then: a lint of a
 * whole project sees each file once.
 */
export function filesAreEdited(program: ts.Program): boolean {
  programChange(program);
  return fileEdited;
}

/** Be told of each new program's change, when it is first seen (before anything reads it). */
export function onProgramChange(listener: (program: ts.Program, change: ProgramChange) => void): void {
  listeners.push(listener);
}

/** The positions where two file lists hold different objects (a list that grew or shrank: the extra positions too). */
export function replacedFiles(before: readonly ts.SourceFile[], after: readonly ts.SourceFile[]): ReplacedFile[] {
  const replaced: ReplacedFile[] = [];
  const length = Math.max(before.length, after.length);
  for (let index = 0; index < length; index++) {
    if (before[index] !== after[index]) replaced.push({ before: before[index], after: after[index] });
  }
  return replaced;
}

const globalDeclarers = new WeakMap<ts.SourceFile, boolean>();

/**
 * Can a change of this file change the types of another file that does not import it? A script
 * (its top-level declarations are global), a default library file, or a module that declares
 * `global`, an ambient module, a module augmentation (`declare module './x' { … }`) or a UMD global
 * (`export as namespace X`).
 */
export function declaresGlobals(file: ts.SourceFile): boolean {
  let verdict = globalDeclarers.get(file);
  if (verdict === undefined) {
    verdict = !isModule(file) || file.hasNoDefaultLib || file.statements.some((statement) => ts.isModuleDeclaration(statement) && (ts.isStringLiteral(statement.name) || statement.name.text === 'global')) ||
      file.statements.some(ts.isNamespaceExportDeclaration);
    globalDeclarers.set(file, verdict);
  }
  return verdict;
}

/** An ES module, a CommonJS module (JavaScript with `require` or `module.exports`), or JSON: its declarations are its own. */
function isModule(file: ts.SourceFile): boolean {
  return ts.isExternalModule(file) || (file as { commonJsModuleIndicator?: unknown }).commonJsModuleIndicator !== undefined || file.fileName.endsWith('.json');
}
