import rule from '../../src/rules/no-dangling-handle-field.js';
import { ruleTester } from '../rule-tester.js';

ruleTester.run('no-dangling-handle-field', rule, {
  valid: [
    `
import { malloc, free, type Ptr } from './handles';
export class Buf { ptr: Ptr = malloc(4); dispose() { if (this.ptr) { free(this.ptr); this.ptr = 0 as Ptr; } } }
`,
  ],
  invalid: [
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined = malloc(4);
  dispose() {
    free(this.ptr!);
  }
}
`,
      errors: [{ messageId: 'fieldStillHoldsReleased', line: 6 }],
      output: `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined = malloc(4);
  dispose() {
    const ptr = this.ptr;
    this.ptr = undefined;
    free(ptr!);
  }
}
`,
    },
    {
      code: `
import { Tree } from './handles';
export class Doc {
  #tree: Tree | undefined;
  close() {
    this.#tree?.delete();
  }
}
`,
      errors: [{ messageId: 'fieldStillHoldsReleased', line: 6 }],
      output: `
import { Tree } from './handles';
export class Doc {
  #tree: Tree | undefined;
  close() {
    const tree = this.#tree;
    this.#tree = undefined;
    tree?.delete();
  }
}
`,
    },
    {
      code: `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr = malloc(4);
  dispose() {
    free(this.ptr);
  }
}
`,
      errors: [
        {
          messageId: 'fieldStillHoldsReleased',
          line: 6,
          suggestions: [
            {
              messageId: 'clearFieldWidening',
              output: `
import { malloc, free, type Ptr } from './handles';
export class Buf {
  ptr: Ptr | undefined = malloc(4);
  dispose() {
    const ptr = this.ptr;
    this.ptr = undefined;
    free(ptr);
  }
}
`,
            },
          ],
        },
      ],
    },
  ],
});
