/**
 * The MySQL / MariaDB reader: `information_schema` of the current database (`DATABASE()`), one statement per object
 * kind whatever the number of tables (plus one for the database name and server flavour, and the row counts, see
 * `snapshot.ts`). Objects carry no `schema`: a snapshot is of one database. Order is never taken from the server:
 * the reader sorts everything itself (code-unit order), columns by their ordinal position.
 *
 * Decisions:
 * - PRIMARY KEY: the `PRIMARY` index, shown as `primary_key` without a name (MySQL always calls it `PRIMARY`).
 * - UNIQUE: MySQL makes no difference between `UNIQUE (…)`, `ADD CONSTRAINT … UNIQUE` and `CREATE UNIQUE INDEX`; all
 *   are a unique index that `TABLE_CONSTRAINTS` lists as a UNIQUE constraint. So every unique index whose key parts are
 *   whole columns, ascending, with the default index type shows as a named `unique_constraints` entry. A unique index
 *   that a constraint cannot express (a prefix length, a DESC or expression part, FULLTEXT/SPATIAL/HASH) stays an index
 *   with `unique: true`, so nothing is lost.
 * - Indexes: key parts are column names, `col(n)` with a prefix length, `(expr)` for a MySQL 8 functional part,
 *   followed by ` DESC` where descending; `method` is the lower-cased index type when not BTREE. The index InnoDB adds
 *   for a foreign key that has none is a real index (it shows in SHOW CREATE TABLE) and is listed.
 * - Defaults: MariaDB (10.2.7+) reports them as expressions (`'abc'`, `0`, `current_timestamp()`, and the text `NULL`
 *   for "no default" on a nullable column); MySQL reports literals unquoted. Both are normalised to MariaDB's form:
 *   string literals quoted with `'` (embedded quotes doubled), `NULL` / no default → null. `ON UPDATE …` (EXTRA) is
 *   appended to the default (`current_timestamp() ON UPDATE current_timestamp()`), the snapshot has no field of its own.
 * - AUTO_INCREMENT: `identity: 'by default'` (an explicit value may still be inserted).
 * - Generated columns: `generated` with the expression as the server shows it; `stored` for STORED/PERSISTENT.
 * - Collation: shown when the column's differs from its table's default collation.
 * - CHECK constraints: MariaDB also lists column-level checks (named after the column, `LEVEL = 'Column'`) and the
 *   implicit `json_valid(…)` check of a JSON column; they are listed like any other check.
 * - Views: `VIEW_DEFINITION` (the SELECT), with the `` `database`. `` qualifier the server adds removed, so the text
 *   does not depend on the database's name. Triggers: `CREATE TRIGGER name TIMING EVENT ON table FOR EACH ROW stmt`
 *   rebuilt from `TRIGGERS`.
 * - Left out: the ledger `_migrations` and triggers on it; sequences, events, routines and partitioning (not read).
 */
import type {
  ColumnSnapshot,
  ForeignKeySnapshot,
  IndexSnapshot,
  ReferentialAction,
  TableSnapshot,
  TriggerSnapshot,
  ViewSnapshot,
} from './types.ts';
import type { SqlValue } from '../driver.ts';
import type { ReadSchema, SnapshotDriver, SnapshotReader } from './types.ts';
import { asObjects, sortBy, toNumber, toText } from './util.ts';
import { LEDGER_TABLE } from '../ledger.ts';

type Row = Record<string, SqlValue>;

/** `` `name` `` with embedded backticks doubled (MySQL identifier quoting). */
export function quoteMysqlIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

const IS = 'information_schema';

const TABLES_SQL = `SELECT TABLE_NAME AS tbl, TABLE_COLLATION AS coll FROM ${IS}.TABLES
  WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') AND TABLE_NAME <> '${LEDGER_TABLE}'`;

const COLUMNS_SQL = `SELECT TABLE_NAME AS tbl, COLUMN_NAME AS name, ORDINAL_POSITION AS pos, COLUMN_TYPE AS type,
    DATA_TYPE AS data_type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def, EXTRA AS extra,
    GENERATION_EXPRESSION AS gen, COLLATION_NAME AS coll
  FROM ${IS}.COLUMNS WHERE TABLE_SCHEMA = DATABASE()`;

