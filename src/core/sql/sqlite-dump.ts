/**
 * A SQLite dump (the statements `sqlite3 .dump` would write) of a MySQL database, read through its driver:
 * `moonwalk play --from mysql://…` puts a MySQL database on the page's SQLite this way, since the page has no MySQL.
 * Tables with their columns (types kept where SQLite can read them, else their base name; SQLite gives each its
 * affinity), primary keys, unique constraints, plain defaults, foreign keys and plain-column indexes; at most
 * `rowLimit` rows a table (the first by primary key); and the ledger with its rows, so the page knows what is
 * applied. Check constraints, views and triggers are MySQL's SQL: each is tried on a scratch SQLite (`SqliteTrial`)
 * and carried over when SQLite takes it (a trigger's single statement wrapped in BEGIN … END). What SQLite cannot
 * take, and what it has no place for (stored procedures and functions, events, generated columns, expression
 * defaults, expression and prefix indexes), is listed in `skipped`, each with why.
 */
import type { Driver, SqlValue } from '../driver.ts';
import { LEDGER_CREATE, LEDGER_TABLE } from '../ledger.ts';
import { takeSnapshot } from '../schema/index.ts';
import type { ColumnSnapshot, TableSnapshot, ViewSnapshot } from '../schema/index.ts';
import { quoteIdent } from '../schema/util.ts';
import { quoteMysqlIdent } from '../schema/snapshot-mysql.ts';
import type { RowsLeftOut } from './postgres-dump.ts';

export interface SqliteDump {
  text: string;
  leftOut: RowsLeftOut[];
  /** What could not be carried over, each with why (`view v (SQLite cannot run it: no such function: IF)`). */
  skipped: string[];
  /** The views and triggers carried over, by kind and name (`view v`), for the page's note. */
  copied: string[];
}

/**
 * Runs one statement on a scratch SQLite database that holds what the dump made so far: SQLite's error message, or
 * null when it took it (and keeps it). `moonwalk play` gives an in-memory better-sqlite3 database.
 */
export type SqliteTrial = (statement: string) => string | null;

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

