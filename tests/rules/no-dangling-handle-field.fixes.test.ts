/**
 * Every autofix and suggestion of no-dangling-handle-field yields a program
 * that type-checks: the fixed sources (and, as a baseline, the sources before
 * the fix) are compiled with the fixture project's options next to the real
 * tests/fixtures/handles.ts and dangling-api.ts.
 */
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../rule-tester.js';
import { invalid, valid } from './no-dangling-handle-field.cases.js';

interface Sample {
  readonly name: string;
  readonly code: string;
}

const firstLine = (code: string): string => code.trim().split('\n').find((line) => !line.startsWith('import'))?.trim() ?? '';

const fixedOutputs: Sample[] = invalid.flatMap((testCase, index) => {
  const outputs = (typeof testCase.output === 'string' ? [testCase.output] : Array.isArray(testCase.output) ? testCase.output : []).map(
    (code) => ({ name: `invalid #${index} autofix (${firstLine(testCase.code)})`, code }),
  );
  const suggestions = testCase.errors.flatMap((error) =>
    (error.suggestions ?? []).map((suggestion) => ({
      name: `invalid #${index} suggestion ${suggestion.messageId} (${firstLine(testCase.code)})`,
      code: suggestion.output,
    })),
  );
  return [...outputs, ...suggestions];
});

const sources: Sample[] = [
  ...valid.map((testCase, index) => ({ name: `valid #${index}`, code: typeof testCase === 'string' ? testCase : testCase.code })),
  ...invalid.map((testCase, index) => ({ name: `invalid #${index} before the fix`, code: testCase.code })),
];

/** Type errors of each sample, compiled in one program as its own module in the fixtures directory. */
function typeErrors(samples: readonly Sample[]): Map<string, string[]> {
  const configPath = path.join(fixturesDir, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, fixturesDir);
  const files = new Map(samples.map((sample, index) => [path.join(fixturesDir, `__dangling_fixed_${index}.ts`), sample]));
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

describe('no-dangling-handle-field fixes type-check', () => {
  it('has fixed outputs to check', () => {
    expect(fixedOutputs.length).toBeGreaterThanOrEqual(10);
  });

  it('reports type errors (the check is not vacuous)', () => {
    const broken = `
import { free, type Ptr } from './handles';
export function drop(holder: { ptr: Ptr | undefined }) {
  const ptr = holder.ptr;
  free(ptr);
}
`;
    const reservedWordLocal = `
export function f(c: { in: number }) {
  const in = c.in;
  return in;
}
`;
    const errors = typeErrors([
      { name: 'broken', code: broken },
      { name: 'keyword', code: reservedWordLocal },
    ]);
    expect(errors.get('broken')).not.toEqual([]);
    expect(errors.get('keyword')).not.toEqual([]);
  });

  it('every test source type-checks before the fix', () => {
    const errors = typeErrors(sources);
    expect(Object.fromEntries([...errors].filter(([, messages]) => messages.length > 0))).toEqual({});
  });

  it('every autofix and suggestion output type-checks', () => {
    const errors = typeErrors(fixedOutputs);
    expect(Object.fromEntries([...errors].filter(([, messages]) => messages.length > 0))).toEqual({});
  });
});
