// A released handle object handed to a callee that may keep it: the callee can call its methods, so the
// argument is a use (react-native-skia's `path.delete()` before `new CanvasKit.PathBuilder(path)`).
// Arguments only compared or held by identity, or printed, are not.
import rule from '../../src/rules/no-use-after-release.js';
import { ruleTester } from '../rule-tester.js';

/** A mesh copied into a builder the module declares (a constructor without a body, which may keep it). */
function copied(between: string, after = ''): string {
  return `
import type { MainModule, Mesh } from './embind-api';
declare const Builder: { new (mesh: Mesh): { build(): Mesh } };
export function copy(module: MainModule): Mesh {
  const mesh = module.Mesh.fromFile('a.obj');
  ${between}
  const builder = new Builder(mesh);
  ${after}
  return builder.build();
}
`;
}

/** A mesh deleted, then handed to `call` (declarations of the program's bookkeeping beside it). */
function afterDelete(call: string): string {
  return `
import type { MainModule, Mesh } from './embind-api';
const live = new Set<Mesh>();
const names = new Map<Mesh, string>();
const byName = new Map<string, Mesh>();
const tags = new WeakMap<Mesh, string>();
const registry = new FinalizationRegistry<string>(() => {});
function ignore(_mesh: Mesh, count: number): number {
  return count;
}
function removeItem<T>(items: T[], item: T): void {
  const index = items.indexOf(item);
  if (index >= 0) items.splice(index, 1);
}
export function drop(module: MainModule, all: Mesh[]): void {
  const mesh = module.Mesh.fromFile('a.obj');
  mesh.delete();
  ${call};
}
`;
}

ruleTester.run('no-use-after-release: a released object handed to a call', rule, {
  valid: [
    copied('', 'mesh.delete();'),
    // Released on one path only: that a callee which may keep it reads it there is too weak a case.
    copied('if (mesh.vertexCount() === 0) mesh.delete();', 'mesh.delete();'),
    afterDelete('live.delete(mesh)'),
    afterDelete('live.has(mesh)'),
    afterDelete('names.get(mesh)'),
    afterDelete('names.delete(mesh)'),
    afterDelete("tags.set(mesh, 'a')"),
    afterDelete('registry.unregister(mesh)'),
    afterDelete('new WeakRef(mesh)'),
    afterDelete("console.log('deleted', mesh)"),
    afterDelete('Object.is(mesh, all[0])'),
    afterDelete('all.includes(mesh)'),
    // The program's own helpers: one that never reads the parameter, one that only compares it.
    afterDelete('ignore(mesh, 1)'),
    afterDelete('removeItem(all, mesh)'),
  ],
  invalid: [
    {
      code: copied('mesh.delete();'),
      errors: [{ messageId: 'useAfterRelease', line: 7, data: { name: 'mesh', released: 'line 6', why: '' } }],
    },
    {
      // A container of the program's own keeps it, to hand out later.
      code: afterDelete('all.push(mesh)'),
      errors: [{ messageId: 'useAfterRelease', line: 18, data: { name: 'mesh', released: 'line 17', why: '' } }],
    },
    {
      // A Map's value is kept to be read again; only its key is compared.
      code: afterDelete("byName.set('a', mesh)"),
      errors: [{ messageId: 'useAfterRelease', line: 18, data: { name: 'mesh', released: 'line 17', why: '' } }],
    },
  ],
});
