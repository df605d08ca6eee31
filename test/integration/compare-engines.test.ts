/**
 * `compareEngineSnapshots` on real snapshots: the same migration files run on sql.js and on PGlite, then compared.
 * The guide's files (written per engine) give no differences or only ones that are true and explained; files whose
 * sqlite and postgres blocks disagree give exactly those disagreements; spellings that mean the same give none.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { LuaHost } from '../../src/core/lua/host.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { migrationFiles, type MigrationFile } from '../../src/core/migration-files.ts';
import { compareEngineSnapshots, type EngineFinding } from '../../src/core/schema/compare-engines.ts';
import { takeSnapshot } from '../../src/core/schema/snapshot.ts';
import type { SchemaSnapshot } from '../../src/core/schema/types.ts';
import { readMigrationsDir } from '../../src/lib/migrations-dir.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { EXAMPLE_FILES } from '../../src/web/examples.ts';
import { EXAMPLE_SETS } from '../../src/web/gallery.ts';
import { resetDatabase } from '../helpers/db-inspect.ts';
import { GUIDE } from '../helpers/guide.ts';

let sqlite: Driver;
let postgres: Driver;
const host = new LuaHost();

beforeAll(async () => {
  [sqlite, postgres] = await Promise.all([openSqlJs(), openPglite()]);
}, 60_000);

afterAll(async () => {
  await sqlite?.close();
  await postgres?.close();
});

/** Runs `up` for every file on an empty database; the run must succeed. */
async function build(driver: Driver, files: MigrationFile[]): Promise<SchemaSnapshot> {
  await resetDatabase(driver);
  const migrator = new Migrator({ driver, files, host });
  try {
    const result = await migrator.up();
    expect(result.error, `${driver.engine}: ${JSON.stringify(result.error)}`).toBeNull();
  } finally {
    migrator.dispose();
  }
  return takeSnapshot(driver);
}

async function compare(files: MigrationFile[]): Promise<EngineFinding[]> {
  const comparison = compareEngineSnapshots(await build(sqlite, files), await build(postgres, files));
  expect(comparison.engines).toEqual(['sqlite', 'postgres']);
  return comparison.findings;
}

/** One migration file whose sqlite and postgres blocks run their own statements. */
function perEngine(id: string, statements: { sqlite: string[]; postgres: string[] }): { name: string; text: string } {
  const block = (engine: 'sqlite' | 'postgres') => [
    `    database("${engine}", function()`,
    '      up(function(db)',
    ...statements[engine].map((sql) => `        assert(db:execute([[${sql}]]))`),
    '      end)',
    '    end)',
  ];
  const text = [
    'return require("migration").define(function()',
    `  migration("${id}", function()`,
    ...block('sqlite'),
    ...block('postgres'),
    '  end)',
    'end)',
    '',
  ].join('\n');
  return { name: `${id}.lua`, text };
}

const brief = (findings: EngineFinding[]) => findings.map((f) => [f.kind, f.path.join('.'), ...f.values]);

describe("the guide's files, written per engine", () => {
  test("the main sequence: only the template's table, whose postgres block is empty on purpose", async () => {
    const findings = await compare(await readMigrationsDir(GUIDE));
    expect(findings).toEqual([
      {
        kind: 'table_only',
        path: ['example'],
        values: ['table', null],
        explanation: 'Table only on SQLite (PostgreSQL has none).',
      },
    ]);
  });

  test('transaction safety: the same schema', async () => {
    expect(await compare(await readMigrationsDir(`${GUIDE}transaction-safety`))).toEqual([]);
  });

  test("the table rebuild and error handling: PostgreSQL's plain INTEGER PRIMARY KEY is not numbered automatically", async () => {
    for (const dir of ['table-rebuild', 'error-handling']) {
      const findings = await compare(await readMigrationsDir(`${GUIDE}${dir}`));
      expect(brief(findings), dir).toEqual([['column_key', 'users.id', 'numbered automatically', 'not numbered']]);
      expect(findings[0].explanation).toBe(
        'SQLite numbers new rows automatically, PostgreSQL does not (give it SERIAL or an identity on PostgreSQL, INTEGER PRIMARY KEY on SQLite).',
      );
    }
  });
});

