// FileContext resolves identifiers through scopes indexed on demand: the
// answers must be those of an index of every scope built up front, for every
// identifier, in any order of asking.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScopeManager, Variable } from '@typescript-eslint/scope-manager';
import type { TSESTree } from '@typescript-eslint/utils';
import { parseForESLint } from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import { forEachChild } from '../../src/analysis/ir/ast.js';
import { FileContext } from '../../src/analysis/program/file-context.js';
import type { HandleModel } from '../../src/analysis/model/handle-model.js';
import type { ParserServicesLike } from '../../src/analysis/program/file-context.js';
import { fixturesDir, setParents, SYNTAX_CORPUS } from './harness.js';

function parse(code: string, filename = 'file.ts') {
  const parsed = parseForESLint(code, { range: true, loc: true, ecmaFeatures: { jsx: filename.endsWith('x') }, sourceType: 'module' });
  const ast = parsed.ast as TSESTree.Program;
  setParents(ast);
  const identifiers: TSESTree.Node[] = [];
  const visit = (node: TSESTree.Node): void => {
    if (node.type === 'Identifier' || node.type === 'JSXIdentifier') identifiers.push(node);
    forEachChild(node, visit);
  };
  visit(ast);
  const scopeManager = parsed.scopeManager as ScopeManager;
  const context = new FileContext(ast, {} as ParserServicesLike, scopeManager, {} as HandleModel);
  return { ast, identifiers, scopeManager, context };
}

/** What the old up-front index answered: every scope in order, later (inner) scopes winning. */
function eagerIndex(scopeManager: ScopeManager): Map<TSESTree.Node, Variable> {
  const index = new Map<TSESTree.Node, Variable>();
  for (const scope of scopeManager.scopes) {
    for (const reference of scope.references) if (reference.resolved) index.set(reference.identifier, reference.resolved);
    for (const variable of scope.variables) for (const identifier of variable.identifiers) index.set(identifier, variable);
  }
  return index;
}

describe('FileContext#variableOf', () => {
  it.each(SYNTAX_CORPUS)('%s: every identifier resolves as with an index of every scope, asked in any order', (file) => {
    const code = readFileSync(path.join(fixturesDir, file), 'utf8');
    for (const order of ['source', 'reversed'] as const) {
      const { identifiers, scopeManager, context } = parse(code, file);
      const eager = eagerIndex(scopeManager);
      const asked = order === 'source' ? identifiers : [...identifiers].reverse();
      const mismatches = asked.filter((id) => context.variableOf(id) !== eager.get(id)).map((id) => `${id.loc.start.line}:${id.loc.start.column}`);
      expect(mismatches).toEqual([]);
      expect(eager.size).toBeGreaterThan(10);
    }
  });

  it('a class name: the class scope’s own binding, whichever scope was indexed first', () => {
    const code = 'class A { m() { return A; } }\nconst b = A;\nfunction f() { return new A(); }';
    const { identifiers, scopeManager, context } = parse(code);
    const eager = eagerIndex(scopeManager);
    for (const id of [...identifiers].reverse()) expect(context.variableOf(id)).toBe(eager.get(id));
  });
});

describe('FileContext#variableNamed', () => {
  it.each(SYNTAX_CORPUS)('%s: the callee of every call is the variable the scope manager resolved it to', (file) => {
    const { identifiers, context } = parse(readFileSync(path.join(fixturesDir, file), 'utf8'), file);
    const callees = identifiers.filter(
      (id): id is TSESTree.Identifier => id.type === 'Identifier' && (id.parent?.type === 'CallExpression' || id.parent?.type === 'NewExpression') && id.parent.callee === id,
    );
    expect(callees.length).toBeGreaterThan(2);
    expect(callees.filter((id) => context.variableNamed(id) !== context.variableOf(id)).map((id) => id.name)).toEqual([]);
  });

  it('takes the innermost declaration of the name, and skips type-only ones', () => {
    const code = 'function helper() {}\nfunction main() { helper(); { const helper = 1; helper; } }\nfunction other() { type helper = number; helper(); }';
    const { identifiers, context } = parse(code);
    const named = identifiers.filter((id): id is TSESTree.Identifier => id.type === 'Identifier' && id.name === 'helper');
    const [declared, called, shadowing, shadowed, typeOnly, calledPastType] = named;
    expect(context.variableNamed(called)?.identifiers[0]).toBe(declared);
    expect(context.variableNamed(shadowed)?.identifiers[0]).toBe(shadowing);
    expect(typeOnly.parent?.type).toBe('TSTypeAliasDeclaration');
    expect(context.variableNamed(calledPastType)?.identifiers[0]).toBe(declared);
  });
});
