/**
 * One ts.Program per code base, and for each mutant a program that differs
 * in one file: built with the base program as `oldProgram` from a host that
 * serves the mutated text for that file and the base program's SourceFiles
 * for every other, so TypeScript reuses them instead of parsing again.
 */
import path from 'node:path';
import ts from 'typescript';

/** The program of a generated tsconfig, and the diagnostics that say whether its imports resolve. */
export function createBaseProgram(tsconfigPath) {
  const config = ts.getParsedCommandLineOfConfigFile(tsconfigPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(flatten(diagnostic)); } });
  const host = ts.createCompilerHost(config.options, true);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  return { program, options: config.options, rootNames: config.fileNames, host };
}

/** Semantic errors in the code base's own files, by code: unresolved imports (TS2307) make handles `any`. */
export function sourceDiagnostics(base) {
  const roots = new Set(base.rootNames.map((file) => path.resolve(file)));
  const byCode = new Map();
  for (const sourceFile of base.program.getSourceFiles()) {
    if (!roots.has(path.resolve(sourceFile.fileName))) continue;
    for (const diagnostic of base.program.getSemanticDiagnostics(sourceFile)) {
      const entry = byCode.get(diagnostic.code) ?? { code: diagnostic.code, count: 0, example: '' };
      entry.count++;
      if (!entry.example) {
        const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        entry.example = `${path.basename(sourceFile.fileName)}:${line + 1} ${flatten(diagnostic)}`;
      }
      byCode.set(diagnostic.code, entry);
    }
  }
  return [...byCode.values()].sort((a, b) => b.count - a.count);
}

/** The base program with one file's text replaced. */
export function createMutantProgram(base, fileName, text) {
  const target = path.resolve(fileName);
  const mutated = ts.createSourceFile(fileName, text, base.options.target ?? ts.ScriptTarget.Latest, true, scriptKindOf(fileName));
  const host = {
    ...base.host,
    getSourceFile(requested, languageVersion, onError, shouldCreate) {
      if (path.resolve(requested) === target) return mutated;
      return base.program.getSourceFile(requested) ?? base.host.getSourceFile(requested, languageVersion, onError, shouldCreate);
    },
  };
  return ts.createProgram({ rootNames: base.rootNames, options: base.options, host, oldProgram: base.program });
}

function scriptKindOf(fileName) {
  return fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
}

function flatten(diagnostic) {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
}
