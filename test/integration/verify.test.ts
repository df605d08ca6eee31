/**
 * `verify` (DESIGN §5, §6) on sql.js and PGlite: reversible migrations pass; a `down` that forgets an index, a column
 * or a seeded row is caught (the last through the data fingerprint); a migration without `down` is reported and
 * verification goes on; a failing `up` stops it. Then the command line: `verify`, `lint`, `schema` and `diff` through
 * `runCommand()` with a captured io, their JSON shapes and exit codes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Driver, Engine } from '../../src/core/driver.ts';
import { migrationFiles, type MigrationFile } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { verifyMigrations, type VerifyResult } from '../../src/core/verify.ts';
import { renderDiff } from '../../src/core/schema/render-diff.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { runCommand } from '../../src/cli/command.ts';

// ---------------------------------------------------------------------------------------------------------------
// Migration files

interface Phases {
  up: string;
  down?: string;
}

/** A migration file with the same SQL-level Lua body for SQLite and PostgreSQL (`mysql` left out). */
function file(description: string, phases: Phases): string {
  const block = (engine: string): string =>
    [
      `    database("${engine}", function()`,
      `      up(function(db)`,
      phases.up,
      `      end)`,
      ...(phases.down !== undefined ? [`      down(function(db)`, phases.down, `      end)`] : []),
      `    end)`,
    ].join('\n');
  return [
    'return require("migration").define(function()',
    `  migration(${JSON.stringify(description)}, function()`,
    block('sqlite'),
    block('postgres'),
    '  end)',
    'end)',
    '',
  ].join('\n');
}

/** `db:execute(sql)` with its error raised. */
function exec(...statements: string[]): string {
  return statements.map((sql) => `        assert(db:execute(${JSON.stringify(sql)}))`).join('\n');
}

function files(entries: Record<string, string>): MigrationFile[] {
  return migrationFiles(Object.entries(entries).map(([name, text]) => ({ name: `${name}.lua`, text })));
}

const CREATE_USERS = file('users', {
  up: exec(
    'CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL)',
    "INSERT INTO users (id, email) VALUES (1, 'ada@example.com')",
  ),
  down: exec('DROP TABLE users'),
});

const FORGETS_INDEX = file('index on email', {
  up: exec('CREATE INDEX IF NOT EXISTS users_email ON users (email)'),
  down: '        -- forgot: DROP INDEX users_email',
});

const FORGETS_COLUMN = file('nickname', {
  up: exec('ALTER TABLE users ADD COLUMN nickname text'),
  down: '        -- forgot: ALTER TABLE users DROP COLUMN nickname',
});

const FORGETS_ROW = file('seed grace', {
  up: exec("INSERT INTO users (id, email) VALUES (2, 'grace@example.com')"),
  down: '        -- forgot: DELETE FROM users WHERE id = 2',
});

/** Same row count after down, different rows: only the data fingerprint can tell. */
const WRONG_ROW = file('seed grace, down deletes ada', {
  up: exec("INSERT INTO users (id, email) VALUES (2, 'grace@example.com')"),
  down: exec('DELETE FROM users WHERE id = 1'),
});

/** Drops a column that held values; down adds it back empty: the rows lost their emails. */
const LOSES_EMAIL = file('drop email', {
  up: exec('ALTER TABLE users DROP COLUMN email'),
  down: exec('ALTER TABLE users ADD COLUMN email text'),
});

const CLEAN = file('posts', {
  up: exec(
    'CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id), title text)',
    'CREATE INDEX posts_user ON posts (user_id)',
    "INSERT INTO posts (id, user_id, title) VALUES (1, 1, 'hello')",
  ),
  down: exec('DROP INDEX posts_user', 'DROP TABLE posts'),
});

const NO_DOWN = file('seed without down', {
  up: exec("INSERT INTO users (id, email) VALUES (3, 'linus@example.com')"),
});

