/** The files to lint: those of the tsconfig project, narrowed to the paths on the command line. */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { UsageError } from './options.js';

const lintable = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const declaration = /\.d\.(?:[cm]?ts|[^.]+\.ts)$/;

export interface Project {
  readonly tsconfigPath: string;
  /** The project's source files that can be linted (no `.d.ts`, nothing in node_modules). */
  readonly fileNames: readonly string[];
}

export function loadProject(tsconfigPath: string): Project {
  if (!fs.existsSync(tsconfigPath) || !fs.statSync(tsconfigPath).isFile()) {
    throw new UsageError(`cannot find the TypeScript project ${tsconfigPath} (pass --project <tsconfig.json>)`);
  }
  const read = ts.readConfigFile(tsconfigPath, (file) => ts.sys.readFile(file));
  if (read.error) throw new UsageError(`${tsconfigPath}: ${diagnosticText(read.error)}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfigPath), undefined, tsconfigPath);
  // "No inputs were found" (18003) is "no files matched", reported below with the paths.
  const error = parsed.errors.find((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error && diagnostic.code !== 18003);
  if (error) throw new UsageError(`${tsconfigPath}: ${diagnosticText(error)}`);
  const fileNames = parsed.fileNames
    .map((file) => path.resolve(file))
    .filter((file) => lintable.test(file) && !declaration.test(file) && !file.split(path.sep).includes('node_modules'));
  return { tsconfigPath, fileNames };
}

/** The project's files under the given files or directories (all of them when none is given). */
export function selectFiles(project: Project, paths: readonly string[], cwd: string): string[] {
  if (paths.length === 0) {
    if (project.fileNames.length === 0) throw new UsageError(`no files matched: ${project.tsconfigPath} includes no source files`);
    return [...project.fileNames];
  }
  const selected = new Set<string>();
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    if (!fs.existsSync(absolute)) throw new UsageError(`no files matched '${given}': no such file or directory`);
    const isDirectory = fs.statSync(absolute).isDirectory();
    const matches = project.fileNames.filter((file) => (isDirectory ? file.startsWith(absolute + path.sep) : file === absolute));
    if (matches.length === 0) {
      throw new UsageError(`no files matched '${given}': it has no source files of the project ${path.relative(cwd, project.tsconfigPath) || project.tsconfigPath}`);
    }
    for (const file of matches) selected.add(file);
  }
  return [...selected];
}

function diagnosticText(diagnostic: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\s+/g, ' ');
}
