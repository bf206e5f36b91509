import rule from '../../src/rules/no-double-release.js';
import { ruleTester } from '../rule-tester.js';

ruleTester.run('no-double-release', rule, {
  valid: [
    `
import { malloc, free } from './handles';
export function once() {
  const p = malloc(4);
  free(p);
}
`,
  ],
  invalid: [
    {
      code: `
import { malloc, free } from './handles';
export function twice() {
  const p = malloc(4);
  free(p);
  free(p);
}
`,
      errors: [{ messageId: 'doubleRelease', line: 6 }],
    },
  ],
});
