/**
 * The PostgreSQL reader (also PGlite): the system catalogs, every schema except the system ones (`pg_catalog`,
 * `information_schema`, `pg_toast*`, `pg_temp_*`), objects that belong to an extension left out. Each object carries
 * its `schema`. One statement per object kind, whatever the number of tables. Every value is selected as text, a
 * boolean or an int4 (lists as JSON text), so the reader does not depend on how a driver maps arrays or bigints.
 *
 * - Indexes backing PRIMARY KEY and UNIQUE constraints show as `primary_key` / `unique_constraints`, not as indexes.
 * - Sequences owned by a column (serial, identity) are left out: they show as the column's `nextval(…)` default or
 *   its `identity`.
 * - NOT NULL constraints (PostgreSQL 18 lists them in `pg_constraint`) show as `nullable: false` on the column.
 * - The ledger `_migrations` (in any schema) and the triggers on it are left out.
 */
import type {
  ColumnSnapshot,
  EnumSnapshot,
  ForeignKeySnapshot,
  FunctionSnapshot,
  IndexSnapshot,
  ReferentialAction,
  SequenceSnapshot,
  TableSnapshot,
  TriggerSnapshot,
  ViewSnapshot,
} from './types.ts';
import type { SqlValue } from '../driver.ts';
import type { ReadSchema, SnapshotDriver } from './types.ts';
import { asObjects, sortBy, toBool, toText } from './util.ts';
import { LEDGER_TABLE } from '../ledger.ts';

/** A condition on a pg_namespace alias: a user schema. */
function userSchema(n: string): string {
  return `${n}.nspname NOT IN ('pg_catalog', 'information_schema')
    AND ${n}.nspname NOT LIKE 'pg\\_toast%' AND ${n}.nspname NOT LIKE 'pg\\_temp\\_%'`;
}

