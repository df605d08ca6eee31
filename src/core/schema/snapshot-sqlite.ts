/**
 * The SQLite reader: `sqlite_schema` for the objects and their SQL, and the table-valued pragmas (`pragma_table_xinfo`,
 * `pragma_index_list`, `pragma_index_xinfo`, `pragma_foreign_key_list`) joined to it, all in one statement however
 * many tables there are (plus the row counts, see `snapshot.ts`). What no pragma reports — CHECK constraints, generated-column expressions,
 * index expressions and WHERE clauses — comes from the stored CREATE statements (`sqlite-sql.ts`).
 *
 * Left out: `sqlite_%` objects (`sqlite_sequence`, `sqlite_stat1`, …), the ledger `_migrations` and the triggers on it.
 * The indexes SQLite makes for PRIMARY KEY and UNIQUE constraints (`origin` `pk`/`u`) show as `primary_key` and
 * `unique_constraints`; only `CREATE INDEX` indexes (`origin` `c`) are listed as indexes.
 */
import type {
  CheckSnapshot,
  ColumnSnapshot,
  ForeignKeySnapshot,
  IndexSnapshot,
  ReferentialAction,
  SchemaSnapshot,
  TableSnapshot,
  TriggerSnapshot,
  UniqueSnapshot,
  ViewSnapshot,
} from './types.ts';
import type { SnapshotDriver } from './types.ts';
import { parseCreateIndex, parseCreateTable } from './sqlite-sql.ts';
import type { SqlValue } from '../driver.ts';
import { sortBy, toBool, toNumber, toText } from './util.ts';
import { LEDGER_TABLE } from '../ledger.ts';

/** User objects of the main schema: not SQLite's own, not the ledger. */
const USER_TABLES = `m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name <> '${LEDGER_TABLE}'`;

/**
 * The whole schema in one statement: each part is aggregated to one JSON text (`json_group_array` of `json_array`s),
 * which sql.js hands over far faster than thousands of rows of separate values. The field names of each part are
 * listed beside it; `ORDER BY` is not relied on (the reader orders what needs an order itself).
 */
const PARTS = {
  objects: {
    fields: ['type', 'name', 'tbl_name', 'sql'],
    from: `sqlite_schema AS m WHERE m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`,
    select: 'm.type, m.name, m.tbl_name, m.sql',
  },
  columns: {
    fields: ['tbl', 'cid', 'name', 'type', 'not_null', 'dflt_value', 'pk', 'hidden'],
    from: `sqlite_schema AS m, pragma_table_xinfo(m.name) AS p WHERE ${USER_TABLES}`,
    select: 'm.name, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden',
  },
  indexes: {
    fields: ['tbl', 'idx', 'is_unique', 'origin', 'seqno', 'cid', 'col', 'is_desc', 'coll'],
    from: `sqlite_schema AS m, pragma_index_list(m.name) AS il, pragma_index_xinfo(il.name) AS x
      WHERE ${USER_TABLES} AND x."key"`,
    select: 'm.name, il.name, il."unique", il.origin, x.seqno, x.cid, x.name, x."desc", x.coll',
  },
  foreignKeys: {
    fields: ['tbl', 'id', 'seq', 'parent', 'child_col', 'parent_col', 'on_update', 'on_delete'],
    from: `sqlite_schema AS m, pragma_foreign_key_list(m.name) AS f WHERE ${USER_TABLES}`,
    select: 'm.name, f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete',
  },
} as const;

type Part = keyof typeof PARTS;
type Row = Record<string, SqlValue>;

const SCHEMA_QUERY =
  'SELECT ' +
  (Object.keys(PARTS) as Part[])
    .map((part) => `(SELECT json_group_array(json_array(${PARTS[part].select})) FROM ${PARTS[part].from}) AS ${part}`)
    .join(',\n  ');

/** One part of the answer as objects keyed by the part's field names. */
function partRows(value: SqlValue | undefined, part: Part): Row[] {
  const fields = PARTS[part].fields;
  const list: unknown = typeof value === 'string' ? JSON.parse(value) : [];
  if (!Array.isArray(list)) return [];
  return list.map((values: SqlValue[]) => {
    const row: Row = {};
    for (let i = 0; i < fields.length; i++) row[fields[i]] = values[i] ?? null;
    return row;
  });
}

