/**
 * `diffSnapshots`: what changed between two snapshots, as a list of `SchemaChange`s in a deterministic order.
 *
 * Order: the tables first, by key (`name`, or `schema.name` outside PostgreSQL's `public`; a renamed table sits under
 * its new name, a removed one under its old name), and inside each table: the table itself (added, removed, renamed),
 * columns (removed ones in their old order, then renamed, changed and added ones in the new order), primary key,
 * unique constraints, indexes, foreign keys, checks, triggers, row count, data. Then views, sequences, enums and
 * functions, each by key.
 *
 * What each change carries is its type: the `SchemaChange` union of `types.ts`, one member per kind. A unique
 * constraint, foreign key or check that differs in any way is reported as removed and added. `rows_changed` and
 * `data_changed` only when both snapshots have counts / fingerprints; a renamed column changes the fingerprint (names
 * are part of it), so it also shows as `data_changed`.
 *
 * Renames. Nothing records them, so they are inferred only where no other reading is possible:
 * - a table rename when a removed table and an added table are identical apart from their name (columns, primary key,
 *   unique constraints, indexes, foreign keys — a self-reference follows the rename —, checks, and the row count and
 *   fingerprint where both sides have them), and each is the other's only such match. Foreign keys pointing at a
 *   table already recognised as renamed are read under its new name, and the matching repeats until nothing new is
 *   found, so two renamed tables that reference each other are both recognised;
 * - a column rename when a table kept under the same key (or renamed) lost exactly one column and gained exactly one,
 *   and the two agree in everything but the name, position included.
 * Anything else is reported as removed plus added. After a rename, references to the old name (foreign keys of other
 * tables, the table's own key, unique and index column lists) are read under the new name so the rename is not
 * reported a second time as changed constraints. Column order alone is never reported (see `types.ts`).
 */
import type {
  ColumnSnapshot,
  ForeignKeySnapshot,
  NamedParts,
  SchemaChange,
  SchemaSnapshot,
  SetParts,
  TableSnapshot,
  TriggerSnapshot,
} from './types.ts';
import { compareStrings, sameData, stableJson } from './util.ts';

/** The key naming an object in `path`: its name, or `schema.name` outside PostgreSQL's `public` schema. */
export function objectKey(o: { name: string; schema?: string }): string {
  return o.schema !== undefined && o.schema !== 'public' ? `${o.schema}.${o.name}` : o.name;
}

function triggerTableKey(t: TriggerSnapshot): string {
  return objectKey({ name: t.table, ...(t.schema !== undefined ? { schema: t.schema } : {}) });
}

function referenceKey(fk: ForeignKeySnapshot): string {
  return objectKey({
    name: fk.references.table,
    ...(fk.references.schema !== undefined ? { schema: fk.references.schema } : {}),
  });
}

const SELF = '\u0000self';

/** A table without its name, self-references made name-independent: what a rename keeps. */
function shape(t: TableSnapshot): unknown {
  const key = objectKey(t);
  return {
    columns: t.columns,
    primary_key: t.primary_key ?? null,
    unique_constraints: t.unique_constraints,
    indexes: t.indexes,
    foreign_keys: t.foreign_keys.map((fk) =>
      referenceKey(fk) === key ? { ...fk, references: { table: SELF, columns: fk.references.columns } } : fk,
    ),
    checks: t.checks,
  };
}

function sameContents(a: TableSnapshot, b: TableSnapshot): boolean {
  if (a.rows !== undefined && b.rows !== undefined && a.rows !== b.rows) return false;
  if (a.fingerprint !== undefined && b.fingerprint !== undefined && a.fingerprint !== b.fingerprint) return false;
  return sameData(shape(a), shape(b));
}

