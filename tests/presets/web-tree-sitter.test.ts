// web-tree-sitter through its preset, against the real published types of web-tree-sitter.
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

describe('web-tree-sitter preset: invalid', () => {
  // repomix issue #1680, retold: a file-compression step parses every file
  // and reads the captures, but the Tree each parse() returns is never
  // deleted, so wasm memory grows with every file processed.
  it('repomix #1680: the Tree from parser.parse() is never deleted', () => {
    expect(
      findings(`
import { Parser, Query } from 'web-tree-sitter';
export function definitions(parser: Parser, query: Query, content: string): string[] {
  const tree = parser.parse(content);
  if (!tree) return [];
  const chunks: string[] = [];
  for (const capture of query.captures(tree.rootNode)) {
    chunks.push(capture.node.text);
  }
  return chunks;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a query compiled per call and never deleted', () => {
    expect(
      findings(`
import { Query, type Language, type Node } from 'web-tree-sitter';
export function countCalls(language: Language, root: Node): number {
  const query = new Query(language, '(call_expression) @call');
  return query.matches(root).length;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a tree used after delete()', () => {
    expect(
      findings(`
import { Parser } from 'web-tree-sitter';
export function hasErrors(parser: Parser, source: string): boolean {
  const tree = parser.parse(source)!;
  tree.delete();
  return tree.rootNode.hasError;
}
`),
    ).toEqual(['use-after-release@6']);
  });

  it('a cursor from walk() deleted twice', () => {
    expect(
      findings(`
import type { Tree } from 'web-tree-sitter';
export function depth(tree: Tree): number {
  const cursor = tree.walk();
  let depth = 0;
  while (cursor.gotoFirstChild()) depth++;
  cursor.delete();
  cursor.delete();
  return depth;
}
`),
    ).toEqual(['double-release@8']);
  });
});

describe('web-tree-sitter preset: valid', () => {
  it('the tree deleted in finally', () => {
    expect(
      findings(`
import { Parser } from 'web-tree-sitter';
export function hasErrors(parser: Parser, source: string): boolean {
  const tree = parser.parse(source);
  if (!tree) return false;
  try {
    return tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}
`),
    ).toEqual([]);
  });

  it('a tree kept for incremental parsing in a field', () => {
    expect(
      findings(`
import { Parser, Tree } from 'web-tree-sitter';
export class Document {
  private tree: Tree | null = null;
  constructor(private readonly parser: Parser) {}
  update(source: string): void {
    const next = this.parser.parse(source, this.tree);
    this.tree?.delete();
    this.tree = next;
  }
}
`),
    ).toEqual([]);
  });

  it('nodes are views into the tree, not handles of their own', () => {
    expect(
      findings(`
import type { Tree } from 'web-tree-sitter';
export function firstChildType(tree: Tree): string | undefined {
  const root = tree.rootNode;
  const child = root.firstChild;
  return child?.type;
}
`),
    ).toEqual([]);
  });
});
