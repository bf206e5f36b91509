/**
 * The test cases of every rule, read from the source of tests/rules/*.ts
 * without running those files: each object literal with `code` and `errors`
 * is an invalid case, its `output` the expected autofix, and the `output`
 * of each entry of its errors' `suggestions` a suggestion's result. Cases
 * whose code is built at run time (a template with substitutions) are left
 * out and counted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const rulesTestDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'rules');

export interface InvalidCase {
  /** The rule whose tests hold the case (from the file name). */
  readonly rule: string;
  /** `file.test.ts:line` of the case. */
  readonly where: string;
  readonly code: string;
  /** The expected autofix output, or null when the case asserts none. */
  readonly output: string | null;
  readonly suggestionOutputs: readonly string[];
}

function literalText(node: ts.Expression | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

function property(node: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const member of node.properties) {
    if (ts.isPropertyAssignment(member) && member.name.getText() === name) return member.initializer;
  }
  return undefined;
}

function suggestionOutputs(errors: ts.Expression): string[] {
  if (!ts.isArrayLiteralExpression(errors)) return [];
  return errors.elements.flatMap((error) => {
    if (!ts.isObjectLiteralExpression(error)) return [];
    const suggestions = property(error, 'suggestions');
    if (!suggestions || !ts.isArrayLiteralExpression(suggestions)) return [];
    return suggestions.elements.flatMap((suggestion) => {
      const output = ts.isObjectLiteralExpression(suggestion) ? literalText(property(suggestion, 'output')) : undefined;
      return output === undefined ? [] : [output];
    });
  });
}

export function readInvalidCases(): { cases: InvalidCase[]; computed: number } {
  const cases: InvalidCase[] = [];
  let computed = 0;
  const files = readdirSync(rulesTestDir).filter((name) => /\.(test|cases)\.ts$/.test(name) && !name.endsWith('.fixes.test.ts'));
  for (const name of files.sort()) {
    const rule = name.replace(/\.(test|cases)\.ts$/, '');
    const sourceFile = ts.createSourceFile(name, readFileSync(path.join(rulesTestDir, name), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const codeNode = property(node, 'code');
        const errors = property(node, 'errors');
        if (codeNode && errors) {
          const code = literalText(codeNode);
          if (code === undefined) computed++;
          else {
            const outputNode = property(node, 'output');
            cases.push({
              rule,
              where: `${name}:${sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1}`,
              code,
              output: literalText(outputNode) ?? null,
              suggestionOutputs: suggestionOutputs(errors),
            });
          }
          return;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return { cases, computed };
}