/** A before-side table with its foreign keys pointing at the new names of renamed tables. */
function followRenames(
  t: TableSnapshot,
  renames: ReadonlyMap<string, string>,
  afterTables: ReadonlyMap<string, TableSnapshot>,
): TableSnapshot {
  if (renames.size === 0) return t;
  const own = objectKey(t);
  return {
    ...t,
    foreign_keys: t.foreign_keys.map((fk) => {
      const target = referenceKey(fk);
      const renamed = target === own ? undefined : renames.get(target);
      if (renamed === undefined) return fk;
      const to = afterTables.get(renamed)!;
      return {
        ...fk,
        references: { ...fk.references, table: to.name, ...(to.schema !== undefined ? { schema: to.schema } : {}) },
      };
    }),
  };
}

function columnShape(c: ColumnSnapshot): unknown {
  const { name: _name, ...rest } = c;
  return rest;
}

function byKey<T>(items: readonly T[] | undefined, key: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items ?? []) map.set(key(item), item);
  return map;
}

function sortedUnion(...lists: Iterable<string>[]): string[] {
  const set = new Set<string>();
  for (const list of lists) for (const k of list) set.add(k);
  return [...set].sort(compareStrings);
}

function rename(list: readonly string[], from: string, to: string): string[] {
  return list.map((c) => (c === from ? to : c));
}