describe("the playground's examples (what a person compares first)", () => {
  // Epoch-seconds INTEGER on SQLite against timestamptz on PostgreSQL is a real difference, and the "engines" set
  // differs on purpose (an enum type and jsonb on PostgreSQL, a CHECK on SQLite in the enum's place).
  const expected: Record<string, string[][]> = {
    default: [['column_type', 'users.created_at']],
    starter: [['column_type', 'users.created_at']],
    'create-table': [['column_type', 'products.created_at']],
    'add-column': [['column_type', 'products.created_at']],
    index: [['column_type', 'products.created_at']],
    seed: [],
    prepared: [],
    rebuild: [['column_type', 'members.created_at']],
    engines: [
      ['column_type', 'events.kind'],
      ['column_type', 'events.payload'],
      ['column_type', 'events.happened_at'],
      ['check_only', "events.kind IN ('info', 'warning', 'error')"],
    ],
    errors: [],
  };
  test.each([{ id: 'default', files: EXAMPLE_FILES }, ...EXAMPLE_SETS].map((set) => [set.id, set.files] as const))(
    '%s',
    async (id, files) => {
      const findings = await compare(migrationFiles(files));
      expect(findings.map((f) => [f.kind, f.path.join('.')])).toEqual(expected[id] ?? 'a set this test does not know');
    },
  );

  test('the explanation of an epoch-seconds column', async () => {
    const [finding] = await compare(migrationFiles(EXAMPLE_FILES));
    expect(finding.explanation).toBe(
      'SQLite stores it as INTEGER (whole numbers), PostgreSQL as timestamp with time zone (date and time).',
    );
  });
});

describe('blocks that disagree', () => {
  test('an extra column, a different type and a missing index are exactly the findings', async () => {
    const findings = await compare(
      migrationFiles([
        perEngine('0001_items', {
          sqlite: [
            'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, note TEXT)',
            'CREATE INDEX items_name ON items (name)',
          ],
          postgres: ['CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT NOT NULL, price TEXT)'],
        }),
      ]),
    );
    expect(findings).toEqual([
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
      {
        kind: 'index_only',
        path: ['items', 'items_name'],
        values: ['(name)', null],
        explanation: 'Index (name) only on SQLite (PostgreSQL has none).',
      },
    ]);
  });

  test('every other kind of difference, each once', async () => {
    const findings = await compare(
      migrationFiles([
        perEngine('0001_shop', {
          sqlite: [
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, tier TEXT DEFAULT 'basic', code TEXT)",
            'CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id) ON DELETE CASCADE, total REAL, doubled REAL GENERATED ALWAYS AS (total * 2) VIRTUAL, CHECK (total >= 0))',
            'CREATE TABLE tags (name TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (name))',
            'CREATE UNIQUE INDEX customers_code ON customers (code)',
            'CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100',
            'CREATE TRIGGER orders_touch AFTER INSERT ON orders BEGIN SELECT 1; END',
            'CREATE TABLE only_here (id INTEGER PRIMARY KEY)',
            "INSERT INTO customers (email) VALUES ('a@example.com'), ('b@example.com')",
          ],
          postgres: [
            "CREATE TABLE customers (id SERIAL PRIMARY KEY, email TEXT, tier TEXT DEFAULT 'gold', code TEXT UNIQUE)",
            'CREATE TABLE orders (id SERIAL PRIMARY KEY, customer_id INTEGER REFERENCES customers (id), total REAL, doubled REAL)',
            'CREATE TABLE tags (name TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (name, kind))',
            'CREATE TABLE only_there (id SERIAL PRIMARY KEY, label TEXT)',
            'CREATE INDEX customers_code ON customers (code, email)',
            "INSERT INTO customers (email) VALUES ('a@example.com')",
          ],
        }),
      ]),
    );
    expect(brief(findings)).toEqual([
      ['column_nullable', 'customers.email', 'NOT NULL', 'NULL allowed'],
      ['column_default', 'customers.tier', "'basic'", "'gold'::text"],
      ['rows', 'customers', '2 rows', '1 row'],
      ['index_changed', 'customers.customers_code', 'UNIQUE (code)', '(code, email)'],
      ['unique_only', 'customers.unique (code)', null, 'UNIQUE (code)'],
      ['table_only', 'only_here', 'table', null],
      ['table_only', 'only_there', null, 'table'],
      ['column_generated', 'orders.doubled', 'generated (total * 2)', 'stored as given'],
      [
        'foreign_key_changed',
        'orders.(customer_id) → customers (id)',
        'ON DELETE CASCADE ON UPDATE NO ACTION',
        'ON DELETE NO ACTION ON UPDATE NO ACTION',
      ],
      ['check_only', 'orders.total >= 0', 'CHECK (total >= 0)', null],
      ['trigger_only', 'orders.orders_touch', 'trigger', null],
      ['primary_key', 'tags', '(name)', '(name, kind)'],
      ['view_only', 'big_orders', 'view', null],
    ]);
    expect(findings.map((f) => f.explanation)).toEqual([
      'NOT NULL on SQLite, NULL allowed on PostgreSQL.',
      "Default 'basic' on SQLite, 'gold'::text on PostgreSQL.",
      '2 rows on SQLite, 1 row on PostgreSQL.',
      'Index UNIQUE (code) on SQLite, (code, email) on PostgreSQL.',
      'Unique constraint only on PostgreSQL (SQLite has none).',
      'Table only on SQLite (PostgreSQL has none).',
      'Table only on PostgreSQL (SQLite has none).',
      'Generated (total * 2) on SQLite, stored as given on PostgreSQL.',
      'ON DELETE CASCADE ON UPDATE NO ACTION on SQLite, ON DELETE NO ACTION ON UPDATE NO ACTION on PostgreSQL.',
      'Check only on SQLite (PostgreSQL has none).',
      'Trigger only on SQLite (PostgreSQL has none).',
      'Primary key (name) on SQLite, (name, kind) on PostgreSQL.',
      'View only on SQLite (PostgreSQL has none).',
    ]);
  });
});

