// A handle handed to a callback the code holds (a function-typed field or parameter) that hands nothing back: whichever function it is may keep it.
import rule from '../../src/rules/no-leaked-handle.js';
import { ruleTester } from '../rule-tester.js';

ruleTester.run('no-leaked-handle: callbacks', rule, {
  valid: [
    {
      name: 'A buffer flushed to the callback its owner was given (mediabunny’s resampler, retold)',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export class Batcher {
  private onList: (list: TokenList) => Promise<void>;
  constructor(
    private readonly encoder: Encoder,
    options: { onList: (list: TokenList) => Promise<void> },
  ) {
    this.onList = options.onList;
  }
  async flush(text: string): Promise<void> {
    const list = this.encoder.tokens(text);
    await this.onList(list);
  }
}
`,
    },
    {
      name: 'Each new list handed to a callback parameter',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function eachList(encoder: Encoder, texts: string[], visit: (list: TokenList) => void): void {
  for (const text of texts) visit(encoder.tokens(text));
}
`,
    },
    {
      name: 'A callback in an options object',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function emit(encoder: Encoder, text: string, options: { onList(list: TokenList): void; onDone: (list: TokenList) => void }): void {
  options.onDone(encoder.tokens(text));
}
`,
    },
  ],
  invalid: [
    {
      name: 'A callback that hands a value back may only read the list (quickjs-emscripten-sync’s `unmarshal`, retold): it leaks',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function measure(encoder: Encoder, text: string, read: (list: TokenList) => number): number {
  const list = encoder.tokens(text);
  return read(list);
}
`,
      errors: [{ messageId: 'leak', line: 4 }],
    },
    {
      name: 'A local function the code can read borrows the list: it still leaks',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function count(encoder: Encoder, text: string): number {
  const measure = (list: TokenList): number => list.length;
  return measure(encoder.tokens(text));
}
`,
      errors: [{ messageId: 'leak', line: 5 }],
    },
    {
      name: 'A function a module declares borrows the encoder: it leaks',
      code: `
import { Encoder, count_tokens } from './wasm-bindgen-api';
export function count(encoder: Encoder, text: string): number {
  const other = Encoder.new(text);
  return count_tokens(other, text) + encoder.encode(text).length;
}
`,
      errors: [{ messageId: 'leak', line: 4 }],
    },
  ],
});
