// Usage evidence: what each function of a file does with the values an
// untyped API returns, read off the AST with no checker, and the program's
// sums, thresholds and ranking built from it.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { calleePathOf, isReleaseFunctionName, pairsWith } from '../../src/analysis/inference/api-keys.js';
import { evidenceReads, fileEvidence } from '../../src/analysis/inference/file-evidence.js';
import { programEvidence } from '../../src/analysis/inference/program-evidence.js';
import { defaultInferenceThresholds, InferredApis, zScore } from '../../src/analysis/inference/ranking.js';

function source(code: string, fileName = 'file.js'): ts.SourceFile {
  return ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
}

function countsOf(code: string, key: string) {
  const evidence = fileEvidence(source(code)).get(key);
  return evidence && { releasing: evidence.releasing, notReleasing: evidence.notReleasing, handingOn: evidence.handingOn };
}

function firstCall(code: string): ts.CallExpression | ts.NewExpression {
  const file = source(code);
  let found: ts.CallExpression | ts.NewExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (!found && (ts.isCallExpression(node) || ts.isNewExpression(node))) found = node;
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found!;
}

describe('API keys', () => {
  it('names an API by its member path, whatever the receiver is called', () => {
    const paths = ['new Module.Shape()', 'new this.module.Shape()', 'new wasm.Shape()'].map((code) => calleePathOf(firstCall(code), source(code)));
    expect(paths.map((path) => path?.key)).toEqual(['new .Shape', 'new .Shape', 'new .Shape']);
    expect(paths.map((path) => path?.root)).toEqual(['Module', 'this.module', 'wasm']);
    expect(paths[0]?.label).toBe('new Module.Shape()');
  });

  it('keys a plain call by its name and leaves the class’s own methods out', () => {
    expect(calleePathOf(firstCall('createShape(1)'), source('createShape(1)'))?.key).toBe('call createShape');
    expect(calleePathOf(firstCall('this.create()'), source('this.create()'))).toBeUndefined();
  });

  it('pairs a release with the acquisition of its stem, or any when it has none', () => {
    expect(isReleaseFunctionName('_free')).toBe(true);
    expect(isReleaseFunctionName('sqlite3_close')).toBe(true);
    expect(isReleaseFunctionName('_malloc')).toBe(false);
    expect(pairsWith('_malloc', '_free')).toBe(true);
    expect(pairsWith('createShape', 'destroyShape')).toBe(true);
    expect(pairsWith('createShape', 'destroyMesh')).toBe(false);
    expect(pairsWith('sqlite3_open', 'sqlite3_close')).toBe(true);
  });
});

describe('file evidence', () => {
  it('counts a function that deletes its value on every path as releasing', () => {
    const code = `
      function a(Module) { const s = new Module.Shape(); s.area(); s.delete(); }
      function b(Module) { const s = new Module.Shape(); try { s.area(); } finally { s.delete(); } }
      function c(Module) { const p = Module._malloc(4); Module._decode(p); Module._free(p); }`;
    expect(countsOf(code, 'new .Shape')).toEqual({ releasing: 2, notReleasing: 0, handingOn: 0 });
    expect(countsOf(code, 'call ._malloc')).toEqual({ releasing: 1, notReleasing: 0, handingOn: 0 });
  });

  it('a release under a branch of its own, or skipped by a return, is not on every path', () => {
    const code = `
      function a(Module, c) { const s = new Module.Shape(); if (c) s.delete(); }
      function b(Module, c) { const s = new Module.Shape(); if (c) return 1; s.delete(); }
      function d(Module) { const s = new Module.Shape(); s.area(); }`;
    expect(countsOf(code, 'new .Shape')).toEqual({ releasing: 0, notReleasing: 3, handingOn: 0 });
  });

  it('a test of the value itself is no branch: `if (p) free(p)`, `if (!p) return`', () => {
    const code = `
      function a(Module) { const p = Module._malloc(4); if (p) Module._free(p); }
      function b(Module) { const p = Module._malloc(4); if (!p) return; Module._free(p); }
      function c(Module, c) { const s = new Module.Shape(); try { if (c) return 1; } finally { s.delete(); } }`;
    expect(countsOf(code, 'call ._malloc')).toEqual({ releasing: 2, notReleasing: 0, handingOn: 0 });
    expect(countsOf(code, 'new .Shape')).toEqual({ releasing: 1, notReleasing: 0, handingOn: 0 });
  });

  it('values returned, stored, captured or kept by a container are handed on', () => {
    const code = `
      function a(Module) { const s = new Module.Shape(); return s; }
      function b(Module, self) { const s = new Module.Shape(); self.shape = s; }
      function c(Module, list) { const s = new Module.Shape(); list.push(s); }
      function d(Module) { const s = new Module.Shape(); return () => s.area(); }`;
    expect(countsOf(code, 'new .Shape')).toEqual({ releasing: 0, notReleasing: 0, handingOn: 4 });
  });

  it('a function counts once per API, as not releasing when one of its values leaks', () => {
    const code = `function a(Module) { const s = new Module.Shape(); const t = new Module.Shape(); s.delete(); }`;
    expect(countsOf(code, 'new .Shape')).toEqual({ releasing: 0, notReleasing: 1, handingOn: 0 });
  });

  it('a pair on another module is no release, only a read', () => {
    const code = `function a(Module, Other) { const p = Module._malloc(4); Other._free(p); }`;
    expect(countsOf(code, 'call ._malloc')).toEqual({ releasing: 0, notReleasing: 1, handingOn: 0 });
  });

  it('a shadowed or redeclared name is left out', () => {
    const code = `function a(Module) { let s = new Module.Shape(); { let s = 1; } s.delete(); }`;
    expect(countsOf(code, 'new .Shape')).toBeUndefined();
  });

  it('records where and how releasing functions release', () => {
    const evidence = fileEvidence(source(`function a(Module) {\n  const s = new Module.Shape();\n  s.delete();\n}`)).get('new .Shape')!;
    expect(evidence.releasePlaces).toEqual([{ fileName: 'file.js', line: 3, column: 3, endLine: 3, endColumn: 13 }]);
    expect([...evidence.releaseForms]).toEqual([['.delete()', 1]]);
    expect([...evidence.roots]).toEqual(['Module']);
    expect(evidence.label).toBe('new Module.Shape()');
  });

  it('reads a source file once', () => {
    const file = source('function a(M) { const s = new M.Shape(); s.delete(); }');
    const before = evidenceReads.count;
    fileEvidence(file);
    fileEvidence(file);
    expect(evidenceReads.count).toBe(before + 1);
  });
});

