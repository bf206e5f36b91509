// sql.js through its preset, against the published types (@types/sql.js).
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

describe('sql.js preset: invalid', () => {
  it('a prepared statement never freed', () => {
    expect(
      findings(`
import type { Database } from 'sql.js';
export function userCount(db: Database): number {
  const statement = db.prepare('SELECT count(*) FROM users');
  statement.step();
  return statement.get()[0] as number;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a statement freed only when a row was found', () => {
    expect(
      findings(`
import type { Database } from 'sql.js';
export function findName(db: Database, id: number): string | undefined {
  const statement = db.prepare('SELECT name FROM users WHERE id = ?', [id]);
  if (!statement.step()) return undefined;
  const name = statement.get()[0] as string;
  statement.free();
  return name;
}
`),
    ).toEqual(['leak@4']);
  });

  it('a database used after close()', () => {
    expect(
      findings(`
import type { SqlJsStatic } from 'sql.js';
export function snapshot(SQL: SqlJsStatic, data: Uint8Array): Uint8Array {
  const db = new SQL.Database(data);
  db.close();
  return db.export();
}
`),
    ).toEqual(['use-after-release@6']);
  });

  it('a database opened and never closed', () => {
    expect(
      findings(`
import type { SqlJsStatic } from 'sql.js';
export function migrate(SQL: SqlJsStatic, data: Uint8Array, steps: string[]): void {
  const db = new SQL.Database(data);
  for (const step of steps) db.run(step);
}
`),
    ).toEqual(['leak@4']);
  });
});

describe('sql.js preset: valid', () => {
  it('the statement freed in finally', () => {
    expect(
      findings(`
import type { Database } from 'sql.js';
export function names(db: Database): string[] {
  const statement = db.prepare('SELECT name FROM users');
  try {
    const result: string[] = [];
    while (statement.step()) result.push(statement.get()[0] as string);
    return result;
  } finally {
    statement.free();
  }
}
`),
    ).toEqual([]);
  });

  it('a database returned to the caller', () => {
    expect(
      findings(`
import type { SqlJsStatic } from 'sql.js';
export function open(SQL: SqlJsStatic, data: Uint8Array) {
  const db = new SQL.Database(data);
  db.run('PRAGMA foreign_keys = ON');
  return db;
}
`),
    ).toEqual([]);
  });

  it('exec() returns plain rows, not handles', () => {
    expect(
      findings(`
import type { Database } from 'sql.js';
export function tables(db: Database): number {
  const [result] = db.exec("SELECT name FROM sqlite_master");
  return result ? result.values.length : 0;
}
`),
    ).toEqual([]);
  });
});
