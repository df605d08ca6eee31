/**
 * `compareEngineSnapshots`: where the schemas that the same migration files built on two *different* engines differ
 * in a way a person cares about. It is not `diffSnapshots` (one engine, before and after, exact): each engine spells
 * the same schema its own way, so this compares meanings (see `engine-spelling.ts`) and says nothing about spelling.
 *
 * Not reported, because they mean the same thing:
 * - type spellings of one family (`INTEGER`/`int4`/`bigint`, `TEXT`/`varchar(20)`, `REAL`/`double precision`);
 * - SQLite's `INTEGER PRIMARY KEY` (the rowid, numbered automatically) against `serial` or an identity column;
 * - nullability of primary key columns (SQLite reports them nullable unless written NOT NULL; PostgreSQL never does);
 * - constraint and index names (PostgreSQL names what SQLite leaves unnamed), and a UNIQUE constraint against a
 *   unique index on the same columns;
 * - two default *expressions* (each engine has its own functions), index predicates, view, trigger and check texts;
 * - names differing only in case (PostgreSQL folds unquoted names to lower case, SQLite keeps them as written);
 * - PostgreSQL's sequences, enum types and functions, which SQLite has no counterpart for (an enum shows up as the
 *   column's type).
 * Data is compared by row count only: the engines return values in their own forms (booleans, dates).
 *
 * Findings come table by table in name order (the table itself, its columns in the first side's order, then primary
 * key, rows, indexes and unique constraints, foreign keys, checks, triggers), then views.
 */
import { ENGINE_NAMES, type Engine } from '../driver.ts';
import { objectKey } from './diff.ts';
import type { ColumnSnapshot, SchemaSnapshot, TableSnapshot } from './types.ts';
import { compareStrings } from './util.ts';
import {
  defaultMeaning,
  defaultsDiffer,
  FAMILY_WORDS,
  normaliseSql,
  sameFamily,
  typeFamily,
} from './engine-spelling.ts';
import { plural } from '../plural.ts';

export type EngineFindingKind =
  | 'table_only'
  | 'view_only'
  | 'trigger_only'
  | 'column_only'
  | 'column_type'
  | 'column_nullable'
  | 'column_default'
  | 'column_key'
  | 'column_generated'
  | 'primary_key'
  | 'index_only'
  | 'index_changed'
  | 'unique_only'
  | 'foreign_key_only'
  | 'foreign_key_changed'
  | 'check_only'
  | 'rows';

/**
 * One difference. `path` names the object: `[table]`, `[table, column]`, `[table, index or constraint]`,
 * `[table, trigger]` or `[view]` (table keys as `objectKey` gives them; the first side's spelling when both have it).
 * `values` holds what each side has, as short text, in the order of `engines`; null where that side lacks the object.
 */
export interface EngineFinding {
  kind: EngineFindingKind;
  path: string[];
  values: [string | null, string | null];
  /** One line for a person about the object `path` names: "SQLite stores it as INTEGER (whole numbers), PostgreSQL as text (text)." */
  explanation: string;
}

