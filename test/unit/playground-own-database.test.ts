/**
 * Issue 13 in the playground's store, in Node: a SQLite file of one's own as the starting database (its ledger read),
 * Reset database back to it, Verify from it, Start empty, a SQL dump that fails changing nothing, a file that is not a
 * database refused, and the database kept and restored after a "reload" (a new playground on the same keeper).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { connectInProcess } from '../harness/in-process-engine.ts';
import { makeOwnSqlite, OWN_FILES } from '../helpers/own-database.ts';
import { createPlayground, type Playground } from '../../src/web/store/playground.ts';
import type { DatabaseKeeper } from '../../src/web/store/own-database.ts';
import type { PlaygroundState } from '../../src/web/store/state.ts';
import type { KeptDatabase } from '../../src/web/worker/protocol.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-own-db-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function memoryKeeper(): DatabaseKeeper & { value: KeptDatabase | null } {
  return {
    value: null,
    async keep(kept) {
      this.value = structuredClone(kept);
      return true;
    },
    async kept() {
      return this.value;
    },
    async forget() {
      this.value = null;
      return true;
    },
  };
}

async function started(keeper?: DatabaseKeeper, engine: 'sqlite' | 'postgres' = 'sqlite'): Promise<Playground> {
  const playground = createPlayground({
    start: { files: OWN_FILES, selected: null, engine, alert: null, sharedHash: '', workspace: 'own', theme: 'system' },
    connect: connectInProcess(),
    surroundings: {
      hash: () => '',
      replaceHash() {},
      href: () => 'http://localhost/',
      copy: async () => true,
      editedLink: () => null,
      forgetEditedLinks() {},
    },
    ...(keeper ? { keeper } : {}),
  });
  await playground.start();
  await until(playground, (s) => s.status.length === OWN_FILES.length && s.busy === null);
  return playground;
}

async function until(playground: Playground, done: (state: PlaygroundState) => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(playground.store.getState()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(done(playground.store.getState())).toBe(true);
}

const states = (s: PlaygroundState) => s.status.map((m) => `${m.id.slice(0, 4)}:${m.status}`);
const tables = (s: PlaygroundState) => (s.schema?.tables ?? []).map((t) => `${t.name}:${t.rows}`);

test('a SQLite file as the baseline: its ledger, Apply, Reset back to it, Verify from it, Start empty', async () => {
  const { bytes } = await makeOwnSqlite(tmp);
  const keeper = memoryKeeper();
  const pg = await started(keeper);
  expect(await pg.actions.openDatabaseFile(new File([bytes], 'app.sqlite'))).toBe(true);
  let s = pg.store.getState();
  expect(states(s)).toEqual(['0001:applied', '0002:pending']);
  expect(tables(s)).toEqual(['orders:3', 'users:3']);
  expect(s.notice).toMatch(/^Opened app\.sqlite .*2 tables.*starting database/);
  expect(s.alert).toBeNull();

  await pg.actions.runCommand('apply-all');
  s = pg.store.getState();
  expect(states(s)).toEqual(['0001:applied', '0002:applied']);
  expect(s.schema?.tables.find((t) => t.name === 'orders')?.columns.map((c) => c.name)).toContain('note');

  await pg.actions.resetDatabase();
  s = pg.store.getState();
  expect(states(s)).toEqual(['0001:applied', '0002:pending']);
  expect(tables(s)).toEqual(['orders:3', 'users:3']);

  await pg.actions.verify();
  s = pg.store.getState();
  expect(s.verify?.migrations.map((m) => `${m.id.slice(0, 4)}:${m.outcome}`)).toEqual(['0002:reversible']);

  // kept after each command, and back in a new playground (a reload)
  await until(pg, () => keeper.value !== null);
  await pg.actions.runCommand('apply-next');
  await until(pg, () => keeper.value?.applied.length === 1);
  const again = await started(keeper);
  await until(again, (st) => st.notice !== null);
  expect(again.store.getState().notice).toBe('Restored the database you had: 2 applied.');
  expect(states(again.store.getState())).toEqual(['0001:applied', '0002:applied']);
  await again.actions.resetDatabase();
  expect(tables(again.store.getState())).toEqual(['orders:3', 'users:3']);

  await pg.actions.startEmpty();
  s = pg.store.getState();
  expect(states(s)).toEqual(['0001:pending', '0002:pending']);
  expect(tables(s)).toEqual([]);
  await pg.actions.resetDatabase();
  expect(tables(pg.store.getState())).toEqual([]);
}, 60_000);

test('a file that is not a SQLite database, and a dump that fails, are alerts that change nothing', async () => {
  const { bytes } = await makeOwnSqlite(tmp);
  const pg = await started();
  await pg.actions.openDatabaseFile(new File([bytes], 'app.db'));
  const before = pg.store.getState();

  expect(await pg.actions.openDatabaseFile(new File(['hello, not a database'], 'notes.sqlite'))).toBe(false);
  expect(pg.store.getState().alert?.message).toMatch(/notes\.sqlite is not a SQLite database.*Nothing was changed/);
  expect(await pg.actions.openDatabaseFile(new File([bytes], 'app.txt'))).toBe(false);
  expect(pg.store.getState().alert?.message).toMatch(/app\.txt is not a SQLite database file/);

  const dump = 'CREATE TABLE a (x);\nINSERT INTO a VALUES (1);\nINSERT INTO nope VALUES (2);\n';
  expect(await pg.actions.loadSqlDump(dump)).toBe(false);
  const s = pg.store.getState();
  expect(s.alert?.message).toBe(
    'The SQL dump failed at statement 3 (line 3): no such table: nope. Nothing of it was loaded; the database is as it was.',
  );
  expect(tables(s)).toEqual(tables(before));
  await pg.actions.resetDatabase();
  expect(tables(pg.store.getState())).toEqual(['orders:3', 'users:3']);
}, 60_000);

test('a pg_dump-style dump on PostgreSQL: COPY rows, Reset back to it, kept and rebuilt after a reload', async () => {
  const dump = [
    "SET client_encoding = 'UTF8';",
    "SELECT pg_catalog.set_config('search_path', '', false);",
    '\\connect app',
    'CREATE TABLE public.users (id integer PRIMARY KEY, name text NOT NULL, email text);',
    'CREATE TABLE public.orders (id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES public.users (id), total numeric);',
    'COPY public.users (id, name, email) FROM stdin;',
    '1\tAda\tada@example.com',
    "2\tO'Brien\t\\N",
    '\\.',
    'COPY public.orders (id, user_id, total) FROM stdin;',
    '1\t1\t9.5',
    '\\.',
    '',
  ].join('\n');
  const keeper = memoryKeeper();
  const pg = await started(keeper, 'postgres');
  expect(await pg.actions.loadSqlDump(dump)).toBe(true);
  let s = pg.store.getState();
  expect(tables(s)).toEqual(['orders:1', 'users:2']);
  expect(s.notice).toMatch(/Loaded the SQL dump into PostgreSQL.*skipped 1 psql meta-command \(\\connect\)/);
  await pg.actions.runCommand('apply-all');
  await pg.actions.resetDatabase();
  s = pg.store.getState();
  expect(states(s)).toEqual(['0001:pending', '0002:pending']);
  expect(tables(s)).toEqual(['orders:1', 'users:2']);
  await pg.actions.runCommand('apply-next');
  await until(pg, () => keeper.value?.applied.length === 1);
  const again = await started(keeper, 'postgres');
  await until(again, (st) => st.notice !== null);
  expect(again.store.getState().notice).toBe('Restored the database you had: 1 applied.');
  expect(tables(again.store.getState())).toEqual(['orders:1', 'users:2']);
}, 300_000);

const TAGS = {
  name: '0003_tags.lua',
  text: OWN_FILES[1].text
    .replace('add notes', 'tags')
    .replace('ALTER TABLE orders ADD COLUMN note TEXT', 'CREATE TABLE tags (name TEXT)')
    .replace('ALTER TABLE orders DROP COLUMN note', 'DROP TABLE tags'),
};

/** Apply all on `pg`, stopped once `when` holds while it runs. */
async function stopApplyAll(pg: Playground, when: (s: PlaygroundState) => boolean): Promise<void> {
  const stop: { pressed: Promise<void> | null } = { pressed: null };
  const unsubscribe = pg.store.subscribe((state) => {
    if (!stop.pressed && state.busy === 'Apply all' && when(state)) stop.pressed = pg.actions.stop();
  });
  const running = pg.actions.runCommand('apply-all');
  await until(pg, () => stop.pressed !== null);
  unsubscribe();
  await running;
  await stop.pressed;
  await until(pg, (s) => s.busy === null && s.engineState === 'ready' && s.status.length === 3);
}

