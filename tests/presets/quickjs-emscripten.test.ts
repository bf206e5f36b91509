// quickjs-emscripten through its preset, against the real published types of quickjs-emscripten-core.
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

describe('quickjs-emscripten preset: invalid', () => {
  it('a string handle set on an object and never disposed leaks (setProp copies it)', () => {
    expect(
      findings(`
import type { QuickJSContext } from 'quickjs-emscripten-core';
export function exposeVersion(vm: QuickJSContext): void {
  const version = vm.newString('1.2.0');
  vm.setProp(vm.global, 'version', version);
}
`),
    ).toEqual(['leak@4']);
  });

  // quickjs-emscripten issue #6, retold: an accessor helper wraps the host
  // getter and setter with newFunction, defines the property, and forgets
  // that each newFunction handle is its own to dispose.
  it('issue #6: the handles newFunction returns for an accessor leak', () => {
    expect(
      findings(`
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
export function defineAccessor(vm: QuickJSContext, target: QuickJSHandle, key: string, read: () => number, write: (value: number) => void): void {
  const getter = vm.newFunction('get ' + key, () => vm.newNumber(read()));
  const setter = vm.newFunction('set ' + key, (value) => {
    write(vm.getNumber(value));
  });
  const defineProperty = vm.getProp(vm.global, 'Object');
  const descriptor = vm.newObject();
  vm.setProp(descriptor, 'get', getter);
  vm.setProp(descriptor, 'set', setter);
  const name = vm.newString(key);
  vm.callMethod(defineProperty, 'defineProperty', [target, name, descriptor]).dispose();
  name.dispose();
  descriptor.dispose();
  defineProperty.dispose();
}
`),
    ).toEqual(['leak@4', 'leak@5']);
  });

  it('a dup() is a second owned handle: disposing the original does not free it', () => {
    expect(
      findings(`
import type { QuickJSHandle } from 'quickjs-emscripten-core';
export function remember(handle: QuickJSHandle): number {
  const copy = handle.dup();
  handle.dispose();
  return 1;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a handle used after dispose()', () => {
    expect(
      findings(`
import type { QuickJSContext } from 'quickjs-emscripten-core';
export function readNumber(vm: QuickJSContext): number {
  const result = vm.unwrapResult(vm.evalCode('6 * 7'));
  result.dispose();
  return vm.getNumber(result);
}
`),
    ).toEqual(['use-after-release@6']);
  });

  it('a context created from the module and never disposed leaks', () => {
    expect(
      findings(`
import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
export function evaluate(quickjs: QuickJSWASMModule, code: string): string {
  const vm = quickjs.newContext();
  const handle = vm.unwrapResult(vm.evalCode(code));
  const text = vm.getString(handle);
  handle.dispose();
  return text;
}
`),
    ).toEqual(['leak@4']);
  });
});

describe('quickjs-emscripten preset: valid', () => {
  it('every handle disposed, the accessor functions included', () => {
    expect(
      findings(`
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
export function defineAccessor(vm: QuickJSContext, target: QuickJSHandle, key: string, read: () => number): void {
  const getter = vm.newFunction('get ' + key, () => vm.newNumber(read()));
  try {
    vm.defineProp(target, key, { get: () => vm.newNumber(read()) });
    vm.setProp(target, '_' + key, getter);
  } finally {
    getter.dispose();
  }
}
`),
    ).toEqual([]);
  });

  it('`using` disposes the context and the result; alive is only a check', () => {
    expect(
      findings(`
import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
export function evaluate(quickjs: QuickJSWASMModule, code: string): string {
  using vm = quickjs.newContext();
  using handle = vm.unwrapResult(vm.evalCode(code));
  return handle.alive ? vm.dump(handle) : '';
}
`),
    ).toEqual([]);
  });

  it('a handle returned to the caller, and one handed to a Scope', () => {
    expect(
      findings(`
import { Scope, type QuickJSContext, type QuickJSHandle } from 'quickjs-emscripten-core';
export function pair(vm: QuickJSContext, scope: Scope): QuickJSHandle {
  const list = vm.newArray();
  scope.manage(vm.newString('kept by the scope'));
  return list;
}
`),
    ).toEqual([]);
  });

  it('a dup() stored in a field is owned by the object', () => {
    expect(
      findings(`
import type { QuickJSHandle } from 'quickjs-emscripten-core';
export class Callback {
  private readonly fn: QuickJSHandle;
  constructor(fn: QuickJSHandle) {
    this.fn = fn.dup();
  }
  dispose(): void {
    this.fn.dispose();
  }
}
`),
    ).toEqual([]);
  });
});
