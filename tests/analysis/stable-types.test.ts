// The model types expressions from declarations where narrowing cannot change
// its answers (stableTypeOfNode), to spare the checker a flow walk or an
// inference per use. Wherever it does, its answers must be the checker's:
// handle or not, Disposable or not, `any` or not, a pointer (number) or not.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { analyzeFile, handleModelFor } from '../../src/analysis/index.js';
import { fixturesDir, parseFixture, SYNTAX_CORPUS } from './harness.js';

const TFJS_AND_CLASSES = `
import * as tf from '@tensorflow/tfjs-core';
import { malloc, Parser, type Ptr, type Tree, type VmContext, type VmHandle } from './handles';

export class Pool {
  private readonly items: tf.Tensor[] = [];
  private readonly byName: { [name: string]: tf.Tensor } = {};
  private current: tf.Tensor | undefined;
  add(a: tf.Tensor, b: tf.Tensor, i: number, name: string): number {
    const sum = tf.add(a, b);
    const flat = tf.reshape(sum, [-1]);
    const picked = this.items[i];
    const named = this.byName[name];
    const kept = tf.keep(flat);
    const root = tf.sqrt(tf.add(a, b));
    const cast = tf.cast(sum, 'int32');
    const keptPicked = tf.keep(picked);
    const keptNamed = tf.keep(named ?? a);
    const rows = this.items.map((item) => item.shape[0]);
    this.current = tf.tidy(() => tf.mul(picked, named));
    this.items.push(kept);
    return rows.length + sum.size + root.size + cast.size + keptPicked.size + keptNamed.size + (this.current?.size ?? 0);
  }
  first(): tf.Tensor | undefined {
    return this.items[0];
  }
}

export function mixed(values: unknown, handles: VmHandle[], index: number, anyValue: any, vm: VmContext, parser: Parser): number {
  const handle = handles[index];
  const made = vm.newString('x');
  const pointer: Ptr = malloc(4);
  const pointers = [pointer, malloc(8)];
  const tree: Tree | null = parser.parse('x');
  const fromAny = tf.add(anyValue, anyValue);
  const gathered = tf.gather(anyValue, [0]);
  const keptAny = tf.keep(anyValue);
  const sqrtAny = tf.sqrt(anyValue);
  const spread = tf.keep(...([anyValue] as [tf.Tensor]));
  // Overloads that answer alike (\`keys(o: object)\`, \`keys(o: {})\`), a method of a call's result.
  const lengths = Object.keys(handles).map((key) => key.length);
  const error = new Error(String(lengths.length));
  if (values instanceof tf.Tensor) values.dispose();
  if (tree) tree.delete();
  return error.message && handle === made ? fromAny.size + gathered.size + pointers[index] + keptAny.size + sqrtAny.size + spread.size : 0;
}
`;

