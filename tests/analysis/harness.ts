/** Drives the analysis on a code string typed against tests/fixtures, without ESLint. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseForESLint } from '@typescript-eslint/parser';
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import type { ParserServicesWithTypeInformation, TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { analyzeFile } from '../../src/analysis/index.js';
import type { FileAnalysis } from '../../src/analysis/index.js';

export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The syntax corpus: every kind of statement and expression, in TypeScript, TSX and untyped JavaScript. */
export const SYNTAX_CORPUS = ['syntax-corpus.ts', 'syntax-corpus-jsx.tsx', 'syntax-corpus-untyped.js'] as const;

/** A code string parsed as `filename` of the tests/fixtures project, with types and parent links, as ESLint hands it to rules. */
export function parseFixture(code: string, filename = 'file.ts') {
  const parsed = parseForESLint(code, {
    filePath: path.join(fixturesDir, filename),
    tsconfigRootDir: fixturesDir,
    project: './tsconfig.json',
    // With CI=true typescript-estree would assume a single run and read file.ts from disk, not this code.
    disallowAutomaticSingleRunInference: true,
    range: true,
    loc: true,
  });
  setParents(parsed.ast as TSESTree.Node);
  return {
    ast: parsed.ast as TSESTree.Program,
    services: parsed.services as ParserServicesWithTypeInformation,
    scopeManager: parsed.scopeManager as ScopeManager,
  };
}

export function analyzeCode(code: string, filename = 'file.ts'): FileAnalysis & { code: string } {
  return { ...analyzeFile(parseFixture(code, filename)), code };
}

/** ESLint sets `parent` on every node before rules run; the analysis relies on it. */
export function setParents(node: TSESTree.Node, parent?: TSESTree.Node): void {
  (node as { parent?: TSESTree.Node }).parent = parent;
  for (const key of visitorKeys[node.type] ?? []) {
    const value = (node as unknown as Record<string, unknown>)[key];
    for (const child of Array.isArray(value) ? value : [value]) {
      if (child && typeof child === 'object' && 'type' in child) setParents(child as TSESTree.Node, node);
    }
  }
}

/** Findings as `kind@line` strings, for compact assertions. */
export function summarize(code: string, filename?: string): string[] {
  return analyzeCode(code, filename).findings.map((f) => `${f.kind}${f.certainty === 'maybe' ? '?' : ''}@${f.node.loc.start.line}`);
}

/** Class obligations as `kind:field@line` strings. */
export function summarizeClasses(code: string, filename?: string): string[] {
  return analyzeCode(code, filename).classFindings.map(
    (f) => `${f.kind}:${f.fields.map((field) => field.name).join(',')}@${f.node.loc.start.line}`,
  );
}

/** A program of these files alone, written to a fresh directory (no fixture in it). */
export function programOf(files: Record<string, string>): ts.Program {
  const dir = mkdtempSync(path.join(tmpdir(), 'handle-lifetime-'));
  const names = Object.entries(files).map(([name, text]) => {
    const fileName = path.join(dir, name);
    writeFileSync(fileName, text);
    return fileName;
  });
  return ts.createProgram(names, { allowJs: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, lib: ['lib.esnext.d.ts'] });
}