function createTable(t: TableSnapshot, checks: boolean): string {
  const parts = t.columns.filter((c) => !c.generated).map((c) => `  ${columnDefinition(c)}`);
  if (t.primary_key) parts.push(`  PRIMARY KEY (${t.primary_key.columns.map(quoteIdent).join(', ')})`);
  for (const u of t.unique_constraints) parts.push(`  UNIQUE (${u.columns.map(quoteIdent).join(', ')})`);
  for (const fk of t.foreign_keys) {
    parts.push(
      `  FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) REFERENCES ${quoteIdent(fk.references.table)} ` +
        `(${fk.references.columns.map(quoteIdent).join(', ')}) ON UPDATE ${fk.on_update} ON DELETE ${fk.on_delete}`,
    );
  }
  if (checks) for (const c of t.checks) parts.push(`  CHECK (${c.expression})`);
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
export async function writeSqliteDumpOfMysql(
  driver: Driver,
  rowLimit: number | null,
  trial: SqliteTrial,
): Promise<SqliteDump> {
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
    out.push(tableOnSqlite(t, trial, skipped));
    for (const c of t.columns) {
      if (c.generated)
        skipped.push(`generated column ${t.name}.${c.name} (MySQL's expression; its values are not copied)`);
      else if (c.default !== null && plainDefault(c.default) === null)
        skipped.push(`the default of ${t.name}.${c.name} (${c.default}: an expression SQLite may not read)`);
    }
    for (const index of t.indexes) {
      if (index.predicate || index.method || !index.columns.every((c) => t.columns.some((col) => col.name === c))) {
        skipped.push(`index ${index.name} (on an expression, a prefix or with MySQL's own method)`);
        continue;
      }
      indexes.push(
        `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.name)} ON ${quoteIdent(t.name)} ` +
          `(${index.columns.map(quoteIdent).join(', ')});`,
      );
    }
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
  const copied: string[] = [];
  for (const index of indexes) trial(index);
  for (const view of viewsOnSqlite(snapshot.views, trial, skipped)) {
    out.push(view.sql);
    copied.push(`view ${view.name}`);
  }
  for (const tr of snapshot.triggers) {
    const sql = triggerOnSqlite(tr.definition);
    const error = trial(sql);
    if (error !== null) skipped.push(`trigger ${tr.name} (SQLite cannot run it: ${error})`);
    else {
      out.push(sql);
      copied.push(`trigger ${tr.name}`);
    }
  }
  skipped.push(...(await routinesAndEvents(driver)));
  out.push('COMMIT;', '');
  return { text: out.join('\n'), leftOut, skipped, copied };
}

/** The table's CREATE TABLE: with its check constraints when SQLite reads them, else without (and said). */
function tableOnSqlite(t: TableSnapshot, trial: SqliteTrial, skipped: string[]): string {
  if (t.checks.length > 0) {
    const withChecks = createTable(t, true);
    const error = trial(withChecks);
    if (error === null) return withChecks;
    skipped.push(`the check constraints of ${t.name} (SQLite cannot read them: ${error})`);
  }
  const plain = createTable(t, false);
  trial(plain);
  return plain;
}

/** The views SQLite can run, in an order that makes each after those it reads; the others go to `skipped`. */
function viewsOnSqlite(
  views: readonly ViewSnapshot[],
  trial: SqliteTrial,
  skipped: string[],
): Array<{ name: string; sql: string }> {
  const made: Array<{ name: string; sql: string }> = [];
  let waiting = views.map((v) => ({
    name: v.name,
    sql: `CREATE VIEW ${quoteIdent(v.name)} AS ${v.definition};`,
    error: '',
  }));
  // A view may read another one made later: another round while a round made one.
  for (let progress = true; progress && waiting.length > 0;) {
    const next: typeof waiting = [];
    for (const view of waiting) {
      // SQLite resolves a view's names and functions when it is read, not when it is made.
      const error = trial(view.sql) ?? trial(`SELECT * FROM ${quoteIdent(view.name)} LIMIT 0`);
      if (error === null) made.push(view);
      else {
        trial(`DROP VIEW IF EXISTS ${quoteIdent(view.name)}`);
        next.push({ ...view, error });
      }
    }
    progress = next.length < waiting.length;
    waiting = next;
  }
  for (const view of waiting) skipped.push(`view ${view.name} (SQLite cannot run it: ${view.error})`);
  return made;
}

/**
 * MySQL's trigger (`CREATE TRIGGER n AFTER INSERT ON t FOR EACH ROW <statement>`, as the snapshot writes it) in
 * SQLite's form, whose body is always BEGIN … END with a `;` after each statement.
 */
function triggerOnSqlite(definition: string): string {
  const at = definition.search(/ FOR EACH ROW /i);
  const head = definition.slice(0, at + ' FOR EACH ROW'.length);
  const body = definition.slice(at + ' FOR EACH ROW '.length).trim();
  if (/^begin\b[\s\S]*\bend$/i.test(body)) return `${head} ${body.replace(/;?\s*end$/i, ';\nEND')};`;
  return `${head} BEGIN ${body.replace(/;\s*$/, '')}; END;`;
}

/** Stored procedures, functions and events: SQLite has none. */
async function routinesAndEvents(driver: Driver): Promise<string[]> {
  const routines = await driver.query(
    'SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 2',
    [],
  );
  const events = await driver.query(
    'SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() ORDER BY 1',
    [],
  );
  return [
    ...routines.rows.map(
      ([type, name]) => `${String(type).toLowerCase()} ${String(name)} (SQLite has no stored routines)`,
    ),
    ...events.rows.map(([name]) => `event ${String(name)} (SQLite has no scheduled events)`),
  ];
}