test('Stop keeps the baseline: what committed on top of it stays, and Reset database goes back to it', async () => {
  const { bytes } = await makeOwnSqlite(tmp);
  const pg = await started();
  await pg.actions.replaceFiles([...OWN_FILES, TAGS], 'three files');
  expect(await pg.actions.openDatabaseFile(new File([bytes], 'app.sqlite'))).toBe(true);
  // stopped once 0002 has committed: 0003 is pending again, the file's rows are all there
  await stopApplyAll(pg, (s) => s.progress?.finished.length === 1);
  let s = pg.store.getState();
  expect(states(s)).toEqual(['0001:applied', '0002:applied', '0003:pending']);
  expect(tables(s)).toEqual(['orders:3', 'users:3']);
  await pg.actions.resetDatabase();
  s = pg.store.getState();
  expect(states(s)).toEqual(['0001:applied', '0002:pending', '0003:pending']);
  expect(tables(s)).toEqual(['orders:3', 'users:3']);
  await pg.actions.verify();
  expect(pg.store.getState().verify?.migrations.map((m) => m.outcome)).toEqual(['reversible', 'reversible']);
}, 60_000);

test('Stop before the command sent its checkpoint: the database kept when the last command ended, never empty', async () => {
  const { bytes } = await makeOwnSqlite(tmp);
  const keeper = memoryKeeper();
  const pg = await started(keeper);
  await pg.actions.replaceFiles([...OWN_FILES, TAGS], 'three files');
  expect(await pg.actions.openDatabaseFile(new File([bytes], 'app.sqlite'))).toBe(true);
  await pg.actions.runCommand('apply-next');
  await until(pg, () => keeper.value?.applied.length === 1);
  await stopApplyAll(pg, (s) => s.checkpoint === null);
  const s = pg.store.getState();
  expect(states(s)).toEqual(['0001:applied', '0002:applied', '0003:pending']);
  expect(tables(s)).toEqual(['orders:3', 'users:3']);
  expect(s.log.map((e) => e.text)).toContain(
    'The database is back as it was after the last migration that committed: 0001_index_emails, 0002_add_notes stay applied.',
  );
  await pg.actions.resetDatabase();
  expect(states(pg.store.getState())).toEqual(['0001:applied', '0002:pending', '0003:pending']);
}, 60_000);

