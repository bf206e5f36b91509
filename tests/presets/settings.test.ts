// settings['handle-lifetime']: APIs described in the config, preset switches,
// and the errors a bad entry gives.
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/index.js';
import rule from '../../src/rules/no-leaked-handle.js';
import { presetNames, validateSettings } from '../../src/analysis/index.js';
import { fixturesDir, ruleTester } from '../rule-tester.js';

const codecSettings = {
  'handle-lifetime': {
    handleTypes: [{ name: 'Codec', from: 'settings-api.d.ts' }],
    acquire: ['openCodec'],
    release: [{ function: 'closeCodec', operand: 0 }, { type: 'Codec', method: 'shutdown' }],
  },
};

const EMITTER = `
// puppeteer's EventEmitter: disposing one only detaches its listeners.
declare class EventEmitter {
  on(type: string, handler: () => void): this;
  [Symbol.dispose](): void;
}
declare class Session extends EventEmitter {
  send(method: string): Promise<void>;
}
declare class Pipe extends EventEmitter {
  [Symbol.dispose](): void;
}`;

/** A Disposable of EMITTER made, listened to and dropped: a leak, with `using` suggested. */
function dropped(variable: string, className: string, settings?: Record<string, unknown>) {
  const code = (keyword: string): string => `${EMITTER}
export function listen(onEvent: () => void): void {
  ${keyword} ${variable} = new ${className}();
  ${variable}.on('event', onEvent);
}
`;
  return {
    code: code('const'),
    ...(settings ? { settings } : {}),
    errors: [{ messageId: 'leak' as const, line: 14, suggestions: [{ messageId: 'declareWithUsing' as const, output: code('using') }] }],
  };
}