/** A condition: the object `oid` of catalog `catalog` is not part of an extension. */
function notFromExtension(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_depend AS dep
    WHERE dep.classid = '${catalog}'::regclass AND dep.objid = ${oid} AND dep.deptype = 'e')`;
}

/** User relations (tables, views, sequences, …) with their schema. */
const REL = `rel AS (
  SELECT c.oid, n.nspname AS schema_name, c.relname AS rel_name, c.relkind
  FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
  WHERE ${userSchema('n')} AND ${notFromExtension('pg_class', 'c.oid')}
)`;

const COLUMN_LIST = (arrayExpr: string, relExpr: string): string => `(
  SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(${arrayExpr}) WITH ORDINALITY AS k(num, i)
  JOIN pg_attribute AS a ON a.attrelid = ${relExpr} AND a.attnum = k.num)::text`;

/**
 * One statement reads everything: each object kind is a sub-select aggregated to JSON text, so the whole schema is one
 * round trip, one plan and one row to decode, however many tables there are (PGlite spends far more on planning,
 * row decoding and round trips than on the catalog scans themselves).
 */
const SCHEMA_QUERY = `WITH ${REL.replace('rel AS (', 'rel AS MATERIALIZED (')}, tbl AS MATERIALIZED (
  SELECT * FROM rel WHERE relkind IN ('r', 'p') AND rel_name <> '${LEDGER_TABLE}'
)
SELECT
  (SELECT json_agg(x)::text FROM (
    SELECT schema_name, rel_name, relkind = 'r' AND pg_relation_size(oid) = 0 AS empty FROM tbl) AS x) AS tables,
  (SELECT json_agg(x ORDER BY x.num)::text FROM (
    SELECT tbl.schema_name, tbl.rel_name, a.attnum::int AS num, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
           a.attnotnull, pg_get_expr(d.adbin, d.adrelid, true) AS def, a.attidentity::text AS identity,
           a.attgenerated::text AS generated,
           CASE WHEN a.attcollation <> ty.typcollation THEN co.collname END AS collation
    FROM tbl JOIN pg_attribute AS a ON a.attrelid = tbl.oid
    JOIN pg_type AS ty ON ty.oid = a.atttypid
    LEFT JOIN pg_collation AS co ON co.oid = a.attcollation
    LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped) AS x) AS columns,
  (SELECT json_agg(x)::text FROM (
    SELECT tbl.schema_name, tbl.rel_name, con.conname, con.contype::text AS type,
           ${COLUMN_LIST('con.conkey', 'con.conrelid')} AS cols,
           fn.nspname AS ref_schema, fc.relname AS ref_table,
           ${COLUMN_LIST('con.confkey', 'con.confrelid')} AS ref_cols,
           con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete,
           pg_get_expr(con.conbin, con.conrelid, true) AS check_expr
    FROM tbl JOIN pg_constraint AS con ON con.conrelid = tbl.oid
    LEFT JOIN pg_class AS fc ON fc.oid = con.confrelid
    LEFT JOIN pg_namespace AS fn ON fn.oid = fc.relnamespace
    WHERE con.contype IN ('p', 'u', 'f', 'c')) AS x) AS constraints,
  (SELECT json_agg(x)::text FROM (
    SELECT tbl.schema_name, tbl.rel_name, ic.relname AS idx, i.indisunique, am.amname,
           (SELECT json_agg(pg_get_indexdef(i.indexrelid, k, true) ||
                     CASE (i.indoption[k - 1])::int & 3
                       WHEN 1 THEN ' DESC NULLS LAST' WHEN 2 THEN ' NULLS FIRST' WHEN 3 THEN ' DESC' ELSE '' END
                     ORDER BY k)
            FROM generate_series(1, i.indnkeyatts::int) AS k)::text AS cols,
           (SELECT json_agg(pg_get_indexdef(i.indexrelid, k, true) ORDER BY k)
            FROM generate_series(i.indnkeyatts::int + 1, i.indnatts::int) AS k)::text AS incl,
           pg_get_expr(i.indpred, i.indrelid, true) AS pred
    FROM tbl JOIN pg_index AS i ON i.indrelid = tbl.oid
    JOIN pg_class AS ic ON ic.oid = i.indexrelid
    JOIN pg_am AS am ON am.oid = ic.relam
    WHERE NOT EXISTS (SELECT 1 FROM pg_constraint AS con
                      WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u'))
  ) AS x) AS indexes,
  (SELECT json_agg(x)::text FROM (
    SELECT schema_name, rel_name, relkind::text AS kind, pg_get_viewdef(oid, true) AS def
    FROM rel WHERE relkind IN ('v', 'm')) AS x) AS views,
  (SELECT json_agg(x)::text FROM (
    SELECT rel.schema_name, rel.rel_name, t.tgname, pg_get_triggerdef(t.oid, true) AS def
    FROM rel JOIN pg_trigger AS t ON t.tgrelid = rel.oid
    WHERE NOT t.tgisinternal AND NOT (rel.relkind IN ('r', 'p') AND rel.rel_name = '${LEDGER_TABLE}')) AS x) AS triggers,
  (SELECT json_agg(x)::text FROM (
    SELECT rel.schema_name, rel.rel_name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start,
           s.seqincrement::text AS inc, s.seqmin::text AS min, s.seqmax::text AS max, s.seqcycle
    FROM rel JOIN pg_sequence AS s ON s.seqrelid = rel.oid
    WHERE rel.relkind = 'S' AND NOT EXISTS (
      SELECT 1 FROM pg_depend AS dep
      WHERE dep.classid = 'pg_class'::regclass AND dep.objid = rel.oid
        AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i'))) AS x) AS sequences,
  (SELECT json_agg(x)::text FROM (
    SELECT n.nspname AS schema_name, t.typname,
           (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum AS e WHERE e.enumtypid = t.oid)::text AS vals
    FROM pg_type AS t JOIN pg_namespace AS n ON n.oid = t.typnamespace
    WHERE t.typtype = 'e' AND ${userSchema('n')} AND ${notFromExtension('pg_type', 't.oid')}) AS x) AS enums,
  (SELECT json_agg(x)::text FROM (
    SELECT n.nspname AS schema_name, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS sig,
           pg_get_functiondef(p.oid) AS def
    FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p') AND ${userSchema('n')} AND ${notFromExtension('pg_proc', 'p.oid')}) AS x) AS functions`;

type Row = Record<string, SqlValue>;

/** The rows of one aggregated sub-select (`json_agg` gives NULL, not `[]`, when there are none). */
function jsonRows(value: SqlValue | undefined): Row[] {
  if (typeof value !== 'string') return [];
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed) ? (parsed as Row[]) : [];
}

export async function readPostgresSchema(driver: SnapshotDriver): Promise<ReadSchema> {
  const [all] = asObjects(await driver.query(SCHEMA_QUERY, []));
  const tableRows = jsonRows(all?.tables);
  const columnRows = jsonRows(all?.columns);
  const constraintRows = jsonRows(all?.constraints);
  const indexRows = jsonRows(all?.indexes);
  const viewRows = jsonRows(all?.views);
  const triggerRows = jsonRows(all?.triggers);
  const sequenceRows = jsonRows(all?.sequences);
  const enumRows = jsonRows(all?.enums);
  const functionRows = jsonRows(all?.functions);

  const key = (r: Record<string, SqlValue>): string => `${toText(r.schema_name)}\u0000${toText(r.rel_name)}`;
  const tables = new Map<string, TableSnapshot>();
  const knownEmpty = new Set<TableSnapshot>();
  for (const r of tableRows) {
    const table: TableSnapshot = {
      name: toText(r.rel_name) ?? '',
      schema: toText(r.schema_name) ?? '',
      columns: [],
      unique_constraints: [],
      indexes: [],
      foreign_keys: [],
      checks: [],
    };
    tables.set(key(r), table);
    // A plain table whose heap has no pages has no rows, not even uncommitted ones: no count needed.
    if (toBool(r.empty)) knownEmpty.add(table);
  }

  for (const r of columnRows) {
    const table = tables.get(key(r));
    if (table === undefined) continue;
    const generated = toText(r.generated) ?? '';
    const identity = toText(r.identity) ?? '';
    const column: ColumnSnapshot = {
      name: toText(r.attname) ?? '',
      type: toText(r.type) ?? '',
      nullable: !toBool(r.attnotnull),
      default: generated === '' ? toText(r.def) : null,
      primary_key: false,
    };
    const collation = toText(r.collation);
    if (collation !== null) column.collation = collation;
    if (generated !== '') column.generated = { expression: toText(r.def) ?? '', stored: generated === 's' };
    if (identity === 'a') column.identity = 'always';
    else if (identity === 'd') column.identity = 'by default';
    table.columns.push(column);
  }

  for (const r of constraintRows) {
    const table = tables.get(key(r));
    if (table === undefined) continue;
    const name = toText(r.conname) ?? '';
    const columns = jsonList(r.cols);
    switch (toText(r.type)) {
      case 'p':
        table.primary_key = { name, columns };
        for (const c of table.columns) if (columns.includes(c.name)) c.primary_key = true;
        break;
      case 'u':
        table.unique_constraints.push({ name, columns });
        break;
      case 'f': {
        const fk: ForeignKeySnapshot = {
          name,
          columns,
          references: {
            table: toText(r.ref_table) ?? '',
            schema: toText(r.ref_schema) ?? '',
            columns: jsonList(r.ref_cols),
          },
          on_update: action(toText(r.on_update)),
          on_delete: action(toText(r.on_delete)),
        };
        table.foreign_keys.push(fk);
        break;
      }
      case 'c':
        table.checks.push({ name, expression: toText(r.check_expr) ?? '' });
        break;
    }
  }

  for (const r of indexRows) {
    const table = tables.get(key(r));
    if (table === undefined) continue;
    const index: IndexSnapshot = {
      name: toText(r.idx) ?? '',
      columns: jsonList(r.cols),
      unique: toBool(r.indisunique),
    };
    const predicate = toText(r.pred);
    if (predicate !== null) index.predicate = predicate;
    const method = toText(r.amname) ?? 'btree';
    if (method !== 'btree') index.method = method;
    const include = jsonList(r.incl);
    if (include.length > 0) index.include = include;
    table.indexes.push(index);
  }

  for (const table of tables.values()) {
    table.unique_constraints = sortBy(table.unique_constraints, (u) => [u.name ?? '', ...u.columns]);
    table.indexes = sortBy(table.indexes, (i) => i.name);
    table.foreign_keys = sortBy(table.foreign_keys, (f) => [f.name ?? '', ...f.columns]);
    table.checks = sortBy(table.checks, (c) => [c.name ?? '', c.expression]);
  }

  const views: ViewSnapshot[] = viewRows.map((r) => {
    const view: ViewSnapshot = {
      name: toText(r.rel_name) ?? '',
      schema: toText(r.schema_name) ?? '',
      definition: toText(r.def) ?? '',
    };
    if (toText(r.kind) === 'm') view.materialized = true;
    return view;
  });
  const triggers: TriggerSnapshot[] = triggerRows.map((r) => ({
    name: toText(r.tgname) ?? '',
    schema: toText(r.schema_name) ?? '',
    table: toText(r.rel_name) ?? '',
    definition: toText(r.def) ?? '',
  }));
  const sequences: SequenceSnapshot[] = sequenceRows.map((r) => ({
    name: toText(r.rel_name) ?? '',
    schema: toText(r.schema_name) ?? '',
    type: toText(r.type) ?? '',
    start: toText(r.start) ?? '',
    increment: toText(r.inc) ?? '',
    min: toText(r.min) ?? '',
    max: toText(r.max) ?? '',
    cycle: toBool(r.seqcycle),
  }));
  const enums: EnumSnapshot[] = enumRows.map((r) => ({
    name: toText(r.typname) ?? '',
    schema: toText(r.schema_name) ?? '',
    values: jsonList(r.vals),
  }));
  const functions: FunctionSnapshot[] = functionRows.map((r) => ({
    name: toText(r.sig) ?? '',
    schema: toText(r.schema_name) ?? '',
    definition: toText(r.def) ?? '',
  }));

  const bySchemaName = (o: { schema?: string; name: string }): string[] => [o.schema ?? '', o.name];
  return {
    engine: 'postgres',
    tables: sortBy([...tables.values()], bySchemaName),
    views: sortBy(views, bySchemaName),
    triggers: sortBy(triggers, (t) => [t.schema ?? '', t.table, t.name]),
    sequences: sortBy(sequences, bySchemaName),
    enums: sortBy(enums, bySchemaName),
    functions: sortBy(functions, bySchemaName),
    knownEmpty,
  };
}

function jsonList(value: unknown): string[] {
  if (typeof value !== 'string' || value === '') return [];
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed) ? parsed.map((v) => String(v)) : [];
}

function action(code: string | null): ReferentialAction {
  switch (code) {
    case 'r':
      return 'RESTRICT';
    case 'c':
      return 'CASCADE';
    case 'n':
      return 'SET NULL';
    case 'd':
      return 'SET DEFAULT';
    default:
      return 'NO ACTION';
  }
}
