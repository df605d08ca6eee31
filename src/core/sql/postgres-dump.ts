/**
 * A plain SQL dump of a PostgreSQL database (PGlite or a server), read through its driver: the schema snapshot
 * (src/core/schema) gives the objects and columns, the catalog's own `pg_get_constraintdef` / `pg_get_indexdef` give
 * constraints and indexes exactly, and `SELECT` of every column as text gives the data. Enough to recreate the tables,
 * their data, sequences (and their positions), indexes, constraints, views, triggers, enum types, functions and the
 * ledger with `psql -f` (one transaction), PGlite's `exec` or the playground's dump loader (src/core/sql/dump.ts).
 * Not covered: grants, comments, extensions, roles, table options.
 *
 * Used by the playground's "Download database" and by `moonwalk play --from postgres://…`, which keeps at most
 * `rowLimit` rows a table (the first by primary key) and says what it left out; foreign keys are then added
 * NOT VALID, since a row kept may point at one left out.
 */
import type { Driver, SqlValue } from '../driver.ts';
import { takeSnapshot } from '../schema/index.ts';
import type { ColumnSnapshot, TableSnapshot } from '../schema/index.ts';
import { LEDGER_CREATE, LEDGER_TABLE } from '../ledger.ts';

/** A table whose rows were not all dumped. */
export interface RowsLeftOut {
  table: string;
  kept: number;
  total: number;
}

export interface PostgresDump {
  text: string;
  leftOut: RowsLeftOut[];
}

/** PostgreSQL's reserved key words (and a few more that cannot be column names): quoted in the dump. */
const RESERVED = new Set(
  `all analyse analyze and any array as asc asymmetric authorization binary both case cast check
collate collation column concurrently constraint create cross current_catalog current_date current_role current_schema
current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign
freeze from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like
limit localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary
references returning right select session_user similar some symmetric system_user table tablesample then to trailing
true union unique user using variadic verbose when where window with`.split(/\s+/),
);

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function qualified(schema: string | undefined, name: string): string {
  return schema !== undefined && schema !== 'public' ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name);
}

async function rowsOf(driver: Driver, sql: string, params: SqlValue[] = []): Promise<Array<Record<string, SqlValue>>> {
  const result = await driver.query(sql, params);
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i] ?? null])));
}

const text = (v: SqlValue | undefined): string => (v === null || v === undefined ? '' : String(v));

