// Where Compare engines' findings land in each side's schema tree (src/web/compare-marks.ts).
import { describe, expect, test } from 'vitest';
import type { EngineFinding } from '../../src/core/schema/compare-engines.ts';
import { sideMarks } from '../../src/web/compare-marks.ts';
import type { SchemaView, TableView } from '../../src/web/worker/protocol.ts';

// The findings compareEngineSnapshots gives for the e2e's "items" file plus a table and a view on one side only
// (test/integration/compare-engines.test.ts checks those findings against the real engines).
const findings: EngineFinding[] = [
  {
    kind: 'table_only',
    path: ['archive'],
    values: ['table', null],
    explanation: 'Table only on SQLite (PostgreSQL has none).',
  },
  {
    kind: 'column_type',
    path: ['items', 'price'],
    values: ['REAL', 'text'],
    explanation: 'SQLite stores it as REAL (numbers with decimals), PostgreSQL as text (text).',
  },
  {
    kind: 'column_only',
    path: ['items', 'note'],
    values: ['TEXT', null],
    explanation: 'Column only on SQLite (PostgreSQL has none).',
  },
  { kind: 'rows', path: ['items'], values: ['2 rows', '1 row'], explanation: '2 rows on SQLite, 1 row on PostgreSQL.' },
  {
    kind: 'index_only',
    path: ['items', 'items_name'],
    values: ['(name)', null],
    explanation: 'Index (name) only on SQLite (PostgreSQL has none).',
  },
  {
    kind: 'view_only',
    path: ['cheap'],
    values: [null, 'view'],
    explanation: 'View only on PostgreSQL (SQLite has none).',
  },
];

const column = (name: string, type: string) => ({ name, type, nullable: true, primaryKey: false, default: null });
const items = (columns: string[][], indexes: string[]): TableView => ({
  name: 'items',
  columns: columns.map(([n, t]) => column(n, t)),
  indexes,
  foreignKeys: [],
  checks: [],
  rows: 1,
});

const sqlite: SchemaView = {
  tables: [
    { name: 'archive', columns: [column('id', 'INTEGER')], indexes: [], foreignKeys: [], checks: [], rows: 0 },
    items(
      [
        ['id', 'INTEGER'],
        ['price', 'REAL'],
        ['note', 'TEXT'],
      ],
      ['index items_name (name)'],
    ),
  ],
  others: [],
};
const postgres: SchemaView = {
  tables: [
    items(
      [
        ['id', 'integer'],
        ['price', 'text'],
      ],
      [],
    ),
  ],
  others: ['view cheap'],
};

describe('sideMarks', () => {
  test('the side that has the objects: only here, differs', () => {
    const marks = sideMarks(findings, 0, sqlite);
    expect(marks.tables.get('archive')?.table?.mark).toBe('only');
    const t = marks.tables.get('items')!;
    expect(t.table?.mark).toBe('differs');
    expect(Object.fromEntries([...t.columns].map(([k, v]) => [k, v.mark]))).toEqual({ price: 'differs', note: 'only' });
    expect(t.lines.get('index items_name (name)')?.mark).toBe('only');
    expect(t.notes.map((n) => [n.mark, n.text])).toEqual([['differs', '2 rows']]);
    expect(t.missingColumns).toEqual([]);
    expect(marks.missingTables).toEqual([]);
    expect(marks.missingOthers.map((o) => o.text)).toEqual(['view cheap']);
  });

  test('the side that lacks them: "missing here" lines in their place', () => {
    const marks = sideMarks(findings, 1, postgres);
    expect(marks.missingTables.map((t) => [t.mark, t.name])).toEqual([['missing', 'archive']]);
    const t = marks.tables.get('items')!;
    expect(t.columns.get('price')?.mark).toBe('differs');
    expect(t.columns.has('note')).toBe(false);
    expect(t.missingColumns.map((c) => [c.mark, c.text])).toEqual([['missing', 'note TEXT']]);
    expect(t.notes.map((n) => [n.mark, n.text])).toEqual([
      ['differs', '1 row'],
      ['missing', 'index items_name (name)'],
    ]);
    expect(marks.others.get('view cheap')?.mark).toBe('only');
  });

  test('no findings, no marks', () => {
    const marks = sideMarks([], 0, sqlite);
    expect(marks.tables.size).toBe(0);
    expect(marks.missingTables).toEqual([]);
  });
});
