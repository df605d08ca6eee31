/**
 * `renderDiff`: a diff as text, one line per change, `+` added, `-` removed, `~` changed (`before → after`).
 * Changes that belong to a table are grouped under one line for the table (`~ table users`, or the table's own
 * added/removed/renamed line) and indented by two spaces (a new table's indexes, keys and checks too); views, sequences, enums and functions are one line each.
 * Groups keep the order of the changes given (`diffSnapshots` gives a deterministic one). No changes: `No changes.`
 *
 *     ~ table users
 *       + column email text NOT NULL DEFAULT ''
 *       ~ column name: type text → varchar(20)
 *       - index users_name_idx (name)
 *       ~ rows: 0 → 3
 *     + table posts (id integer PRIMARY KEY, title text)
 *       + index posts_title (title)
 *     ~ view active_users: SELECT id FROM users → SELECT id, email FROM users
 */
import { describeRowDiff } from './row-diff.ts';
import type {
  ColumnSnapshot,
  ForeignKeySnapshot,
  IndexSnapshot,
  PrimaryKeySnapshot,
  SchemaChange,
  SequenceSnapshot,
  TableSnapshot,
  UniqueSnapshot,
  CheckSnapshot,
} from './types.ts';
import { stableJson } from './util.ts';

const ARROW = '→';
const BRIEF = 60;

/** Collapses white space; shortens long text with `…`. */
export function brief(text: string, max = BRIEF): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/** Two texts side by side, each cut around their first difference so the difference stays visible. */
function briefPair(before: string, after: string): string {
  const b = before.replace(/\s+/g, ' ').trim();
  const a = after.replace(/\s+/g, ' ').trim();
  if (b.length <= BRIEF && a.length <= BRIEF) return `${b} ${ARROW} ${a}`;
  let i = 0;
  while (i < b.length && i < a.length && b[i] === a[i]) i++;
  const start = Math.max(0, i - 20);
  const cut = (s: string): string =>
    (start > 0 ? '…' : '') + s.slice(start, start + BRIEF).trim() + (s.length > start + BRIEF ? '…' : '');
  return `${cut(b)} ${ARROW} ${cut(a)}`;
}

function describeColumn(c: ColumnSnapshot): string {
  let s = c.type ? `${c.name} ${c.type}` : c.name;
  if (c.collation !== undefined) s += ` COLLATE ${c.collation}`;
  if (!c.nullable) s += ' NOT NULL';
  if (c.default !== null) s += ` DEFAULT ${c.default}`;
  if (c.primary_key) s += ' PRIMARY KEY';
  if (c.generated) s += ` GENERATED ALWAYS AS (${c.generated.expression}) ${c.generated.stored ? 'STORED' : 'VIRTUAL'}`;
  if (c.identity) s += ` GENERATED ${c.identity.toUpperCase()} AS IDENTITY`;
  return s;
}

function columnChanges(b: ColumnSnapshot, a: ColumnSnapshot): string {
  const parts: string[] = [];
  const show = (v: string | null | undefined): string => (v === null || v === undefined ? 'none' : v);
  if (b.type !== a.type) parts.push(`type ${show(b.type || null)} ${ARROW} ${show(a.type || null)}`);
  if (b.nullable !== a.nullable) parts.push(b.nullable ? `NULL ${ARROW} NOT NULL` : `NOT NULL ${ARROW} NULL`);
  if (b.default !== a.default) parts.push(`default ${show(b.default)} ${ARROW} ${show(a.default)}`);
  if (b.primary_key !== a.primary_key)
    parts.push(a.primary_key ? 'now in the primary key' : 'no longer in the primary key');
  if (b.collation !== a.collation) parts.push(`collation ${show(b.collation)} ${ARROW} ${show(a.collation)}`);
  if (stableJson(b.generated) !== stableJson(a.generated)) {
    const g = (x: ColumnSnapshot['generated']): string =>
      x ? `(${x.expression}) ${x.stored ? 'STORED' : 'VIRTUAL'}` : 'none';
    parts.push(`generated ${g(b.generated)} ${ARROW} ${g(a.generated)}`);
  }
  if (b.identity !== a.identity) parts.push(`identity ${show(b.identity)} ${ARROW} ${show(a.identity)}`);
  return parts.join(', ');
}

