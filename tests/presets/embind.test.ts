// embind objects through the generic preset, against declarations shaped like
// emscripten's `--emit-tsd` output (tests/fixtures/embind-api.d.ts).
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

describe('embind preset: invalid', () => {
  it('an object from a bound constructor never deleted', () => {
    expect(
      findings(`
import type { MainModule } from './embind-api';
export function length(module: MainModule): number {
  const v = new module.Vec2(3, 4);
  return v.length();
}
`),
    ).toEqual(['leak@4']);
  });

  it('a bound function returning an object by value gives the caller a new one', () => {
    expect(
      findings(`
import type { MainModule, Mesh } from './embind-api';
export function centroidX(module: MainModule, mesh: Mesh): number {
  const center = module.centroid(mesh);
  return center.x;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a clone() deleted twice', () => {
    expect(
      findings(`
import type { Vec2 } from './embind-api';
export function norm(v: Vec2): number {
  const copy = v.clone();
  const result = copy.length();
  copy.delete();
  copy.delete();
  return result;
}
`),
    ).toEqual(['double-release@7']);
  });

  it("a helper of the program's own that makes an object gives the caller a new one", () => {
    expect(
      findings(`
import type { MainModule, Vec2 } from './embind-api';
function unit(module: MainModule): Vec2 {
  return new module.Vec2(1, 0);
}
export function unitLength(module: MainModule): number {
  const u = unit(module);
  return u.length();
}
`),
    ).toEqual(['leak@7']);
  });
});

describe('embind preset: valid', () => {
  it('deleted after use', () => {
    expect(
      findings(`
import type { MainModule, Mesh } from './embind-api';
export function centroidX(module: MainModule, mesh: Mesh): number {
  const center = module.centroid(mesh);
  const x = center.x;
  center.delete();
  return x;
}
`),
    ).toEqual([]);
  });

  it('deleteLater() hands the object to the deferred-delete queue', () => {
    expect(
      findings(`
import type { MainModule } from './embind-api';
export function scratch(module: MainModule): number {
  const v = new module.Vec2(1, 2);
  v.deleteLater();
  return 0;
}
`),
    ).toEqual([]);
  });

  it('numbers returned by bound methods are not handles', () => {
    expect(
      findings(`
import type { MainModule, Mesh } from './embind-api';
export function size(module: MainModule, mesh: Mesh): number {
  return module.area(mesh) + mesh.vertexCount();
}
`),
    ).toEqual([]);
  });

  it("a helper of the program's own that hands out an object it was given: its body says so, not its return type", () => {
    expect(
      findings(`
import type { MainModule, Mesh } from './embind-api';
interface HostObject<T> {
  readonly ref: T;
}
class Wrapper {
  static fromValue<T>(value: unknown) {
    return (value as HostObject<T>).ref;
  }
}
export function areaOf(module: MainModule, value: unknown): number {
  return module.area(Wrapper.fromValue<Mesh>(value));
}
`),
    ).toEqual([]);
  });
});
