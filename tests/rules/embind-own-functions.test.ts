// A function of the program's own (with a body) that returns an embind object is summarised, not taken
// to return a new one by its type: react-native-skia's `HostObject.fromValue(value)` hands back the
// wrapper's `ref`, which the wrapper still owns (`this.ref.drawRect(rect, JsiSkPaint.fromValue(paint))`).
// Bound functions (declared without a body) still return new objects.
import noLeakedHandle from '../../src/rules/no-leaked-handle.js';
import { ruleTester } from '../rule-tester.js';

/** A wrapper that owns its mesh, and `body` run with one of its instances and the module. */
const wrapped = (body: string): string => `
import type { MainModule, Mesh } from './embind-api';
export class Host<T> {
  constructor(readonly ref: T) {}
  static fromValue<T>(value: Host<unknown>) {
    return (value as Host<T>).ref;
  }
  delete(): void {}
}
function freshMesh(module: MainModule): Mesh {
  return new module.Mesh();
}
export function count(host: Host<Mesh>, module: MainModule): number {
  ${body}
}
`;

ruleTester.run('no-leaked-handle: embind objects returned by functions of the program', noLeakedHandle, {
  valid: [
    wrapped('return Host.fromValue<Mesh>(host).vertexCount();'),
    // Typed from its context: the parameter of the bound function.
    wrapped('return module.area(Host.fromValue(host));'),
    wrapped('const mesh = freshMesh(module);\n  const n = mesh.vertexCount();\n  mesh.delete();\n  return n;'),
  ],
  invalid: [
    // The program's own factory returns a new mesh: its summary says so.
    { code: wrapped('return freshMesh(module).vertexCount();'), errors: [{ messageId: 'leak', line: 14, suggestions: [] }] },
  ],
});
