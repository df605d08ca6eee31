import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../src/core/schema/diff.ts';
import { renderDiff } from '../../src/core/schema/render-diff.ts';
import { parseCreateIndex, parseCreateTable } from '../../src/core/schema/sqlite-sql.ts';
import { fnv1a64, stableJson, tableFingerprint } from '../../src/core/schema/util.ts';
import type { ColumnSnapshot, SchemaSnapshot, TableSnapshot } from '../../src/core/schema/types.ts';

function col(name: string, type = 'TEXT', extra: Partial<ColumnSnapshot> = {}): ColumnSnapshot {
  return { name, type, nullable: true, default: null, primary_key: false, ...extra };
}

const ID = col('id', 'INTEGER', { primary_key: true });

function table(name: string, extra: Partial<TableSnapshot> = {}): TableSnapshot {
  return {
    name,
    columns: [ID, col('name')],
    primary_key: { columns: ['id'] },
    unique_constraints: [],
    indexes: [],
    foreign_keys: [],
    checks: [],
    rows: 0,
    ...extra,
  };
}

function snap(tables: TableSnapshot[], extra: Partial<SchemaSnapshot> = {}): SchemaSnapshot {
  return { engine: 'sqlite', tables, views: [], triggers: [], ...extra };
}

describe('diffSnapshots', () => {
  it('finds nothing between equal snapshots', () => {
    const s = snap([table('users'), table('posts')]);
    expect(diffSnapshots(s, structuredClone(s))).toEqual([]);
  });

  it('reports added and removed tables with the whole table', () => {
    const users = table('users');
    const posts = table('posts', { columns: [ID, col('title')] });
    expect(diffSnapshots(snap([users]), snap([posts]))).toEqual([
      { kind: 'table_added', path: ['posts'], after: posts },
      { kind: 'table_removed', path: ['users'], before: users },
    ]);
  });

  it('recognises a table rename only when exactly one identical pair exists', () => {
    const users = table('users', { columns: [ID, col('email')] });
    const people = { ...users, name: 'people' };
    expect(diffSnapshots(snap([users]), snap([people]))).toEqual([
      { kind: 'table_renamed', path: ['people'], before: 'users', after: 'people' },
    ]);

    // Two identical candidates: no way to tell which is which.
    const a = table('a');
    const b = table('b');
    expect(
      diffSnapshots(
        snap([a, b]),
        snap([
          { ...a, name: 'c' },
          { ...b, name: 'd' },
        ]),
      ).map((c) => c.kind),
    ).toEqual(['table_removed', 'table_removed', 'table_added', 'table_added']);
  });

  it('does not call it a rename when the data or the structure differ', () => {
    const users = table('users', { fingerprint: 'aaaa' });
    expect(
      diffSnapshots(snap([users]), snap([{ ...users, name: 'people', fingerprint: 'bbbb' }])).map((c) => c.kind),
    ).toEqual(['table_added', 'table_removed']);
    expect(diffSnapshots(snap([users]), snap([{ ...users, name: 'people', rows: 3 }])).map((c) => c.kind)).toEqual([
      'table_added',
      'table_removed',
    ]);
    const other = { ...users, name: 'people', columns: [ID, col('name', 'varchar(20)')] };
    expect(diffSnapshots(snap([users]), snap([other])).map((c) => c.kind)).toEqual(['table_added', 'table_removed']);
  });

  it('follows a renamed table in foreign keys, its own and other tables', () => {
    const fkTo = (t: string) => ({
      columns: ['parent_id'],
      references: { table: t, columns: ['id'] },
      on_update: 'NO ACTION' as const,
      on_delete: 'CASCADE' as const,
    });
    const tree = table('tree', { columns: [ID, col('parent_id', 'INTEGER')], foreign_keys: [fkTo('tree')] });
    const leaf = table('leaf', { columns: [ID, col('parent_id', 'INTEGER')], foreign_keys: [fkTo('tree')] });
    const forest = { ...tree, name: 'forest', foreign_keys: [fkTo('forest')] };
    const leaf2 = { ...leaf, foreign_keys: [fkTo('forest')] };
    expect(diffSnapshots(snap([tree, leaf]), snap([forest, leaf2]))).toEqual([
      { kind: 'table_renamed', path: ['forest'], before: 'tree', after: 'forest' },
    ]);
  });

  it('recognises two renamed tables when one references the other', () => {
    const fk = (t: string) => ({
      columns: ['user_id'],
      references: { table: t, columns: ['id'] },
      on_update: 'NO ACTION' as const,
      on_delete: 'NO ACTION' as const,
    });
    const users = table('users');
    const posts = table('posts', { columns: [ID, col('user_id', 'INTEGER')], foreign_keys: [fk('users')] });
    const members = { ...users, name: 'members' };
    const articles = { ...posts, name: 'articles', foreign_keys: [fk('members')] };
    expect(diffSnapshots(snap([users, posts]), snap([members, articles]))).toEqual([
      { kind: 'table_renamed', path: ['articles'], before: 'posts', after: 'articles' },
      { kind: 'table_renamed', path: ['members'], before: 'users', after: 'members' },
    ]);
  });

  it('reports column changes, renames only when certain', () => {
    const before = table('users', {
      columns: [ID, col('email'), col('age', 'INT'), col('legacy')],
    });
    const after = table('users', {
      columns: [
        ID,
        col('email', 'TEXT', { nullable: false, default: "''" }),
        col('years', 'INT'),
        col('legacy'),
        col('bio'),
      ],
    });
    expect(diffSnapshots(snap([before]), snap([after]))).toEqual([
      {
        kind: 'column_removed',
        path: ['users', 'age'],
        before: col('age', 'INT'),
      },
      {
        kind: 'column_changed',
        path: ['users', 'email'],
        before: col('email'),
        after: col('email', 'TEXT', { nullable: false, default: "''" }),
      },
      { kind: 'column_added', path: ['users', 'years'], after: col('years', 'INT') },
      { kind: 'column_added', path: ['users', 'bio'], after: col('bio') },
    ]);

    const renamed = table('users', { columns: [ID, col('mail'), col('age', 'INT'), col('legacy')] });
    expect(diffSnapshots(snap([before]), snap([renamed]))).toEqual([
      { kind: 'column_renamed', path: ['users', 'mail'], before: 'email', after: 'mail' },
    ]);
  });

  it('does not call it a column rename when type or position differ', () => {
    const before = table('t', { columns: [ID, col('a'), col('b')] });
    const typeChanged = table('t', { columns: [ID, col('x', 'INT'), col('b')] });
    expect(diffSnapshots(snap([before]), snap([typeChanged])).map((c) => c.kind)).toEqual([
      'column_removed',
      'column_added',
    ]);
    const moved = table('t', { columns: [ID, col('b'), col('x')] });
    expect(diffSnapshots(snap([before]), snap([moved])).map((c) => c.kind)).toEqual(['column_removed', 'column_added']);
  });

  it('ignores a column that only moved', () => {
    const before = table('t', { columns: [ID, col('a'), col('b')] });
    const after = table('t', { columns: [ID, col('b'), col('a')] });
    expect(diffSnapshots(snap([before]), snap([after]))).toEqual([]);
  });

  it('reads indexes and keys under a renamed column', () => {
    const before = table('t', {
      columns: [ID, col('email')],
      indexes: [{ name: 't_email', columns: ['email'], unique: false }],
      unique_constraints: [{ columns: ['email'] }],
    });
    const after = table('t', {
      columns: [ID, col('mail')],
      indexes: [{ name: 't_email', columns: ['mail'], unique: false }],
      unique_constraints: [{ columns: ['mail'] }],
    });
    expect(diffSnapshots(snap([before]), snap([after]))).toEqual([
      { kind: 'column_renamed', path: ['t', 'mail'], before: 'email', after: 'mail' },
    ]);
  });

  it('reports keys, indexes, foreign keys, checks, triggers, rows and data', () => {
    const fk = {
      columns: ['name'],
      references: { table: 'other', columns: ['id'] },
      on_update: 'NO ACTION' as const,
      on_delete: 'NO ACTION' as const,
    };
    const before = table('t', {
      indexes: [
        { name: 'gone', columns: ['name'], unique: false },
        { name: 'kept', columns: ['name'], unique: false },
      ],
      foreign_keys: [fk],
      checks: [{ expression: 'length(name) > 0' }],
      rows: 1,
      fingerprint: 'f1',
    });
    const after = table('t', {
      primary_key: { columns: ['id', 'name'] },
      columns: [ID, col('name', 'TEXT', { primary_key: true })],
      unique_constraints: [{ columns: ['name'] }],
      indexes: [
        { name: 'kept', columns: ['lower(name)'], unique: true, predicate: 'name IS NOT NULL' },
        { name: 'new', columns: ['name DESC'], unique: false },
      ],
      foreign_keys: [{ ...fk, on_delete: 'CASCADE' }],
      checks: [{ name: 'c', expression: 'length(name) > 1' }],
      rows: 2,
      fingerprint: 'f2',
    });
    const trigger = { name: 'trg', table: 't', definition: 'CREATE TRIGGER trg AFTER INSERT ON t BEGIN SELECT 1; END' };
    const trigger2 = { ...trigger, definition: 'CREATE TRIGGER trg AFTER UPDATE ON t BEGIN SELECT 1; END' };
    const changes = diffSnapshots(snap([before], { triggers: [trigger] }), snap([after], { triggers: [trigger2] }));
    expect(changes.map((c) => [c.kind, ...c.path])).toEqual([
      ['column_changed', 't', 'name'],
      ['primary_key_changed', 't'],
      ['unique_added', 't', 'name'],
      ['index_removed', 't', 'gone'],
      ['index_changed', 't', 'kept'],
      ['index_added', 't', 'new'],
      ['fk_removed', 't', 'name'],
      ['fk_added', 't', 'name'],
      ['check_removed', 't', 'length(name) > 0'],
      ['check_added', 't', 'c'],
      ['trigger_changed', 't', 'trg'],
      ['rows_changed', 't'],
      ['data_changed', 't'],
    ]);
    expect(changes.find((c) => c.kind === 'primary_key_changed')).toEqual({
      kind: 'primary_key_changed',
      path: ['t'],
      before: { columns: ['id'] },
      after: { columns: ['id', 'name'] },
    });
    expect(changes.find((c) => c.kind === 'rows_changed')).toEqual({
      kind: 'rows_changed',
      path: ['t'],
      before: 1,
      after: 2,
    });
    expect(changes.find((c) => c.kind === 'data_changed')).toEqual({
      kind: 'data_changed',
      path: ['t'],
      before: 'f1',
      after: 'f2',
    });
  });

  it('compares rows and fingerprints only when both sides have them', () => {
    const a = table('t', { rows: 1, fingerprint: 'x' });
    const b = table('t');
    delete b.rows;
    expect(diffSnapshots(snap([a]), snap([b]))).toEqual([]);
  });

  it('reports views, sequences, enums and functions, and schema-qualified keys', () => {
    const before: SchemaSnapshot = {
      engine: 'postgres',
      tables: [{ ...table('log'), schema: 'audit' }],
      views: [{ name: 'v', schema: 'public', definition: ' SELECT 1;' }],
      triggers: [],
      sequences: [
        { name: 's', schema: 'public', type: 'bigint', start: '1', increment: '1', min: '1', max: '10', cycle: false },
      ],
      enums: [{ name: 'mood', schema: 'public', values: ['sad', 'ok'] }],
      functions: [{ name: 'f()', schema: 'public', definition: 'CREATE FUNCTION f() …' }],
    };
    const after: SchemaSnapshot = {
      engine: 'postgres',
      tables: [{ ...table('log', { rows: 5 }), schema: 'audit' }],
      views: [
        { name: 'v', schema: 'public', definition: ' SELECT 2;' },
        { name: 'mv', schema: 'reports', definition: ' SELECT 3;', materialized: true },
      ],
      triggers: [],
      sequences: [],
      enums: [{ name: 'mood', schema: 'public', values: ['sad', 'ok', 'happy'] }],
      functions: [
        { name: 'f()', schema: 'public', definition: 'CREATE FUNCTION f() …' },
        { name: 'g(integer)', schema: 'public', definition: 'CREATE FUNCTION g(integer) …' },
      ],
    };
    expect(diffSnapshots(before, after).map((c) => [c.kind, ...c.path])).toEqual([
      ['rows_changed', 'audit.log'],
      ['view_changed', 'v'],
      ['view_added', 'reports.mv'],
      ['sequence_removed', 's'],
      ['enum_changed', 'mood'],
      ['function_added', 'g(integer)'],
    ]);
  });

  it('gives the same order whatever order the input lists are in', () => {
    const a = snap([table('a'), table('b', { rows: 1 })]);
    const b = snap([table('c', { columns: [ID, col('x')] }), table('b', { rows: 2 }), table('d', { columns: [ID] })]);
    const reversed = snap([...b.tables].reverse());
    expect(diffSnapshots(a, reversed)).toEqual(diffSnapshots(a, b));
    expect(diffSnapshots(a, b).map((c) => [c.kind, ...c.path])).toEqual([
      ['table_removed', 'a'],
      ['rows_changed', 'b'],
      ['table_added', 'c'],
      ['table_added', 'd'],
    ]);
  });
});