export interface EngineComparison {
  engines: [Engine, Engine];
  findings: EngineFinding[];
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Items of two lists paired by key: exact first, then ignoring case. Unpaired items keep their list order. */
function pairUp<T>(
  a: readonly T[],
  b: readonly T[],
  key: (item: T) => string,
): { pairs: [T, T][]; onlyA: T[]; onlyB: T[] } {
  const free = new Set(b);
  const pairs: [T, T][] = [];
  const unmatched: T[] = [];
  for (const x of a) {
    const y = b.find((candidate) => free.has(candidate) && key(candidate) === key(x));
    if (y !== undefined) {
      free.delete(y);
      pairs.push([x, y]);
    } else unmatched.push(x);
  }
  const onlyA: T[] = [];
  for (const x of unmatched) {
    const y = b.find((candidate) => free.has(candidate) && key(candidate).toLowerCase() === key(x).toLowerCase());
    if (y !== undefined) {
      free.delete(y);
      pairs.push([x, y]);
    } else onlyA.push(x);
  }
  return { pairs, onlyA, onlyB: b.filter((y) => free.has(y)) };
}

/** A key that compares column lists and index parts across engines. */
const partsKey = (parts: readonly string[]): string => parts.map(normaliseSql).join(',');

/** SQLite numbers an `INTEGER PRIMARY KEY` itself (it is the rowid); PostgreSQL a serial or identity column. */
function numberedAutomatically(engine: Engine, table: TableSnapshot, column: ColumnSnapshot): boolean {
  if (column.identity !== undefined) return true;
  if (defaultMeaning(column.default).kind === 'sequence') return true;
  if (engine === 'sqlite') {
    const key = table.primary_key?.columns ?? [];
    return key.length === 1 && key[0] === column.name && column.type.trim().toUpperCase() === 'INTEGER';
  }
  return false;
}

interface Side {
  engine: Engine;
  /** As people write it: SQLite, PostgreSQL. */
  name: string;
}

/**
 * `names` labels the two sides in the explanations instead of their engines' names: with them, two snapshots of one
 * engine can be compared by meaning too (a lesson's expected schema against the person's, src/web/lessons/check.ts).
 */
export function compareEngineSnapshots(
  a: SchemaSnapshot,
  b: SchemaSnapshot,
  names?: [string, string],
): EngineComparison {
  if (a.engine === b.engine && names === undefined) {
    throw new Error(`compareEngineSnapshots compares two engines; for two ${a.engine} snapshots use diffSnapshots`);
  }
  const A: Side = { engine: a.engine, name: names?.[0] ?? ENGINE_NAMES[a.engine] };
  const B: Side = { engine: b.engine, name: names?.[1] ?? ENGINE_NAMES[b.engine] };
  const findings: EngineFinding[] = [];
  type Values = [string | null, string | null];
  const add = (kind: EngineFindingKind, path: string[], values: Values, explanation: string) =>
    findings.push({ kind, path, values, explanation });
  const only = (side: 'a' | 'b', value: string): Values => (side === 'a' ? [value, null] : [null, value]);
  const onlyOn = (side: 'a' | 'b') =>
    side === 'a' ? `only on ${A.name} (${B.name} has none)` : `only on ${B.name} (${A.name} has none)`;

  const tables = pairUp(a.tables, b.tables, objectKey);
  const entries: { key: string; run: () => void }[] = [];
  for (const [x, y] of tables.pairs) entries.push({ key: objectKey(x), run: () => compareTables(x, y) });
  for (const [side, list] of [
    ['a', tables.onlyA],
    ['b', tables.onlyB],
  ] as const) {
    for (const t of list) {
      const key = objectKey(t);
      entries.push({ key, run: () => add('table_only', [key], only(side, 'table'), `Table ${onlyOn(side)}.`) });
    }
  }
  entries.sort((x, y) => compareStrings(x.key.toLowerCase(), y.key.toLowerCase()) || compareStrings(x.key, y.key));
  for (const entry of entries) entry.run();

  const views = pairUp(a.views, b.views, objectKey);
  for (const [side, list] of [
    ['a', views.onlyA],
    ['b', views.onlyB],
  ] as const) {
    for (const v of list) {
      const key = objectKey(v);
      add('view_only', [key], only(side, v.materialized ? 'materialized view' : 'view'), `View ${onlyOn(side)}.`);
    }
  }
  return { engines: [a.engine, b.engine], findings };

  function compareTables(x: TableSnapshot, y: TableSnapshot): void {
    const key = objectKey(x);
    const columns = pairUp(x.columns, y.columns, (c) => c.name);
    // Column findings in the first side's column order; columns only on the second side after them.
    const order = new Map(x.columns.map((c, i) => [c, i]));
    columns.pairs.sort((p, q) => order.get(p[0])! - order.get(q[0])!);
    const onlyA = new Set(columns.onlyA);
    for (const c of x.columns) {
      if (onlyA.has(c)) add('column_only', [key, c.name], only('a', c.type || 'column'), `Column ${onlyOn('a')}.`);
      const pair = columns.pairs.find((p) => p[0] === c);
      if (pair) compareColumns(key, x, y, pair[0], pair[1]);
    }
    for (const c of columns.onlyB)
      add('column_only', [key, c.name], only('b', c.type || 'column'), `Column ${onlyOn('b')}.`);

    const pkA = x.primary_key?.columns ?? [];
    const pkB = y.primary_key?.columns ?? [];
    if (partsKey(pkA) !== partsKey(pkB)) {
      const show = (cols: string[]) => (cols.length ? `(${cols.join(', ')})` : 'none');
      add(
        'primary_key',
        [key],
        [show(pkA), show(pkB)],
        `Primary key ${show(pkA)} on ${A.name}, ${show(pkB)} on ${B.name}.`,
      );
    }
    if (x.rows !== undefined && y.rows !== undefined && x.rows !== y.rows) {
      const [a, b] = [plural(x.rows, 'row'), plural(y.rows, 'row')];
      add('rows', [key], [a, b], `${a} on ${A.name}, ${b} on ${B.name}.`);
    }
    compareIndexes(key, x, y);
    compareForeignKeys(key, x, y);
    compareChecks(key, x, y);
    const triggers = pairUp(
      a.triggers.filter((t) => t.table === x.name),
      b.triggers.filter((t) => t.table === y.name),
      (t) => t.name,
    );
    for (const [side, list] of [
      ['a', triggers.onlyA],
      ['b', triggers.onlyB],
    ] as const) {
      for (const t of list) add('trigger_only', [key, t.name], only(side, 'trigger'), `Trigger ${onlyOn(side)}.`);
    }
  }

  function compareColumns(
    key: string,
    tx: TableSnapshot,
    ty: TableSnapshot,
    x: ColumnSnapshot,
    y: ColumnSnapshot,
  ): void {
    if (!sameFamily(x.type, y.type)) {
      const [fx, fy] = [typeFamily(x.type), typeFamily(y.type)];
      const words = (type: string, family: typeof fx) =>
        `${type || 'no type'} (${family === 'other' ? type : FAMILY_WORDS[family]})`;
      add(
        'column_type',
        [key, x.name],
        [x.type || 'no type', y.type || 'no type'],
        `${A.name} stores it as ${words(x.type, fx)}, ${B.name} as ${words(y.type, fy)}.`,
      );
    }
    const inKey = x.primary_key || y.primary_key;
    if (!inKey && x.nullable !== y.nullable) {
      const nulls = (c: ColumnSnapshot) => (c.nullable ? 'NULL allowed' : 'NOT NULL');
      add(
        'column_nullable',
        [key, x.name],
        [nulls(x), nulls(y)],
        `${nulls(x)} on ${A.name}, ${nulls(y)} on ${B.name}.`,
      );
    }
    const [autoX, autoY] = [numberedAutomatically(A.engine, tx, x), numberedAutomatically(B.engine, ty, y)];
    if (autoX !== autoY) {
      const numbering = (auto: boolean) => (auto ? 'numbered automatically' : 'not numbered');
      const [yes, no] = autoX ? [A.name, B.name] : [B.name, A.name];
      add(
        'column_key',
        [key, x.name],
        [numbering(autoX), numbering(autoY)],
        `${yes} numbers new rows automatically, ${no} does not (give it SERIAL or an identity on PostgreSQL, INTEGER PRIMARY KEY on SQLite).`,
      );
    } else if (!autoX) {
      const [dx, dy] = [defaultMeaning(x.default), defaultMeaning(y.default)];
      if (defaultsDiffer(dx, dy)) {
        const show = (d: string | null) => d ?? 'no default';
        add(
          'column_default',
          [key, x.name],
          [show(x.default), show(y.default)],
          `Default ${show(x.default)} on ${A.name}, ${show(y.default)} on ${B.name}.`,
        );
      }
    }
    if ((x.generated === undefined) !== (y.generated === undefined)) {
      const gen = (c: ColumnSnapshot) => (c.generated ? `generated (${c.generated.expression})` : 'stored as given');
      add(
        'column_generated',
        [key, x.name],
        [gen(x), gen(y)],
        `${capital(gen(x))} on ${A.name}, ${gen(y)} on ${B.name}.`,
      );
    }
  }

  function compareIndexes(key: string, x: TableSnapshot, y: TableSnapshot): void {
    // Indexes and unique constraints as one list: a UNIQUE constraint and a unique index on the same columns do the
    // same job. Paired by index name first (people name their indexes alike on both engines), then by what they are.
    interface Entry {
      name: string | null;
      label: string;
      parts: string[];
      unique: boolean;
    }
    const entries = (t: TableSnapshot): Entry[] => [
      ...t.indexes.map((i) => ({ name: i.name, label: i.name, parts: i.columns, unique: i.unique })),
      ...t.unique_constraints.map((u) => ({
        name: null,
        label: `unique (${u.columns.join(', ')})`,
        parts: u.columns,
        unique: true,
      })),
    ];
    const describe = (e: Entry) => `${e.unique ? 'UNIQUE ' : ''}(${e.parts.join(', ')})`;
    const [ex, ey] = [entries(x), entries(y)];
    const byName = pairUp(
      ex.filter((e) => e.name !== null),
      ey.filter((e) => e.name !== null),
      (e) => e.name!,
    );
    for (const [p, q] of byName.pairs) {
      if (p.unique !== q.unique || partsKey(p.parts) !== partsKey(q.parts)) {
        add(
          'index_changed',
          [key, p.label],
          [describe(p), describe(q)],
          `Index ${describe(p)} on ${A.name}, ${describe(q)} on ${B.name}.`,
        );
      }
    }
    const paired = new Set(byName.pairs.flat());
    const shape = (e: Entry) => `${e.unique ? 'u' : 'i'}:${partsKey(e.parts)}`;
    const rest = pairUp(
      ex.filter((e) => !paired.has(e)),
      ey.filter((e) => !paired.has(e)),
      shape,
    );
    for (const [side, list] of [
      ['a', rest.onlyA],
      ['b', rest.onlyB],
    ] as const) {
      for (const e of list) {
        const what = e.name === null ? 'Unique constraint' : `Index ${describe(e)}`;
        add(
          e.name === null ? 'unique_only' : 'index_only',
          [key, e.label],
          only(side, describe(e)),
          `${what} ${onlyOn(side)}.`,
        );
      }
    }
  }

  function compareForeignKeys(key: string, x: TableSnapshot, y: TableSnapshot): void {
    const target = (snapshot: SchemaSnapshot, table: string, columns: string[]): string[] =>
      columns.length > 0 ? columns : (snapshot.tables.find((t) => t.name === table)?.primary_key?.columns ?? []);
    const sig = (snapshot: SchemaSnapshot) => (f: TableSnapshot['foreign_keys'][number]) =>
      `${partsKey(f.columns)}>${f.references.table.toLowerCase()}(${partsKey(target(snapshot, f.references.table, f.references.columns))})`;
    const show = (snapshot: SchemaSnapshot) => (f: TableSnapshot['foreign_keys'][number]) =>
      `(${f.columns.join(', ')}) → ${f.references.table} (${target(snapshot, f.references.table, f.references.columns).join(', ')})`;
    const keysA = x.foreign_keys.map((f) => ({ f, s: sig(a)(f), d: show(a)(f) }));
    const keysB = y.foreign_keys.map((f) => ({ f, s: sig(b)(f), d: show(b)(f) }));
    const fks = pairUp(keysA, keysB, (k) => k.s);
    // RESTRICT and NO ACTION differ only in when the check runs; neither lets the delete through.
    const action = (v: string) => (v === 'RESTRICT' ? 'NO ACTION' : v);
    for (const [p, q] of fks.pairs) {
      const ax = `ON DELETE ${p.f.on_delete} ON UPDATE ${p.f.on_update}`;
      const ay = `ON DELETE ${q.f.on_delete} ON UPDATE ${q.f.on_update}`;
      if (action(p.f.on_delete) !== action(q.f.on_delete) || action(p.f.on_update) !== action(q.f.on_update)) {
        add('foreign_key_changed', [key, p.d], [ax, ay], `${ax} on ${A.name}, ${ay} on ${B.name}.`);
      }
    }
    for (const [side, list] of [
      ['a', fks.onlyA],
      ['b', fks.onlyB],
    ] as const) {
      for (const k of list) add('foreign_key_only', [key, k.d], only(side, k.d), `Foreign key ${onlyOn(side)}.`);
    }
  }

  function compareChecks(key: string, x: TableSnapshot, y: TableSnapshot): void {
    // Paired by name, then by text; the engines print conditions differently, so when both sides have checks left
    // over, as many are taken to be the same as pair up, and only the surplus is reported.
    const named = pairUp(
      x.checks.filter((c) => c.name !== undefined),
      y.checks.filter((c) => c.name !== undefined),
      (c) => c.name!,
    );
    const done = new Set(named.pairs.flat());
    const text = (e: string) => normaliseSql(e).replace(/[()]/g, '');
    const rest = pairUp(
      x.checks.filter((c) => !done.has(c)),
      y.checks.filter((c) => !done.has(c)),
      (c) => text(c.expression),
    );
    const [side, leftover, others] =
      rest.onlyA.length >= rest.onlyB.length
        ? (['a', rest.onlyA, rest.onlyB] as const)
        : (['b', rest.onlyB, rest.onlyA] as const);
    for (const c of leftover.slice(others.length)) {
      add('check_only', [key, c.name ?? c.expression], only(side, `CHECK (${c.expression})`), `Check ${onlyOn(side)}.`);
    }
  }
}
