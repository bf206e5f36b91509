/** Drives the analysis on a code string typed against tests/fixtures, without ESLint. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseForESLint } from '@typescript-eslint/parser';
import type { ScopeManager } from '@typescript-eslint/scope-manager';
import type { ParserServicesWithTypeInformation, TSESTree } from '@typescript-eslint/utils';
import { analyzeFile } from '../../src/analysis/index.js';
import type { FileAnalysis } from '../../src/analysis/index.js';

export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export function analyzeCode(code: string, filename = 'file.ts'): FileAnalysis & { code: string } {
  const parsed = parseForESLint(code, {
    filePath: path.join(fixturesDir, filename),
    tsconfigRootDir: fixturesDir,
    project: './tsconfig.json',
    // With CI=true typescript-estree would assume a single run and read file.ts from disk, not this code.
    disallowAutomaticSingleRunInference: true,
    range: true,
    loc: true,
  });
  const services = parsed.services as ParserServicesWithTypeInformation;
  const analysis = analyzeFile({
    ast: parsed.ast as TSESTree.Program,
    services,
    scopeManager: parsed.scopeManager as ScopeManager,
  });
  return { ...analysis, code };
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