describe('spellings that mean the same', () => {
  test('give no findings', async () => {
    const findings = await compare(
      migrationFiles([
        perEngine('0001_same', {
          sqlite: [
            'CREATE TABLE Accounts (id INTEGER PRIMARY KEY, handle varchar(40) NOT NULL UNIQUE, active BOOLEAN NOT NULL DEFAULT 1, balance NUMERIC(10,2) DEFAULT 0, big BIGINT, ' +
              "created DATETIME DEFAULT CURRENT_TIMESTAMP, avatar BLOB, kind TEXT DEFAULT 'user', data JSON, CHECK (balance >= 0))",
            'CREATE TABLE posts (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES Accounts, title TEXT, code TEXT)',
            'CREATE UNIQUE INDEX posts_code ON posts (code)',
            'CREATE INDEX posts_by_account ON posts (account_id)',
            "INSERT INTO Accounts (handle) VALUES ('ada')",
          ],
          postgres: [
            'CREATE TABLE accounts (id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, handle TEXT NOT NULL UNIQUE, active boolean NOT NULL DEFAULT true, balance double precision DEFAULT 0.00, big int8, ' +
              "created timestamp with time zone DEFAULT now(), avatar bytea, kind character varying(10) DEFAULT 'user', data jsonb, CHECK (balance >= 0))",
            'CREATE TABLE posts (id SERIAL PRIMARY KEY, account_id int4 NOT NULL REFERENCES accounts (id), title varchar, code TEXT)',
            'CREATE UNIQUE INDEX posts_code_idx ON posts (code)',
            'CREATE INDEX posts_by_account ON posts (account_id)',
            "INSERT INTO accounts (handle) VALUES ('ada')",
          ],
        }),
      ]),
    );
    expect(findings).toEqual([]);
  });
});

test("two snapshots of one engine are refused: that is diffSnapshots' job", async () => {
  const snapshot = await build(sqlite, []);
  expect(() => compareEngineSnapshots(snapshot, snapshot)).toThrow(/diffSnapshots/);
});