test('Compare engines starts from the baseline on both engines, and says plainly when the other engine cannot hold it', async () => {
  const { bytes } = await makeOwnSqlite(tmp);
  const pg = await started();
  expect(await pg.actions.openDatabaseFile(new File([bytes], 'app.sqlite'))).toBe(true);
  await pg.actions.compareEngines();
  let report = pg.store.getState().compare.report!;
  expect(report.startsFrom).toBe('app.sqlite');
  for (const side of report.sides) {
    expect(side.error).toBeNull();
    // the file's ledger came along: only 0002 runs, on top of the file's tables and rows
    expect(side.run?.results.map((r) => `${r.id.slice(0, 4)}:${r.status}`)).toEqual(['0002:applied']);
    expect(side.schema?.tables.map((t) => `${t.name}:${t.rows}`)).toEqual(['orders:3', 'users:3']);
  }
  // the one true difference: the file's INTEGER PRIMARY KEY numbers rows on SQLite, its copy on PostgreSQL does not
  expect(report.findings.map((f) => `${f.kind}:${f.path.join('.')}`)).toEqual([
    'column_key:orders.id',
    'column_key:users.id',
  ]);

  // AUTOINCREMENT is SQLite's own: PostgreSQL cannot load the file, and the verdict says why
  const odd = new File(
    [await sqliteWith('CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT)')],
    'odd.db',
  );
  expect(await pg.actions.openDatabaseFile(odd)).toBe(true);
  await pg.actions.compareEngines();
  report = pg.store.getState().compare.report!;
  expect(report.sides[0].error).toBeNull(); // SQLite ran (the files do not fit this database, which is not the point)
  expect(report.sides[1].run).toBeNull();
  expect(report.sides[1].error).toMatch(
    /^Your starting database \(odd\.db\) cannot be loaded on PostgreSQL: the statement CREATE TABLE notes .* fails there with "syntax error at or near "AUTOINCREMENT""/,
  );
  expect(
    pg.store
      .getState()
      .log.map((e) => e.text)
      .join('\n'),
  ).toContain('Could not compare: Your starting database (odd.db)');
}, 300_000);

