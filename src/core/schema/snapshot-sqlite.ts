/**
 * The SQLite reader: `sqlite_schema` for the objects and their SQL, and the table-valued pragmas (`pragma_table_xinfo`,
 * `pragma_index_list`, `pragma_index_xinfo`, `pragma_foreign_key_list`) joined to it, so the whole schema takes four
 * statements however many tables there are. What no pragma reports — CHECK constraints, generated-column expressions,
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
import type { SnapshotDriver } from './snapshot.ts';
import { parseCreateIndex, parseCreateTable } from './sqlite-sql.ts';
import { LEDGER_TABLE, asObjects, sortBy, toBool, toNumber, toText } from './util.ts';

/** User objects of the main schema: not SQLite's own, not the ledger. */
const USER_TABLES = `m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name <> '${LEDGER_TABLE}'`;

export async function readSqliteSchema(driver: SnapshotDriver): Promise<SchemaSnapshot> {
  const objects = asObjects(
    await driver.query(
      `SELECT m.type, m.name, m.tbl_name, m.sql FROM sqlite_schema AS m
       WHERE m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name`,
      [],
    ),
  );
  const columnRows = asObjects(
    await driver.query(
      `SELECT m.name AS tbl, p.cid, p.name, p.type, p."notnull" AS not_null, p.dflt_value, p.pk, p.hidden
       FROM sqlite_schema AS m, pragma_table_xinfo(m.name) AS p
       WHERE ${USER_TABLES} ORDER BY m.name, p.cid`,
      [],
    ),
  );
  const indexRows = asObjects(
    await driver.query(
      `SELECT m.name AS tbl, il.name AS idx, il."unique" AS is_unique, il.origin, x.seqno, x.cid, x.name AS col,
              x."desc" AS is_desc, x.coll, x."key" AS is_key
       FROM sqlite_schema AS m, pragma_index_list(m.name) AS il, pragma_index_xinfo(il.name) AS x
       WHERE ${USER_TABLES} ORDER BY m.name, il.name, x.seqno`,
      [],
    ),
  );
  const fkRows = asObjects(
    await driver.query(
      `SELECT m.name AS tbl, f.id, f.seq, f."table" AS parent, f."from" AS child_col, f."to" AS parent_col,
              f.on_update, f.on_delete
       FROM sqlite_schema AS m, pragma_foreign_key_list(m.name) AS f
       WHERE ${USER_TABLES} ORDER BY m.name, f.id, f.seq`,
      [],
    ),
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
    if (!toBool(r.is_key)) continue;
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
    if (parentCols.every((c) => c !== null)) fk.references.columns = parentCols as string[];
    else fk.references.columns = await parentPrimaryKey(driver, fk.references.table, pkParts);
    push(fks, table, fk);
  }

  const tables: TableSnapshot[] = [];
  for (const name of [...tableSql.keys()]) {
    const pk = [...pkParts.get(name)!].sort((a, b) => a.position - b.position).map((p) => p.name);
    const checks: CheckSnapshot[] = parsed.get(name)!.checks.map((c) =>
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
