/**
 * A SQLite database written out as SQL for another engine: its tables and indexes as SQLite keeps their text, its rows
 * as INSERTs, and its ledger as that engine's ledger with the same rows. What `loadSqlDump` then loads on PostgreSQL
 * (the playground's Compare engines, when the starting database is a SQLite file). SQLite's own DDL often reads on
 * PostgreSQL (INTEGER PRIMARY KEY, TEXT, REAL, REFERENCES); where it does not (AUTOINCREMENT, WITHOUT ROWID, a
 * type PostgreSQL lacks) the load fails naming the statement, which the page shows as why.
 */
import type { Driver, Engine, SqlValue } from './driver.ts';
import { LEDGER_CREATE, LEDGER_TABLE } from './ledger.ts';

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

function literal(value: SqlValue, engine: Engine): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Uint8Array) {
    const hex = [...value].map((b) => b.toString(16).padStart(2, '0')).join('');
    return engine === 'postgres' ? `'\\x${hex}'::bytea` : `x'${hex}'`;
  }
  return `'${String(value).replace(/'/g, "''")}'`;
}

/** The schema objects of a SQLite database in creation order (tables before the indexes, views, triggers on them). */
async function objects(driver: Driver): Promise<{ type: string; name: string; sql: string }[]> {
  const result = await driver.query(
    "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ? ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, rowid",
    [LEDGER_TABLE],
  );
  return result.rows.map(([type, name, sql]) => ({ type: String(type), name: String(name), sql: String(sql) }));
}

/** A SQLite database as statements for another engine, in the order they load: tables, rows, the rest, ledger. */
export interface SqliteStatements {
  /** CREATE TABLE, each as SQLite keeps it. */
  tables: string[];
  /** One INSERT per row. */
  rows: string[];
  /** Indexes, views and triggers (after the rows: a trigger must not fire on them). */
  rest: string[];
  /** The ledger, as `engine`'s, with the same entries. */
  ledger: string[];
}

export async function sqliteStatements(driver: Driver, engine: Engine): Promise<SqliteStatements> {
  const out: SqliteStatements = { tables: [], rows: [], rest: [], ledger: [] };
  for (const object of await objects(driver)) {
    if (object.type !== 'table') {
      out.rest.push(`${object.sql};`);
      continue;
    }
    out.tables.push(`${object.sql};`);
    const rows = await driver.query(`SELECT * FROM ${quoteIdent(object.name)}`, []);
    const columns = rows.columns.map(quoteIdent).join(', ');
    for (const row of rows.rows)
      out.rows.push(
        `INSERT INTO ${quoteIdent(object.name)} (${columns}) VALUES (${row.map((v) => literal(v, engine)).join(', ')});`,
      );
  }
  const ledger = await driver.query("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", [
    LEDGER_TABLE,
  ]);
  if (Number(ledger.rows[0]?.[0] ?? 0) > 0) {
    out.ledger.push(`${LEDGER_CREATE[engine]};`);
    // An older runtime's ledger has no checksum column: its rows get none.
    const entries = await driver.query(`SELECT * FROM ${quoteIdent(LEDGER_TABLE)}`, []);
    const at = (name: string) => entries.columns.indexOf(name);
    for (const row of entries.rows) {
      const values = ['id', 'description', 'checksum'].map((c) =>
        literal(at(c) < 0 ? null : (row[at(c)] ?? null), engine),
      );
      out.ledger.push(`INSERT INTO ${LEDGER_TABLE} (id, description, checksum) VALUES (${values.join(', ')});`);
    }
  }
  return out;
}

/** `driver`'s SQLite database as one SQL text for `engine`. */
export async function sqliteAsSql(driver: Driver, engine: Engine): Promise<string> {
  const { tables, rows, rest, ledger } = await sqliteStatements(driver, engine);
  return [...tables, ...rows, ...rest, ...ledger].join('\n') + '\n';
}
