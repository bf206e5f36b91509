// Lints as an editor does: typescript-eslint's project service keeps the
// project open and builds a new program after each edit, keeping the
// ts.SourceFile of every file that did not change. Results kept from one
// program to the next must give the findings a fresh lint gives, and an edit
// must not make the analysis read every file again.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Linter } from 'eslint';
import * as parser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/index.js';
import { fileFactReads } from '../../src/analysis/program/file-facts-union.js';
import { summaryStats } from '../../src/analysis/flow/summaries.js';
import { cachedFileAnalysis } from '../../src/analysis/index.js';
import type { TSESTree } from '@typescript-eslint/utils';
import { keptFunctionStats } from '../../src/analysis/program/kept-functions.js';

// Another handle type in the file keeps what the program's text says the same in both versions.
const OTHER = 'export declare class Other implements Disposable {\n  [Symbol.dispose](): void;\n}\n';
const NOT_DISPOSABLE = `${OTHER}export declare class Thing {\n  read(): string;\n}\n`;
const DISPOSABLE = `${OTHER}export declare class Thing implements Disposable {\n  read(): string;\n  [Symbol.dispose](): void;\n}\n`;
const RELEASES = "import type { Thing } from './types';\nexport function close(thing: Thing): void {\n  thing[Symbol.dispose]();\n}\n";
const KEEPS = "import type { Thing } from './types';\nexport const kept: Thing[] = [];\nexport function close(thing: Thing): void {\n  kept.push(thing);\n}\n";

/** A project on disk and a linter on its project service; `lint` hands a file's (new) text to ESLint as an editor does. */
function editorProject(files: Record<string, string>) {
  const root = mkdtempSync(path.join(tmpdir(), 'handle-lifetime-editor-'));
  const compilerOptions = { strict: true, target: 'es2022', lib: ['esnext'], module: 'esnext', moduleResolution: 'bundler', noEmit: true };
  writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts'] }));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, name), text);
  const texts = { ...files };
  const linter = new Linter({ cwd: root });
  let linted: TSESTree.Program | undefined;
  // Holds the AST of the last lint, for the analysis's findings and traces.
  const astProbe = { rules: { ast: { meta: { type: 'problem', schema: [] }, create: (context: { sourceCode: { ast: TSESTree.Program } }) => ((linted = context.sourceCode.ast), {}) } } };
  const config = [
    { files: ['**/*.ts'], languageOptions: { parser, parserOptions: { projectService: true, tsconfigRootDir: root, disallowAutomaticSingleRunInference: true } } },
    { files: ['**/*.ts'], ...plugin.configs.recommended },
    { files: ['**/*.ts'], plugins: { probe: astProbe }, rules: { 'probe/ast': 'error' } },
  ];
  return {
    lint(name: string, text = texts[name]): string[] {
      texts[name] = text;
      const messages = linter.verify(text, config as Linter.Config[], path.join(root, name));
      return messages.map((message) => `${message.line}: ${message.ruleId ?? message.message}`);
    },
    /** The last lint's messages in full, and the analysis's findings with their traces, by line. */
    lintInFull(name: string, text = texts[name]): string[] {
      texts[name] = text;
      const messages = linter.verify(text, config as Linter.Config[], path.join(root, name));
      const analysis = linted && cachedFileAnalysis(linted);
      const findings = (analysis?.findings ?? []).map(
        (finding) => `${finding.node.loc.start.line}:${finding.node.loc.start.column} ${finding.kind} ${finding.trace.map((step) => `${step.node.loc.start.line}:${step.node.loc.start.column} ${step.label}`).join(' → ')}`,
      );
      return [...messages.map((message) => `${message.line}:${message.column}-${message.endLine}:${message.endColumn} ${message.ruleId}: ${message.message}`), ...findings];
    },
  };
}

