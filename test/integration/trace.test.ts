/**
 * `moonwalk trace` (DESIGN §5): the locks and rewrites of each statement, read from pg_locks and relfilenode inside
 * the migration's transaction, on PGlite and on a real PostgreSQL server, which must agree; the verdict names each
 * statement taking a lock stronger than SHARE UPDATE EXCLUSIVE on a table that existed before the migration. The
 * command: --json shape, exit 1 on danger, --allow by code, --db pglite:DIR copied and left unchanged.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { traceMigrations, type TraceResult } from '../../src/core/trace.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openDatabase } from '../../src/drivers/node/open-database.ts';
import { scratchDatabase, useServer, type TestServer } from '../harness/global-servers.ts';
import { ensureCliBuilt, runCli, writeMigrations } from '../helpers/cli-process.ts';
import { smallHost } from '../helpers/migration.ts';

/** A postgres migration running `sql` in one db:execute (line 6), after `options`. */
function migration(sql: string, options = ''): string {
  return [
    'return require("migration").define(function()',
    '  migration("m", function()',
    '    database("postgres", function()',
    `      ${options}`,
    '      up(function(db)',
    `        assert(db:execute(${JSON.stringify(sql)}))`,
    '      end)',
    '    end)',
    '  end)',
    'end)',
  ].join('\n');
}

const MIGRATIONS: Record<string, string> = {
  '0001_create_table': migration(
    'CREATE TABLE items (id bigint PRIMARY KEY, name text, other_id bigint); CREATE TABLE other (id bigint PRIMARY KEY); ' +
      "INSERT INTO other VALUES (1); INSERT INTO items SELECT g, 'n' || g, 1 FROM generate_series(1, 50) g",
  ),
  '0002_create_index': migration('CREATE INDEX items_name ON items (name)'),
  '0003_create_index_concurrently': migration(
    'CREATE INDEX CONCURRENTLY items_name_c ON items (name)',
    'options{ transaction = false }',
  ),
  '0004_add_column': migration("ALTER TABLE items ADD COLUMN note text DEFAULT 'x'"),
  '0005_add_column_volatile': migration('ALTER TABLE items ADD COLUMN token uuid DEFAULT gen_random_uuid()'),
  '0006_alter_column_type': migration('ALTER TABLE items ALTER COLUMN id TYPE numeric'),
  '0007_add_foreign_key': migration(
    'ALTER TABLE items ADD CONSTRAINT items_other FOREIGN KEY (other_id) REFERENCES other (id)',
  ),
  '0008_add_foreign_key_not_valid': migration(
    'ALTER TABLE items ADD CONSTRAINT items_other_nv FOREIGN KEY (other_id) REFERENCES other (id) NOT VALID',
  ),
  '0009_validate_constraint': migration('ALTER TABLE items VALIDATE CONSTRAINT items_other_nv'),
  '0010_set_not_null': migration('ALTER TABLE items ALTER COLUMN name SET NOT NULL'),
};

/** Per migration: the strongest lock on each table, the tables rewritten, and the dangers as [relation, mode, blocks, code]. */
const EXPECTED: Record<string, { tables: Record<string, string>; rewrites: string[]; dangerous: string[][] }> = {
  '0001_create_table': {
    tables: { items: 'AccessExclusiveLock', other: 'AccessExclusiveLock' },
    rewrites: [],
    dangerous: [],
  },
  '0002_create_index': {
    tables: { items: 'ShareLock' },
    rewrites: [],
    dangerous: [['items', 'ShareLock', 'writes', 'index-not-concurrent']],
  },
  '0003_create_index_concurrently': { tables: { items: 'ShareUpdateExclusiveLock' }, rewrites: [], dangerous: [] },
  '0004_add_column': {
    tables: { items: 'AccessExclusiveLock' },
    rewrites: [],
    dangerous: [['items', 'AccessExclusiveLock', 'reads', 'dangerous-lock']],
  },
  '0005_add_column_volatile': {
    tables: { items: 'AccessExclusiveLock' },
    rewrites: ['items', 'items_name', 'items_name_c', 'items_pkey'],
    dangerous: [['items', 'AccessExclusiveLock', 'reads', 'volatile-default']],
  },
  '0006_alter_column_type': {
    tables: { items: 'AccessExclusiveLock' },
    // the primary key's index is made anew (another oid) rather than rewritten
    rewrites: ['items', 'items_name', 'items_name_c'],
    dangerous: [['items', 'AccessExclusiveLock', 'reads', 'column-type-change']],
  },
  '0007_add_foreign_key': {
    tables: { items: 'ShareRowExclusiveLock', other: 'ShareRowExclusiveLock' },
    rewrites: [],
    dangerous: [
      ['items', 'ShareRowExclusiveLock', 'writes', 'constraint-not-valid'],
      ['other', 'ShareRowExclusiveLock', 'writes', 'constraint-not-valid'],
    ],
  },
  '0008_add_foreign_key_not_valid': {
    tables: { items: 'ShareRowExclusiveLock', other: 'ShareRowExclusiveLock' },
    rewrites: [],
    dangerous: [
      ['items', 'ShareRowExclusiveLock', 'writes', 'dangerous-lock'],
      ['other', 'ShareRowExclusiveLock', 'writes', 'dangerous-lock'],
    ],
  },
  '0009_validate_constraint': {
    tables: { items: 'ShareUpdateExclusiveLock', other: 'RowShareLock' },
    rewrites: [],
    dangerous: [],
  },
  '0010_set_not_null': {
    tables: { items: 'AccessExclusiveLock' },
    rewrites: [],
    dangerous: [['items', 'AccessExclusiveLock', 'reads', 'set-not-null']],
  },
};