export function diffSnapshots(before: SchemaSnapshot, after: SchemaSnapshot): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const emit: Emit = (change) => {
    changes.push(change);
  };

  const beforeTables = byKey(before.tables, objectKey);
  const afterTables = byKey(after.tables, objectKey);

  // Table renames: a unique identical pair among the removed and the added tables. Repeated, because a table whose
  // foreign key points at a renamed table only matches once that rename is known.
  const removed = [...beforeTables.keys()].filter((k) => !afterTables.has(k)).sort(compareStrings);
  const added = [...afterTables.keys()].filter((k) => !beforeTables.has(k)).sort(compareStrings);
  const tableRenames = new Map<string, string>(); // old key -> new key
  for (let found = true; found;) {
    found = false;
    const taken = new Set(tableRenames.values());
    const openRemoved = removed.filter((r) => !tableRenames.has(r));
    const openAdded = added.filter((a) => !taken.has(a));
    const matches = (r: string, a: string): boolean =>
      sameContents(followRenames(beforeTables.get(r)!, tableRenames, afterTables), afterTables.get(a)!);
    for (const r of openRemoved) {
      const forward = openAdded.filter((a) => matches(r, a));
      if (forward.length !== 1) continue;
      const back = openRemoved.filter((x) => matches(x, forward[0]));
      if (back.length !== 1) continue;
      tableRenames.set(r, forward[0]);
      found = true;
    }
  }
  const newKeyOf = (oldKey: string): string => tableRenames.get(oldKey) ?? oldKey;

  // Pairs of tables to compare, by new key.
  const pairs = new Map<string, { before: TableSnapshot; after: TableSnapshot; renamedFrom?: string }>();
  for (const [k, t] of afterTables) {
    const b = beforeTables.get(k);
    if (b !== undefined) pairs.set(k, { before: b, after: t });
  }
  for (const [oldKey, newKey] of tableRenames) {
    pairs.set(newKey, { before: beforeTables.get(oldKey)!, after: afterTables.get(newKey)!, renamedFrom: oldKey });
  }

  // Column renames, per table (new key -> [old name, new name]).
  const columnRenames = new Map<string, [string, string]>();
  for (const [k, { before: b, after: a }] of pairs) {
    const afterNames = new Set(a.columns.map((c) => c.name));
    const beforeNames = new Set(b.columns.map((c) => c.name));
    const gone = b.columns.filter((c) => !afterNames.has(c.name));
    const fresh = a.columns.filter((c) => !beforeNames.has(c.name));
    if (gone.length !== 1 || fresh.length !== 1) continue;
    const [g, f] = [gone[0], fresh[0]];
    if (b.columns.indexOf(g) === a.columns.indexOf(f) && sameData(columnShape(g), columnShape(f))) {
      columnRenames.set(k, [g.name, f.name]);
    }
  }

  // The before side read under the new names: own column lists, and every foreign key's target.
  const mapped = (k: string, t: TableSnapshot): TableSnapshot => {
    const own = columnRenames.get(k);
    const ren = (cols: readonly string[]): string[] => (own ? rename(cols, own[0], own[1]) : [...cols]);
    return {
      ...t,
      ...(t.primary_key !== undefined
        ? { primary_key: { ...t.primary_key, columns: ren(t.primary_key.columns) } }
        : {}),
      unique_constraints: t.unique_constraints.map((u) => ({ ...u, columns: ren(u.columns) })),
      indexes: t.indexes.map((i) => ({ ...i, columns: ren(i.columns) })),
      foreign_keys: t.foreign_keys.map((fk) => {
        const targetOld = referenceKey(fk);
        const targetNew = newKeyOf(targetOld);
        const references = { ...fk.references };
        if (targetNew !== targetOld) {
          const target = afterTables.get(targetNew)!;
          references.table = target.name;
          if (target.schema !== undefined) references.schema = target.schema;
        }
        const targetRename = columnRenames.get(targetNew);
        if (targetRename) references.columns = rename(references.columns, targetRename[0], targetRename[1]);
        return { ...fk, columns: ren(fk.columns), references };
      }),
    };
  };

  const beforeTriggers = new Map<string, TriggerSnapshot[]>();
  for (const t of before.triggers) {
    const k = newKeyOf(triggerTableKey(t));
    beforeTriggers.set(k, [...(beforeTriggers.get(k) ?? []), t]);
  }
  const afterTriggers = new Map<string, TriggerSnapshot[]>();
  for (const t of after.triggers) {
    const k = triggerTableKey(t);
    afterTriggers.set(k, [...(afterTriggers.get(k) ?? []), t]);
  }

  const renamedAway = new Set(tableRenames.keys());
  const tableKeys = sortedUnion(
    afterTables.keys(),
    [...beforeTables.keys()].filter((k) => !renamedAway.has(k)),
    beforeTriggers.keys(),
    afterTriggers.keys(),
  );
  for (const k of tableKeys) {
    const pair = pairs.get(k);
    if (pair !== undefined) {
      if (pair.renamedFrom !== undefined)
        emit({ kind: 'table_renamed', path: [k], before: pair.renamedFrom, after: k });
      diffTable(k, mapped(k, pair.before), pair.after, columnRenames.get(k), emit);
    } else if (afterTables.has(k)) {
      emit({ kind: 'table_added', path: [k], after: afterTables.get(k)! });
    } else if (beforeTables.has(k)) {
      emit({ kind: 'table_removed', path: [k], before: beforeTables.get(k)! });
    }
    diffNamed(
      beforeTriggers.get(k),
      afterTriggers.get(k),
      (t) => t.name,
      (name) => [k, name],
      'trigger',
      emit,
    );
    if (pair !== undefined) {
      const { before: b, after: a } = pair;
      if (b.rows !== undefined && a.rows !== undefined && b.rows !== a.rows)
        emit({ kind: 'rows_changed', path: [k], before: b.rows, after: a.rows });
      if (b.fingerprint !== undefined && a.fingerprint !== undefined && b.fingerprint !== a.fingerprint) {
        emit({ kind: 'data_changed', path: [k], before: b.fingerprint, after: a.fingerprint });
      }
    }
  }

  diffNamed(before.views, after.views, objectKey, (k) => [k], 'view', emit);
  diffNamed(before.sequences, after.sequences, objectKey, (k) => [k], 'sequence', emit);
  diffNamed(before.enums, after.enums, objectKey, (k) => [k], 'enum', emit);
  diffNamed(before.functions, after.functions, objectKey, (k) => [k], 'function', emit);
  return changes;
}

type Emit = (change: SchemaChange) => void;