describe('an editor session', () => {
  it('sees a change of a type in another file', () => {
    const project = editorProject({
      'types.ts': NOT_DISPOSABLE,
      'lib.ts': "import { Thing } from './types';\nexport function make(): Thing {\n  return new Thing();\n}\n",
      'main.ts': "import { make } from './lib';\nexport function f(): string {\n  const thing = make();\n  return thing.read();\n}\n",
    });
    expect(project.lint('main.ts')).toEqual([]);
    project.lint('types.ts', DISPOSABLE);
    expect(project.lint('main.ts')).toEqual(['3: handle-lifetime/no-leaked-handle']);
    project.lint('types.ts', NOT_DISPOSABLE);
    expect(project.lint('main.ts')).toEqual([]);
  });

  it('sees a change of a callee two files away (summaries are kept by what the file imports, transitively)', () => {
    const project = editorProject({
      'types.ts': DISPOSABLE,
      'lib.ts': RELEASES,
      'middle.ts': "import type { Thing } from './types';\nimport { close } from './lib';\nexport function done(thing: Thing): void {\n  close(thing);\n}\n",
      'main.ts': "import type { Thing } from './types';\nimport { done } from './middle';\nexport function f(thing: Thing): string {\n  const text = thing.read();\n  done(thing);\n  return text + thing.read();\n}\n",
    });
    const released = project.lint('main.ts');
    expect(released).toContain('6: handle-lifetime/no-use-after-release');
    project.lint('lib.ts', KEEPS);
    expect(project.lint('main.ts')).toEqual([]);
    project.lint('lib.ts', RELEASES);
    expect(project.lint('main.ts')).toEqual(released);
  });

  it('reads again only the edited file, and converts no unchanged file again', () => {
    const main = (edit: number): string =>
      `import type { Thing } from './types';\nimport { close } from './lib';\nexport function f(thing: Thing): void {\n  close(thing);\n}\n// edit ${edit}\n`;
    const project = editorProject({ 'types.ts': DISPOSABLE, 'lib.ts': RELEASES, 'main.ts': main(0) });
    project.lint('main.ts');
    project.lint('main.ts', main(1));
    const reads = fileFactReads.count;
    const conversions = summaryStats.conversions;
    project.lint('main.ts', main(2));
    // One read of the edited file per question asked of the program (modules, words, tags…); a
    // rescan would read each of its hundred-odd files (the default library's among them).
    expect(fileFactReads.count - reads).toBeGreaterThan(0);
    expect(fileFactReads.count - reads).toBeLessThan(20);
    expect(summaryStats.conversions - conversions).toBe(0);
  });
});