describe('program evidence and ranking', () => {
  const releasing = (index: number) => `export function f${index}(M: any) { const s = new M.Shape(); s.delete(); }\n`;

  // One `ts.SourceFile` per file text, as an editor's document registry keeps them.
  const cached = new Map<string, ts.SourceFile>();

  function programOf(files: Record<string, string>, oldProgram?: ts.Program, host?: ts.CompilerHost): ts.Program {
    const options: ts.CompilerOptions = { allowJs: true, noLib: true, noResolve: true };
    const compilerHost = host ?? ts.createCompilerHost(options);
    compilerHost.fileExists = (name) => name in files;
    compilerHost.readFile = (name) => files[name];
    compilerHost.getSourceFile = (name, languageVersion) => {
      const text = files[name];
      if (text === undefined) return undefined;
      const key = `${name}\0${text}`;
      let file = cached.get(key);
      if (!file) cached.set(key, (file = ts.createSourceFile(name, text, languageVersion, true)));
      return file;
    };
    return ts.createProgram({ rootNames: Object.keys(files), options, host: compilerHost, oldProgram });
  }

  it('sums the files, and infers an API released by enough functions', () => {
    const program = programOf({ '/a.ts': releasing(1) + releasing(2) + releasing(3), '/b.ts': releasing(4) + releasing(5) + 'export function leak(M: any) { const s = new M.Shape(); s.area(); }' });
    const evidence = programEvidence(program);
    expect(evidence.totals.get('new .Shape')).toEqual({ releasing: 5, notReleasing: 1, handingOn: 0 });
    const inferred = new InferredApis(evidence, defaultInferenceThresholds).api('new .Shape');
    expect(inferred).toMatchObject({ releasing: 5, keeping: 6, releaseForm: '.delete()', label: 'new M.Shape()' });
    expect(inferred?.releasePlaces).toHaveLength(3);
  });

  it('ranks out an API barely over the share on few functions: 3 of 4 is no evidence', () => {
    const leaky = 'export function g(M: any) { const s = new M.Shape(); s.area(); }\n';
    const program = programOf({ '/a.ts': releasing(1) + releasing(2) + releasing(3) + leaky });
    expect(new InferredApis(programEvidence(program), defaultInferenceThresholds).api('new .Shape')).toBeUndefined();
    expect(new InferredApis(programEvidence(program), { ...defaultInferenceThresholds, minZ: 0 }).api('new .Shape')).toBeDefined();
  });

  it('marks evidence between weakMinZ and minZ weak: 4 of 5 is weak, 5 of 6 strong', () => {
    const leaky = 'export function g(M: any) { const s = new M.Shape(); s.area(); }\n';
    const four = programOf({ '/a.ts': releasing(1) + releasing(2) + releasing(3) + releasing(4) + leaky });
    expect(new InferredApis(programEvidence(four), defaultInferenceThresholds).api('new .Shape')).toMatchObject({ releasing: 4, keeping: 5, weak: true });
    const five = programOf({ '/a.ts': releasing(1) + releasing(2) + releasing(3) + releasing(4) + releasing(5) + leaky });
    expect(new InferredApis(programEvidence(five), defaultInferenceThresholds).api('new .Shape')).toMatchObject({ releasing: 5, keeping: 6, weak: false });
  });

  it('leaves an API alone when too few functions, or too small a share, release it', () => {
    const few = programOf({ '/a.ts': releasing(1) + releasing(2) });
    expect(new InferredApis(programEvidence(few), defaultInferenceThresholds).api('new .Shape')).toBeUndefined();
    const leaky = 'export function g(M: any) { const s = new M.Shape(); s.area(); }\n';
    const share = programOf({ '/a.ts': releasing(1) + releasing(2) + releasing(3) + leaky.replace('g(', 'g1(') + leaky.replace('g(', 'g2(') });
    expect(new InferredApis(programEvidence(share), defaultInferenceThresholds).api('new .Shape')).toBeUndefined();
  });

  it('a new program reads only the files that changed', () => {
    const files: Record<string, string> = { '/a.ts': releasing(1), '/b.ts': releasing(2), '/c.ts': releasing(3) };
    const host = ts.createCompilerHost({});
    const first = programOf(files, undefined, host);
    programEvidence(first);
    const before = evidenceReads.count;
    files['/c.ts'] = releasing(3) + releasing(4);
    const second = programOf(files, first, host);
    expect(programEvidence(second).totals.get('new .Shape')?.releasing).toBe(4);
    expect(evidenceReads.count).toBe(before + 1);
  });

  it('ranks by the z statistic of the share released against p0', () => {
    expect(zScore(9, 10, 0.9)).toBeCloseTo(0);
    expect(zScore(10, 10, 0.9)).toBeGreaterThan(0);
    expect(zScore(3, 4, 0.9)).toBeLessThan(0);
    expect(zScore(0, 0, 0.9)).toBe(0);
  });
});