/** Objects matched by name: removed ones, then changed, then added, each group in name order. */
function diffNamed<N extends keyof NamedParts>(
  before: readonly NamedParts[N][] | undefined,
  after: readonly NamedParts[N][] | undefined,
  key: (item: NamedParts[N]) => string,
  path: (key: string) => string[],
  part: N,
  emit: Emit,
): void {
  // TypeScript cannot match `${N}_added` with NamedParts[N] for a generic N; the signature above ties them.
  const say = (change: { kind: string; path: string[]; before?: NamedParts[N]; after?: NamedParts[N] }) =>
    emit(change as SchemaChange);
  const b = byKey(before, key);
  const a = byKey(after, key);
  const keys = sortedUnion(b.keys(), a.keys());
  for (const k of keys) if (!a.has(k)) say({ kind: `${part}_removed`, path: path(k), before: b.get(k)! });
  for (const k of keys) {
    if (a.has(k) && b.has(k) && !sameData(a.get(k), b.get(k))) {
      say({ kind: `${part}_changed`, path: path(k), before: b.get(k)!, after: a.get(k)! });
    }
  }
  for (const k of keys) if (!b.has(k)) say({ kind: `${part}_added`, path: path(k), after: a.get(k)! });
}

/** Objects without a reliable identity (constraints): equal or not as a whole; removed ones first, then added. */
function diffSets<N extends keyof SetParts>(
  before: readonly SetParts[N][],
  after: readonly SetParts[N][],
  label: (item: SetParts[N]) => string,
  path: (label: string) => string[],
  part: N,
  emit: Emit,
): void {
  // As in diffNamed: the signature ties the kind to the part's snapshot type.
  const removed = (item: SetParts[N]) =>
    emit({ kind: `${part}_removed`, path: path(label(item)), before: item } as SchemaChange);
  const added = (item: SetParts[N]) =>
    emit({ kind: `${part}_added`, path: path(label(item)), after: item } as SchemaChange);
  if (before.length * after.length <= 64) {
    // The usual few constraints: compare pairwise rather than build a JSON text of each.
    for (const item of before) if (!after.some((x) => sameData(item, x))) removed(item);
    for (const item of after) if (!before.some((x) => sameData(item, x))) added(item);
    return;
  }
  const b = new Set(before.map(stableJson));
  const a = new Set(after.map(stableJson));
  for (const item of before) if (!a.has(stableJson(item))) removed(item);
  for (const item of after) if (!b.has(stableJson(item))) added(item);
}

function diffTable(
  k: string,
  b: TableSnapshot,
  a: TableSnapshot,
  columnRename: [string, string] | undefined,
  emit: Emit,
): void {
  const afterCols = byKey(a.columns, (c) => c.name);
  const beforeCols = byKey(b.columns, (c) => c.name);
  for (const c of b.columns) {
    if (!afterCols.has(c.name) && c.name !== columnRename?.[0])
      emit({ kind: 'column_removed', path: [k, c.name], before: c });
  }
  for (const c of a.columns) {
    const old = beforeCols.get(c.name);
    if (columnRename !== undefined && c.name === columnRename[1])
      emit({ kind: 'column_renamed', path: [k, c.name], before: columnRename[0], after: c.name });
    else if (old === undefined) emit({ kind: 'column_added', path: [k, c.name], after: c });
    else if (!sameData(old, c)) emit({ kind: 'column_changed', path: [k, c.name], before: old, after: c });
  }
  if (!sameData(b.primary_key ?? null, a.primary_key ?? null)) {
    emit({ kind: 'primary_key_changed', path: [k], before: b.primary_key ?? null, after: a.primary_key ?? null });
  }
  diffSets(
    b.unique_constraints,
    a.unique_constraints,
    (u) => u.name ?? u.columns.join(','),
    (l) => [k, l],
    'unique',
    emit,
  );
  diffNamed(
    b.indexes,
    a.indexes,
    (i) => i.name,
    (n) => [k, n],
    'index',
    emit,
  );
  diffSets(
    b.foreign_keys,
    a.foreign_keys,
    (f) => f.name ?? f.columns.join(','),
    (l) => [k, l],
    'fk',
    emit,
  );
  diffSets(
    b.checks,
    a.checks,
    (c) => c.name ?? c.expression,
    (l) => [k, l],
    'check',
    emit,
  );
}
