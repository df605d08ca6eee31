/**
 * A SQLite dump (the statements `sqlite3 .dump` would write) of a MySQL database, read through its driver:
 * `moonwalk play --from mysql://…` puts a MySQL database on the page's SQLite this way, since the page has no MySQL.
 * Tables with their columns (types kept where SQLite can read them, else their base name; SQLite gives each its
 * affinity), primary keys, unique constraints, plain defaults, foreign keys and plain-column indexes; at most
 * `rowLimit` rows a table (the first by primary key); and the ledger with its rows, so the page knows what is
 * applied. Views, triggers, checks and expression defaults are engine-specific SQL and are left out, and said.
 */
import type { Driver, SqlValue } from '../driver.ts';
import { LEDGER_CREATE, LEDGER_TABLE } from '../ledger.ts';
import { takeSnapshot } from '../schema/index.ts';
import type { ColumnSnapshot, TableSnapshot } from '../schema/index.ts';
import { quoteIdent } from '../schema/util.ts';
import { quoteMysqlIdent } from '../schema/snapshot-mysql.ts';
import type { RowsLeftOut } from './postgres-dump.ts';

export interface SqliteDump {
  text: string;
  leftOut: RowsLeftOut[];
  /** What could not be carried over (views, triggers, …), for the page's note. */
  skipped: string[];
}

const ROWS_PER_INSERT = 100;

/** `varchar(20)`, `int`, `decimal(10,2)` as written; `enum('a','b')`, `int unsigned` as their first word. */
function sqliteType(type: string): string {
  return /^[a-z ]+(\(\s*\d+\s*(,\s*\d+\s*)?\))?$/i.test(type) && !/ unsigned| zerofill/i.test(type)
    ? type
    : (/^[a-z]+/i.exec(type)?.[0] ?? '');
}

/** A default SQLite can take as it is: a number, a string, NULL or CURRENT_TIMESTAMP; null otherwise. */
function plainDefault(value: string | null): string | null {
  if (value === null) return null;
  if (/^-?\d+(\.\d+)?$/.test(value) || /^'([^']|'')*'$/.test(value) || /^(NULL|CURRENT_TIMESTAMP)$/i.test(value))
    return value;
  if (/^current_timestamp(\(\))?$/i.test(value)) return 'CURRENT_TIMESTAMP';
  return null;
}

function columnDefinition(c: ColumnSnapshot): string {
  let def = `${quoteIdent(c.name)} ${sqliteType(c.type)}`.trimEnd();
  if (!c.nullable) def += ' NOT NULL';
  const value = plainDefault(c.default);
  if (value !== null) def += ` DEFAULT ${value}`;
  return def;
}

function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Uint8Array) return `X'${[...value].map((b) => b.toString(16).padStart(2, '0')).join('')}'`;
  return `'${value.replace(/'/g, "''")}'`;
}

function createTable(t: TableSnapshot): string {
  const parts = t.columns.filter((c) => !c.generated).map((c) => `  ${columnDefinition(c)}`);
  if (t.primary_key) parts.push(`  PRIMARY KEY (${t.primary_key.columns.map(quoteIdent).join(', ')})`);
  for (const u of t.unique_constraints) parts.push(`  UNIQUE (${u.columns.map(quoteIdent).join(', ')})`);
  for (const fk of t.foreign_keys) {
    parts.push(
      `  FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) REFERENCES ${quoteIdent(fk.references.table)} ` +
        `(${fk.references.columns.map(quoteIdent).join(', ')}) ON UPDATE ${fk.on_update} ON DELETE ${fk.on_delete}`,
    );
  }
  return `CREATE TABLE ${quoteIdent(t.name)} (\n${parts.join(',\n')}\n);`;
}

/** INSERTs of `table`'s rows (read from MySQL: `select` gives each column's value, by default the column itself). */
async function inserts(
  driver: Driver,
  table: string,
  columns: string[],
  order: string[],
  rowLimit: number | null,
  out: string[],
  select: (column: string) => string = quoteMysqlIdent,
): Promise<number> {
  const list = columns.map(quoteIdent).join(', ');
  const orderBy = order.length > 0 ? ` ORDER BY ${order.map(quoteMysqlIdent).join(', ')}` : '';
  const limit = rowLimit === null ? '' : ` LIMIT ${rowLimit}`;
  const sql = `SELECT ${columns.map(select).join(', ')} FROM ${quoteMysqlIdent(table)}${orderBy}${limit}`;
  const result = await driver.query(sql, []);
  for (let i = 0; i < result.rows.length; i += ROWS_PER_INSERT) {
    const values = result.rows.slice(i, i + ROWS_PER_INSERT).map((row) => `  (${row.map(literal).join(', ')})`);
    out.push(`INSERT INTO ${quoteIdent(table)} (${list}) VALUES\n${values.join(',\n')};`);
  }
  return result.rows.length;
}

/** The dump of a MySQL database, with at most `rowLimit` rows a table (null: all). */
export async function writeSqliteDumpOfMysql(driver: Driver, rowLimit: number | null): Promise<SqliteDump> {
  const snapshot = await takeSnapshot(driver, { rows: true });
  const out: string[] = [
    `-- Moonwalk: a SQLite dump of a ${driver.engine} database, ${new Date().toISOString()}.`,
    'PRAGMA foreign_keys=OFF;',
    'BEGIN TRANSACTION;',
  ];
  const leftOut: RowsLeftOut[] = [];
  const skipped: string[] = [];
  const indexes: string[] = [];
  for (const t of snapshot.tables) {
    out.push(createTable(t));
    for (const index of t.indexes) {
      if (index.predicate || index.method || !index.columns.every((c) => t.columns.some((col) => col.name === c))) {
        skipped.push(`index ${index.name}`);
        continue;
      }
      indexes.push(
        `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.name)} ON ${quoteIdent(t.name)} ` +
          `(${index.columns.map(quoteIdent).join(', ')});`,
      );
    }
    if (t.checks.length > 0) skipped.push(`${t.checks.length} check constraint(s) of ${t.name}`);
    const columns = t.columns.filter((c) => !c.generated).map((c) => c.name);
    await inserts(driver, t.name, columns, t.primary_key?.columns ?? [], rowLimit, out);
    const total = t.rows ?? 0;
    if (rowLimit !== null && total > rowLimit) leftOut.push({ table: t.name, kept: rowLimit, total });
  }
  const ledger = await driver.query(
    'SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
    [LEDGER_TABLE],
  );
  if (Number(ledger.rows[0]?.[0] ?? 0) > 0) {
    out.push(`${LEDGER_CREATE.sqlite};`);
    // SQLite's ledger keeps applied_at in Unix seconds.
    const select = (c: string) => (c === 'applied_at' ? 'UNIX_TIMESTAMP(applied_at)' : quoteMysqlIdent(c));
    await inserts(driver, LEDGER_TABLE, ['id', 'description', 'applied_at', 'checksum'], ['id'], null, out, select);
  }
  out.push(...indexes);
  for (const v of snapshot.views) skipped.push(`view ${v.name}`);
  for (const tr of snapshot.triggers) skipped.push(`trigger ${tr.name}`);
  out.push('COMMIT;', '');
  return { text: out.join('\n'), leftOut, skipped };
}
