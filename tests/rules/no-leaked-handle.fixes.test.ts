/**
 * Every suggestion of no-leaked-handle on exception paths (`releaseInFinally`,
 * `declareWithUsing`) yields a program that type-checks: the suggested
 * sources (and, as a baseline, the sources before the fix) are compiled in
 * one program with the fixture project's options, next to the real
 * tests/fixtures/handles.ts and dispose-chain-api.ts.
 */
import { describe, expect, it } from 'vitest';
import { type Sample, typeErrors } from '../type-check.js';
import { exceptionPathInvalid, exceptionPathValid } from './no-leaked-handle.exception-paths.cases.js';

const firstLine = (code: string): string => code.trim().split('\n').find((line) => !line.startsWith('import'))?.trim() ?? '';

const suggestedOutputs: Sample[] = exceptionPathInvalid.flatMap((testCase, index) =>
  testCase.errors.flatMap((error) =>
    (error.suggestions ?? []).map((suggestion) => ({
      name: `invalid #${index} suggestion ${suggestion.messageId} (${firstLine(testCase.code)})`,
      code: suggestion.output,
    })),
  ),
);

const sources: Sample[] = [
  ...exceptionPathValid.map((testCase, index) => ({ name: `valid #${index}`, code: testCase.code })),
  ...exceptionPathInvalid.map((testCase, index) => ({ name: `invalid #${index} before the fix`, code: testCase.code })),
];


describe('no-leaked-handle exception-path suggestions type-check', () => {
  it('has suggestions of both kinds to check', () => {
    expect(suggestedOutputs.length).toBeGreaterThanOrEqual(15);
    expect(suggestedOutputs.some((sample) => sample.name.includes('releaseInFinally'))).toBe(true);
    expect(suggestedOutputs.some((sample) => sample.name.includes('declareWithUsing'))).toBe(true);
  });

  it('reports type errors (the check is not vacuous)', () => {
    // A `using` on a value that is not Disposable, and a `try` that hides a declaration from the code after it.
    const notDisposable = `
import { malloc } from './handles';
export function f() {
  using ptr = malloc(4);
}
`;
    const hiddenDeclaration = `
import { malloc, free, readI32 } from './handles';
export function g() {
  const ptr = malloc(4);
  try {
    const value = readI32(ptr);
  } finally {
    free(ptr);
  }
  return value;
}
`;
    const errors = typeErrors([
      { name: 'notDisposable', code: notDisposable },
      { name: 'hiddenDeclaration', code: hiddenDeclaration },
    ]);
    expect(errors.get('notDisposable')).not.toEqual([]);
    expect(errors.get('hiddenDeclaration')).not.toEqual([]);
  });

  it('every test source type-checks before the fix', () => {
    const errors = typeErrors(sources);
    expect(Object.fromEntries([...errors].filter(([, messages]) => messages.length > 0))).toEqual({});
  });

  it('every suggestion output type-checks', () => {
    const errors = typeErrors(suggestedOutputs);
    expect(Object.fromEntries([...errors].filter(([, messages]) => messages.length > 0))).toEqual({});
  });
});