export function describeIndexBody(i: IndexSnapshot): string {
  let s = `(${i.columns.join(', ')})`;
  if (i.unique) s = `UNIQUE ${s}`;
  if (i.method !== undefined) s = `USING ${i.method} ${s}`;
  if (i.include !== undefined) s += ` INCLUDE (${i.include.join(', ')})`;
  if (i.predicate !== undefined) s += ` WHERE ${i.predicate}`;
  return s;
}

export function describeFk(f: ForeignKeySnapshot): string {
  const target =
    f.references.schema !== undefined && f.references.schema !== 'public'
      ? `${f.references.schema}.${f.references.table}`
      : f.references.table;
  let s = `${f.name !== undefined ? f.name + ' ' : ''}(${f.columns.join(', ')}) ${ARROW} ${target} (${f.references.columns.join(', ')})`;
  if (f.on_update !== 'NO ACTION') s += ` ON UPDATE ${f.on_update}`;
  if (f.on_delete !== 'NO ACTION') s += ` ON DELETE ${f.on_delete}`;
  return s;
}

export function describeUnique(u: UniqueSnapshot): string {
  return `${u.name !== undefined ? u.name + ' ' : ''}(${u.columns.join(', ')})`;
}

export function describeCheck(c: CheckSnapshot): string {
  return `${c.name !== undefined ? c.name + ' ' : ''}(${c.expression})`;
}

function describePk(p: PrimaryKeySnapshot | null | undefined): string {
  return p ? `(${p.columns.join(', ')})` : 'none';
}

export function describeSequence(s: SequenceSnapshot): string {
  return `${s.type}, start ${s.start}, increment ${s.increment}, min ${s.min}, max ${s.max}${s.cycle ? ', cycle' : ''}`;
}

function sequenceChanges(b: SequenceSnapshot, a: SequenceSnapshot): string {
  const parts: string[] = [];
  for (const f of ['type', 'start', 'increment', 'min', 'max', 'cycle'] as const) {
    if (b[f] !== a[f]) parts.push(`${f} ${String(b[f])} ${ARROW} ${String(a[f])}`);
  }
  return parts.join(', ');
}

function describeTableAdded(t: TableSnapshot): string {
  return `(${t.columns.map(describeColumn).join(', ')})`;
}

/**
 * What a new table brings besides its columns, one `+` line each under the table's line: a step that creates a table
 * with its index (or foreign key, unique constraint, check) would otherwise show the table and hide the rest.
 */
function partsOfNewTable(t: TableSnapshot): string[] {
  return [
    ...(t.primary_key && t.primary_key.columns.length > 1 ? [`+ primary key ${describePk(t.primary_key)}`] : []),
    ...t.unique_constraints.map((u) => `+ unique ${describeUnique(u)}`),
    ...t.indexes.map((i) => `+ index ${i.name} ${describeIndexBody(i)}`),
    ...t.foreign_keys.map((f) => `+ foreign key ${describeFk(f)}`),
    ...t.checks.map((c) => `+ check ${describeCheck(c)}`),
  ];
}

/** The line for one change, without indentation. */
/** Between a data change's line and its row lines: a line break and an indent deeper than the change's own. */
const ROW_BREAK = '\n    ';