/** `SELECT *`: MySQL 8 has an EXPRESSION column (functional key parts), MariaDB does not. */
const INDEXES_SQL = `SELECT * FROM ${IS}.STATISTICS WHERE TABLE_SCHEMA = DATABASE()`;

const FOREIGN_KEYS_SQL = `SELECT rc.TABLE_NAME AS tbl, rc.CONSTRAINT_NAME AS name, rc.UPDATE_RULE AS on_update,
    rc.DELETE_RULE AS on_delete, k.COLUMN_NAME AS col, k.ORDINAL_POSITION AS pos,
    k.REFERENCED_TABLE_SCHEMA AS ref_schema, k.REFERENCED_TABLE_NAME AS ref_table, k.REFERENCED_COLUMN_NAME AS ref_col
  FROM ${IS}.REFERENTIAL_CONSTRAINTS AS rc
  JOIN ${IS}.KEY_COLUMN_USAGE AS k ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA
    AND k.TABLE_NAME = rc.TABLE_NAME AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
  WHERE rc.CONSTRAINT_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL`;

/** MariaDB's CHECK_CONSTRAINTS has TABLE_NAME (check names are per table there); MySQL's needs TABLE_CONSTRAINTS. */
const CHECKS_SQL_MARIADB = `SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, CHECK_CLAUSE AS expr
  FROM ${IS}.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()`;
const CHECKS_SQL_MYSQL = `SELECT tc.TABLE_NAME AS tbl, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS expr
  FROM ${IS}.CHECK_CONSTRAINTS AS cc
  JOIN ${IS}.TABLE_CONSTRAINTS AS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA
    AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
  WHERE cc.CONSTRAINT_SCHEMA = DATABASE()`;

const VIEWS_SQL = `SELECT TABLE_NAME AS name, VIEW_DEFINITION AS def FROM ${IS}.VIEWS WHERE TABLE_SCHEMA = DATABASE()`;

const TRIGGERS_SQL = `SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl, ACTION_TIMING AS timing,
    EVENT_MANIPULATION AS event, ACTION_STATEMENT AS stmt
  FROM ${IS}.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE <> '${LEDGER_TABLE}'`;

/** DATA_TYPEs whose defaults MySQL (not MariaDB) reports without quotes although they are literals of a number. */
const NUMERIC_TYPES = new Set([
  'tinyint',
  'smallint',
  'mediumint',
  'int',
  'integer',
  'bigint',
  'decimal',
  'numeric',
  'float',
  'double',
  'real',
  'bit',
  'bool',
  'boolean',
  'year',
]);

async function rows(driver: SnapshotDriver, sql: string): Promise<Row[]> {
  return asObjects(await driver.query(sql, []));
}