export async function readSqliteSchema(driver: SnapshotDriver): Promise<SchemaSnapshot> {
  const result = await driver.query(SCHEMA_QUERY, []);
  const answer = result.rows[0] ?? [];
  const column = (part: Part): Row[] => partRows(answer[result.columns.indexOf(part)], part);
  const objects = column('objects');
  const columnRows = column('columns').sort((a, b) => toNumber(a.cid) - toNumber(b.cid));
  const indexRows = column('indexes').sort((a, b) => toNumber(a.seqno) - toNumber(b.seqno));
  const fkRows = column('foreignKeys').sort(
    (a, b) => toNumber(a.id) - toNumber(b.id) || toNumber(a.seq) - toNumber(b.seq),
  );

  const tableSql = new Map<string, string>();
  const indexSql = new Map<string, string>();
  const views: ViewSnapshot[] = [];
  const triggers: TriggerSnapshot[] = [];
  for (const o of objects) {
    const type = toText(o.type);
    const name = toText(o.name) ?? '';
    const sql = toText(o.sql) ?? '';
    if (type === 'table' && name !== LEDGER_TABLE) tableSql.set(name, sql);
    else if (type === 'index') indexSql.set(name, sql);
    else if (type === 'view') views.push({ name, definition: sql });
    else if (type === 'trigger' && toText(o.tbl_name) !== LEDGER_TABLE) {
      triggers.push({ name, table: toText(o.tbl_name) ?? '', definition: sql });
    }
  }

  // Columns, primary keys.
  const columns = new Map<string, ColumnSnapshot[]>();
  const pkParts = new Map<string, { name: string; position: number }[]>();
  const parsed = new Map<string, ReturnType<typeof parseCreateTable>>();
  for (const name of tableSql.keys()) {
    columns.set(name, []);
    pkParts.set(name, []);
    parsed.set(name, parseCreateTable(tableSql.get(name)!));
  }
  for (const r of columnRows) {
    const tbl = toText(r.tbl) ?? '';
    const list = columns.get(tbl);
    if (list === undefined) continue;
    const hidden = toNumber(r.hidden);
    if (hidden === 1) continue; // a virtual table's hidden column
    const name = toText(r.name) ?? '';
    const pk = toNumber(r.pk);
    const column: ColumnSnapshot = {
      name,
      type: toText(r.type) ?? '',
      nullable: !toBool(r.not_null),
      default: toText(r.dflt_value),
      primary_key: pk > 0,
    };
    const collation = lookup(parsed.get(tbl)!.collations, name);
    if (collation !== undefined && collation.toUpperCase() !== 'BINARY') column.collation = collation;
    if (hidden === 2 || hidden === 3) {
      const generated = lookup(parsed.get(tbl)!.generated, name);
      column.generated = { expression: generated?.expression ?? '', stored: hidden === 3 };
    }
    list.push(column);
    if (pk > 0) pkParts.get(tbl)!.push({ name, position: pk });
  }

  // Indexes and unique constraints.
  interface RawIndex {
    table: string;
    name: string;
    unique: boolean;
    origin: string;
    parts: { cid: number; name: string | null; desc: boolean; coll: string | null }[];
  }
  const rawIndexes = new Map<string, RawIndex>();
  for (const r of indexRows) {
    const name = toText(r.idx) ?? '';
    let raw = rawIndexes.get(name);
    if (raw === undefined) {
      raw = {
        table: toText(r.tbl) ?? '',
        name,
        unique: toBool(r.is_unique),
        origin: toText(r.origin) ?? 'c',
        parts: [],
      };
      rawIndexes.set(name, raw);
    }
    raw.parts.push({ cid: toNumber(r.cid), name: toText(r.col), desc: toBool(r.is_desc), coll: toText(r.coll) });
  }
  const indexes = new Map<string, IndexSnapshot[]>();
  const uniques = new Map<string, UniqueSnapshot[]>();
  for (const raw of rawIndexes.values()) {
    if (raw.origin === 'pk') continue;
    if (raw.origin === 'u') {
      push(uniques, raw.table, { columns: raw.parts.map((p) => p.name ?? '') });
      continue;
    }
    const sqlText = indexSql.get(raw.name);
    const parsedIndex = sqlText ? parseCreateIndex(sqlText) : undefined;
    const index: IndexSnapshot = {
      name: raw.name,
      columns: raw.parts.map((p, i) => {
        let text: string;
        if (p.cid >= 0 && p.name !== null) {
          text = p.name;
          if (p.coll !== null && p.coll.toUpperCase() !== 'BINARY') text += ` COLLATE ${p.coll}`;
        } else {
          // an expression (cid -2): its text as written in CREATE INDEX
          text = parsedIndex?.parts[i] ?? '';
        }
        return p.desc ? `${text} DESC` : text;
      }),
      unique: raw.unique,
    };
    if (parsedIndex?.predicate !== undefined) index.predicate = parsedIndex.predicate;
    push(indexes, raw.table, index);
  }

  // Foreign keys. A reference without columns means the parent's primary key.
  const fks = new Map<string, ForeignKeySnapshot[]>();
  const fkById = new Map<string, { table: string; fk: ForeignKeySnapshot; parentCols: (string | null)[] }>();
  for (const r of fkRows) {
    const tbl = toText(r.tbl) ?? '';
    const key = `${tbl}\u0000${toNumber(r.id)}`;
    let entry = fkById.get(key);
    if (entry === undefined) {
      entry = {
        table: tbl,
        fk: {
          columns: [],
          references: { table: toText(r.parent) ?? '', columns: [] },
          on_update: action(r.on_update),
          on_delete: action(r.on_delete),
        },
        parentCols: [],
      };
      fkById.set(key, entry);
    }
    entry.fk.columns.push(toText(r.child_col) ?? '');
    entry.parentCols.push(toText(r.parent_col));
  }
  for (const { table, fk, parentCols } of fkById.values()) {
    if (parentCols.every((c) => c !== null)) fk.references.columns = parentCols;
    else fk.references.columns = await parentPrimaryKey(driver, fk.references.table, pkParts);
    push(fks, table, fk);
  }

  const tables: TableSnapshot[] = [];
  for (const name of [...tableSql.keys()]) {
    const pk = [...pkParts.get(name)!].sort((a, b) => a.position - b.position).map((p) => p.name);
    const checks: CheckSnapshot[] = parsed
      .get(name)!
      .checks.map((c) =>
        c.name !== undefined ? { name: c.name, expression: c.expression } : { expression: c.expression },
      );
    const table: TableSnapshot = {
      name,
      columns: columns.get(name)!,
      unique_constraints: sortBy(uniques.get(name) ?? [], (u) => u.columns),
      indexes: sortBy(indexes.get(name) ?? [], (i) => i.name),
      foreign_keys: sortBy(fks.get(name) ?? [], (f) => [
        f.columns.join('\u0000'),
        f.references.table,
        f.references.columns.join('\u0000'),
        f.on_update,
        f.on_delete,
      ]),
      checks: sortBy(checks, (c) => [c.name ?? '', c.expression]),
    };
    if (pk.length > 0) table.primary_key = { columns: pk };
    tables.push(table);
  }

  return {
    engine: 'sqlite',
    tables: sortBy(tables, (t) => t.name),
    views: sortBy(views, (v) => v.name),
    triggers: sortBy(triggers, (t) => [t.table, t.name]),
  };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Column names in SQLite are case-insensitive: find a column's entry whatever case it was written in. */
function lookup<T>(map: Map<string, T>, name: string): T | undefined {
  const exact = map.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [k, v] of map) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function action(value: unknown): ReferentialAction {
  const text = (typeof value === 'string' ? value : 'NO ACTION').toUpperCase();
  switch (text) {
    case 'RESTRICT':
    case 'CASCADE':
    case 'SET NULL':
    case 'SET DEFAULT':
      return text;
    default:
      return 'NO ACTION';
  }
}

async function parentPrimaryKey(
  driver: SnapshotDriver,
  parent: string,
  known: Map<string, { name: string; position: number }[]>,
): Promise<string[]> {
  // Table names are case-insensitive in SQLite.
  for (const [name, parts] of known) {
    if (name.toLowerCase() === parent.toLowerCase()) {
      return [...parts].sort((a, b) => a.position - b.position).map((p) => p.name);
    }
  }
  const result = await driver.query('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk', [parent]);
  return result.rows.map((r) => toText(r[0]) ?? '');
}
