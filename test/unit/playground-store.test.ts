/**
 * The playground's store in Node, without a browser: its actions against the worker's real engine host (sql.js,
 * PGlite) behind the page's real EngineClient (test/harness/in-process-engine.ts).
 */
import { describe, expect, test } from 'vitest';
import { connectInProcess } from '../harness/in-process-engine.ts';
import type { Surroundings } from '../../src/web/store/context.ts';
import { createPlayground, type Playground } from '../../src/web/store/playground.ts';
import { fileState, type PlaygroundState, type Start } from '../../src/web/store/state.ts';
import type { SourceFile } from '../../src/web/worker/protocol.ts';

/** A migration creating `table` on either engine (`extra` goes into its column list, to break it). */
const migration = (table: string, extra = '') => `return require("migration").define(function()
    migration("create ${table}", function()
        for _, engine in ipairs({ "sqlite", "postgres" }) do
            database(engine, function()
                up(function(db)
                    local _, err = db:execute("CREATE TABLE ${table} (id INTEGER PRIMARY KEY${extra})")
                    if err then error(err) end
                end)
                down(function(db)
                    local _, err = db:execute("DROP TABLE ${table}")
                    if err then error(err) end
                end)
            end)
        end
    end)
end)
`;

const FILES: SourceFile[] = [
  { name: '0001_users.lua', text: migration('users') },
  { name: '0002_posts.lua', text: migration('posts') },
];

/** An address bar and a clipboard of plain values. */
function surroundings(): Surroundings & { address: string; copied: string[] } {
  return {
    address: '',
    copied: [],
    hash() {
      return this.address;
    },
    replaceHash(hash) {
      this.address = hash ?? '';
    },
    href() {
      return `http://localhost/${this.address}`;
    },
    async copy(text) {
      this.copied.push(text);
      return true;
    },
    editedLink: () => null,
    forgetEditedLinks() {},
  };
}

async function started(
  files = FILES,
  start: Partial<Start> = {},
): Promise<Playground & { around: ReturnType<typeof surroundings> }> {
  const around = surroundings();
  const playground = createPlayground({
    start: {
      files,
      selected: null,
      engine: 'sqlite',
      alert: null,
      sharedHash: '',
      workspace: 'own',
      theme: 'system',
      ...start,
    },
    connect: connectInProcess(),
    surroundings: around,
  });
  await playground.start();
  await until(playground, (s) => s.status.length === files.length);
  return { ...playground, around };
}