function sqlString(text: string): string {
  return "'" + text.replace(/'/g, "''") + "'";
}

/** The default as an expression (see the module comment), or null. */
function normaliseDefault(r: Row, mariadb: boolean): string | null {
  const raw = toText(r.def);
  const extra = (toText(r.extra) ?? '').toLowerCase();
  let def: string | null;
  if (raw === null) def = null;
  else if (mariadb) def = raw === 'NULL' ? null : raw;
  else if (extra.includes('default_generated'))
    def = raw; // an expression (CURRENT_TIMESTAMP, (rand()), …)
  else def = NUMERIC_TYPES.has((toText(r.data_type) ?? '').toLowerCase()) ? raw : sqlString(raw);
  const onUpdate = /on update (.+)$/i.exec(toText(r.extra) ?? '');
  if (onUpdate !== null) def = (def ?? 'NULL') + ' ON UPDATE ' + onUpdate[1].trim();
  return def;
}

function action(rule: string | null): ReferentialAction {
  switch ((rule ?? '').toUpperCase()) {
    case 'RESTRICT':
      return 'RESTRICT';
    case 'CASCADE':
      return 'CASCADE';
    case 'SET NULL':
      return 'SET NULL';
    case 'SET DEFAULT':
      return 'SET DEFAULT';
    default:
      return 'NO ACTION';
  }
}

export async function readMysqlSchema(driver: SnapshotDriver): Promise<ReadSchema> {
  const [info] = await rows(driver, 'SELECT DATABASE() AS db, VERSION() AS version');
  const database = toText(info?.db);
  if (database === null) throw new Error('no database selected: put the database name in the URL (mysql://…/name)');
  const mariadb = /mariadb/i.test(toText(info?.version) ?? '');

  const tableRows = await rows(driver, TABLES_SQL);
  const columnRows = await rows(driver, COLUMNS_SQL);
  const indexRows = await rows(driver, INDEXES_SQL);
  const fkRows = await rows(driver, FOREIGN_KEYS_SQL);
  const checkRows = await rows(driver, mariadb ? CHECKS_SQL_MARIADB : CHECKS_SQL_MYSQL);
  const viewRows = await rows(driver, VIEWS_SQL);
  const triggerRows = await rows(driver, TRIGGERS_SQL);

  const tables = new Map<string, TableSnapshot>();
  const tableCollation = new Map<string, string | null>();
  for (const r of tableRows) {
    const name = toText(r.tbl) ?? '';
    tables.set(name, { name, columns: [], unique_constraints: [], indexes: [], foreign_keys: [], checks: [] });
    tableCollation.set(name, toText(r.coll));
  }

  // Columns, in ordinal order.
  const sortedColumns = [...columnRows].sort((a, b) => toNumber(a.pos) - toNumber(b.pos));
  for (const r of sortedColumns) {
    const tbl = toText(r.tbl) ?? '';
    const table = tables.get(tbl);
    if (table === undefined) continue;
    const extra = (toText(r.extra) ?? '').toLowerCase();
    const expression = toText(r.gen);
    const isGenerated =
      expression !== null && expression !== '' && extra.includes('generated') && !extra.includes('default_generated');
    const column: ColumnSnapshot = {
      name: toText(r.name) ?? '',
      type: toText(r.type) ?? '',
      nullable: toText(r.nullable) === 'YES',
      default: isGenerated ? null : normaliseDefault(r, mariadb),
      primary_key: false,
    };
    const collation = toText(r.coll);
    if (collation !== null && collation !== tableCollation.get(tbl)) column.collation = collation;
    if (isGenerated) column.generated = { expression: expression, stored: /stored|persistent/.test(extra) };
    if (extra.includes('auto_increment')) column.identity = 'by default';
    table.columns.push(column);
  }

  // Indexes: group key parts by (table, index).
  interface Part {
    seq: number;
    text: string;
    plain: boolean;
  }
  const indexes = new Map<
    string,
    { table: TableSnapshot; name: string; unique: boolean; type: string; parts: Part[] }
  >();
  for (const r of indexRows) {
    const table = tables.get(toText(r.TABLE_NAME) ?? '');
    if (table === undefined) continue;
    const name = toText(r.INDEX_NAME) ?? '';
    const index = entryOf(indexes, table, name, () => ({
      table,
      name,
      unique: toNumber(r.NON_UNIQUE) === 0,
      type: (toText(r.INDEX_TYPE) ?? 'BTREE').toUpperCase(),
      parts: [],
    }));
    const column = toText(r.COLUMN_NAME);
    const expression = toText(r.EXPRESSION);
    const subPart = r.SUB_PART === null || r.SUB_PART === undefined ? null : toNumber(r.SUB_PART);
    const desc = toText(r.COLLATION) === 'D';
    let text = column !== null ? column : `(${expression ?? ''})`;
    if (subPart !== null) text += `(${subPart})`;
    if (desc) text += ' DESC';
    index.parts.push({ seq: toNumber(r.SEQ_IN_INDEX), text, plain: column !== null && subPart === null && !desc });
  }
  for (const index of indexes.values()) {
    const parts = [...index.parts].sort((a, b) => a.seq - b.seq);
    const columns = parts.map((p) => p.text);
    const defaultType = index.type === 'BTREE';
    const { table } = index;
    if (index.name === 'PRIMARY') {
      table.primary_key = { columns };
      for (const c of table.columns) if (columns.includes(c.name)) c.primary_key = true;
    } else if (index.unique && defaultType && parts.every((p) => p.plain)) {
      table.unique_constraints.push({ name: index.name, columns });
    } else {
      const snapshot: IndexSnapshot = { name: index.name, columns, unique: index.unique };
      if (!defaultType) snapshot.method = index.type.toLowerCase();
      table.indexes.push(snapshot);
    }
  }

  // Foreign keys: group columns by (table, constraint).
  const fks = new Map<
    string,
    { table: TableSnapshot; fk: ForeignKeySnapshot; pairs: { pos: number; col: string; ref: string }[] }
  >();
  for (const r of fkRows) {
    const table = tables.get(toText(r.tbl) ?? '');
    if (table === undefined) continue;
    const name = toText(r.name) ?? '';
    const entry = entryOf(fks, table, name, () => {
      const refSchema = toText(r.ref_schema);
      return {
        table,
        fk: {
          name,
          columns: [],
          references: {
            table: toText(r.ref_table) ?? '',
            ...(refSchema !== null && refSchema !== database ? { schema: refSchema } : {}),
            columns: [],
          },
          on_update: action(toText(r.on_update)),
          on_delete: action(toText(r.on_delete)),
        },
        pairs: [],
      };
    });
    entry.pairs.push({ pos: toNumber(r.pos), col: toText(r.col) ?? '', ref: toText(r.ref_col) ?? '' });
  }
  for (const { table, fk, pairs } of fks.values()) {
    pairs.sort((a, b) => a.pos - b.pos);
    fk.columns = pairs.map((p) => p.col);
    fk.references.columns = pairs.map((p) => p.ref);
    table.foreign_keys.push(fk);
  }

  for (const r of checkRows) {
    const table = tables.get(toText(r.tbl) ?? '');
    if (table === undefined) continue;
    table.checks.push({ name: toText(r.name) ?? '', expression: toText(r.expr) ?? '' });
  }

  for (const table of tables.values()) {
    table.unique_constraints = sortBy(table.unique_constraints, (u) => [u.name ?? '', ...u.columns]);
    table.indexes = sortBy(table.indexes, (i) => i.name);
    table.foreign_keys = sortBy(table.foreign_keys, (f) => [f.name ?? '', ...f.columns]);
    table.checks = sortBy(table.checks, (c) => [c.name ?? '', c.expression]);
  }

  const qualifier = quoteMysqlIdent(database) + '.';
  const views: ViewSnapshot[] = viewRows.map((r) => ({
    name: toText(r.name) ?? '',
    definition: (toText(r.def) ?? '').split(qualifier).join(''),
  }));
  const triggers: TriggerSnapshot[] = triggerRows.map((r) => {
    const name = toText(r.name) ?? '';
    const table = toText(r.tbl) ?? '';
    return {
      name,
      table,
      definition:
        `CREATE TRIGGER ${quoteMysqlIdent(name)} ${toText(r.timing) ?? ''} ${toText(r.event) ?? ''} ` +
        `ON ${quoteMysqlIdent(table)} FOR EACH ROW ${toText(r.stmt) ?? ''}`,
    };
  });

  return {
    engine: 'mysql',
    tables: sortBy([...tables.values()], (t) => t.name),
    views: sortBy(views, (v) => v.name),
    triggers: sortBy(triggers, (t) => [t.table, t.name]),
  };
}

/** The entry for `READERS` in `snapshot.ts`. */
export const mysqlReader: SnapshotReader = { read: readMysqlSchema, tableRef: (t) => quoteMysqlIdent(t.name) };

/**
 * The entry of `map` for the object `name` of `table`, made by `make` on its first row: information_schema gives an
 * index or a foreign key one row per column.
 */
function entryOf<T>(map: Map<string, T>, table: TableSnapshot, name: string, make: () => T): T {
  const key = `${table.name}\u0000${name}`;
  let entry = map.get(key);
  if (entry === undefined) {
    entry = make();
    map.set(key, entry);
  }
  return entry;
}
