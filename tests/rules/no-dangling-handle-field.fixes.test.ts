/**
 * Every autofix and suggestion of no-dangling-handle-field yields a program
 * that type-checks: the fixed sources (and, as a baseline, the sources before
 * the fix) are compiled with the fixture project's options next to the real
 * tests/fixtures/handles.ts and dangling-api.ts.
 */
import { describe, expect, it } from 'vitest';
import { type Sample, typeErrors } from '../type-check.js';
import { invalid, valid } from './no-dangling-handle-field.cases.js';

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