const files = () => migrationFiles(Object.entries(MIGRATIONS).map(([id, text]) => ({ name: `${id}.lua`, text })));

/** What EXPECTED compares: per migration, tables' strongest locks, rewrites, dangers. */
function summarize(result: TraceResult) {
  return Object.fromEntries(
    result.migrations.map((m) => {
      const tables: Record<string, string> = {};
      for (const statement of m.statements) {
        for (const lock of statement.locks) {
          if (['items', 'other'].includes(lock.relation)) tables[lock.relation] ??= lock.mode; // strongest first
        }
      }
      return [
        m.id,
        {
          tables,
          rewrites: m.statements.flatMap((s) => s.rewrites),
          dangerous: m.dangerous.map((d) => [d.relation, d.mode, d.blocks, d.code]),
        },
      ];
    }),
  );
}

let server: TestServer;
let serverUrl: string;
const drivers: Driver[] = [];
let pgliteTrace: TraceResult;

beforeAll(async () => {
  server = await useServer('postgres');
  serverUrl = await scratchDatabase(server, 'trace');
  const driver = await openPglite();
  drivers.push(driver);
  pgliteTrace = await traceMigrations({ driver, files: files(), host: smallHost() });
});

afterAll(async () => {
  await Promise.all(drivers.map((d) => d.close().catch(() => {})));
  await server?.stop();
});

describe('trace on PGlite', () => {
  test('the expected lock modes, rewrites and dangers per migration', () => {
    expect(pgliteTrace.error).toBeNull();
    expect(summarize(pgliteTrace)).toEqual(EXPECTED);
    expect(pgliteTrace.ok).toBe(false);
  });

  test('each statement has its SQL and Lua line; the ledger and the catalog are left out', () => {
    const index = pgliteTrace.migrations.find((m) => m.id === '0002_create_index')!;
    expect(index.statements).toEqual([
      {
        sql: 'CREATE INDEX items_name ON items (name)',
        line: 6,
        locks: [
          { relation: 'items_name', mode: 'AccessExclusiveLock' },
          { relation: 'items', mode: 'ShareLock' },
        ],
        rewrites: [],
      },
    ]);
    expect(index.dangerous).toEqual([
      {
        statement: 'CREATE INDEX items_name ON items (name)',
        relation: 'items',
        mode: 'ShareLock',
        blocks: 'writes',
        code: 'index-not-concurrent',
      },
    ]);
  });
});

