/**
 * What `Transaction` counts as committed on an engine without transactional DDL, against a real MariaDB server: every
 * statement up to and including the last DDL that ran.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { Transaction } from '../../src/core/transaction.ts';
import { openMysql } from '../../src/drivers/mysql/open.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';

let server: TestServer;
let driver: Driver;

beforeAll(async () => {
  server = await useServer('mysql');
});

beforeEach(async () => {
  driver = await openMysql(await scratchDatabase(server, 'implicit_commit'), { connectTimeoutMs: 10_000 });
  await driver.exec('CREATE TABLE a (x INT)');
  await driver.begin();
  return async () => {
    await Promise.resolve(driver.rollback()).catch(() => {});
    await driver.close();
  };
});

afterAll(async () => {
  await server?.stop();
});

const here = () => undefined;

describe('Transaction on an engine without transactional DDL (MariaDB)', () => {
  test('every statement up to and including the last DDL is committed; what follows is not', async () => {
    const tx = new Transaction(driver);
    await tx.execute('INSERT INTO a VALUES (1)', [], here);
    await tx.execute('CREATE TABLE b (x INT)', [], here);
    await tx.execute('INSERT INTO b VALUES (1)', [], here);
    expect(tx.implicitlyCommitted).toEqual(['INSERT INTO a VALUES (1)', 'CREATE TABLE b (x INT)']);
    await tx.query('SELECT 1', [], here);
    await tx.execute('ALTER TABLE b ADD y INT', [], here);
    expect(tx.implicitlyCommitted).toEqual([
      'INSERT INTO a VALUES (1)',
      'CREATE TABLE b (x INT)',
      'INSERT INTO b VALUES (1)',
      'SELECT 1',
      'ALTER TABLE b ADD y INT',
    ]);
  });

  test('a DDL that fails still commits what came before it', async () => {
    await driver.exec('CREATE TABLE b (x INT)');
    const tx = new Transaction(driver);
    await tx.execute('INSERT INTO a VALUES (1)', [], here);
    await expect(tx.execute('CREATE TABLE b (x INT)', [], here)).rejects.toThrow(/already exists/);
    expect(tx.implicitlyCommitted).toEqual(['INSERT INTO a VALUES (1)']);
  });

  test('a DDL with a syntax error commits nothing', async () => {
    const tx = new Transaction(driver);
    await tx.execute('INSERT INTO a VALUES (1)', [], here);
    await expect(tx.execute('CREATE TABLE b (x INT', [], here)).rejects.toThrow(/syntax/);
    expect(tx.implicitlyCommitted).toEqual([]);
  });

  test('statements undone by ROLLBACK TO a savepoint are not committed by a later DDL', async () => {
    const tx = new Transaction(driver);
    await tx.execute('INSERT INTO a VALUES (1)', [], here);
    await tx.savepoint('s', here);
    await tx.execute('INSERT INTO a VALUES (2)', [], here);
    await tx.rollbackTo('s', here);
    await tx.execute('CREATE TABLE b (x INT)', [], here);
    expect(tx.implicitlyCommitted).toEqual(['INSERT INTO a VALUES (1)', 'CREATE TABLE b (x INT)']);
  });

  test('no DDL (a temporary table is not), nothing committed', async () => {
    const tx = new Transaction(driver);
    await tx.execute('INSERT INTO a VALUES (1)', [], here);
    await tx.execute('CREATE TEMPORARY TABLE t (x INT)', [], here);
    expect(tx.implicitlyCommitted).toEqual([]);
  });
});
