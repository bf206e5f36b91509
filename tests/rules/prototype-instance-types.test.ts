// `X["prototype"]` written for X's instances where X is an interface of construct signatures: the checker
// types it `Function#prototype`, `any`, and the handles behind it went unseen. react-native-skia unwraps
// its canvaskit objects with `JsiSkPath.fromValue<CanvasKit["PathBuilder"]["prototype"]>(value)`; here a
// wrapper of the test's own over tests/fixtures/embind-canvas-api.d.ts.
import noDoubleRelease from '../../src/rules/no-double-release.js';
import noLeakedHandle from '../../src/rules/no-leaked-handle.js';
import noUseAfterRelease from '../../src/rules/no-use-after-release.js';
import { ruleTester } from '../rule-tester.js';

/** The wrapper's unwrapping, generic in what it hands back, and a snapshot taken of it; `body` after. */
const unwrapped = (typeArgument: string, body: string): string => `
import type { CanvasKit } from './embind-canvas-api';
class Host<T> {
  constructor(readonly ref: T) {}
  static fromValue<T>(value: Host<unknown>) {
    return (value as Host<T>).ref;
  }
}
export function inside(source: Host<unknown>): boolean {
  const path = Host.fromValue<${typeArgument}>(source).snapshot();
  ${body}
}
`;

const PROTOTYPE = 'CanvasKit["PathBuilder"]["prototype"]';

/** A builder declared by its constructor's `prototype`, and a snapshot of it; `body` after. */
const declared = (body: string): string => `
import type { CanvasKit } from './embind-canvas-api';
export function inside(builder: CanvasKit["PathBuilder"]["prototype"]): boolean {
  const path = builder.snapshot();
  ${body}
}
`;

const released = 'const result = path.contains(1, 2);\n  path.delete();\n  return result;';

ruleTester.run('no-leaked-handle: handles typed by a constructor interface\'s prototype', noLeakedHandle, {
  valid: [
    unwrapped(PROTOTYPE, released),
    declared(released),
    // Unwrapped as `any` in the text: nothing says what it holds.
    unwrapped('any', 'return path.contains(1, 2);'),
    // A class's own `prototype` is its instance type to the checker already; this one holds no handle.
    `
class Point {
  constructor(readonly x: number) {}
}
export function first(points: Array<(typeof Point)["prototype"]>): number {
  const point = points[0];
  return point.x;
}
`,
  ],
  invalid: [
    { code: unwrapped(PROTOTYPE, 'return path.contains(1, 2);'), errors: [{ messageId: 'leak', line: 10, suggestions: [] }] },
    { code: declared('return path.contains(1, 2);'), errors: [{ messageId: 'leak', line: 4, suggestions: [] }] },
  ],
});

ruleTester.run('no-double-release: handles typed by a constructor interface\'s prototype', noDoubleRelease, {
  valid: [unwrapped(PROTOTYPE, released), declared(released)],
  invalid: [
    {
      code: unwrapped(PROTOTYPE, 'const result = path.contains(1, 2);\n  path.delete();\n  path.delete();\n  return result;'),
      errors: [{ messageId: 'doubleRelease', line: 13, data: { name: 'path', released: 'line 12', why: '' } }],
    },
  ],
});

ruleTester.run('no-use-after-release: handles typed by a constructor interface\'s prototype', noUseAfterRelease, {
  valid: [unwrapped(PROTOTYPE, released), declared(released)],
  invalid: [
    {
      code: unwrapped(PROTOTYPE, 'path.delete();\n  return path.contains(1, 2);'),
      errors: [{ messageId: 'useAfterRelease', line: 12, data: { name: 'path', released: 'line 11', why: '' } }],
    },
    {
      code: declared('path.delete();\n  return path.contains(1, 2);'),
      errors: [{ messageId: 'useAfterRelease', line: 6, data: { name: 'path', released: 'line 5', why: '' } }],
    },
  ],
});