/** Needs the row NO_DOWN inserted: proves verification went on from the state that up left. */
const AFTER_NO_DOWN = file('needs linus', {
  up: [
    '        local rows = assert(db:query("SELECT email FROM users WHERE id = 3"))',
    "        if #rows ~= 1 then error('the row of the migration without down is gone') end",
    exec('CREATE TABLE tags (name text PRIMARY KEY)'),
  ].join('\n'),
  down: exec('DROP TABLE tags'),
});

const FAILING_UP = file('broken', {
  up: exec('CREATE TABLE users (id integer PRIMARY KEY)'),
  down: exec('DROP TABLE users'),
});

// ---------------------------------------------------------------------------------------------------------------
// verifyMigrations on both engines

interface EngineSetup {
  name: string;
  engine: Engine;
  open(): Promise<Driver>;
  /** A clean database for the next test. */
  reset(driver: Driver): Promise<void>;
  /** A new database per test (sql.js: cheap) or one shared and reset (PGlite: initdb takes seconds). */
  shared: boolean;
}

const ENGINES: EngineSetup[] = [
  { name: 'SQLite (sql.js)', engine: 'sqlite', open: () => openSqlJs(), reset: async () => {}, shared: false },
  {
    name: 'PostgreSQL (PGlite)',
    engine: 'postgres',
    open: () => openPglite(),
    reset: async (driver) => {
      await driver.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    },
    shared: true,
  },
];