function line(c: SchemaChange): string {
  const name = c.path[c.path.length - 1] ?? '';
  switch (c.kind) {
    case 'table_added':
      return `+ table ${c.path[0]} ${describeTableAdded(c.after)}`;
    case 'table_removed':
      return `- table ${c.path[0]}`;
    case 'table_renamed':
      return `~ table ${c.before} ${ARROW} ${c.after} (renamed)`;
    case 'column_added':
      return `+ column ${describeColumn(c.after)}`;
    case 'column_removed':
      return `- column ${describeColumn(c.before)}`;
    case 'column_changed':
      return `~ column ${name}: ${columnChanges(c.before, c.after)}`;
    case 'column_renamed':
      return `~ column ${c.before} ${ARROW} ${c.after} (renamed)`;
    case 'primary_key_changed':
      return `~ primary key ${describePk(c.before)} ${ARROW} ${describePk(c.after)}`;
    case 'unique_added':
      return `+ unique ${describeUnique(c.after)}`;
    case 'unique_removed':
      return `- unique ${describeUnique(c.before)}`;
    case 'index_added':
      return `+ index ${name} ${describeIndexBody(c.after)}`;
    case 'index_removed':
      return `- index ${name} ${describeIndexBody(c.before)}`;
    case 'index_changed':
      return `~ index ${name}: ${describeIndexBody(c.before)} ${ARROW} ${describeIndexBody(c.after)}`;
    case 'fk_added':
      return `+ foreign key ${describeFk(c.after)}`;
    case 'fk_removed':
      return `- foreign key ${describeFk(c.before)}`;
    case 'check_added':
      return `+ check ${describeCheck(c.after)}`;
    case 'check_removed':
      return `- check ${describeCheck(c.before)}`;
    case 'trigger_added':
      return `+ trigger ${name}: ${brief(c.after.definition)}`;
    case 'trigger_removed':
      return `- trigger ${name}`;
    case 'trigger_changed':
      return `~ trigger ${name}: ${briefPair(c.before.definition, c.after.definition)}`;
    case 'rows_changed':
      return `~ rows: ${c.before} ${ARROW} ${c.after}`;
    case 'data_changed': {
      const head = `~ data changed${c.before && c.after ? ` (fingerprint ${c.before} ${ARROW} ${c.after})` : ''}`;
      // The rows that differ, one line each, under the change (renderDiff indents the continuation lines).
      return c.rows ? [head, ...describeRowDiff(c.rows)].join(ROW_BREAK) : head;
    }
    case 'view_added':
      return `+ ${c.after.materialized ? 'materialized view' : 'view'} ${name}: ${brief(c.after.definition)}`;
    case 'view_removed':
      return `- ${c.before.materialized ? 'materialized view' : 'view'} ${name}`;
    case 'view_changed':
      return `~ view ${name}: ${briefPair(c.before.definition, c.after.definition)}`;
    case 'sequence_added':
      return `+ sequence ${name} (${describeSequence(c.after)})`;
    case 'sequence_removed':
      return `- sequence ${name}`;
    case 'sequence_changed':
      return `~ sequence ${name}: ${sequenceChanges(c.before, c.after)}`;
    case 'enum_added':
      return `+ enum ${name} (${c.after.values.join(', ')})`;
    case 'enum_removed':
      return `- enum ${name}`;
    case 'enum_changed':
      return `~ enum ${name}: (${c.before.values.join(', ')}) ${ARROW} (${c.after.values.join(', ')})`;
    case 'function_added':
      return `+ function ${name}`;
    case 'function_removed':
      return `- function ${name}`;
    case 'function_changed':
      return `~ function ${name}: ${briefPair(defOf(c.before), defOf(c.after))}`;
  }
}

function defOf(f: { definition?: string } | undefined): string {
  return f?.definition ?? '';
}

const TOP_LEVEL = /^(view|sequence|enum|function)_/;
const TABLE_LINE = new Set(['table_added', 'table_removed', 'table_renamed']);

export function renderDiff(changes: SchemaChange[]): string {
  if (changes.length === 0) return 'No changes.';
  const out: string[] = [];
  const groups = new Map<string, SchemaChange[]>();
  const order: (SchemaChange | string)[] = [];
  for (const c of changes) {
    if (TOP_LEVEL.test(c.kind)) {
      order.push(c);
      continue;
    }
    const key = c.path[0] ?? '';
    let group = groups.get(key);
    if (group === undefined) {
      group = [];
      groups.set(key, group);
      order.push(key);
    }
    group.push(c);
  }
  for (const item of order) {
    if (typeof item !== 'string') {
      out.push(line(item));
      continue;
    }
    const group = groups.get(item)!;
    const heads = group.filter((c) => TABLE_LINE.has(c.kind));
    if (heads.length === 0) out.push(`~ table ${item}`);
    for (const h of heads) {
      out.push(line(h));
      if (h.kind === 'table_added') for (const part of partsOfNewTable(h.after)) out.push('  ' + part);
    }
    for (const c of group) if (!TABLE_LINE.has(c.kind)) out.push('  ' + line(c));
  }
  return out.join('\n');
}