/** Waits for the state to satisfy `done` (the status refresh after an open is its own request). */
async function until(playground: Playground, done: (state: PlaygroundState) => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(playground.store.getState()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(done(playground.store.getState())).toBe(true);
}

function countUpdates(playground: Playground): { count: () => number } {
  let n = 0;
  playground.store.subscribe(() => n++);
  return { count: () => n };
}

const logTexts = (state: PlaygroundState) => state.log.map((e) => e.text);

describe('the playground store', () => {
  test('starts lazily: no client and no worker until start, then the engine ready and every file pending', async () => {
    let connected = 0;
    const connect = connectInProcess();
    const playground = createPlayground({
      start: {
        files: FILES,
        selected: null,
        engine: 'sqlite',
        alert: null,
        sharedHash: '',
        workspace: 'own',
        theme: 'system',
      },
      connect: (...args) => {
        connected++;
        return connect(...args);
      },
      surroundings: surroundings(),
    });
    expect(connected).toBe(0);
    expect(playground.store.getState().selected).toBe('0001_users.lua');
    await playground.start();
    expect(connected).toBe(1);
    await until(playground, (s) => s.status.length === 2);
    const state = playground.store.getState();
    expect(state.engineState).toBe('ready');
    expect(state.status.map((e) => [e.id, e.status])).toEqual([
      ['0001_users', 'pending'],
      ['0002_posts', 'pending'],
    ]);
    expect(logTexts(state).at(-1)).toMatch(/^SQLite ready \d+ ms after the page started loading/);
  });

  test('Apply all: the ledger, the schema, the Diff, the Timeline and the log, in one update as it ends', async () => {
    const playground = await started();
    const seen: PlaygroundState[] = [];
    playground.store.subscribe((state) => seen.push(state));
    await playground.actions.runCommand('apply-all');
    const state = playground.store.getState();
    // The first state that is no longer busy is the final one: the answer arrives as one update, not several.
    expect(seen.find((s) => s.busy === null)).toBe(state);
    expect(seen[0].busy).toBe('Apply all');
    expect(state.busy).toBeNull();
    expect(state.progress).toBeNull();
    expect(state.status.map((e) => e.status)).toEqual(['applied', 'applied']);
    expect(state.schema?.tables.map((t) => t.name)).toEqual(['posts', 'users']);
    expect(state.diff?.title).toBe('Apply all on SQLite');
    expect(state.diff?.lines.filter((l) => l.depth === 0).map((l) => `${l.sign} ${l.text}`)).toEqual([
      '+ table posts (id INTEGER PRIMARY KEY)',
      '+ table users (id INTEGER PRIMARY KEY)',
    ]);
    expect(state.timeline.steps.map((s) => [s.kind, s.results.map((r) => r.id)])).toEqual([
      ['applied', ['0001_users', '0002_posts']],
    ]);
    expect(logTexts(state).slice(-3)).toEqual([
      '0001_users applied (up)',
      '0002_posts applied (up)',
      'Apply all: 2 applied',
    ]);
    expect(fileState(state, '0002_posts.lua')).toBe('applied');
  });

  test('a failed migration: the alert links to its line, the editor marks it, the file shows failed', async () => {
    const broken = { name: '0002_posts.lua', text: migration('posts', ', )') };
    const playground = await started([FILES[0], broken]);
    await playground.actions.runCommand('apply-all');
    const state = playground.store.getState();
    expect(fileState(state, '0001_users.lua')).toBe('applied');
    expect(fileState(state, '0002_posts.lua')).toBe('failed');
    expect(state.alert?.message).toMatch(/^Apply all failed — /);
    expect(state.alert?.link).toEqual({ file: '0002_posts.lua', line: 7 });
    expect(state.markers['0002_posts.lua']?.map((m) => m.line)).toEqual([7]);
    // Editing the file takes its marks away.
    playground.actions.updateText('0002_posts.lua', migration('posts'));
    expect(playground.store.getState().markers['0002_posts.lua']).toBeUndefined();
  });

  test('file actions are one update each', async () => {
    const playground = await started();
    const updates = countUpdates(playground);
    playground.actions.newMigration();
    expect(updates.count()).toBe(1);
    const added = playground.store.getState().selected!;
    expect(added).toBe('0003_new_migration.lua');
    expect(playground.actions.renameFile(added, '0003_add_phone')).toBeNull();
    expect(updates.count()).toBe(2);
    expect(playground.store.getState().selected).toBe('0003_add_phone.lua');
    expect(playground.actions.renameFile('0003_add_phone.lua', '0001_users.lua')).toMatch(/0001_users\.lua/);
    expect(updates.count()).toBe(2); // refused: nothing changed
    playground.actions.deleteFile('0003_add_phone.lua');
    expect(updates.count()).toBe(3);
    const state = playground.store.getState();
    expect(state.files.map((f) => f.name)).toEqual(['0001_users.lua', '0002_posts.lua']);
    expect(state.selected).toBe('0002_posts.lua');
    expect(logTexts(state).slice(-3)).toEqual([
      'Added 0003_new_migration.lua. Give it a name that says what it does.',
      'Renamed 0003_new_migration.lua to 0003_add_phone.lua.',
      'Deleted 0003_add_phone.lua.',
    ]);
  });

  test('Stop keeps what committed: the database as it was, and the migrations the command had finished', async () => {
    const third = { name: '0003_tags.lua', text: migration('tags') };
    const playground = await started([...FILES, third]);
    await playground.actions.stop(); // nothing runs: nothing happens
    expect(playground.store.getState().log.some((e) => e.text.startsWith('Stopped'))).toBe(false);
    await playground.actions.runCommand('apply-next');
    // Stop once Apply all has finished its first migration (0002), before its answer arrives.
    const stop: { pressed: Promise<void> | null } = { pressed: null };
    playground.store.subscribe((state) => {
      if (!stop.pressed && state.busy === 'Apply all' && state.progress?.finished.length === 1)
        stop.pressed = playground.actions.stop();
    });
    const running = playground.actions.runCommand('apply-all');
    await until(playground, () => stop.pressed !== null);
    await running;
    await stop.pressed;
    const state = playground.store.getState();
    expect(state.busy).toBeNull();
    expect(state.status.map((e) => [e.id, e.status])).toEqual([
      ['0001_users', 'applied'],
      ['0002_posts', 'applied'],
      ['0003_tags', 'pending'],
    ]);
    expect(state.schema?.tables.map((t) => t.name)).toEqual(['posts', 'users']);
    expect(logTexts(state).at(-1)).toBe(
      'The database is back as it was after the last migration that committed: 0001_users, 0002_posts stay applied.',
    );
    expect(state.timeline.steps.at(-1)?.note).toBe(
      'Apply all was running. It had finished 1 migration (listed), kept. The engine was ended and started again; the database was put back as it was after the last migration that committed.',
    );
  });

  test('Stop before the database was kept: a fresh engine and an empty database, said so', async () => {
    const playground = await started();
    const running = playground.actions.runCommand('apply-all');
    expect(playground.store.getState().busy).toBe('Apply all');
    const stopped = playground.actions.stop();
    expect(playground.store.getState().busy).toBeNull();
    await running;
    await stopped;
    await until(playground, (s) => s.engineState === 'ready' && s.status.length === 2);
    const state = playground.store.getState();
    expect(state.status.map((e) => e.status)).toEqual(['pending', 'pending']);
    expect(state.timeline.steps.map((s) => [s.kind, s.note])).toEqual([
      ['stopped', 'Apply all was running. The engine was ended and started again with an empty database.'],
    ]);
    expect(logTexts(state)).toContain(
      'Stopped: the engine worker was ended and a fresh one started. The database was reset — every migration is pending again.',
    );
  });

  test('Verify finds a down that does not undo its up', async () => {
    const irreversible = migration('posts').replace('DROP TABLE posts', 'SELECT 1');
    const playground = await started([FILES[0], { name: '0002_posts.lua', text: irreversible }]);
    await playground.actions.verify();
    const state = playground.store.getState();
    expect(state.verify?.migrations.map((m) => [m.id, m.outcome])).toEqual([
      ['0001_users', 'reversible'],
      ['0002_posts', 'irreversible'],
    ]);
    expect(state.alert?.message).toMatch(/^Verify found a problem: 0002_posts is irreversible/);
    expect(logTexts(state).at(-1)).toBe('Verify: 1 problem');
    expect(logTexts(state)).toContain('Verify 0001_users: reversible, applies again after down');
    expect(logTexts(state).some((t) => t.startsWith('Verify 0002_posts: not reversible: '))).toBe(true);
  });

  test('the SQL console: its result, and a schema change in the Diff and the Timeline', async () => {
    const playground = await started();
    await playground.actions.runSql('CREATE TABLE notes (body TEXT)');
    await playground.actions.runSql("SELECT 'hi' AS greeting");
    const state = playground.store.getState();
    expect(state.sqlResult).toMatchObject({ ok: true, columns: ['greeting'], rows: [['hi']] });
    expect(state.diff?.title).toBe('SQL console on SQLite');
    expect(state.timeline.steps.map((s) => [s.kind, s.note])).toEqual([['sql', 'CREATE TABLE notes (body TEXT)']]);
    expect(state.schema?.tables.map((t) => t.name)).toEqual(['notes']);
  });

  test('the Schema view shows CHECK constraints and foreign-key actions, as the snapshot has them', async () => {
    const playground = await started();
    await playground.actions.runSql(
      'CREATE TABLE a (id INTEGER PRIMARY KEY); ' +
        'CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id) ON DELETE CASCADE, ' +
        'price INTEGER CHECK (price > 0))',
    );
    const b = playground.store.getState().schema?.tables.find((t) => t.name === 'b');
    expect(b?.foreignKeys).toEqual(['foreign key (a_id) → a (id) on delete cascade']);
    expect(b?.checks).toEqual(['check (price > 0)']);
  });

  test('loading other files clears what the run showed and starts from an empty database', async () => {
    const playground = await started();
    await playground.actions.runCommand('apply-all');
    await playground.actions.replaceFiles([FILES[1]], 'the example "Posts"');
    const state = playground.store.getState();
    expect(state.files.map((f) => f.name)).toEqual(['0002_posts.lua']);
    expect(state.status.map((e) => [e.id, e.status])).toEqual([['0002_posts', 'pending']]);
    expect(state.schema?.tables).toEqual([]);
    expect(state.diff).toBeNull();
    expect(state.timeline.steps.at(-1)?.note).toBe('Loaded the example "Posts": an empty database.');
    expect(logTexts(state).at(-1)).toMatch(/^Loaded the example "Posts": 1 file, on an empty SQLite database\./);
  });

  test('switching the engine to PostgreSQL (PGlite) keeps the SQLite database for later', async () => {
    const playground = await started();
    await playground.actions.runCommand('apply-next');
    await playground.actions.switchEngine('postgres');
    await until(playground, (s) => s.engineState === 'ready' && s.status.length === 2);
    expect(playground.store.getState().status.map((e) => e.status)).toEqual(['pending', 'pending']);
    await playground.actions.runCommand('apply-all');
    expect(playground.store.getState().diff?.title).toBe('Apply all on PostgreSQL');
    await playground.actions.switchEngine('sqlite');
    await until(playground, (s) => s.engineState === 'ready' && s.status.length === 2);
    expect(playground.store.getState().status.map((e) => e.status)).toEqual(['applied', 'pending']);
  }, 120_000);

  test('Share puts the link in the address and on the clipboard; an edit takes it away again', async () => {
    const playground = await started();
    await playground.actions.share();
    const { around } = playground;
    expect(around.address).toMatch(/^#.{20,}/);
    expect(around.copied).toEqual([`http://localhost/${around.address}`]);
    expect(playground.store.getState().sharedHash).toBe(around.address);
    playground.actions.updateText('0001_users.lua', migration('people'));
    expect(around.address).toBe('');
    expect(playground.store.getState().sharedHash).toBe('');
  });

  test('a share link opened in the tab replaces the files and the engine, on an empty database', async () => {
    const source = await started([{ name: '0007_only.lua', text: migration('only') }]);
    await source.actions.share();
    const hash = source.around.address;
    const playground = await started();
    playground.around.address = hash;
    playground.actions.addressChanged();
    await until(playground, (s) => s.files.length === 1 && s.status.length === 1);
    const state = playground.store.getState();
    expect(state.files.map((f) => f.name)).toEqual(['0007_only.lua']);
    expect(state.sharedHash).toBe(hash);
    expect(state.workspace).toBe('link');
    expect(logTexts(state).at(-1)).toMatch(/^Loaded a shared link: 1 file for SQLite, on an empty database\./);
    expect(logTexts(state).at(-1)).toContain('Your own files are kept apart');
    // Editing a link's files keeps its address: it is what tells them apart from the person's own.
    playground.actions.updateText('0007_only.lua', migration('changed'));
    expect(playground.around.address).toBe(hash);
  });
});