describe.each(ENGINES)('verifyMigrations on $name', (setup) => {
  let shared: Driver | null = null;
  let driver: Driver;

  beforeAll(async () => {
    if (setup.shared) shared = await setup.open();
  });
  afterAll(async () => {
    await shared?.close();
  });
  beforeEach(async (context) => {
    if (shared) {
      await setup.reset(shared);
      driver = shared;
    } else {
      const own = await setup.open();
      driver = own;
      context.onTestFinished(() => own.close());
    }
  });

  const verify = (entries: Record<string, string>): Promise<VerifyResult> =>
    verifyMigrations({ driver, files: files(entries) });

  it('reports a clean migration as reversible, and leaves every migration applied', async () => {
    const result = await verify({ '0001_users': CREATE_USERS, '0002_posts': CLEAN });
    expect(result).toMatchObject({ ok: true, error: null });
    expect(result.migrations).toEqual([
      expect.objectContaining({ id: '0001_users', reversible: true, differences: [], up_again: true }),
      expect.objectContaining({ id: '0002_posts', reversible: true, differences: [], up_again: true }),
    ]);
    for (const m of result.migrations) expect(m).not.toHaveProperty('error');
    const status = await new Migrator({
      driver,
      files: files({ '0001_users': CREATE_USERS, '0002_posts': CLEAN }),
    }).status();
    expect(status.migrations.map((m) => m.status)).toEqual(['applied', 'applied']);
  });

  it('catches a down that forgets an index', async () => {
    const result = await verify({ '0001_users': CREATE_USERS, '0002_index': FORGETS_INDEX });
    expect(result.ok).toBe(false);
    const entry = result.migrations[1];
    expect(entry).toMatchObject({ id: '0002_index', reversible: false, up_again: true });
    expect(entry.differences).toEqual([
      {
        kind: 'index_added',
        path: ['users', 'users_email'],
        after: expect.objectContaining({ name: 'users_email', columns: ['email'] }),
      },
    ]);
    expect(entry.error).toMatch(/down left 1 difference/);
  });

  it('catches a down that forgets a column, and stops when up cannot run again', async () => {
    const result = await verify({ '0001_users': CREATE_USERS, '0002_nickname': FORGETS_COLUMN, '0003_posts': CLEAN });
    expect(result.ok).toBe(false);
    const entry = result.migrations[1];
    expect(entry).toMatchObject({ id: '0002_nickname', reversible: false, up_again: false });
    expect(entry.differences).toEqual([
      {
        kind: 'column_added',
        path: ['users', 'nickname'],
        after: expect.objectContaining({ name: 'nickname', nullable: true }),
      },
      // Column names are part of the data fingerprint: the rows now have a nickname (NULL).
      { kind: 'data_changed', path: ['users'], before: expect.any(String), after: expect.any(String) },
    ]);
    expect(entry.error).toMatch(/up failed when run again after down/);
    expect(entry.error).toMatch(/nickname/);
    // Nothing after it was verified.
    expect(result.migrations.map((m) => m.id)).toEqual(['0001_users', '0002_nickname']);
  });

  it('names the rows and columns a data difference is made of: the row by its primary key, before and after', async () => {
    const result = await verify({ '0001_users': CREATE_USERS, '0002_lose': LOSES_EMAIL });
    const lost = result.migrations[1].differences.find((d) => d.kind === 'data_changed');
    expect(lost?.kind === 'data_changed' && lost.rows).toEqual({
      key: ['id'],
      added: { count: 0, rows: [] },
      removed: { count: 0, rows: [] },
      changed: {
        count: 1,
        rows: [{ key: { id: '1' }, columns: [{ column: 'email', before: 'ada@example.com', after: null }] }],
      },
    });
    expect(renderDiff(result.migrations[1].differences)).toContain("~ row id=1: email 'ada@example.com' → NULL");
  });

  it('names the rows a down added and removed (same count, other rows)', async () => {
    const result = await verify({ '0001_users': CREATE_USERS, '0002_wrong': WRONG_ROW });
    const wrong = result.migrations[1].differences.find((d) => d.kind === 'data_changed');
    expect(wrong?.kind === 'data_changed' && wrong.rows).toMatchObject({
      added: { count: 1, rows: [{ id: '2', email: 'grace@example.com' }] },
      removed: { count: 1, rows: [{ id: '1', email: 'ada@example.com' }] },
      changed: { count: 0 },
    });
    expect(renderDiff(result.migrations[1].differences)).toContain("+ row id=2, email='grace@example.com'");
    expect(renderDiff(result.migrations[1].differences)).toContain("- row id=1, email='ada@example.com'");
  });

  it('catches a down that forgets to delete a seeded row (row count and data fingerprint)', async () => {
    const result = await verify({ '0001_users': CREATE_USERS, '0002_seed': FORGETS_ROW });
    const entry = result.migrations[1];
    expect(result.ok).toBe(false);
    expect(entry.reversible).toBe(false);
    expect(entry.differences.map((c) => [c.kind, c.path])).toEqual([
      ['rows_changed', ['users']],
      ['data_changed', ['users']],
    ]);
    expect(entry.differences[0]).toMatchObject({ before: 1, after: 2 });
  });

  it('catches a down that deletes the wrong row: same count, only the fingerprint differs', async () => {
    const result = await verify({ '0001_users': CREATE_USERS, '0002_seed': WRONG_ROW });
    const entry = result.migrations[1];
    expect(entry.reversible).toBe(false);
    expect(entry.differences.map((c) => c.kind)).toEqual(['data_changed']);
  });

  it('reports a migration without down and goes on from the state its up left', async () => {
    const result = await verify({ '0001_users': CREATE_USERS, '0002_no_down': NO_DOWN, '0003_needs': AFTER_NO_DOWN });
    expect(result.ok).toBe(false);
    expect(result.error).toBeNull();
    const [, noDown, next] = result.migrations;
    expect(noDown).toMatchObject({ id: '0002_no_down', reversible: false, differences: [] });
    expect(noDown).not.toHaveProperty('up_again');
    expect(noDown.error).toMatch(/no down/);
    expect(next).toMatchObject({ id: '0003_needs', reversible: true, up_again: true });
    expect(next).not.toHaveProperty('error');
  });

  it('reports a failing up with its error and stops', async () => {
    const result = await verify({ '0001_users': CREATE_USERS, '0002_broken': FAILING_UP, '0003_posts': CLEAN });
    expect(result.ok).toBe(false);
    expect(result.migrations.map((m) => m.id)).toEqual(['0001_users', '0002_broken']);
    expect(result.migrations[1]).toMatchObject({ reversible: false, differences: [] });
    expect(result.migrations[1].error).toMatch(/^up failed: .*users/s);
    expect(result.migrations[1].failure).toMatchObject({ migration: '0002_broken', phase: 'up' });
  });

  it('verifies only the pending migrations of a database that has some applied', async () => {
    const all = { '0001_users': CREATE_USERS, '0002_posts': CLEAN };
    await new Migrator({ driver, files: files(all) }).up({ step: 1 });
    const result = await verify(all);
    expect(result.ok).toBe(true);
    expect(result.migrations.map((m) => m.id)).toEqual(['0002_posts']);
  });

  it('never throws: a closed database is an error in the result', async () => {
    const closed = await setup.open();
    await closed.close();
    const result = await verifyMigrations({ driver: closed, files: files({ '0001_users': CREATE_USERS }) });
    expect(result.ok).toBe(false);
    expect(result.migrations).toEqual([]);
    expect(result.error).toEqual({
      code: 'engine',
      migration: null,
      phase: 'connect',
      message: `the connection to ${closed.target} is closed: open the database again to run migrations`,
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The command line

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(args, { out: (t) => out.push(t), err: (t) => err.push(t), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function json(run: Run): any {
  expect(run.out.trim().split('\n')).toHaveLength(1);
  return JSON.parse(run.out);
}

describe('moonwalk verify, lint, schema and diff', () => {
  let root: string;
  let n = 0;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'moonwalk-verify-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** A fresh migrations folder holding `entries`. */
  async function folder(entries: Record<string, string>): Promise<string> {
    const dir = join(root, `m${n++}`);
    await mkdir(dir);
    for (const [name, text] of Object.entries(entries)) await writeFile(join(dir, `${name}.lua`), text);
    return dir;
  }

  it('verify --json on a throwaway SQLite database: exit 0 when every migration is reversible', async () => {
    const dir = await folder({ '0001_users': CREATE_USERS, '0002_posts': CLEAN });
    const run = await cli(['verify', '--dir', dir, '--json']);
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(doc.ok).toBe(true);
    expect(doc.migrations).toHaveLength(2);
    for (const m of doc.migrations) {
      expect(m).toMatchObject({ reversible: true, differences: [] });
      expect(Object.keys(m)).toEqual(expect.arrayContaining(['id', 'reversible', 'differences']));
    }
    expect(doc.migrations.map((m: { id: string }) => m.id)).toEqual(['0001_users', '0002_posts']);
  });

  it('verify names the row a data difference is made of, in the JSON (new field rows) and the text', async () => {
    const dir = await folder({ '0001_users': CREATE_USERS, '0002_lose': LOSES_EMAIL });
    const run = await cli(['verify', '--dir', dir, '--json']);
    expect(run.code).toBe(1);
    const data = json(run).migrations[1].differences.find((d: { kind: string }) => d.kind === 'data_changed');
    expect(data).toMatchObject({ path: ['users'], before: expect.any(String), after: expect.any(String) });
    expect(data.rows.changed.rows).toEqual([
      { key: { id: '1' }, columns: [{ column: 'email', before: 'ada@example.com', after: null }] },
    ]);
    const text = await cli(['verify', '--dir', dir]);
    expect(text.out).toContain('rows: 1 changed');
    expect(text.out).toContain("~ row id=1: email 'ada@example.com' → NULL");
  });

  it('verify exits 1 when a migration is not reversible, with the difference in the JSON and the text', async () => {
    const dir = await folder({ '0001_users': CREATE_USERS, '0002_index': FORGETS_INDEX });
    const run = await cli(['verify', '--dir', dir, '--json']);
    expect(run.code).toBe(1);
    const doc = json(run);
    expect(doc.ok).toBe(false);
    expect(doc.migrations[1]).toMatchObject({
      id: '0002_index',
      reversible: false,
      differences: [{ kind: 'index_added', path: ['users', 'users_email'] }],
    });
    expect(typeof doc.migrations[1].error).toBe('string');

    const text = await cli(['verify', '--dir', dir]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/\+ 0001_users\s+reversible/);
    expect(text.out).toMatch(/! 0002_index\s+NOT reversible/);
    expect(text.out).toContain('+ index users_email (email)');
  });

  it('verify --engine postgres replays on a throwaway PGlite database', async () => {
    const dir = await folder({ '0001_users': CREATE_USERS, '0002_no_down': NO_DOWN });
    const run = await cli(['verify', '--engine', 'postgres', '--dir', dir, '--json']);
    expect(run.code).toBe(1);
    const doc = json(run);
    expect(doc.engine).toBe('postgres');
    expect(doc.migrations.map((m: { id: string; reversible: boolean }) => [m.id, m.reversible])).toEqual([
      ['0001_users', true],
      ['0002_no_down', false],
    ]);
  });

  it('verify --db works on that database and ends with the migrations applied; a bad --engine is exit 2', async () => {
    const dir = await folder({ '0001_users': CREATE_USERS, '0002_posts': CLEAN });
    const db = `sqlite:${join(root, `verify-${n}.db`)}`;
    const run = await cli(['verify', '--dir', dir, '--db', db, '--json']);
    expect(run.code).toBe(0);
    expect(json(run).ok).toBe(true);
    const status = json(await cli(['status', '--dir', dir, '--db', db, '--json']));
    expect(status.migrations.map((m: { status: string }) => m.status)).toEqual(['applied', 'applied']);
    // Nothing pending any more.
    const again = json(await cli(['verify', '--dir', dir, '--db', db, '--json']));
    expect(again).toMatchObject({ ok: true, migrations: [] });

    expect((await cli(['verify', '--dir', dir, '--db', db, '--engine', 'postgres'])).code).toBe(2);
    expect((await cli(['verify', '--dir', dir, '--engine', 'mysql'])).code).toBe(2);
  });

  it('lint: exit 1 only for error findings; one line per finding; the JSON shape', async () => {
    const warnings = await folder({ '0001_users': CREATE_USERS, '0002_no_down': NO_DOWN });
    const run = await cli(['lint', '--dir', warnings, '--json']);
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(doc.ok).toBe(true);
    expect(doc.findings).toContainEqual({
      code: 'missing-down',
      severity: 'warning',
      file: '0002_no_down.lua',
      line: expect.any(Number),
      message: expect.any(String),
    });
    for (const f of doc.findings)
      expect(Object.keys(f).sort()).toEqual(['code', 'file', 'line', 'message', 'severity']);

    const text = await cli(['lint', '--dir', warnings]);
    expect(text.code).toBe(0);
    const lines = text.out.split('\n');
    expect(lines).toHaveLength(doc.findings.length);
    expect(lines).toContainEqual(expect.stringMatching(/0002_no_down\.lua:\d+ warning missing-down \S/));

    const broken = await folder({
      '0001_broken': 'return require("migration").define(function()\n  migration("x", function(\nend)\n',
    });
    const bad = await cli(['lint', '--dir', broken, '--json']);
    expect(bad.code).toBe(1);
    expect(json(bad)).toMatchObject({
      ok: false,
      findings: [expect.objectContaining({ code: 'syntax-error', severity: 'error' })],
    });
    expect((await cli(['lint', '--dir', broken])).out).toMatch(/^.*0001_broken\.lua:\d+ error syntax-error /);
  });

  it('schema: the snapshot as JSON, and a readable tree', async () => {
    const dir = await folder({ '0001_users': CREATE_USERS, '0002_posts': CLEAN });
    const db = `sqlite:${join(root, `schema-${n}.db`)}`;
    expect((await cli(['up', '--dir', dir, '--db', db])).code).toBe(0);
    const run = await cli(['schema', '--dir', dir, '--db', db, '--json']);
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(doc).toMatchObject({ engine: 'sqlite', views: [], triggers: [] });
    expect(doc.tables.map((t: { name: string }) => t.name)).toEqual(['posts', 'users']);
    expect(doc.tables[1]).toMatchObject({
      name: 'users',
      rows: 1,
      primary_key: { columns: ['id'] },
      columns: [
        // SQLite reports the well-known type names in capitals, however they were written.
        { name: 'id', type: 'INTEGER', nullable: true, default: null, primary_key: true },
        { name: 'email', type: 'TEXT', nullable: false, default: null, primary_key: false },
      ],
    });
    expect(doc.tables[0].indexes).toEqual([{ name: 'posts_user', columns: ['user_id'], unique: false }]);

    const text = await cli(['schema', '--dir', dir, '--db', db]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('table users (1 row)');
    expect(text.out).toMatch(/^ {2}email +TEXT NOT NULL$/m);
    expect(text.out).toContain('index posts_user (user_id)');
    expect(text.out).toMatch(/foreign key \(user_id\) → users \(id\)/);
  });

  it('diff: what the pending migrations would change, rolled back', async () => {
    const dir = await folder({ '0001_users': CREATE_USERS, '0002_posts': CLEAN, '0003_seed': FORGETS_ROW });
    const db = `sqlite:${join(root, `diff-${n}.db`)}`;
    expect((await cli(['up', '--dir', dir, '--db', db, '--step', '1'])).code).toBe(0);
    const run = await cli(['diff', '--dir', dir, '--db', db, '--json']);
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(doc.ok).toBe(true);
    expect(doc.changes.map((c: { kind: string; path: string[] }) => [c.kind, c.path.join('.')])).toEqual([
      ['table_added', 'posts'],
      ['rows_changed', 'users'],
    ]);
    // Nothing changed: both still pending, and the schema has no posts.
    const status = json(await cli(['status', '--dir', dir, '--db', db, '--json']));
    expect(status.migrations.map((m: { status: string }) => m.status)).toEqual(['applied', 'pending', 'pending']);
    expect(
      json(await cli(['schema', '--dir', dir, '--db', db, '--json'])).tables.map((t: { name: string }) => t.name),
    ).toEqual(['users']);

    const text = await cli(['diff', '--dir', dir, '--db', db]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('+ table posts');
    expect(text.out).toContain('~ rows: 1 → 2');

    // A failing migration: exit 1 and the error, still nothing changed.
    const broken = await folder({ '0001_users': CREATE_USERS, '0002_broken': FAILING_UP });
    const failed = await cli(['diff', '--dir', broken, '--db', 'sqlite::memory:', '--json']);
    expect(failed.code).toBe(1);
    expect(json(failed)).toMatchObject({ ok: false, changes: [], error: { migration: '0002_broken', phase: 'up' } });
  });

  it('diff on PGlite: the same, inside one transaction', async () => {
    const dir = await folder({ '0001_users': CREATE_USERS, '0002_index': FORGETS_INDEX });
    const run = await cli(['diff', '--dir', dir, '--db', 'pglite::memory:', '--json']);
    expect(run.code).toBe(0);
    expect(json(run).changes.map((c: { kind: string }) => c.kind)).toEqual(['table_added']);
    expect(json(run).changes[0].after.indexes).toEqual([{ name: 'users_email', columns: ['email'], unique: false }]);
  });

  it('schema and diff need a database: exit 2 without one', async () => {
    const dir = await folder({ '0001_users': CREATE_USERS });
    expect((await cli(['schema', '--dir', dir])).code).toBe(2);
    expect((await cli(['diff', '--dir', dir, '--json'])).code).toBe(2);
  });
});