describe('trace on a PostgreSQL server agrees with PGlite', () => {
  test('the same locks and rewrites, statement by statement', async () => {
    const driver = await openDatabase(serverUrl, { connectTimeoutMs: 5000 });
    drivers.push(driver);
    const serverTrace = await traceMigrations({ driver, files: files(), host: smallHost() });
    expect(serverTrace.error).toBeNull();
    expect(summarize(serverTrace)).toEqual(EXPECTED);
    const tableLocks = (r: TraceResult) =>
      r.migrations.map((m) => m.statements.map((s) => s.locks.filter((l) => ['items', 'other'].includes(l.relation))));
    expect(tableLocks(serverTrace)).toEqual(tableLocks(pgliteTrace));
  });

  test('CREATE INDEX CONCURRENTLY holds SHARE UPDATE EXCLUSIVE on the table while it builds (seen from another session)', async () => {
    const url = await scratchDatabase(server, 'trace_cic');
    const driver = await openDatabase(url, { connectTimeoutMs: 5000 });
    drivers.push(driver);
    const setup = await new Migrator({
      driver,
      host: smallHost(),
      files: migrationFiles([{ name: '0001_create_table.lua', text: MIGRATIONS['0001_create_table'] }]),
    }).up();
    expect(setup.error).toBeNull();
    // A writer keeps its transaction open: the build waits for it, holding its own lock meanwhile.
    const writer = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url });
    await writer.connect();
    await watcher.connect();
    try {
      await writer.query('BEGIN');
      await writer.query("UPDATE items SET name = 'w' WHERE id = 1");
      const run = new Migrator({
        driver,
        host: smallHost(),
        allowDrift: true,
        files: migrationFiles([
          { name: '0003_create_index_concurrently.lua', text: MIGRATIONS['0003_create_index_concurrently'] },
        ]),
      }).up();
      let modes: string[] = [];
      for (let i = 0; i < 200 && modes.length === 0; i++) {
        const seen = await watcher.query<{ mode: string }>(
          `SELECT l.mode FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.relation = 'items'::regclass AND l.granted AND a.query LIKE 'CREATE INDEX CONCURRENTLY%'`,
        );
        modes = seen.rows.map((r) => r.mode);
        if (modes.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await writer.query('COMMIT');
      expect((await run).error).toBeNull();
      expect(modes).toEqual(['ShareUpdateExclusiveLock']);
    } finally {
      await writer.end();
      await watcher.end();
    }
  });
});

// Each command boots PGlite (initdb in WebAssembly): seconds of CPU, far more on a busy machine.
describe('moonwalk trace', { timeout: 240_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'moonwalk-trace-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  beforeAll(() => ensureCliBuilt());

  test('--json has the shape of DESIGN §5 and exits 1 on a dangerous lock; --allow by code exits 0', async () => {
    const dir = path.join(tmp, 'json');
    writeMigrations(dir, {
      '0001_create_table.lua': MIGRATIONS['0001_create_table'],
      '0002_create_index.lua': MIGRATIONS['0002_create_index'],
    });
    const run = await runCli(['trace', '--json', '--dir', dir]);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    expect(Object.keys(doc)).toEqual(['ok', 'migrations']);
    expect(doc.ok).toBe(false);
    expect(doc.migrations.map((m: { id: string }) => m.id)).toEqual(['0001_create_table', '0002_create_index']);
    expect(Object.keys(doc.migrations[1])).toEqual(['id', 'statements', 'dangerous']);
    expect(Object.keys(doc.migrations[1].statements[0])).toEqual(['sql', 'line', 'locks', 'rewrites']);
    expect(doc.migrations[1].dangerous[0]).toMatchObject({
      statement: 'CREATE INDEX items_name ON items (name)',
      relation: 'items',
      mode: 'ShareLock',
      blocks: 'writes',
    });
    const allowed = await runCli(['trace', '--dir', dir, '--allow', 'index-not-concurrent']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain(
      'DANGER (allowed) CREATE INDEX items_name ON items (name) takes ShareLock on items',
    );
  });

  test('--db pglite:DIR traces only what is pending there, on a copy: the directory is left unchanged', async () => {
    const dir = path.join(tmp, 'pending');
    const data = path.join(tmp, 'data');
    writeMigrations(dir, { '0001_create_table.lua': MIGRATIONS['0001_create_table'] });
    expect((await runCli(['up', '--dir', dir, '--db', `pglite:${data}`])).code).toBe(0);
    writeMigrations(dir, {
      '0001_create_table.lua': MIGRATIONS['0001_create_table'],
      '0010_set_not_null.lua': MIGRATIONS['0010_set_not_null'],
    });
    const run = await runCli(['trace', '--dir', dir, '--db', `pglite:${data}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^0010_set_not_null$/m);
    expect(run.stdout).not.toMatch(/^0001_create_table$/m);
    expect(run.stdout).toContain('AccessExclusiveLock on items');
    const status = await runCli(['status', '--json', '--dir', dir, '--db', `pglite:${data}`]);
    expect(JSON.parse(status.stdout).migrations.map((m: { status: string }) => m.status)).toEqual([
      'applied',
      'pending',
    ]);
  });

  test('a server URL is refused: trace runs on PGlite only', async () => {
    const run = await runCli(['trace', '--dir', path.join(tmp, 'json'), '--db', 'postgres://localhost/x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('trace runs the migrations on PGlite, never on a server');
  });
});