async function sqliteWith(sql: string): Promise<Uint8Array<ArrayBuffer>> {
  const { openSqlJs } = await import('../../src/drivers/sqljs.ts');
  const driver = await openSqlJs({});
  driver.exec(sql);
  const bytes = driver.export();
  await driver.close();
  return new Uint8Array(bytes);
}

test('Share carries the baseline: a fresh playground opened with the link starts from it; rows that do not fit are counted', async () => {
  const { bytes } = await makeOwnSqlite(tmp);
  let hash = '';
  const surroundings = {
    hash: () => hash,
    replaceHash: (h: string | null) => void (hash = h ?? ''),
    href: () => `http://localhost/${hash}`,
    copy: async () => true,
    editedLink: () => null,
    forgetEditedLinks() {},
  };
  const own = createPlayground({
    start: {
      files: OWN_FILES,
      selected: null,
      engine: 'sqlite',
      alert: null,
      sharedHash: '',
      workspace: 'own',
      theme: 'system',
    },
    connect: connectInProcess(),
    surroundings,
  });
  await own.start();
  await until(own, (s) => s.status.length === 2 && s.busy === null);
  expect(await own.actions.openDatabaseFile(new File([bytes], 'app.sqlite'))).toBe(true);
  await own.actions.share();
  expect(hash).toMatch(/^#v3\./);
  expect(own.store.getState().log.at(-1)?.text).toContain(
    'It carries your starting database, app.sqlite, schema and data.',
  );

  const { decodeShare } = await import('../../src/web/share.ts');
  const decoded = decodeShare(hash);
  if (!decoded.ok) throw new Error(decoded.message);
  expect(decoded.state.baseline).toMatchObject({ name: 'app.sqlite', rowsLeftOut: 0 });
  const fresh = createPlayground({
    start: { ...decoded.state, alert: null, sharedHash: hash, workspace: 'link', theme: 'system' },
    connect: connectInProcess(),
    surroundings,
  });
  await fresh.start();
  await until(fresh, (s) => s.notice !== null && s.busy === null);
  let s = fresh.store.getState();
  expect(s.notice).toMatch(/^This link carries a starting database, app\.sqlite: loaded into SQLite/);
  expect(states(s)).toEqual(['0001:applied', '0002:pending']);
  expect(tables(s)).toEqual(['orders:3', 'users:3']);
  await fresh.actions.runCommand('apply-all');
  await fresh.actions.resetDatabase();
  s = fresh.store.getState();
  expect(states(s)).toEqual(['0001:applied', '0002:pending']);
  expect(tables(s)).toEqual(['orders:3', 'users:3']);

  // a budget that holds the schema and a few rows: the rest is counted, the schema is whole
  const { linkBaseline } = await import('../../src/web/worker/baseline.ts');
  const { openNodeEngine } = await import('../harness/in-process-engine.ts');
  const small = await linkBaseline(openNodeEngine, { kind: 'sqlite-file', name: 'app.sqlite', bytes }, 700);
  expect(small.rowsLeftOut).toBeGreaterThan(0);
  expect(small.rowsLeftOut).toBeLessThan(6);
  expect(small.sql).toContain('CREATE TABLE orders');
  expect(small.sql).toContain('INSERT INTO _migrations');
  const none = await linkBaseline(openNodeEngine, { kind: 'sqlite-file', name: 'app.sqlite', bytes }, 0);
  expect(none.rowsLeftOut).toBe(6);
  expect(none.sql).not.toContain('INSERT INTO "users"');
}, 60_000);

test.each(['sqlite', 'postgres'] as const)(
  "each step's Diff lists the rows it added, removed and changed (%s)",
  async (engine) => {
    const pg = await started(undefined, engine);
    await pg.actions.runSql(
      'CREATE TABLE users (id integer PRIMARY KEY, name text, email text); ' +
        "INSERT INTO users VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL), (3, 'Linus', 'l@example.com')",
    );
    await pg.actions.runSql(
      "UPDATE users SET email = 'grace@example.com' WHERE id = 2; DELETE FROM users WHERE id = 3; " +
        "INSERT INTO users VALUES (4, 'Edsger', NULL)",
    );
    const lines = pg.store.getState().diff?.lines.map((l) => `${l.sign} ${l.text}`) ?? [];
    expect(lines).toEqual([
      '~ table users',
      '~ data changed',
      '  rows: 1 added, 1 removed, 1 changed',
      "~ row id=2: email NULL → 'grace@example.com'",
      "+ row id=4, name='Edsger', email=NULL",
      "- row id=3, name='Linus', email='l@example.com'",
    ]);
  },
  120_000,
);

test('Clear workspace forgets the files and the kept database; a large file shows its progress (bytes read of all) while it opens', async () => {
  const keeper = memoryKeeper();
  const pg = await started(keeper);
  // a file of some 12 MB, made by better-sqlite3 in tmp: read in chunks by the worker, the progress line says how far
  const { openSqliteFile } = await import('../../src/drivers/better-sqlite3.ts');
  const path = join(mkdtempSync(join(tmp, 'big-')), 'big.sqlite');
  const big = openSqliteFile(path);
  big.exec(
    "CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) INSERT INTO events SELECT i, printf('%.100c', 'x') || i FROM n",
  );
  await big.close();
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(path);
  expect(bytes.length).toBeGreaterThan(10 * 1024 * 1024);
  const { progressLine } = await import('../../src/web/run-progress.ts');
  const notices: string[] = [];
  const lines: string[] = [];
  const unsubscribe = pg.store.subscribe((s, p) => {
    if (s.notice !== p.notice && s.notice) notices.push(s.notice);
    if (s.progress?.bytes && s.progress !== p.progress) lines.push(progressLine(s.progress));
  });
  expect(await pg.actions.openDatabaseFile(new File([bytes], 'big.sqlite'))).toBe(true);
  unsubscribe();
  // The open step's own progress line: the bytes read, of all, as the worker reads them; then the open itself.
  const reading = lines.filter((l) => /^Open database file — read \d+% \(\d+\.\d MB of 1\d\.\d MB\)$/.test(l));
  expect(reading.length).toBeGreaterThanOrEqual(5);
  expect(lines.at(-1)).toMatch(/^Open database file — read 1\d\.\d MB, opening it in SQLite$/);
  expect(notices.at(-1)).toMatch(/^Opened big\.sqlite \(1\d\.\d MB, 1 table\)/);
  // The page keeps the File itself as the baseline (given to a fresh worker after a Stop): no bytes came back.
  const baseline = pg.store.getState().baselines.sqlite;
  expect(baseline?.kind === 'sqlite-blob' && baseline.file.size).toBe(bytes.length);
  expect(tables(pg.store.getState())).toEqual(['events:100000']);
  await until(pg, () => keeper.value !== null);

  await pg.actions.clearWorkspace();
  const s = pg.store.getState();
  expect(keeper.value).toBeNull();
  expect(s.baselines).toEqual({});
  expect(tables(s)).toEqual([]);
  expect(s.files.map((f) => f.name)).not.toContain(OWN_FILES[0].name);
  expect(s.files.length).toBeGreaterThan(0);
  expect(s.notice).toMatch(
    /^Cleared the workspace: your files, the database kept in this browser and its copies of share links you opened are forgotten/,
  );
}, 120_000);

test('a long SQL dump says how far its load is: statement N of M', async () => {
  const pg = await started();
  const dump = ['CREATE TABLE t (id integer PRIMARY KEY);']
    .concat(Array.from({ length: 1000 }, (_, i) => `INSERT INTO t VALUES (${i});`))
    .join('\n');
  const { progressLine } = await import('../../src/web/run-progress.ts');
  const lines: string[] = [];
  const unsubscribe = pg.store.subscribe((s) => {
    if (s.progress?.of) lines.push(progressLine(s.progress));
  });
  expect(await pg.actions.loadSqlDump(dump)).toBe(true);
  unsubscribe();
  expect(lines).toContain('Load SQL dump — statement 800 of 1,001');
  expect(tables(pg.store.getState())).toEqual(['t:1000']);
}, 60_000);
