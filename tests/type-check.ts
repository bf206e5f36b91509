/**
 * Type errors of code samples, each compiled as its own module of the
 * fixture project (tests/fixtures, next to handles.ts and the other fixture
 * APIs), all in one program.
 */
import path from 'node:path';
import ts from 'typescript';
import { fixturesDir } from './rule-tester.js';

export interface Sample {
  readonly name: string;
  readonly code: string;
}

/** Each sample's type errors as `line N: message` (an empty list when it type-checks). */
export function typeErrors(samples: readonly Sample[]): Map<string, string[]> {
  const configPath = path.join(fixturesDir, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, fixturesDir);
  const files = new Map(samples.map((sample, index) => [path.join(fixturesDir, `__robustness_${index}.ts`), sample]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const sample = files.get(path.resolve(fileName));
    return sample ? ts.createSourceFile(fileName, sample.code, languageVersion, true) : getSourceFile(fileName, languageVersion, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => files.has(path.resolve(fileName)) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => files.get(path.resolve(fileName))?.code ?? readFile(fileName);

  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  const errors = new Map<string, string[]>();
  for (const [fileName, sample] of files) {
    const sourceFile = program.getSourceFile(fileName)!;
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    errors.set(
      sample.name,
      diagnostics.map((diagnostic) => {
        const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        return `line ${line + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      }),
    );
  }
  return errors;
}
