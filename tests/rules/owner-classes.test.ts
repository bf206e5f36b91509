// Classes of the program that own a pointer and free it in a release-named method are handles,
// with no tag: their instances leak, are used after release and released twice like any handle.
import leakRule from '../../src/rules/no-leaked-handle.js';
import doubleRule from '../../src/rules/no-double-release.js';
import useRule from '../../src/rules/no-use-after-release.js';
import { ruleTester } from '../rule-tester.js';

/** A Disposable class of this file that frees its pointer in dispose(). */
const DISPOSABLE_PIXELS = `
import { free, malloc, type Ptr } from './handles';
class Pixels implements Disposable {
  readonly ptr: Ptr = malloc(4);
  dispose(): void {
    free(this.ptr);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}
export function paint(): void {
  const pixels = new Pixels();
  pixels.ptr;
}
`;

const sceneNote = ' `Scene` owns a handle: its `dispose()` releases `this.ptr`.';

ruleTester.run('no-leaked-handle (owner classes)', leakRule, {
  valid: [
    // Released, in `finally`.
    `
import { Scene } from './owner-classes-api';
export function draw(): void {
  const scene = new Scene(4);
  try {
    scene.render();
  } finally {
    scene.dispose();
  }
}
`,
    // Returned: the caller owns it.
    `
import { Scene } from './owner-classes-api';
export function makeScene(): Scene {
  const scene = new Scene(4);
  scene.render();
  return scene;
}
`,
    // A class whose dispose() releases nothing it owns is no handle.
    `
import { Counter } from './owner-classes-api';
export function count(): number {
  const counter = new Counter();
  return counter.count;
}
`,
    // A class of this file: owns a FileHandle and closes it; kept in a field of an owner.
    `
import { openFile, type FileHandle } from './handles';
class Log {
  private readonly file: FileHandle = openFile('log');
  close(): void {
    this.file.close();
  }
}
export class App {
  readonly log = new Log();
  close(): void {
    this.log.close();
  }
}
`,
  ],
  invalid: [
    {
      code: `
import { Scene } from './owner-classes-api';
export function draw(): void {
  const scene = new Scene(4);
  scene.render();
}
`,
      errors: [
        {
          messageId: 'leak',
          line: 4,
          data: { name: 'scene', exit: 'ends at line 6', why: sceneNote },
        },
      ],
    },
    {
      // A static factory returns a fresh instance (its summary).
      code: `
import { Scene } from './owner-classes-api';
export function area(): number {
  const scene = Scene.create(4);
  return scene.size;
}
`,
      errors: [{ messageId: 'leak', line: 4, data: { name: 'scene', exit: 'returns at line 5', why: sceneNote } }],
    },
    {
      // A class of this file, closed on one path only.
      code: `
import { openFile, type FileHandle } from './handles';
class Log {
  private readonly file: FileHandle = openFile('log');
  close(): void {
    this.file.close();
  }
}
export function write(quiet: boolean): void {
  const log = new Log();
  if (quiet) return;
  log.close();
}
`,
      errors: [
        {
          messageId: 'leakOnPath',
          line: 10,
          data: { name: 'log', holder: '', exit: 'returns at line 11', why: ' `Log` owns a handle: its `close()` releases `this.file`.' },
        },
      ],
    },
    {
      // Disposable says it is a handle already: the report needs no word on why.
      code: DISPOSABLE_PIXELS,
      errors: [
        {
          messageId: 'leak',
          line: 13,
          data: { name: 'pixels', exit: 'ends at line 15', why: '' },
          suggestions: [
            {
              messageId: 'declareWithUsing',
              data: { name: 'pixels', keyword: 'using' },
              output: DISPOSABLE_PIXELS.replace('const pixels', 'using pixels'),
            },
          ],
        },
      ],
    },
  ],
});

ruleTester.run('no-use-after-release (owner classes)', useRule, {
  valid: [
    `
import { Scene } from './owner-classes-api';
export function draw(): void {
  const scene = new Scene(4);
  scene.render();
  scene.dispose();
}
`,
  ],
  invalid: [
    {
      code: `
import { Scene } from './owner-classes-api';
export function draw(): void {
  const scene = new Scene(4);
  scene.dispose();
  scene.render();
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6, data: { name: 'scene', released: 'line 5', why: sceneNote } }],
    },
  ],
});

ruleTester.run('no-double-release (owner classes)', doubleRule, {
  valid: [
    // `Mesh#delete()` tests and clears its pointer: a second call does nothing.
    `
import { Mesh } from './owner-classes-api';
export function drop(): void {
  const mesh = new Mesh(4);
  mesh.delete();
  mesh.delete();
}
`,
  ],
  invalid: [
    {
      code: `
import { Scene } from './owner-classes-api';
export function draw(): void {
  const scene = new Scene(4);
  scene.dispose();
  scene.dispose();
}
`,
      errors: [{ messageId: 'doubleRelease', line: 6, data: { name: 'scene', released: 'line 5', why: sceneNote } }],
    },
  ],
});