ruleTester.run('settings describe an API without tags', rule, {
  valid: [
    {
      code: `
import { openCodec, closeCodec } from './settings-api';
export function decode(input: Uint8Array): Uint8Array {
  const codec = openCodec('png');
  try {
    return codec.decode(input);
  } finally {
    closeCodec(codec);
  }
}
`,
      settings: codecSettings,
    },
    {
      code: `
import { openCodec } from './settings-api';
export function decode(input: Uint8Array): Uint8Array {
  const codec = openCodec('png');
  const output = codec.decode(input);
  codec.shutdown();
  return output;
}
`,
      settings: codecSettings,
    },
    // Without the settings, openCodec is an ordinary function.
    `
import { openCodec } from './settings-api';
export function name(): string {
  return openCodec('png').name;
}
`,
    // A preset turned off: tfjs tensors are not tracked.
    {
      code: `
import * as tf from '@tensorflow/tfjs-core';
export function logLoss(labels: tf.Tensor, predictions: tf.Tensor): void {
  const loss = tf.tidy(() => tf.mean(tf.square(tf.sub(labels, predictions))));
  console.log(loss.dataSync()[0]);
}
`,
      settings: { 'handle-lifetime': { presets: { tfjs: false } } },
    },
    // \`notHandles\`: a class whose dispose owns no resource, and the classes that only inherit it.
    {
      code: `${EMITTER}
export function listen(onEvent: () => void): void {
  const emitter = new EventEmitter();
  emitter.on('event', onEvent);
  const session = new Session();
  session.on('closed', onEvent);
}
`,
      settings: { 'handle-lifetime': { notHandles: ['EventEmitter'] } },
    },
  ],
  invalid: [
    {
      code: `
import { openCodec, codecName } from './settings-api';
export function name(): string {
  const codec = openCodec('png');
  return codecName(codec);
}
`,
      settings: codecSettings,
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    // The presets are on when the settings do not mention them.
    {
      code: `
import * as tf from '@tensorflow/tfjs-core';
export function logLoss(labels: tf.Tensor, predictions: tf.Tensor): void {
  const loss = tf.tidy(() => tf.mean(tf.square(tf.sub(labels, predictions))));
  console.log(loss.dataSync()[0]);
}
`,
      settings: { 'handle-lifetime': { presets: { koffi: false } } },
      errors: [{ messageId: 'leak', line: 4, suggestions: [] }],
    },
    // A bundle's anonymous class goes by the name of the variable it is assigned to.
    {
      code: `
import type { Ptr } from './handles';
const Pool = class {
  take(): Ptr { return 0 as Ptr; }
};
export function borrowOne(pool: InstanceType<typeof Pool>): void {
  pool.take();
}
`,
      settings: { 'handle-lifetime': { acquire: [{ type: 'Pool', method: 'take' }] } },
      errors: [{ messageId: 'leakDiscarded', line: 7, suggestions: [] }],
    },
    // Without the setting an EventEmitter is Disposable, so a handle; with it, a subclass that declares
    // its own dispose still is.
    dropped('emitter', 'EventEmitter'),
    dropped('pipe', 'Pipe', { 'handle-lifetime': { notHandles: ['EventEmitter'] } }),
  ],
});

describe('settings validation', () => {
  const problem = (value: unknown): string => {
    try {
      validateSettings(value, presetNames);
      return 'valid';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('accepts a full configuration', () => {
    expect(problem(codecSettings['handle-lifetime'])).toBe('valid');
    expect(problem({ presets: { tfjs: false, 'quickjs-emscripten': true }, borrow: [{ type: 'Pool', method: 'peek' }], takeOwnership: ['adopt'] })).toBe('valid');
  });

  it('names the entry and what is wrong with it', () => {
    expect(problem({ release: ['free', { function: 'close' }, { type: 'Codec', method: 3 }] })).toBe(
      'handle-lifetime settings: release[2].method must be a string',
    );
    expect(problem({ release: [{ function: 'closeCodec', operand: -1 }] })).toBe('handle-lifetime settings: release[0].operand must be at least 0');
    expect(problem({ acquire: [{ type: 'Codec' }] })).toBe('handle-lifetime settings: acquire[0].method is required with `type`');
    expect(problem({ acquire: [{ function: 'open', method: 'x', type: 'T' }] })).toBe(
      'handle-lifetime settings: acquire[0] names both a function and a method: give either `function` or `type` and `method`',
    );
    expect(problem({ handleTypes: [{ from: 'x' }] })).toBe('handle-lifetime settings: handleTypes[0].name is required');
    expect(problem({ acquires: [] })).toMatch(/^handle-lifetime settings: acquires is not a known setting \(known: presets, handleTypes/);
    expect(problem({ presets: { tensorflow: false } })).toMatch(/^handle-lifetime settings: presets\.tensorflow is not a preset \(presets: quickjs-emscripten, /);
    expect(problem({ presets: { tfjs: 'off' } })).toBe('handle-lifetime settings: presets.tfjs must be true or false');
    expect(problem(['tfjs'])).toBe('handle-lifetime settings: the value must be an object');
    expect(problem({ notHandles: ['EventEmitter', ''] })).toBe('handle-lifetime settings: notHandles[1] must not be empty');
  });

  it('takes usage inference off, or moves its thresholds', () => {
    expect(problem({ inferFromUsage: false })).toBe('valid');
    expect(problem({ inferFromUsage: { minReleasing: 5, minRatio: 0.9, minZ: 0 } })).toBe('valid');
    expect(problem({ inferFromUsage: { minZ: 0.6, weakMinZ: 0.1 } })).toBe('valid');
    expect(problem({ inferFromUsage: { weakMinZ: 'low' } })).toBe('handle-lifetime settings: inferFromUsage.weakMinZ must be a number');
    expect(problem({ inferFromUsage: true })).toBe('handle-lifetime settings: inferFromUsage must be false, or thresholds for inferring untyped acquisitions from usage');
    expect(problem({ inferFromUsage: { minRatio: 1.5 } })).toBe('handle-lifetime settings: inferFromUsage.minRatio must be at most 1');
    expect(problem({ inferFromUsage: { minReleasing: 0 } })).toBe('handle-lifetime settings: inferFromUsage.minReleasing must be at least 1');
    expect(problem({ inferFromUsage: { threshold: 3 } })).toMatch(/^handle-lifetime settings: inferFromUsage\.threshold is not a known setting/);
  });

  it('ESLint reports a bad entry with the message that names it', async () => {
    const eslint = new ESLint({
      cwd: fixturesDir,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixturesDir, disallowAutomaticSingleRunInference: true } },
          plugins: { 'handle-lifetime': plugin as never },
          rules: { 'handle-lifetime/no-leaked-handle': 'error' },
          settings: { 'handle-lifetime': { release: [{ type: 'Codec', method: 3 }] } },
        },
      ],
    });
    await expect(eslint.lintText('export const x = 1;\n', { filePath: path.join(fixturesDir, 'file.ts') })).rejects.toThrow(
      'handle-lifetime settings: release[0].method must be a string',
    );
  });
});
