/**
 * What a test asserts a database holds, read through the driver itself: the user's tables with their columns,
 * the named indexes, row contents and the ledger. Works on SQLite (sql.js, better-sqlite3) and PostgreSQL (PGlite).
 */
import type { Driver, SqlValue } from '../../src/core/driver.ts';
import { LEDGER_TABLE } from '../../src/core/ledger.ts';

export type Row = Record<string, SqlValue>;

/** Rows as objects keyed by column name. */
export async function rows(driver: Driver, sql: string, params: SqlValue[] = []): Promise<Row[]> {
  const result = await driver.query(sql, params);
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));
}

/** The first column of every row. */
export async function column(driver: Driver, sql: string, params: SqlValue[] = []): Promise<SqlValue[]> {
  return (await driver.query(sql, params)).rows.map((row) => row[0]);
}

/** The user's tables (the ledger and the engine's own left out), by name. */
export async function tables(driver: Driver): Promise<string[]> {
  const sql =
    driver.engine === 'sqlite'
      ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '${LEDGER_TABLE}' ORDER BY name`
      : `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> '${LEDGER_TABLE}' ORDER BY table_name`;
  return (await column(driver, sql)).map(String);
}

/** Column names of a table in their order. */
export async function columns(driver: Driver, table: string): Promise<string[]> {
  const sql =
    driver.engine === 'sqlite'
      ? 'SELECT name FROM pragma_table_info(?) ORDER BY cid'
      : 'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position';
  return (await column(driver, sql, [table])).map(String);
}

/** Indexes made with CREATE INDEX (not those behind primary keys and unique constraints), by name. */
export async function indexes(driver: Driver): Promise<string[]> {
  const sql =
    driver.engine === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
      : `SELECT i.indexname FROM pg_indexes i WHERE i.schemaname = current_schema() AND NOT EXISTS (
         SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY i.indexname`;
  return (await column(driver, sql)).map(String);
}

export async function tableExists(driver: Driver, table: string): Promise<boolean> {
  const sql =
    driver.engine === 'sqlite'
      ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
      : 'SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1';
  return Number((await column(driver, sql, [table]))[0]) > 0;
}

/** Ids in the ledger, in order; empty when the ledger table does not exist. */
export async function ledgerIds(driver: Driver): Promise<string[]> {
  if (!(await tableExists(driver, LEDGER_TABLE))) return [];
  return (await column(driver, `SELECT id FROM ${LEDGER_TABLE} ORDER BY id`)).map(String);
}

/** Drops every user table, view and the ledger: a clean database for the next test on a shared engine. */
export async function resetDatabase(driver: Driver): Promise<void> {
  if (driver.engine === 'sqlite') {
    const objects = await rows(
      driver,
      "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'",
    );
    for (const { type, name } of objects)
      await driver.exec(`DROP ${String(type).toUpperCase()} IF EXISTS "${String(name)}"`);
  } else {
    await driver.exec('DROP SCHEMA public CASCADE');
    await driver.exec('CREATE SCHEMA public');
  }
}