describe('renderDiff', () => {
  it('says so when there is nothing', () => {
    expect(renderDiff([])).toBe('No changes.');
  });

  it('groups by table, one line per change', () => {
    const before = snap(
      [
        table('users', {
          columns: [ID, col('name'), col('legacy', 'INT')],
          indexes: [{ name: 'users_name', columns: ['name'], unique: false }],
          rows: 0,
        }),
        table('old'),
        table('tags', { columns: [ID, col('label')] }),
      ],
      { views: [{ name: 'v', definition: 'CREATE VIEW v AS SELECT id FROM users' }] },
    );
    const after = snap(
      [
        table('users', {
          columns: [
            ID,
            col('name', 'varchar(20)', { nullable: false, default: "'x'" }),
            col('email', 'TEXT', { nullable: false, default: "''" }),
          ],
          foreign_keys: [
            {
              columns: ['name'],
              references: { table: 'names', columns: ['n'] },
              on_update: 'NO ACTION',
              on_delete: 'SET NULL',
            },
          ],
          checks: [{ name: 'len', expression: 'length(name) > 0' }],
          rows: 3,
        }),
        table('posts', { columns: [ID, col('title', 'TEXT', { nullable: false })], rows: 0 }),
        table('labels', { columns: [ID, col('label')] }),
      ],
      { views: [{ name: 'v', definition: 'CREATE VIEW v AS SELECT id, name FROM users' }] },
    );
    expect(renderDiff(diffSnapshots(before, after))).toBe(
      [
        '~ table tags → labels (renamed)',
        '- table old',
        '+ table posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL)',
        '~ table users',
        '  - column legacy INT',
        "  ~ column name: type TEXT → varchar(20), NULL → NOT NULL, default none → 'x'",
        "  + column email TEXT NOT NULL DEFAULT ''",
        '  - index users_name (name)',
        '  + foreign key (name) → names (n) ON DELETE SET NULL',
        '  + check len (length(name) > 0)',
        '  ~ rows: 0 → 3',
        '~ view v: CREATE VIEW v AS SELECT id FROM users → CREATE VIEW v AS SELECT id, name FROM users',
      ].join('\n'),
    );
  });

  it('renders every kind on one line', () => {
    const lines = renderDiff([
      { kind: 'column_renamed', path: ['t', 'b'], before: 'a', after: 'b' },
      { kind: 'primary_key_changed', path: ['t'], before: null, after: { columns: ['id'] } },
      { kind: 'unique_added', path: ['t', 'u'], after: { name: 'u', columns: ['a', 'b'] } },
      { kind: 'unique_removed', path: ['t', 'a'], before: { columns: ['a'] } },
      {
        kind: 'index_changed',
        path: ['t', 'i'],
        before: { name: 'i', columns: ['a'], unique: false },
        after: {
          name: 'i',
          columns: ['a', 'b DESC'],
          unique: true,
          method: 'hash',
          include: ['c'],
          predicate: 'a > 0',
        },
      },
      { kind: 'check_removed', path: ['t', 'a > 0'], before: { expression: 'a > 0' } },
      {
        kind: 'trigger_added',
        path: ['t', 'trg'],
        after: { name: 'trg', table: 't', definition: 'CREATE TRIGGER trg …' },
      },
      { kind: 'trigger_removed', path: ['t', 'old'], before: { name: 'old', table: 't', definition: '…' } },
      { kind: 'data_changed', path: ['t'], before: 'aa', after: 'bb' },
      { kind: 'view_removed', path: ['mv'], before: { name: 'mv', definition: 'x', materialized: true } },
      {
        kind: 'sequence_added',
        path: ['s'],
        after: { name: 's', type: 'bigint', start: '5', increment: '1', min: '1', max: '9', cycle: true },
      },
      {
        kind: 'sequence_changed',
        path: ['s'],
        before: { name: 's', type: 'bigint', start: '5', increment: '1', min: '1', max: '9', cycle: true },
        after: { name: 's', type: 'bigint', start: '5', increment: '2', min: '1', max: '9', cycle: false },
      },
      { kind: 'enum_added', path: ['mood'], after: { name: 'mood', values: ['a', 'b'] } },
      { kind: 'enum_removed', path: ['old_mood'], before: { name: 'old_mood', values: [] } },
      { kind: 'function_removed', path: ['f()'], before: { name: 'f()', definition: '' } },
      {
        kind: 'column_changed',
        path: ['u', 'g'],
        before: col('g', 'integer', { generated: { expression: 'a * 2', stored: true } }),
        after: col('g', 'integer', { identity: 'always', collation: 'C', primary_key: true }),
      },
    ]).split('\n');
    expect(lines).toEqual([
      '~ table t',
      '  ~ column a → b (renamed)',
      '  ~ primary key none → (id)',
      '  + unique u (a, b)',
      '  - unique (a)',
      '  ~ index i: (a) → USING hash UNIQUE (a, b DESC) INCLUDE (c) WHERE a > 0',
      '  - check (a > 0)',
      '  + trigger trg: CREATE TRIGGER trg …',
      '  - trigger old',
      '  ~ data changed (fingerprint aa → bb)',
      '- materialized view mv',
      '+ sequence s (bigint, start 5, increment 1, min 1, max 9, cycle)',
      '~ sequence s: increment 1 → 2, cycle true → false',
      '+ enum mood (a, b)',
      '- enum old_mood',
      '- function f()',
      '~ table u',
      '  ~ column g: now in the primary key, collation none → C, generated (a * 2) STORED → none, identity none → always',
    ]);
  });

  it('keeps the difference visible in long definitions', () => {
    const head = 'SELECT a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w';
    const text = renderDiff([
      {
        kind: 'view_changed',
        path: ['v'],
        before: { name: 'v', definition: `${head} FROM one` },
        after: { name: 'v', definition: `${head} FROM two` },
      },
    ]);
    expect(text).toBe('~ view v: …s, t, u, v, w FROM one → …s, t, u, v, w FROM two');
  });
});

