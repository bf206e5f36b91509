// The finalizer analysis without ESLint: the release-name convention for
// generated glue, the per-file cache, and what it counts.
import { describe, expect, it } from 'vitest';
import { analyzeFinalizers, handleModelFor, RELEASE_CALL_NAME } from '../../src/analysis/index.js';
import { parseFixture } from './harness.js';

function analyze(code: string) {
  const input = parseFixture(code);
  return { input, model: handleModelFor(input.services.program) };
}

describe('RELEASE_CALL_NAME', () => {
  it.each(['__wbg_tiktoken_free', '_free', 'free', 'freeSized', '_ts_tree_delete', 'context_destroy', 'buffer_release'])('%s releases', (name) => {
    expect(RELEASE_CALL_NAME.test(name)).toBe(true);
  });
  it.each(['freeze', 'delete', 'dispose', '_ts_tree_cursor_delete_wasm', 'unfree', 'release'])('%s does not', (name) => {
    expect(RELEASE_CALL_NAME.test(name)).toBe(false);
  });
});

describe('analyzeFinalizers', () => {
  const code = `
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    registry.register(this, this.ptr);
  }
  dispose(): void {
    registry.unregister(this);
    free(this.ptr);
  }
}
`;

  it('runs once per file: a second call returns the same result', () => {
    const { input, model } = analyze(code);
    expect(analyzeFinalizers(input, model)).toBe(analyzeFinalizers(input, model));
  });

  it('finds the registration, the unguarded registration and the no-op unregister', () => {
    const { input, model } = analyze(code);
    const result = analyzeFinalizers(input, model);
    expect(result.registrations).toBe(1);
    expect(result.findings.map((finding) => `${finding.kind}@${finding.node.loc.start.line}`)).toEqual([
      'register-without-token@7',
      'unregister-unknown-token@10',
    ]);
  });

  it('reports nothing on a file without registries', () => {
    const { input, model } = analyze(`export const x = [1, 2].map((n) => n + 1);\n`);
    expect(analyzeFinalizers(input, model)).toEqual({ findings: [], registrations: 0 });
  });

  it('builds no model for a file that names no registry, register or unregister', () => {
    // `'register'` as a string names no member: only identifiers (and literal property names) count.
    const { input } = analyze(`export const events = ['register', 'registered'].map((name) => name.length);\n`);
    let built = 0;
    const result = analyzeFinalizers(input, () => {
      built++;
      throw new Error('the model is not needed');
    });
    expect(result).toEqual({ findings: [], registrations: 0 });
    expect(built).toBe(0);
  });

  it('looks further at a file that names FinalizationRegistry only in a comment or a string', () => {
    const { input, model } = analyze(`// FinalizationRegistry\nexport const x = 1;\n`);
    let built = 0;
    const result = analyzeFinalizers(input, () => {
      built++;
      return model;
    });
    expect(result).toEqual({ findings: [], registrations: 0 });
    expect(built).toBe(1);
  });

  it('builds the model only for a file that needs it, and only once', () => {
    const { input, model } = analyze(code);
    let built = 0;
    const lazy = () => {
      built++;
      return model;
    };
    expect(analyzeFinalizers(input, lazy).registrations).toBe(1);
    expect(analyzeFinalizers(input, lazy).registrations).toBe(1);
    expect(built).toBe(1);
  });

  it('finds registrations of a registry imported from another module, in a file that never names FinalizationRegistry', () => {
    const { input, model } = analyze(`
import { malloc, free, type Ptr } from './handles';
import { sharedRegistry } from './finalizer-api';
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  constructor() {
    sharedRegistry.register(this, this.ptr);
  }
  dispose(): void {
    free(this.ptr);
  }
}
`);
    const result = analyzeFinalizers(input, model);
    expect(result.registrations).toBe(1);
    expect(result.findings.map((finding) => `${finding.kind}@${finding.node.loc.start.line}`)).toEqual(['register-without-token@7']);
  });

  it('does not match tokens by a type of the default library (two arrays are not the same token)', () => {
    const { input, model } = analyze(`
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  readonly ptr: Ptr = malloc(64);
  readonly token: number[] = [];
  readonly other: number[] = [];
  constructor() {
    registry.register(this, this.ptr, this.token);
  }
  dispose(): void {
    registry.unregister(this.other);
    free(this.ptr);
  }
}
`);
    const result = analyzeFinalizers(input, model);
    expect(result.findings.map((finding) => `${finding.kind}@${finding.node.loc.start.line}`)).toEqual([
      'unregister-unknown-token@12',
      'release-without-unregister@13',
    ]);
  });

  it('matches a release through another instance of the class (the declared property, not the place)', () => {
    const { input, model } = analyze(`
import { malloc, free, type Ptr } from './handles';
const registry = new FinalizationRegistry<Ptr>((ptr) => free(ptr));
export class Buffer {
  0: Ptr = malloc(64);
  readonly token = {};
  constructor() {
    registry.register(this, this[0], this.token);
  }
  static release(other: Buffer, key: number): void {
    const ignored = [other[key as 1], other['1' as never]];
    free(other[0]);
  }
}
`);
    const result = analyzeFinalizers(input, model);
    expect(result.findings.map((finding) => `${finding.kind}@${finding.node.loc.start.line}`)).toEqual(['release-without-unregister@12']);
  });
});
