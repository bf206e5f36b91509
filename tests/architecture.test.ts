// Small rooms, no circles: every source file stays under 800 lines and the
// import graph of src/ (type-only imports and re-exports included) has no cycle.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'src');
const MAX_LINES = 800;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The src files a file imports or re-exports from, by relative specifier (`import type` too). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  const specifiers = importedFiles.map((imported) => imported.fileName).filter((specifier) => specifier.startsWith('.'));
  return [...new Set(specifiers.map((specifier) => path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts')))];
}

/** Each cycle of the graph, once, as the files along it (the first file again at the end). */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

const files = sourceFiles(srcDir);
const relative = (file: string): string => path.relative(root, file);

describe('architecture', () => {
  it.each(files.map(relative))('%s has at most 800 lines', (file) => {
    const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n').length - 1;
    expect(lines).toBeLessThanOrEqual(MAX_LINES);
  });
  it('src has no import cycle', () => {
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    expect(cyclesOf(graph).map((cycle) => cycle.map(relative).join(' → '))).toEqual([]);
  });
  it('the cycle finder sees a cycle made only of type imports', () => {
    expect(cyclesOf(new Map([['a', ['b']], ['b', ['a']]]))).toEqual([['a', 'b', 'a']]);
  });
});
