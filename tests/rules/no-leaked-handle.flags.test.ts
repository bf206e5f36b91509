// Ownership that follows a local flag set together with the acquire (automerge's `anonymize`, retold).
import rule from '../../src/rules/no-leaked-handle.js';
import { ruleTester } from '../rule-tester.js';

/** A media sample that closes once (mediabunny's \`AudioSample\`, retold), a converter and a processing step that make new ones. */
const SAMPLES = `
export class Sample implements Disposable {
  private closed = false;
  constructor(readonly format: string) {}
  close(): void {
    if (this.closed) return;
    this.closed = true;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}
function convert(sample: Sample, format: string): Sample {
  return new Sample(sample.format === format ? format : \`\${format}!\`);
}
declare function process(sample: Sample): Sample | Sample[] | null | Promise<Sample | Sample[] | null>;
function isThenable(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && 'then' in value;
}`;

/** automerge's \`anonymize\`, retold: a list made only for an older snapshot, freed in \`finally\` where \`flagSet\` set the flag. */
function forkAt(flagSet: string): string {
  return `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countAt(cached: TokenList, encoder: Encoder, snapshot?: string): number {
  let list = cached;
  let temporary = false;
  if (snapshot !== undefined) {
    list = encoder.tokens(snapshot);
${flagSet}  }
  try {
    return list.length;
  } finally {
    if (temporary) list.free();
  }
}
`;
}

/** The same with the flag computed first, choosing the branch that makes the list; \`guard\` tests it before the release. */
function chosenAt(guard: string): string {
  return `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countAt(cached: TokenList, encoder: Encoder, snapshot?: string): number {
  const temporary = snapshot !== undefined;
  const list = temporary ? encoder.tokens(snapshot) : cached;
  try {
    return list.length;
  } finally {
    if (${guard}) list.free();
  }
}
`;
}

ruleTester.run('no-leaked-handle: flags', rule, {
  valid: [
    {
      name: 'A flag set where the handle is made, and the release guarded by it in a finally',
      code: forkAt('    temporary = true;\n'),
    },
    {
      name: 'A flag that chose the branch that makes the handle',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countAt(cached: TokenList, encoder: Encoder, snapshot: string, fresh: boolean): number {
  const list = fresh ? encoder.tokens(snapshot) : cached;
  const count = list.length;
  if (fresh) list.free();
  return count;
}
`,
    },
    {
      name: 'A boolean computed once, tested where the handle is made and where it is released',
      code: chosenAt('temporary'),
    },
    {
      name: 'A flag set with the converted sample guards its close, across many ways the processed result is rebound',
      code: `${SAMPLES}
export async function processAndEncode(sample: Sample, shouldClose: boolean, format?: string): Promise<number> {
  if (format !== undefined && sample.format !== format) {
    const converted = convert(sample, format);
    if (shouldClose) sample.close();
    sample = converted;
    shouldClose = true;
  }
  let encoded = 0;
  try {
    let processed = process(sample);
    if (isThenable(processed)) processed = await processed;
    if (processed === null) return encoded;
    if (!Array.isArray(processed)) processed = [processed];
    try {
      for (const item of processed) encoded += item.format.length;
    } finally {
      for (const item of processed) item.close();
    }
  } finally {
    if (shouldClose) sample.close();
  }
  return encoded;
}
`,
    },
  ],
  invalid: [
    {
      name: 'The flag is never set where the handle is made',
      code: forkAt(''),
      errors: [{ messageId: 'leakOnPath', line: 7 }],
    },
    {
      name: 'The release is guarded by the other side of the flag',
      code: chosenAt('!temporary'),
      errors: [{ messageId: 'leakOnPath', line: 5 }],
    },
    {
      name: 'The flag is cleared again before the guarded release',
      code: `
import { Encoder, TokenList } from './wasm-bindgen-api';
export function countAt(cached: TokenList, encoder: Encoder, snapshot: string, fresh: boolean): number {
  let temporary = fresh;
  const list = temporary ? encoder.tokens(snapshot) : cached;
  const count = list.length;
  if (count === 0) temporary = false;
  if (temporary) list.free();
  return count;
}
`,
      errors: [{ messageId: 'leakOnPath', line: 5 }],
    },
    {
      name: 'A flag a closure may set tells nothing',
      code: `
import { Encoder } from './wasm-bindgen-api';
export function countLater(encoder: Encoder, snapshot: string, schedule: (task: () => void) => void): number {
  let done = false;
  const list = encoder.tokens(snapshot);
  schedule(() => {
    done = true;
  });
  if (!done) return 0;
  list.free();
  return 1;
}
`,
      errors: [{ messageId: 'leakOnPath', line: 5 }],
    },
  ],
});
