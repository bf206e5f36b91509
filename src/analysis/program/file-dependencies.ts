/**
 * Which files a change reaches. A type in a module comes from the module
 * itself, the modules it imports (and what they import) and globals;
 * globals are watched apart (a change of a file that declares them raises
 * the epoch: program-changes.ts). So a change of a file reaches the files
 * that import it, transitively: when a program replaces a file, each file
 * it reaches is marked with the program's sequence, and a result kept from a
 * file holds while the file has no mark newer than the result.
 *
 * Two kinds of change are marked: any change (summaries read function
 * bodies, and through a `.d.ts` the JavaScript beside it), and a change of
 * the declaration shape (declaration-shape.ts), which is all that verdicts on
 * declared types read: an edit inside a typed function's body reaches no
 * other file's verdicts, even in an import cycle.
 */
import ts from 'typescript';
import { declarationShape } from './declaration-shape.js';
import type { ProgramChange } from './program-changes.js';
import { onProgramChange } from './program-changes.js';

/** `imports`: any change of another file the file imports (transitively), or of the file itself through an import cycle. */
export type ChangeKind = 'any' | 'declarations' | 'imports';

/** The module resolution the program did (internal to TypeScript, there since 5.3); without it nothing is kept across programs. */
interface ResolutionsOfProgram {
  forEachResolvedModule?(callback: (resolution: { readonly resolvedModule?: { readonly resolvedFileName: string } }) => void, file: ts.SourceFile): void;
  forEachResolvedTypeReferenceDirective?(callback: (resolution: { readonly resolvedTypeReferenceDirective?: { readonly resolvedFileName?: string } }) => void, file: ts.SourceFile): void;
  getSourceFileFromReference?(file: ts.SourceFile, reference: ts.FileReference): ts.SourceFile | undefined;
}

/** The files a file imports or references (`/// <reference …>`), by name; undefined when the program does not say. */
function importedFileNames(program: ts.Program, file: ts.SourceFile): string[] | undefined {
  const resolutions = program as ts.Program & ResolutionsOfProgram;
  if (!resolutions.forEachResolvedModule || !resolutions.forEachResolvedTypeReferenceDirective || !resolutions.getSourceFileFromReference) return undefined;
  const names: string[] = [];
  resolutions.forEachResolvedModule(({ resolvedModule }) => {
    if (resolvedModule) names.push(resolvedModule.resolvedFileName);
  }, file);
  resolutions.forEachResolvedTypeReferenceDirective(({ resolvedTypeReferenceDirective }) => {
    if (resolvedTypeReferenceDirective?.resolvedFileName) names.push(resolvedTypeReferenceDirective.resolvedFileName);
  }, file);
  for (const reference of file.referencedFiles) {
    const referenced = resolutions.getSourceFileFromReference(file, reference);
    if (referenced) names.push(referenced.fileName);
  }
  return names;
}

/** Who imports whom in the programs of one epoch (no file is added or removed within it, so names stay). */
class ImportGraph {
  private readonly imported = new Map<string, readonly string[]>();
  private readonly importers = new Map<string, Set<string>>();
  /** `math.js` → `math.d.ts`: a summary of a call through the declaration reads the JavaScript beside it. */
  private readonly declarationOf = new Map<string, string>();

  constructor(readonly epoch: number) {}

  /** The graph of every file of the program; undefined when the program does not say what its files import. */
  static of(program: ts.Program, epoch: number): ImportGraph | undefined {
    const graph = new ImportGraph(epoch);
    for (const file of program.getSourceFiles()) {
      if (!graph.setImports(program, file)) return undefined;
      const match = file.isDeclarationFile ? /\.d\.([mc]?)ts$/.exec(file.fileName) : null;
      if (!match) continue;
      const base = file.fileName.slice(0, match.index);
      for (const extension of match[1] ? [`.${match[1]}js`] : ['.js', '.mjs', '.cjs']) {
        if (program.getSourceFile(base + extension)) graph.declarationOf.set(base + extension, file.fileName);
      }
    }
    return graph;
  }

  /** The file's imports, as the program resolves them (they change when its import statements do). */
  setImports(program: ts.Program, file: ts.SourceFile): boolean {
    const names = importedFileNames(program, file);
    if (!names) return false;
    for (const name of this.imported.get(file.fileName) ?? []) this.importers.get(name)?.delete(file.fileName);
    this.imported.set(file.fileName, names);
    for (const name of names) {
      let set = this.importers.get(name);
      if (!set) this.importers.set(name, (set = new Set()));
      set.add(file.fileName);
    }
    return true;
  }

  hasImporters(fileName: string): boolean {
    return (this.importers.get(fileName)?.size ?? 0) > 0 || this.declarationOf.has(fileName);
  }

  /** The file and every file that imports it, transitively (for any change, through the `.d.ts` beside a JavaScript file too). */
  reachedFrom(fileName: string, kind: ChangeKind, withFile = true): Set<string> {
    const reached = new Set(withFile ? [fileName] : []);
    const pending = [fileName];
    const add = (name: string | undefined): void => {
      if (name === undefined || reached.has(name)) return;
      reached.add(name);
      pending.push(name);
    };
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      for (const importer of this.importers.get(next) ?? []) add(importer);
      if (kind === 'any') add(this.declarationOf.get(next));
    }
    return reached;
  }
}

/** Whether any result is kept across programs: until then no change needs marking. */
let keeping = false;
let graph: ImportGraph | undefined;
/** The sequence of the last program whose changes could not be followed (no import graph): every result older is stale. */
let allChangedAt = -1;
const changedAt: Record<ChangeKind, Map<string, number>> = { any: new Map(), declarations: new Map(), imports: new Map() };

/** Start marking changes: results are kept from now on. */
export function keepResults(): void {
  keeping = true;
}

/** Has the file, or a file its results may read, changed since the program of this sequence (in this epoch)? */
export function changedSince(file: { readonly fileName: string }, sequence: number, kind: ChangeKind): boolean {
  return allChangedAt > sequence || (changedAt[kind].get(file.fileName) ?? -1) > sequence;
}

onProgramChange((program: ts.Program, change: ProgramChange) => {
  if (!keeping) return;
  if (graph && graph.epoch !== change.epoch) {
    // A new epoch: kept results of the last one no longer hold, whatever the marks say.
    graph = undefined;
    changedAt.any.clear();
    changedAt.declarations.clear();
    changedAt.imports.clear();
  }
  for (const { before, after } of change.replaced) {
    if (!before || !after || before.fileName !== after.fileName) continue;
    graph ??= ImportGraph.of(program, change.epoch);
    if (!graph || !graph.setImports(program, after)) {
      allChangedAt = change.sequence;
      graph = undefined;
      return;
    }
    mark(graph.reachedFrom(after.fileName, 'any'), 'any', change.sequence);
    // The file itself only when the change comes back to it through a cycle.
    mark(graph.reachedFrom(after.fileName, 'any', false), 'imports', change.sequence);
    // Only other files' verdicts can survive the change (the file's own are kept by its old nodes).
    if (graph.hasImporters(after.fileName) && declarationShape(before) !== declarationShape(after)) {
      mark(graph.reachedFrom(after.fileName, 'declarations'), 'declarations', change.sequence);
    } else changedAt.declarations.set(after.fileName, change.sequence);
  }
});

function mark(fileNames: Iterable<string>, kind: ChangeKind, sequence: number): void {
  for (const name of fileNames) changedAt[kind].set(name, sequence);
}