function compare(code: string, filename: string) {
  const filePath = path.join(fixturesDir, filename);
  const { services } = parseFixture(code, filename);
  const model = handleModelFor(services.program);
  const checker = model.checker;
  const sourceFile = services.program.getSourceFile(filePath)!;
  const answers = (type: ts.Type) => ({
    handle: model.isHandleType(type),
    disposable: model.isDisposableType(type) !== false,
    any: (type.flags & ts.TypeFlags.Any) !== 0,
    pointer: (type.getNonNullableType().flags & (ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike)) !== 0,
  });
  const mismatches: string[] = [];
  let compared = 0;
  const visit = (node: ts.Node): void => {
    const expression =
      ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node) || ts.isNewExpression(node) || node.kind === ts.SyntaxKind.ThisKeyword;
    // Declarations' names and type positions are not expressions the model is asked about.
    if (expression && !(ts.isIdentifier(node) && ((node.parent as { name?: ts.Node }).name === node || (node.parent as { propertyName?: ts.Node }).propertyName === node || ts.isTypeNode(node.parent) || ts.isQualifiedName(node.parent) || ts.isPropertyAccessExpression(node.parent) && node.parent.name === node))) {
      const stable = model.stableTypeOfNode(node);
      if (stable) {
        compared++;
        const expected = answers(checker.getTypeAtLocation(node));
        const actual = answers(stable);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart());
          mismatches.push(`${line + 1}: ${node.getText().slice(0, 40)} ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { mismatches, compared };
}

describe('declared types the model uses instead of the checker’s', () => {
  it('answer as the checker does: generic ops, this and its fields, element access, any', () => {
    const { mismatches, compared } = compare(TFJS_AND_CLASSES, 'file.ts');
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(40);
  });

  it.each(SYNTAX_CORPUS)('answer as the checker does over %s', (file) => {
    const { mismatches, compared } = compare(readFileSync(path.join(fixturesDir, file), 'utf8'), file);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(3);
  });
});

/** A fixture's calls (and `new`s) in source order, with the model of its program. */
function callsIn(code: string): { model: ReturnType<typeof handleModelFor>; calls: (ts.CallExpression | ts.NewExpression)[] } {
  const { services } = parseFixture(code, 'file.ts');
  const model = handleModelFor(services.program);
  const calls: (ts.CallExpression | ts.NewExpression)[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) calls.push(node);
    ts.forEachChild(node, visit);
  };
  visit(services.program.getSourceFile(path.join(fixturesDir, 'file.ts'))!);
  return { model, calls };
}

/** Records the calls the checker resolves while `body` runs. */
function resolutionsDuring(checker: ts.TypeChecker, body: () => void): string[] {
  const resolved: string[] = [];
  const original = checker.getResolvedSignature;
  checker.getResolvedSignature = (node, ...rest) => {
    resolved.push(node.getText());
    return original.call(checker, node, ...rest);
  };
  try {
    body();
  } finally {
    checker.getResolvedSignature = original;
  }
  return resolved;
}

describe('generic calls', () => {
  it('are classified from their declaration, without resolving them', () => {
    const code = `
import * as tf from '@tensorflow/tfjs-core';
export function keepAll(value: any, a: tf.Tensor): number {
  tf.keep(value);
  const kept = tf.keep(a);
  tf.tidy(() => {
    tf.tidy(() => tf.add(a, a));
  });
  return kept.size;
}
`;
    const { model, calls } = callsIn(code);
    const [ofAny, ofTensor, , innerTidy] = calls;
    const resolved = resolutionsDuring(model.checker, () => {
      // `keep<T extends Tensor>(result: T): T`: from an `any` argument T is `any`; the preset's `keep` decides the effect.
      expect(model.classifyCall(ofAny, false).result).toBe('other');
      expect(model.classifyCall(ofTensor, false).args[0]).toBe('use');
      // Inside a scope, what `tidy` returns is the scope's whatever its type: its callback is not checked.
      expect(model.classifyCall(innerTidy, false).result).toBe('other');
    });
    expect(resolved).toEqual([]);
    // Asked for, the type is the checker's: T inferred from `any` is `any`, from a Tensor a Tensor.
    expect(model.typeOfExpression(ofAny).flags & ts.TypeFlags.Any).not.toBe(0);
    expect(model.isHandleType(model.typeOfExpression(ofTensor))).toBe(true);
  });
});

/** The expressions whose types the model is asked for while the file is analysed. */
function typesAsked(code: string): string[] {
  const { ast, services, scopeManager } = parseFixture(code, 'file.ts');
  const model = handleModelFor(services.program);
  const asked: string[] = [];
  const originals = { typeOfExpression: model.typeOfExpression, stableTypeOfNode: model.stableTypeOfNode };
  model.typeOfExpression = (node) => {
    asked.push(node.getText());
    return originals.typeOfExpression.call(model, node);
  };
  model.stableTypeOfNode = (node) => {
    asked.push(node.getText());
    return originals.stableTypeOfNode.call(model, node);
  };
  try {
    analyzeFile({ ast, services, scopeManager });
  } finally {
    Object.assign(model, originals);
  }
  return asked;
}

describe('what calls return', () => {
  it('is typed only in a function that acquires, releases or tests a handle', () => {
    const code = `
import { free, type Ptr } from './handles';
const table = new Map<number, Ptr>();
function lookup(key: number): Ptr | undefined { return table.get(key); }
export function count(key: number) { const found = lookup(key); return found === undefined ? 0 : 1; }
export function drop(key: number) { const found = lookup(key + 1); if (found !== undefined) free(found); return 1; }
`;
    const asked = typesAsked(code);
    // `count` can neither leak nor release: whether `found` is a handle cannot matter.
    expect(asked).not.toContain('lookup(key)');
    // `drop` releases: what it releases may be what a call returned.
    expect(asked).toContain('lookup(key + 1)');
  });
});

describe('method calls', () => {
  it('ask about their receiver only for the methods that need it', () => {
    const code = `
import type { VmHandle } from './handles';
export function f(xs: number[], h: VmHandle, stack: DisposableStack) {
  xs.map((x) => x + 1);
  h.dispose();
  stack.use(h);
}
`;
    const { model, calls } = callsIn(code);
    const [map, dispose, use] = calls;
    const typed: string[] = [];
    const original = model.typeOfExpression;
    model.typeOfExpression = (node) => {
      typed.push(node.getText());
      return original.call(model, node);
    };
    try {
      const receiverAsked: string[] = [];
      const receiverIsHandle = (text: string, answer: boolean) => () => {
        receiverAsked.push(text);
        return answer;
      };
      expect(model.classifyCall(map, receiverIsHandle('xs', false)).receiver).not.toBe('release');
      expect(model.classifyCall(dispose, receiverIsHandle('h', true)).receiver).toBe('release');
      expect(model.classifyCall(use, receiverIsHandle('stack', false)).args[0]).toBe('escape');
      // Only `dispose()` is a release-named method, and only `use` a method of a DisposableStack.
      expect(receiverAsked).toEqual(['h']);
      expect(typed).not.toContain('xs');
      expect(typed).toContain('stack');
    } finally {
      model.typeOfExpression = original;
    }
  });
});

describe('call results returned at once', () => {
  it('are typed only when the function summary needs to know', () => {
    const code = `
import { malloc, free, type Ptr } from './handles';
const table = new Map<number, Ptr>();
function lookup(key: number): Ptr | undefined { return table.get(key); }
export function release(p: Ptr) { free(p); return lookup(4); }
export function pick(p: Ptr, c: boolean) { if (c) return p; return lookup(5); }
export function f(c: boolean) { const p = malloc(4); free(pick(p, c)); return release(malloc(4)); }
`;
    const asked = typesAsked(code);
    // `release` returns nothing but that call: what it is cannot change its summary.
    expect(asked).not.toContain('lookup(4)');
    // `pick` returns a parameter too: whether the other result is a handle decides if `f` gets `p` back.
    expect(asked).toContain('lookup(5)');
  });
});

describe('paths a function reads', () => {
  it('are typed only in a function that acquires, releases or tests a handle', () => {
    const code = `
import { free, readI32, type Ptr } from './handles';
interface Slot { ptr: Ptr; size: number }
export function peek(slot: Slot, other: Slot) { return readI32(slot.ptr) + other.size; }
export function drop(item: Slot, rest: Slot) { free(item.ptr); return rest.size; }
`;
    const asked = typesAsked(code);
    // `peek` can neither leak nor release: what it reads is never typed.
    expect(asked).not.toContain('slot.ptr');
    expect(asked).not.toContain('other.size');
    // `drop` releases: what it reads may be what it released.
    expect(asked).toContain('rest.size');
  });
});

describe('a generic call that returns a function', () => {
  it('acquires nothing, and is not resolved to say so', () => {
    const code = `
import * as tf from '@tensorflow/tfjs-core';
function square_(x: tf.Tensor): tf.Tensor { return tf.mul(x, x); }
export const square = tf.op({ square_ });
export const zeros = tf.zeros([2]);
`;
    const { model, calls } = callsIn(code);
    const op = calls.find((call) => call.expression.getText() === 'tf.op')!;
    const zeros = calls.find((call) => call.expression.getText() === 'tf.zeros')!;
    // `op<T extends Function>(f: { [name: string]: T }): T`: whatever T is inferred, a function comes back.
    const resolved = resolutionsDuring(model.checker, () => expect(model.classifyCall(op, false).result).not.toBe('acquire'));
    expect(resolved).toEqual([]);
    // `zeros<R>(…): Tensor<R>` returns a tensor: it acquires.
    expect(model.classifyCall(zeros, false).result).toBe('acquire');
  });
});

describe('overloads', () => {
  it('that answer alike type a call without resolving it; others are left to the checker', () => {
    const code = `
interface Greeter {
  greet(this: Greeter, name?: string): string;
  greet(this: Greeter, name?: string, times?: number): string;
}
export function names(record: Record<string, number>, text: string, greeter: Greeter): number {
  const keys = Object.keys(record).map((key) => key.length);
  const error = new Error(text);
  const parsed = parseInt(text);
  const joined = [text].concat(text, [text]);
  return keys.length + error.message.length + parsed + joined.length + greeter.greet(text).length;
}
`;
    const { model, calls } = callsIn(code);
    const typed = calls.map((call) => `${call.expression.getText()} ${model.stableTypeOfNode(call) ? model.checker.typeToString(model.stableTypeOfNode(call)!) : '-'}`);
    // `concat` has two generic overloads (`concat(...items: ConcatArray<T>[])`, `concat(...items: (T | ConcatArray<T>)[])`): resolved.
    // A `this` parameter shifts the arguments against the parameters: resolved.
    expect(typed).toEqual(['Object.keys(record).map U[]', 'Object.keys string[]', 'Error Error', 'parseInt number', '[text].concat -', 'greeter.greet -']);
  });
});