function columnDefinition(c: ColumnSnapshot): string {
  let def = `${quoteIdent(c.name)} ${c.type}`;
  if (c.collation) def += ` COLLATE ${quoteIdent(c.collation)}`;
  if (c.generated) def += ` GENERATED ALWAYS AS (${c.generated.expression}) STORED`;
  else if (c.identity) def += ` GENERATED ${c.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
  else if (c.default !== null) def += ` DEFAULT ${c.default}`;
  if (!c.nullable) def += ' NOT NULL';
  return def;
}

/** The ledger as `Ledger` creates it; the snapshot leaves it out. */
const LEDGER_DDL = `${LEDGER_CREATE.postgres};`;

const ROWS_PER_INSERT = 100;

async function insertStatements(
  driver: Driver,
  name: string,
  table: TableSnapshot | null,
  out: string[],
  rowLimit: number | null = null,
): Promise<void> {
  const columns = table ? table.columns.filter((c) => !c.generated) : null;
  const list = columns ? columns.map((c) => quoteIdent(c.name)) : ['id', 'description', 'applied_at', 'checksum'];
  // Rows in key order, so that the same database gives the same dump (a table without a key: as they come).
  const order =
    table === null
      ? ' ORDER BY id'
      : table.primary_key
        ? ` ORDER BY ${table.primary_key.columns.map(quoteIdent).join(', ')}`
        : '';
  const limit = rowLimit === null ? '' : ` LIMIT ${rowLimit}`;
  const select = `SELECT ${list.map((c) => `${c}::text`).join(', ')} FROM ${name}${order}${limit}`;
  const result = await driver.query(select, []);
  if (result.rows.length === 0) return;
  const overriding = columns?.some((c) => c.identity === 'always') ? ' OVERRIDING SYSTEM VALUE' : '';
  for (let i = 0; i < result.rows.length; i += ROWS_PER_INSERT) {
    const values = result.rows
      .slice(i, i + ROWS_PER_INSERT)
      .map((row) => `  (${row.map((v) => (v === null ? 'NULL' : quoteLiteral(String(v)))).join(', ')})`);
    out.push(`INSERT INTO ${name} (${list.join(', ')})${overriding} VALUES\n${values.join(',\n')};`);
  }
}

/** A plain SQL dump of a PostgreSQL database (see the top of this file for what it holds). */
export async function postgresDump(driver: Driver): Promise<string> {
  return (await writePostgresDump(driver, null)).text;
}

/** The dump, with at most `rowLimit` rows a table (null: all of them), and the tables it did not dump whole. */
export async function writePostgresDump(driver: Driver, rowLimit: number | null): Promise<PostgresDump> {
  const snapshot = await takeSnapshot(driver, { rows: rowLimit !== null });
  const leftOut: RowsLeftOut[] = [];
  if (rowLimit !== null) {
    for (const t of snapshot.tables) {
      const total = t.rows ?? 0;
      if (total > rowLimit) leftOut.push({ table: qualified(t.schema, t.name), kept: rowLimit, total });
    }
  }
  const out: string[] = [
    `-- Moonwalk: a plain SQL dump of a PostgreSQL database, ${new Date().toISOString()}.`,
    '-- Tables with their data, sequences, indexes, constraints, views, triggers, enum types, functions and the',
    `-- ledger (${LEDGER_TABLE}). Restore it into an empty database: psql -v ON_ERROR_STOP=1 -f moonwalk-postgres.sql`,
    '',
    "SET client_encoding = 'UTF8';",
    'SET standard_conforming_strings = on;',
    'SET check_function_bodies = false;',
    'BEGIN;',
    '',
  ];

  const schemas = new Set<string>();
  for (const o of [
    ...snapshot.tables,
    ...snapshot.views,
    ...(snapshot.enums ?? []),
    ...(snapshot.sequences ?? []),
    ...(snapshot.functions ?? []),
  ]) {
    if (o.schema !== undefined && o.schema !== 'public') schemas.add(o.schema);
  }
  for (const s of [...schemas].sort()) out.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)};`);

  for (const e of snapshot.enums ?? []) {
    out.push(`CREATE TYPE ${qualified(e.schema, e.name)} AS ENUM (${e.values.map(quoteLiteral).join(', ')});`);
  }

  // Every sequence that is not an identity column's (those come with their column): free ones and serial ones.
  const sequences = await rowsOf(
    driver,
    `
    SELECT quote_ident(n.nspname) AS schema_name, quote_ident(c.relname) AS seq_name, format_type(s.seqtypid, NULL) AS type,
           s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max,
           s.seqcycle AS cycle, dep.deptype::text AS deptype,
           quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) AS owner_table, quote_ident(a.attname) AS owner_column,
           a.attname AS owner_column_name
    FROM pg_sequence AS s
    JOIN pg_class AS c ON c.oid = s.seqrelid
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    LEFT JOIN pg_depend AS dep ON dep.classid = 'pg_class'::regclass AND dep.objid = s.seqrelid
      AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
    LEFT JOIN pg_class AS tc ON tc.oid = dep.refobjid
    LEFT JOIN pg_namespace AS tn ON tn.oid = tc.relnamespace
    LEFT JOIN pg_attribute AS a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend AS x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
    ORDER BY n.nspname, c.relname`,
  );
  const seqName = (s: Record<string, SqlValue>) =>
    s.schema_name === 'public' ? text(s.seq_name) : `${text(s.schema_name)}.${text(s.seq_name)}`;
  for (const s of sequences) {
    if (s.deptype === 'i') continue;
    out.push(
      `CREATE SEQUENCE ${seqName(s)} AS ${text(s.type)} START ${text(s.start)} INCREMENT ${text(s.increment)} ` +
        `MINVALUE ${text(s.min)} MAXVALUE ${text(s.max)}${s.cycle === true || s.cycle === 't' ? ' CYCLE' : ''};`,
    );
  }
  if (schemas.size || (snapshot.enums ?? []).length || sequences.length) out.push('');

  for (const f of snapshot.functions ?? []) out.push(`${f.definition.trim().replace(/;?$/, ';')}`, '');

  // Tables: columns, primary key, unique, check and exclusion constraints; foreign keys come after the data.
  const foreignKeys: string[] = [];
  const indexes: string[] = [];
  for (const t of snapshot.tables) {
    const name = qualified(t.schema, t.name);
    const constraints = await rowsOf(
      driver,
      `
      SELECT quote_ident(conname) AS name, contype::text AS type, pg_get_constraintdef(oid, true) AS def
      FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype IN ('p', 'u', 'c', 'x', 'f')
      ORDER BY CASE contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 ELSE 2 END, conname`,
      [name],
    );
    const parts = t.columns.map((c) => `  ${columnDefinition(c)}`);
    for (const c of constraints) {
      if (c.type === 'f')
        foreignKeys.push(
          `ALTER TABLE ${name} ADD CONSTRAINT ${text(c.name)} ${text(c.def)}${leftOut.length > 0 ? ' NOT VALID' : ''};`,
        );
      else parts.push(`  CONSTRAINT ${text(c.name)} ${text(c.def)}`);
    }
    out.push(`CREATE TABLE ${name} (\n${parts.join(',\n')}\n);`);
    const tableIndexes = await rowsOf(
      driver,
      `
      SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
      WHERE i.indrelid = to_regclass($1) AND NOT EXISTS (SELECT 1 FROM pg_constraint AS con WHERE con.conindid = i.indexrelid)
      ORDER BY c.relname`,
      [name],
    );
    for (const i of tableIndexes) indexes.push(`${text(i.def)};`);
  }
  for (const s of sequences) {
    if (s.deptype === 'a')
      out.push(
        `ALTER SEQUENCE ${seqName(s)} OWNED BY ${text(s.owner_table).replace(/^public\./, '')}.${text(s.owner_column)};`,
      );
  }

  const ledger = await rowsOf(driver, `SELECT to_regclass('${LEDGER_TABLE}')::text AS ledger`);
  if (ledger[0]?.ledger) out.push(LEDGER_DDL);
  out.push('');

  // Data.
  for (const t of snapshot.tables) {
    const before = out.length;
    await insertStatements(driver, qualified(t.schema, t.name), t, out, rowLimit);
    if (out.length > before) out.push('');
  }
  if (ledger[0]?.ledger) {
    await insertStatements(driver, LEDGER_TABLE, null, out);
    out.push('');
  }

  // Sequence positions (serial, identity and free sequences).
  for (const s of sequences) {
    const state = await rowsOf(driver, `SELECT last_value::text AS value, is_called FROM ${seqName(s)}`);
    const called = state[0]?.is_called === true || state[0]?.is_called === 't';
    const target =
      s.deptype === 'i'
        ? `pg_get_serial_sequence(${quoteLiteral(text(s.owner_table))}, ${quoteLiteral(text(s.owner_column_name))})`
        : quoteLiteral(seqName(s));
    out.push(`SELECT pg_catalog.setval(${target}, ${text(state[0]?.value)}, ${called});`);
  }
  if (sequences.length) out.push('');

  for (const i of indexes) out.push(i);
  for (const fk of foreignKeys) out.push(fk);
  if (indexes.length || foreignKeys.length) out.push('');

  // Views in the order they were made (a view can only use the ones made before it).
  const views = await rowsOf(
    driver,
    `
    SELECT n.nspname AS schema_name, c.relname AS name FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY c.oid`,
  );
  for (const v of views) {
    const view = snapshot.views.find((x) => x.name === text(v.name) && (x.schema ?? 'public') === text(v.schema_name));
    if (!view) continue;
    const definition = view.definition.trim().replace(/;$/, '');
    out.push(
      view.materialized
        ? `CREATE MATERIALIZED VIEW ${qualified(view.schema, view.name)} AS\n${definition}\nWITH DATA;`
        : `CREATE VIEW ${qualified(view.schema, view.name)} AS\n${definition};`,
    );
  }
  for (const t of snapshot.triggers) out.push(`${t.definition.trim().replace(/;?$/, ';')}`);

  out.push('', 'COMMIT;', '');
  return { text: out.join('\n'), leftOut };
}
