// An embind object handed to a bound constructor stays the caller's: embind passes the C++ object by
// reference or copy, and the JavaScript object is still the caller's to delete() (react-native-skia's
// `new CanvasKit.PathBuilder(path); path.delete()`, against the canvaskit-like tests/fixtures/embind-canvas-api.d.ts).
// A constructor without a body that is no embind binding may still keep its handle argument.
import noDoubleRelease from '../../src/rules/no-double-release.js';
import noLeakedHandle from '../../src/rules/no-leaked-handle.js';
import noUseAfterRelease from '../../src/rules/no-use-after-release.js';
import { ruleTester } from '../rule-tester.js';

/** A path copied into a new builder, `between` the copy and the return (the builder is returned). */
const copied = (between: string): string => `
import type { CanvasKit, PathBuilder } from './embind-canvas-api';
export function copy(kit: CanvasKit, source: PathBuilder): PathBuilder {
  const path = source.snapshot();
  const builder = new kit.PathBuilder(path);
  ${between}
  return builder;
}
`;

/** A contour iterator over a snapshot, the snapshot handled by `between`. */
const measured = (between: string): string => `
import type { CanvasKit, ContourMeasureIter, PathBuilder } from './embind-canvas-api';
export function contours(kit: CanvasKit, source: PathBuilder): ContourMeasureIter {
  const path = source.snapshot();
  const iter = new kit.ContourMeasureIter(path, false, 1);
  ${between}
  return iter;
}
`;

/** A bound method that copies its argument in: the argument is still the caller's. */
const appended = (between: string): string => `
import type { PathBuilder } from './embind-canvas-api';
export function append(target: PathBuilder, source: PathBuilder): PathBuilder {
  const path = source.snapshot();
  target.addPath(path);
  ${between}
  return target;
}
`;

/** A class of the program's own declared without a body (a base in a \`.d.ts\` in real code): it may keep the path. */
const kept = `
import type { Path, PathBuilder } from './embind-canvas-api';
declare class Outline {
  constructor(path: Path);
}
export function outline(source: PathBuilder): Outline {
  const path = source.snapshot();
  return new Outline(path);
}
`;

ruleTester.run('no-leaked-handle: embind objects handed to bound calls', noLeakedHandle, {
  valid: [copied('path.delete();'), measured('path.delete();'), appended('path.delete();'), kept],
  invalid: [
    { code: copied(''), errors: [{ messageId: 'leak', line: 4, suggestions: [] }] },
    { code: measured(''), errors: [{ messageId: 'leak', line: 4, suggestions: [] }] },
    { code: appended(''), errors: [{ messageId: 'leak', line: 4, suggestions: [] }] },
  ],
});

ruleTester.run('no-double-release: embind objects handed to bound calls', noDoubleRelease, {
  valid: [copied('path.delete();'), measured('path.delete();')],
  invalid: [
    {
      code: copied('path.delete();\n  path.delete();'),
      errors: [{ messageId: 'doubleRelease', line: 7, data: { name: 'path', released: 'line 6', why: '' } }],
    },
    {
      code: measured('path.delete();\n  path.delete();'),
      errors: [{ messageId: 'doubleRelease', line: 7, data: { name: 'path', released: 'line 6', why: '' } }],
    },
  ],
});

ruleTester.run('no-use-after-release: embind objects handed to bound calls', noUseAfterRelease, {
  valid: [copied('path.delete();'), measured('path.delete();')],
  invalid: [
    {
      // The path deleted before the builder copies it.
      code: `
import type { CanvasKit, PathBuilder } from './embind-canvas-api';
export function copy(kit: CanvasKit, source: PathBuilder): PathBuilder {
  const path = source.snapshot();
  path.delete();
  return new kit.PathBuilder(path);
}
`,
      errors: [{ messageId: 'useAfterRelease', line: 6, data: { name: 'path', released: 'line 5', why: '' } }],
    },
  ],
});