describe('an edit inside a function', () => {
  const RELEASE = 'export function release(thing: Thing): void {\n  thing[Symbol.dispose]();\n}\n';
  const KEEP = 'export function release(thing: Thing): void {\n  kept.push(thing);\n}\n';
  const rest =
    'export function readAfter(thing: Thing): string {\n  release(thing);\n  return thing.read();\n}\n' +
    'export function leaks(): string {\n  const thing = new Thing();\n  return thing.read();\n}\n' +
    'export function usesAfterDispose(thing: Thing): string {\n  thing[Symbol.dispose]();\n  return thing.read();\n}\n';
  const file = (release: string): string => `import { Thing } from './types';\nconst kept: Thing[] = [];\n${release}${rest}`;
  const fresh = (text: string): string[] => editorProject({ 'types.ts': DISPOSABLE, 'main.ts': text }).lintInFull('main.ts');

  it('analyses again the function and those that depend on it, and finds what a fresh lint finds', () => {
    const project = editorProject({ 'types.ts': DISPOSABLE, 'main.ts': file(RELEASE) });
    project.lint('main.ts');
    // Results are kept once a file was edited (a lint of a whole project keeps none).
    const released = project.lintInFull('main.ts', `${file(RELEASE)}// edited\n`);
    expect(released.filter((line) => line.includes('no-use-after-release'))).toHaveLength(2);
    const before = { ...keptFunctionStats };
    // release() no longer releases: readAfter() (which calls it) changes, the other two are kept.
    const kept = project.lintInFull('main.ts', file(KEEP));
    expect(keptFunctionStats.reused - before.reused).toBe(2);
    // release(), readAfter() and the top level (never kept)
    expect(keptFunctionStats.analysed - before.analysed).toBe(3);
    expect(kept.filter((line) => line.includes('no-use-after-release'))).toHaveLength(1);
    expect(kept).toEqual(fresh(file(KEEP)));
    // A line more in release(): every function after it moves, and its findings and traces with it.
    const longer = file(RELEASE.replace('{\n', '{\n  void 0;\n'));
    expect(project.lintInFull('main.ts', longer)).toEqual(fresh(longer));
    expect(project.lintInFull('main.ts', file(RELEASE))).toEqual(released);
  });

  it('keeps nothing of a file whose imports changed', () => {
    const project = editorProject({ 'types.ts': DISPOSABLE, 'main.ts': file(RELEASE) });
    expect(project.lint('main.ts')).toContain('11: handle-lifetime/no-leaked-handle');
    project.lint('types.ts', NOT_DISPOSABLE);
    const before = { ...keptFunctionStats };
    const after = project.lintInFull('main.ts');
    expect(keptFunctionStats.reused - before.reused).toBe(0);
    expect(after.some((line) => line.includes('no-leaked-handle'))).toBe(false);
    expect(after).toEqual(editorProject({ 'types.ts': NOT_DISPOSABLE, 'main.ts': file(RELEASE) }).lintInFull('main.ts'));
  });

  it('keeps what a class acquires by the method that acquires it', () => {
    const holder = (constructorBody: string, otherBody: string): string =>
      `import { Thing } from './types';\nexport class Holder {\n  private thing: Thing | undefined;\n  constructor() {\n    ${constructorBody}\n  }\n  other(): number {\n    ${otherBody}\n  }\n  dispose(): void {\n    this.thing = undefined;\n  }\n}\n`;
    const project = editorProject({ 'types.ts': DISPOSABLE, 'main.ts': holder('this.thing = new Thing();', 'return 1;') });
    const owning = project.lintInFull('main.ts');
    expect(owning.some((line) => line.includes('require-owned-field-release'))).toBe(true);
    const edited = holder('this.thing = new Thing();', 'void 0;\n    return 1;');
    expect(project.lintInFull('main.ts', edited)).toEqual(fresh(edited));
    const borrowing = holder('this.thing = undefined;', 'void 0;\n    return 1;');
    expect(project.lintInFull('main.ts', borrowing)).toEqual(fresh(borrowing));
    expect(project.lintInFull('main.ts', borrowing).some((line) => line.includes('require-owned-field-release'))).toBe(false);
  });

  it('asks again about a declaration of the edited file whose declared types changed', () => {
    const withGive = (signature: string, body: string): string =>
      `import { Thing } from './types';\nexport function give()${signature} {\n  ${body}\n}\nexport function drops(): void {\n  give();\n}\n`;
    const project = editorProject({ 'types.ts': DISPOSABLE, 'main.ts': withGive(': Thing', 'return new Thing();') });
    project.lint('main.ts');
    for (const text of [
      withGive(': Thing', 'void 0;\n  return new Thing();'),
      withGive(': Thing', 'void 1;\n  return new Thing();'),
      withGive(': string', 'return "";'),
      withGive(': Thing', 'return new Thing();'),
    ]) {
      const lines = project.lintInFull('main.ts', text);
      expect(lines).toEqual(fresh(text));
      expect(lines.some((line) => line.includes('no-leaked-handle'))).toBe(text.includes(': Thing'));
    }
  });
});

