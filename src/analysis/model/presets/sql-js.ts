/**
 * sql.js: a `Database` holds a SQLite database in the wasm heap until
 * `close()`; a `Statement` holds a prepared statement until `free()`.
 * `db.prepare()` returns a new statement; closing the database frees its
 * statements as well.
 */
import type { HandleApiSpec } from './types.js';

export const sqlJs: HandleApiSpec = {
  name: 'sql.js',
  description: 'Database and Statement of sql.js',
  modules: ['sql.js', '@types/sql.js'],
  handleTypes: ['Database', 'Statement'],
  acquire: [{ type: 'Database', method: 'prepare' }],
  borrow: [
    // The iterator frees each statement when it moves to the next one.
    { type: 'StatementIterator', method: 'next' },
  ],
};
