// The WebIDL Binder preset: `new M.X()` of a class the module constructs acquires, `M.destroy(x)`
// releases it, `M._malloc(n)` / `M._free(p)` acquire and release heap memory; classes of the program
// whose release method destroys such fields are owner classes.
import leakRule from '../../src/rules/no-leaked-handle.js';
import doubleRule from '../../src/rules/no-double-release.js';
import useRule from '../../src/rules/no-use-after-release.js';
import { ruleTester } from '../rule-tester.js';

/** A class of the program that owns a reader and destroys it. */
const PARSER = `
import type { GeometryModule, Reader } from './webidl-api';
class Parser {
  private readonly reader: Reader;
  constructor(private readonly module: GeometryModule) {
    this.reader = new module.Reader();
  }
  count(data: Int8Array): number {
    return data.length;
  }
  destroy(): void {
    this.module.destroy(this.reader);
  }
}
`;

/** A helper that fills the shape it is handed and rethrows what fails, after `cleanup`; and its caller. */
function withHelper(cleanup: string): string {
  return `
import type { GeometryModule, Shape } from './webidl-api';
function fill(module: GeometryModule, shape: Shape, data: Int8Array): Shape {
  try {
    if (shape.num_points() !== data.length) throw new Error('size');
  } catch (error) {
    ${cleanup}
    throw error;
  }
  return shape;
}
export function build(module: GeometryModule, data: Int8Array): number {
  const shape = new module.Shape();
  fill(module, shape, data);
  try {
    return shape.num_points();
  } finally {
    module.destroy(shape);
  }
}
`;
}

ruleTester.run('no-leaked-handle (webidl-binder)', leakRule, {
  valid: [
    // Destroyed in `finally`.
    `
import type { GeometryModule } from './webidl-api';
export function points(module: GeometryModule, data: Int8Array): number {
  const buffer = new module.Buffer();
  try {
    buffer.Init(data, data.length);
    return data.length;
  } finally {
    module.destroy(buffer);
  }
}
`,
    // What a method returns is the library's: a part of the shape, not the caller's.
    `
import type { GeometryModule, Shape } from './webidl-api';
export function partSize(module: GeometryModule, reader: InstanceType<GeometryModule['Reader']>, shape: Shape): number {
  const part = reader.GetPart(shape, 0);
  return part.size();
}
`,
    // Heap memory freed in `finally`.
    `
import type { GeometryModule } from './webidl-api';
export function copy(module: GeometryModule, n: number): Float32Array {
  const ptr = module._malloc(n * 4);
  try {
    return new Float32Array(module.HEAPF32.buffer, ptr, n).slice();
  } finally {
    module._free(ptr);
  }
}
`,
    // A class of the program's own is no glue, whatever constructs it.
    `
import type { WidgetKit } from './webidl-api';
export function size(kit: WidgetKit): number {
  const widget = new kit.Widget();
  return widget.size();
}
`,
    // A class whose destroy() owns nothing is no handle.
    `
class Counter {
  count = 0;
  destroy(): void {
    this.count = 0;
  }
}
export function tally(): number {
  const counter = new Counter();
  counter.count++;
  return counter.count;
}
`,
    // An owner class destroyed in \`finally\`.
    `${PARSER}
export function parse(module: GeometryModule, data: Int8Array): number {
  const parser = new Parser(module);
  try {
    return parser.count(data);
  } finally {
    parser.destroy();
  }
}
`,
    // The inherited form: destroyed.
    `
import type { MeshModule } from './webidl-api';
export function faces(module: MeshModule): number {
  const mesh = new module.Mesh();
  const count = mesh.num_faces();
  module.destroy(mesh);
  return count;
}
`,
    // The namespace form: destroyed.
    `
import Physics from './webidl-namespace-api';
export async function fall(): Promise<number> {
  const physics = await Physics();
  const world = new physics.World();
  world.step(1 / 60);
  physics.destroy(world);
  return 0;
}
`,
    // A helper that destroys the shape it was handed before it rethrows: the caller's shape does not leak by that throw.
    withHelper('module.destroy(shape);'),
  ],
  invalid: [
    {
      code: `
import type { GeometryModule } from './webidl-api';
export function points(module: GeometryModule, data: Int8Array): number {
  const buffer = new module.Buffer();
  buffer.Init(data, data.length);
  return data.length;
}
`,
      errors: [{ messageId: 'leak', line: 4 }],
    },
    {
      // The module's members inherited from a base interface, its classes interfaces constructed by \`new () => Mesh\`.
      code: `
import type { MeshModule } from './webidl-api';
export function faces(module: MeshModule): number {
  const mesh = new module.Mesh();
  return mesh.num_faces();
}
`,
      errors: [{ messageId: 'leak', line: 4 }],
    },
    {
      code: `
import type { GeometryModule } from './webidl-api';
export function copy(module: GeometryModule, n: number): Float32Array {
  const ptr = module._malloc(n * 4);
  return new Float32Array(module.HEAPF32.buffer, ptr, n).slice();
}
`,
      errors: [{ messageId: 'leak', line: 4 }],
    },
    {
      code: `${PARSER}
export function parse(module: GeometryModule, data: Int8Array): number {
  const parser = new Parser(module);
  return parser.count(data);
}
`,
      errors: [{ messageId: 'leak', line: 17, data: { name: 'parser', exit: 'returns at line 18', why: ' `Parser` owns a handle: its `destroy()` releases `this.reader`.' } }],
    },
    {
      code: `
import Physics from './webidl-namespace-api';
export async function fall(): Promise<number> {
  const physics = await Physics();
  const world = new physics.World();
  world.step(1 / 60);
  return 0;
}
`,
      errors: [{ messageId: 'leak', line: 5 }],
    },
    {
      // The helper rethrows without destroying the shape: it leaks there.
      code: withHelper('console.error(error);'),
      errors: [{ messageId: 'leakOnException', line: 13 }],
    },
  ],
});

ruleTester.run('no-double-release (webidl-binder)', doubleRule, {
  valid: [
    `
import type { GeometryModule } from './webidl-api';
export function make(module: GeometryModule): void {
  const solid = new module.Solid();
  solid.num_faces();
  module.destroy(solid);
}
`,
  ],
  invalid: [
    {
      code: `
import type { GeometryModule } from './webidl-api';
export function make(module: GeometryModule): void {
  const solid = new module.Solid();
  solid.num_faces();
  module.destroy(solid);
  module.destroy(solid);
}
`,
      errors: [{ messageId: 'doubleRelease', line: 7 }],
    },
    {
      code: `${PARSER}
export function parse(module: GeometryModule): void {
  const parser = new Parser(module);
  parser.destroy();
  parser.destroy();
}
`,
      errors: [{ messageId: 'doubleRelease', line: 19 }],
    },
  ],
});

ruleTester.run('no-use-after-release (webidl-binder)', useRule, {
  valid: [],
  invalid: [
    {
      code: `
import type { GeometryModule } from './webidl-api';
export function read(module: GeometryModule, data: Int8Array): void {
  const buffer = new module.Buffer();
  module.destroy(buffer);
  buffer.Init(data, data.length);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6 }],
    },
    {
      code: `
import Physics from './webidl-namespace-api';
export async function fall(): Promise<void> {
  const physics = await Physics();
  const world = new physics.World();
  physics.destroy(world);
  world.step(1 / 60);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 7 }],
    },
  ],
});