describe('an edit that leaves what other functions read of the edited one', () => {
  // Every method names the others (through `this.` and the class), so each one's key reaches every other's text.
  const owner = (releaseBody: string, makeBody = 'return new Thing();'): string =>
    `import { Thing } from './types';\nexport class Owner {\n  private thing = new Thing();\n` +
    `  discard(thing: Thing): void {\n    ${releaseBody}\n  }\n` +
    `  make() {\n    ${makeBody}\n  }\n` +
    `  readAfter(thing: Thing): string {\n    this.discard(thing);\n    return thing.read();\n  }\n` +
    `  leaks(): string {\n    const made = this.make();\n    return made.read();\n  }\n` +
    `  [Symbol.dispose](): void {\n    this.discard(this.thing);\n  }\n}\n`;
  const fresh = (text: string): string[] => editorProject({ 'types.ts': DISPOSABLE, 'main.ts': text }).lintInFull('main.ts');
  const analysedBy = (lint: () => string[]): { lines: string[]; analysed: number } => {
    const before = keptFunctionStats.analysed;
    const lines = lint();
    return { lines, analysed: keptFunctionStats.analysed - before };
  };

  // A fresh lint (another project) in between starts the editor's kept results over: compared after the session.
  it('analyses again only the edited function while its summary and its inferred return type stay the same', () => {
    const releases = 'thing[Symbol.dispose]();';
    const project = editorProject({ 'types.ts': DISPOSABLE, 'main.ts': owner(releases) });
    project.lint('main.ts');
    // Results are kept once a file was edited (a lint of a whole project keeps none).
    project.lint('main.ts', `${owner(releases)}// edited\n`);
    // The first edit of a function cannot tell: its inferred return type was not asked before.
    project.lint('main.ts', owner(releases, 'void 0;\n    return new Thing();'));
    const texts = [owner(`void 0;\n    ${releases}`), owner(releases, 'void 1;\n    return new Thing();'), owner(`void 2;\n    ${releases}`)];
    const session = texts.map((text) => analysedBy(() => project.lintInFull('main.ts', text)));
    // The edited methods (the one edited now, and the one edited before, back as it was) and the top level:
    // readAfter(), leaks() and the release method are kept.
    expect(session.map(({ analysed }) => analysed)).toEqual([3, 3, 3]);
    texts.forEach((text, index) => {
      expect(session[index]!.lines).toEqual(fresh(text));
      expect(session[index]!.lines.filter((line) => line.includes('no-use-after-release'))).toHaveLength(1);
    });
  });

  it('analyses its dependents again when its summary or its inferred return type changed', () => {
    const releases = 'thing[Symbol.dispose]();';
    const project = editorProject({ 'types.ts': DISPOSABLE, 'main.ts': owner(releases) });
    project.lint('main.ts');
    project.lint('main.ts', `${owner(releases)}// edited\n`);
    project.lint('main.ts', owner(releases, 'void 0;\n    return new Thing();'));
    project.lint('main.ts', owner(releases));
    // discard() no longer releases: readAfter() and the release method read that.
    const keeps = owner('void thing;');
    const kept = analysedBy(() => project.lintInFull('main.ts', keeps));
    // make() returns a string now: leaks() no longer leaks.
    const retypes = owner('void thing;', 'return "";');
    const retyped = analysedBy(() => project.lintInFull('main.ts', retypes));
    // Every method: each names the class, whose release method calls discard().
    expect(kept.analysed).toBe(6);
    expect(kept.lines).toEqual(fresh(keeps));
    expect(kept.lines.some((line) => line.includes('no-use-after-release'))).toBe(false);
    expect(retyped.analysed).toBe(3);
    expect(retyped.lines).toEqual(fresh(retypes));
    expect(retyped.lines.some((line) => line.includes('no-leaked-handle'))).toBe(false);
  });

  it('analyses again what depends on a release method or a constructor edited inside: the class checks read their bodies', () => {
    const releases = 'thing[Symbol.dispose]();';
    const project = editorProject({ 'types.ts': DISPOSABLE, 'main.ts': owner(releases) });
    project.lint('main.ts');
    project.lint('main.ts', `${owner(releases)}// edited\n`);
    const text = owner(releases).replace('this.discard(this.thing);', 'void 0;\n    this.discard(this.thing);');
    const { lines, analysed } = analysedBy(() => project.lintInFull('main.ts', text));
    expect(analysed).toBe(6);
    expect(lines).toEqual(fresh(text));
  });

  it('keeps results where usage inference found an API, and their evidence in the reports', () => {
    // Five methods delete what `new Module.Shape()` makes; `leaky` does not.
    const shapes = (edit: string): string =>
      'declare const Module: any;\nexport class Shapes {\n' +
      `  area(w: number) {\n    ${edit}const s = new Module.Shape(w);\n    const a = s.area();\n    s.delete();\n    return a;\n  }\n` +
      '  perimeter(w: number) { const s = new Module.Shape(w); const p = s.perimeter(); s.delete(); return p; }\n' +
      '  volume(w: number) { const s = new Module.Shape(w); try { return s.volume(); } finally { s.delete(); } }\n' +
      '  draw(w: number) { const s = new Module.Shape(w); Module.draw(s); s.delete(); }\n' +
      '  log(w: number) { const s = new Module.Shape(w); console.log(s.name()); s.delete(); }\n' +
      '  leaky(w: number) { const s = new Module.Shape(w); return s.area(); }\n}\n';
    const project = editorProject({ 'main.ts': shapes('') });
    project.lint('main.ts');
    project.lint('main.ts', `${shapes('')}// edited\n`);
    project.lint('main.ts', shapes('void 0; '));
    const text = shapes('void 1; ');
    const { lines, analysed } = analysedBy(() => project.lintInFull('main.ts', text));
    // area() and the top level.
    expect(analysed).toBe(2);
    expect(lines).toEqual(editorProject({ 'main.ts': text }).lintInFull('main.ts'));
    expect(lines.some((line) => line.includes('no-leaked-handle') && line.includes('Inferred from usage'))).toBe(true);
  });
});
