/**
 * What the playground shows of a database's structure, behind two small functions so that the page does not depend
 * on the schema module's types: `readSchema` (a snapshot, and its view for the Schema panel) and `diffLines` (what
 * changed between two snapshots, for the Diff panel and Verify).
 */
import type { Driver } from '../../core/driver.ts';
import {
  takeSnapshot,
  diffSnapshots,
  renderDiff,
  type SchemaChange,
  type SchemaSnapshot,
} from '../../core/schema/index.ts';
import { diffRows, readTableRows, tableKey, type TableRows } from '../../core/schema/row-diff.ts';
import type { DiffLine, SchemaView } from './protocol.ts';

export type Snapshot = SchemaSnapshot;

export function readSnapshot(driver: Driver, fingerprint = false): Promise<Snapshot> {
  return takeSnapshot(driver, { rows: true, fingerprint });
}

export function schemaView(snapshot: Snapshot): SchemaView {
  const others: string[] = [
    ...snapshot.views.map((v) => `${v.materialized ? 'materialized view' : 'view'} ${v.name}`),
    ...snapshot.triggers.map((t) => `trigger ${t.name} on ${t.table}`),
    ...(snapshot.sequences ?? []).map((s) => `sequence ${s.name}`),
    ...(snapshot.enums ?? []).map((e) => `enum ${e.name} (${e.values.join(', ')})`),
    ...(snapshot.functions ?? []).map((f) => `function ${f.name}`),
  ];
  return {
    tables: snapshot.tables.map((t) => ({
      name: t.schema !== undefined && t.schema !== 'public' ? `${t.schema}.${t.name}` : t.name,
      columns: t.columns.map((c) => ({
        name: c.name,
        type: c.type,
        nullable: c.nullable,
        primaryKey: c.primary_key,
        default: c.default,
      })),
      indexes: [
        ...t.unique_constraints.map((u) => `unique (${u.columns.join(', ')})`),
        ...t.indexes.map(
          (i) =>
            `${i.unique ? 'unique index' : 'index'} ${i.name} (${i.columns.join(', ')})` +
            (i.predicate ? ` where ${i.predicate}` : ''),
        ),
      ],
      foreignKeys: t.foreign_keys.map(
        (fk) =>
          `foreign key (${fk.columns.join(', ')}) → ${fk.references.table} (${fk.references.columns.join(', ')})` +
          // The actions the snapshot has, when they are not the default.
          (fk.on_delete !== 'NO ACTION' ? ` on delete ${fk.on_delete.toLowerCase()}` : '') +
          (fk.on_update !== 'NO ACTION' ? ` on update ${fk.on_update.toLowerCase()}` : ''),
      ),
      checks: t.checks.map((c) => `check${c.name ? ` ${c.name}` : ''} (${c.expression})`),
      rows: t.rows ?? null,
    })),
    others,
  };
}

/** The changes from `before` to `after` as signed lines (`renderDiff`'s text, one entry per line). */
export function diffLines(before: Snapshot, after: Snapshot): DiffLine[] {
  return changeLines(diffSnapshots(before, after));
}

/** The rows of the tables small enough to diff, read before a command (null: they could not be read). */
export async function rowsBefore(driver: Driver, snapshot: Snapshot | null): Promise<Map<string, TableRows> | null> {
  if (snapshot === null) return null;
  try {
    return await readTableRows(driver, snapshot);
  } catch {
    return null;
  }
}

/**
 * What a command changed: the schema's changes and, for each table read before (`rowsBefore`) that still exists, the
 * rows it added, removed and changed.
 */
export async function stepDiffLines(
  driver: Driver,
  before: Snapshot,
  after: Snapshot,
  beforeRows: Map<string, TableRows> | null,
): Promise<DiffLine[]> {
  const changes = diffSnapshots(before, after);
  if (beforeRows !== null) {
    try {
      const tables = new Set(after.tables.map(tableKey).filter((key) => beforeRows.has(key)));
      for (const [key, rows] of await readTableRows(driver, after, tables)) {
        const diff = diffRows(beforeRows.get(key)!, rows);
        if (diff) changes.push({ kind: 'data_changed', path: [key], before: '', after: '', rows: diff });
      }
    } catch {
      // The rows could not be read: the schema's changes still show.
    }
  }
  return changeLines(changes);
}

/** Changes as signed lines (`renderDiff`'s text, one entry per line). */
export function changeLines(changes: SchemaChange[]): DiffLine[] {
  if (changes.length === 0) return [];
  return renderDiff(changes)
    .split('\n')
    .map((raw) => {
      const indent = raw.length - raw.trimStart().length;
      const text = raw.trimStart();
      const first = text[0];
      const sign = first === '+' || first === '-' || first === '~' ? first : ' ';
      return { sign, depth: indent > 0 ? 1 : 0, text: sign === ' ' ? text : text.slice(1).trimStart() };
    });
}
