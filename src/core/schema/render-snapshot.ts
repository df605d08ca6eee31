/**
 * `renderSnapshot`: a snapshot as a readable tree (what `moonwalk schema` prints). One block per table: its columns
 * aligned, then primary key (when it spans several columns), unique constraints, indexes, foreign keys and checks;
 * then views, triggers, and on PostgreSQL sequences, enums and functions, one line each.
 *
 *     table users (1 row)
 *       id          INTEGER PRIMARY KEY
 *       email       TEXT NOT NULL
 *       unique (email)
 *       index users_name_age UNIQUE (name COLLATE NOCASE, age DESC)
 *     view active_users: SELECT id, email FROM users WHERE age > 17
 */
import type { ColumnSnapshot, SchemaSnapshot, TableSnapshot } from './types.ts';
import { objectKey } from './diff.ts';
import {
  brief,
  describeCheck,
  describeFk,
  describeIndexBody,
  describeSequence,
  describeUnique,
} from './render-diff.ts';
import { plural } from '../plural.ts';

function columnLine(c: ColumnSnapshot, width: number): string {
  const parts: string[] = [c.name.padEnd(width), c.type || '(no type)'];
  if (c.collation !== undefined) parts.push(`COLLATE ${c.collation}`);
  if (!c.nullable) parts.push('NOT NULL');
  if (c.default !== null) parts.push(`DEFAULT ${c.default}`);
  if (c.primary_key) parts.push('PRIMARY KEY');
  if (c.generated)
    parts.push(`GENERATED ALWAYS AS (${c.generated.expression}) ${c.generated.stored ? 'STORED' : 'VIRTUAL'}`);
  if (c.identity) parts.push(`GENERATED ${c.identity.toUpperCase()} AS IDENTITY`);
  return parts.join(' ');
}

function tableBlock(t: TableSnapshot): string[] {
  const rows = t.rows !== undefined ? ` (${plural(t.rows, 'row')})` : '';
  const out = [`table ${objectKey(t)}${rows}`];
  const width = Math.max(0, ...t.columns.map((c) => c.name.length));
  for (const c of t.columns) out.push(`  ${columnLine(c, width)}`);
  if (t.primary_key && t.primary_key.columns.length > 1) {
    out.push(
      `  primary key ${t.primary_key.name !== undefined ? t.primary_key.name + ' ' : ''}(${t.primary_key.columns.join(', ')})`,
    );
  }
  for (const u of t.unique_constraints) out.push(`  unique ${describeUnique(u)}`);
  for (const i of t.indexes) out.push(`  index ${i.name} ${describeIndexBody(i)}`);
  for (const f of t.foreign_keys) out.push(`  foreign key ${describeFk(f)}`);
  for (const c of t.checks) out.push(`  check ${describeCheck(c)}`);
  return out;
}

export function renderSnapshot(snapshot: SchemaSnapshot): string {
  const out: string[] = [];
  for (const t of snapshot.tables) out.push(...tableBlock(t));
  for (const v of snapshot.views) {
    out.push(`${v.materialized ? 'materialized view' : 'view'} ${objectKey(v)}: ${brief(v.definition, 100)}`);
  }
  for (const t of snapshot.triggers) {
    out.push(`trigger ${objectKey(t)} on ${t.table}: ${brief(t.definition, 100)}`);
  }
  for (const s of snapshot.sequences ?? []) out.push(`sequence ${objectKey(s)} (${describeSequence(s)})`);
  for (const e of snapshot.enums ?? []) out.push(`enum ${objectKey(e)} (${e.values.join(', ')})`);
  for (const f of snapshot.functions ?? []) out.push(`function ${objectKey(f)}`);
  if (out.length === 0) out.push('No tables, views or triggers.');
  return out.join('\n');
}
