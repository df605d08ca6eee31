// MySQL's implicit commits: which statements cause one, and what a Transaction reports as committed for good.
import { describe, expect, test } from 'vitest';
import type { Driver, SqlValue } from '../../src/core/driver.ts';
import { commitsImplicitly, implicitCommits } from '../../src/core/sql/implicit-commit.ts';
import { Transaction } from '../../src/core/transaction.ts';

describe('commitsImplicitly', () => {
  test.each([
    ['CREATE TABLE t (a INT)', true],
    ['  create index i on t(a)', true],
    ['-- a comment\nALTER TABLE t ADD b INT', true],
    ['/* leading */ DROP TABLE t', true],
    ['/*!40101 CREATE TABLE t (a INT) */', true],
    ['RENAME TABLE a TO b', true],
    ['TRUNCATE t', true],
    ['LOCK TABLES t WRITE', true],
    ['UNLOCK TABLES', true],
    ['GRANT SELECT ON db.* TO u', true],
    ['START TRANSACTION', true],
    ['BEGIN', true],
    ['COMMIT', true],
    ['ANALYZE TABLE t', true],
    ['SET PASSWORD = \'x\'', true],
    ['CREATE TEMPORARY TABLE t (a INT)', false],
    ['DROP TEMPORARY TABLE t', false],
    ['BEGIN NOT ATOMIC SELECT 1; END', false],
    ['INSERT INTO t VALUES (1)', false],
    ['UPDATE t SET a = 1', false],
    ['SELECT 1', false],
    ['(SELECT 1)', false],
    ['SET @x = 1', false],
    ['WITH c AS (SELECT 1) SELECT * FROM c', false],
    ['-- CREATE TABLE in a comment only\nSELECT 1', false],
  ])('%s → %s', (sql, expected) => {
    expect(commitsImplicitly(sql)).toBe(expected);
  });

  test('a script: its statements and the last that commits', () => {
    expect(implicitCommits("INSERT INTO a VALUES (';'); CREATE TABLE b (x INT); INSERT INTO b VALUES (1)")).toEqual({
      statements: ["INSERT INTO a VALUES (';')", 'CREATE TABLE b (x INT)', 'INSERT INTO b VALUES (1)'],
      last: 1,
    });
    expect(implicitCommits('SELECT 1').last).toBe(-1);
  });
});

/** A MySQL-like driver that answers every statement, failing those `fail` names with the given code. */
function fakeMysql(fail: Record<string, string> = {}): Driver {
  const answer = async (sql: string) => {
    const code = fail[sql];
    if (code) throw Object.assign(new Error(`failed: ${sql}`), { code });
    return { rowsAffected: 0, lastInsertId: null, columns: [], rows: [] as SqlValue[][] };
  };
  return {
    engine: 'mysql', transactionalDdl: false, target: 'mysql://fake',
    query: answer, execute: answer, prepare: async () => ({ query: answer as never, execute: answer as never, close: () => {} }),
    begin: () => {}, commit: () => {}, rollback: () => {}, exec: async () => {},
    lock: async () => async () => {}, close: async () => {},
  };
}

const here = () => undefined;

describe('Transaction on an engine without transactional DDL', () => {
  test('every statement up to and including the last DDL is committed; what follows is not', async () => {
    const tx = new Transaction(fakeMysql());
    await tx.execute('INSERT INTO a VALUES (1)', [], here);
    await tx.execute('CREATE TABLE b (x INT)', [], here);
    await tx.execute('INSERT INTO b VALUES (1)', [], here);
    expect(tx.implicitlyCommitted).toEqual(['INSERT INTO a VALUES (1)', 'CREATE TABLE b (x INT)']);
    await tx.query('SELECT 1', [], here);
    await tx.execute('ALTER TABLE b ADD y INT', [], here);
    expect(tx.implicitlyCommitted).toEqual(['INSERT INTO a VALUES (1)', 'CREATE TABLE b (x INT)', 'INSERT INTO b VALUES (1)',
      'SELECT 1', 'ALTER TABLE b ADD y INT']);
  });

  test('a DDL that fails still commits what came before it, unless it is a syntax error', async () => {
    const failed = new Transaction(fakeMysql({ 'CREATE TABLE b (x INT)': 'ER_TABLE_EXISTS_ERROR' }));
    await failed.execute('INSERT INTO a VALUES (1)', [], here);
    await expect(failed.execute('CREATE TABLE b (x INT)', [], here)).rejects.toThrow(/failed/);
    expect(failed.implicitlyCommitted).toEqual(['INSERT INTO a VALUES (1)']);

    const syntax = new Transaction(fakeMysql({ 'CREATE TABLE b (x INT': 'ER_PARSE_ERROR' }));
    await syntax.execute('INSERT INTO a VALUES (1)', [], here);
    await expect(syntax.execute('CREATE TABLE b (x INT', [], here)).rejects.toThrow(/failed/);
    expect(syntax.implicitlyCommitted).toEqual([]);
  });

  test('statements undone by ROLLBACK TO a savepoint are not committed by a later DDL', async () => {
    const tx = new Transaction(fakeMysql());
    await tx.execute('INSERT INTO a VALUES (1)', [], here);
    await tx.savepoint('s', here);
    await tx.execute('INSERT INTO a VALUES (2)', [], here);
    await tx.rollbackTo('s', here);
    await tx.execute('CREATE TABLE b (x INT)', [], here);
    expect(tx.implicitlyCommitted).toEqual(['INSERT INTO a VALUES (1)', 'CREATE TABLE b (x INT)']);
  });

  test('a script with DDL inside: its statements up to the DDL', async () => {
    const tx = new Transaction(fakeMysql());
    await tx.execute('INSERT INTO a VALUES (1); CREATE TABLE b (x INT); INSERT INTO b VALUES (1)', [], here);
    expect(tx.implicitlyCommitted).toEqual(['INSERT INTO a VALUES (1)', 'CREATE TABLE b (x INT)']);
    await tx.execute('DROP TABLE c', [], here);
    expect(tx.implicitlyCommitted.slice(2)).toEqual(['INSERT INTO b VALUES (1)', 'DROP TABLE c']);
  });

  test('no DDL, nothing committed', async () => {
    const tx = new Transaction(fakeMysql());
    await tx.execute('INSERT INTO a VALUES (1)', [], here);
    await tx.execute('CREATE TEMPORARY TABLE t (x INT)', [], here);
    expect(tx.implicitlyCommitted).toEqual([]);
  });
});