describe('snapshot helpers', () => {
  it('hashes with FNV-1a 64', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
    expect(fnv1a64('é€😀')).toBe(fnv1a64('\u00e9\u20ac\ud83d\ude00'));
  });

  it('fingerprints data whatever the row and column order', () => {
    const f = tableFingerprint(
      ['id', 'name'],
      [
        [1, 'a'],
        [2, null],
      ],
    );
    expect(
      tableFingerprint(
        ['name', 'id'],
        [
          [null, 2],
          ['a', 1],
        ],
      ),
    ).toBe(f);
    expect(
      tableFingerprint(
        ['id', 'name'],
        [
          [1n, 'a'],
          [2, null],
        ],
      ),
    ).toBe(f);
    expect(
      tableFingerprint(
        ['id', 'name'],
        [
          [1, 'a'],
          [2, ''],
        ],
      ),
    ).not.toBe(f);
    expect(
      tableFingerprint(
        ['id', 'name'],
        [
          [1, 'a'],
          [2, null],
          [2, null],
        ],
      ),
    ).not.toBe(f);
    expect(
      tableFingerprint(
        ['id', 'label'],
        [
          [1, 'a'],
          [2, null],
        ],
      ),
    ).not.toBe(f);
    expect(tableFingerprint(['a', 'b'], [['x', 'y']])).not.toBe(tableFingerprint(['a', 'b'], [['x;', 'y']]));
    expect(tableFingerprint(['b'], [[new Uint8Array([1, 2])]])).not.toBe(tableFingerprint(['b'], [['0102']]));
  });

  it('writes stable JSON', () => {
    expect(stableJson({ b: 1, a: [{ d: undefined, c: 2n }] })).toBe('{"a":[{"c":"2"}],"b":1}');
  });

  it('reads checks and generated columns out of CREATE TABLE', () => {
    const parsed = parseCreateTable(`CREATE TABLE "we""ird" (
      id INTEGER PRIMARY KEY CHECK (id > 0),
      [price] DECIMAL(10, 2) CONSTRAINT positive CHECK ( price >= 0 /* no debt */ ),
      label TEXT DEFAULT ('CHECK (x)') COLLATE NOCASE,
      total REAL GENERATED ALWAYS AS (price * 1.2) STORED,
      "sum" AS (price + 1),
      CONSTRAINT pair CHECK (id <> price), CHECK (label <> 'a,b)'),
      UNIQUE (label)
    )`);
    expect(parsed.checks).toEqual([
      { expression: 'id > 0' },
      { name: 'positive', expression: 'price >= 0' },
      { name: 'pair', expression: 'id <> price' },
      { expression: "label <> 'a,b)'" },
    ]);
    expect([...parsed.generated]).toEqual([
      ['total', { expression: 'price * 1.2', stored: true }],
      ['sum', { expression: 'price + 1', stored: false }],
    ]);
    expect([...parsed.collations]).toEqual([['label', 'NOCASE']]);
    expect(parseCreateTable('CREATE TABLE t AS SELECT 1 AS "x (y)"').checks).toEqual([]);
  });

  it('reads key parts and the WHERE clause out of CREATE INDEX', () => {
    expect(
      parseCreateIndex("CREATE INDEX i ON t (lower(a) DESC, b COLLATE NOCASE, c ASC) WHERE a <> 'x' AND b > 0"),
    ).toEqual({
      parts: ['lower(a)', 'b COLLATE NOCASE', 'c'],
      predicate: "a <> 'x' AND b > 0",
    });
    expect(parseCreateIndex('CREATE UNIQUE INDEX "i(" ON t(a)')).toEqual({ parts: ['a'] });
  });
});
