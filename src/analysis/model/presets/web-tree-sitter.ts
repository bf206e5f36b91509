/**
 * web-tree-sitter: parsers, trees, cursors, queries and lookahead iterators
 * live in the wasm heap until `delete()`. `parser.parse()` returns a new
 * tree, `tree.copy()` another one, `walk()` a new cursor.
 */
import type { HandleApiSpec } from './types.js';

export const webTreeSitter: HandleApiSpec = {
  name: 'web-tree-sitter',
  description: 'Parser, Tree, TreeCursor, Query and LookaheadIterator of web-tree-sitter',
  modules: ['web-tree-sitter'],
  handleTypes: ['Parser', 'Tree', 'TreeCursor', 'Query', 'LookaheadIterator'],
  acquire: [
    { type: 'Parser', method: 'parse' },
    { type: 'Tree', method: 'copy' },
    { type: 'Tree', method: 'walk' },
    { type: 'Node', method: 'walk' },
    { type: 'TreeCursor', method: 'copy' },
    { type: 'Language', method: 'query' },
    { type: 'Language', method: 'lookaheadIterator' },
  ],
};
