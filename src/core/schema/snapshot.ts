/**
 * `takeSnapshot`: the schema of a database as plain JSON data (DESIGN.md §6, shapes in `types.ts`).
 *
 * One reader per engine reads the structure through `Driver.query`; this module adds row counts and data fingerprints,
 * which every engine does the same way, and puts each table's fields in one fixed order so that the JSON text is
 * deterministic. A MySQL reader plugs into `READERS` with the same interface.
 *
 * To ask "are these two snapshots the same?" (verify's reversibility check), use `diffSnapshots(a, b).length === 0`
 * rather than comparing the JSON: the diff ignores column order (a dropped and re-added column comes back at the end,
 * which no `down` can undo), the JSON does not.
 */
import type { Engine, QueryResult } from '../driver.ts';
import type { SchemaSnapshot, SnapshotDriver, SnapshotOptions, SnapshotReader, TableSnapshot } from './types.ts';
import { readSqliteSchema } from './snapshot-sqlite.ts';
import { quoteIdent, tableFingerprint, toNumber } from './util.ts';

/**
 * The readers by engine. PostgreSQL's and MySQL's are imported when first used, so that a bundle for the browser
 * (the playground's engine worker) does not load them before SQLite is ready; SQLite's is at hand.
 */
const READERS: Partial<Record<Engine, () => SnapshotReader | Promise<SnapshotReader>>> = {
  sqlite: () => ({ read: readSqliteSchema, tableRef: (t) => quoteIdent(t.name) }),
  postgres: async () => ({
    read: (await import('./snapshot-postgres.ts')).readPostgresSchema,
    tableRef: (t) => (t.schema !== undefined ? quoteIdent(t.schema) + '.' : '') + quoteIdent(t.name),
  }),
  mysql: async () => (await import('./snapshot-mysql.ts')).mysqlReader,
};

/** The fingerprint of a table without rows (it does not depend on the columns). */
const EMPTY_FINGERPRINT = tableFingerprint([], []);

/** Tables per row-count statement (SQLite allows 500 terms in a compound SELECT by default). */
const COUNT_BATCH = 200;

export async function takeSnapshot(driver: SnapshotDriver, options: SnapshotOptions = {}): Promise<SchemaSnapshot> {
  const readerFor = READERS[driver.engine];
  if (readerFor === undefined) throw new Error(`schema snapshots are not supported on ${driver.engine} yet`);
  const reader = await readerFor();
  const snapshot = await reader.read(driver);
  const withRows = options.rows ?? true;
  const withFingerprint = options.fingerprint ?? false;

  // Row counts, also when only fingerprints are asked for: an empty table needs no fingerprint query.
  const counts = new Map<TableSnapshot, number>();
  if (withRows || withFingerprint) {
    const toCount = snapshot.tables.filter((t) => !snapshot.knownEmpty?.has(t));
    for (let from = 0; from < toCount.length; from += COUNT_BATCH) {
      const batch = toCount.slice(from, from + COUNT_BATCH);
      const sql = batch.map((t, i) => `SELECT ${i} AS i, count(*) AS n FROM ${reader.tableRef(t)}`).join(' UNION ALL ');
      const result: QueryResult = await driver.query(sql, []);
      for (const row of result.rows) counts.set(batch[toNumber(row[0])], toNumber(row[1]));
    }
  }
  const fingerprints = new Map<TableSnapshot, string>();
  if (withFingerprint) {
    for (const table of snapshot.tables) {
      if ((counts.get(table) ?? 0) === 0) {
        fingerprints.set(table, EMPTY_FINGERPRINT);
        continue;
      }
      const result: QueryResult = await driver.query(`SELECT * FROM ${reader.tableRef(table)}`, []);
      fingerprints.set(table, tableFingerprint(result.columns, result.rows));
    }
  }

  const out: SchemaSnapshot = {
    engine: snapshot.engine,
    tables: snapshot.tables.map((t): TableSnapshot => ({
      name: t.name,
      ...(t.schema !== undefined ? { schema: t.schema } : {}),
      columns: t.columns,
      ...(t.primary_key !== undefined ? { primary_key: t.primary_key } : {}),
      unique_constraints: t.unique_constraints,
      indexes: t.indexes,
      foreign_keys: t.foreign_keys,
      checks: t.checks,
      ...(withRows ? { rows: counts.get(t) ?? 0 } : {}),
      ...(withFingerprint ? { fingerprint: fingerprints.get(t)! } : {}),
    })),
    views: snapshot.views,
    triggers: snapshot.triggers,
  };
  if (snapshot.sequences !== undefined) out.sequences = snapshot.sequences;
  if (snapshot.enums !== undefined) out.enums = snapshot.enums;
  if (snapshot.functions !== undefined) out.functions = snapshot.functions;
  return out;
}
