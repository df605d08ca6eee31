/**
 * The playground shows `moonwalk trace`'s data for each step applied on PostgreSQL, beside its diff: the worker's
 * engine host (src/web/worker/engine-host.ts, in Node on PGlite) answers a run with the trace of each migration it
 * applied, SQLite runs have none, and the Timeline's step keeps it (src/web/timeline.ts).
 */
import { afterAll, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { EMPTY_TIMELINE, recordRun } from '../../src/web/timeline.ts';
import { EngineHost } from '../../src/web/worker/engine-host.ts';
import type { CommandResult, ResultOf, WorkerReply, WorkerRequest } from '../../src/web/worker/protocol.ts';

const opened: Driver[] = [];
afterAll(async () => {
  await Promise.all(opened.map((d) => d.close().catch(() => {})));
});

function hostWithReplies() {
  const waiting = new Map<number, (result: CommandResult) => void>();
  const host = new EngineHost({
    post: (message: WorkerReply) => {
      if (message.type === 'done') waiting.get(message.id)?.(message.result);
      if (message.type === 'failed') throw new Error(message.message);
    },
    openEngine: async (engine) => {
      const driver = engine === 'sqlite' ? await openSqlJs() : await openPglite();
      opened.push(driver);
      return driver;
    },
  });
  let next = 0;
  const request = <T extends WorkerRequest['type']>(body: Omit<Extract<WorkerRequest, { type: T }>, 'id'>) =>
    new Promise<ResultOf<T>>((resolve) => {
      const id = ++next;
      waiting.set(id, resolve as (result: CommandResult) => void);
      host.enqueue({ ...body, id } as WorkerRequest);
    });
  return request;
}

/** A migration whose up runs `statements` on `engine`, one `db:execute` each. */
const file = (name: string, engine: string, ...statements: string[]) => ({
  name,
  text: `return require("migration").define(function()
  migration("m", function()
    database("${engine}", function()
      up(function(db)
${statements.map((sql) => `        assert(db:execute("${sql}"))`).join('\n')}
      end)
    end)
  end)
end)`,
});

test('a PostgreSQL step carries the locks and rewrites of each migration it applied; a SQLite step none', async () => {
  const request = hostWithReplies();
  const files = [
    file('0001_items.lua', 'postgres', 'CREATE TABLE items (id bigint PRIMARY KEY, name text)'),
    file('0002_index.lua', 'postgres', 'CREATE INDEX items_name ON items (name)'),
  ];
  await request<'open'>({ type: 'open', engine: 'postgres' });
  const run = await request<'run'>({ type: 'run', command: 'apply-all', files });
  expect(run.run.error).toBeNull();
  expect(run.trace!.map((m) => m.id)).toEqual(['0001_items', '0002_index']);
  expect(run.trace![1].statements[0]).toMatchObject({
    sql: 'CREATE INDEX items_name ON items (name)',
    line: 5,
    locks: [
      { relation: 'items_name', mode: 'AccessExclusiveLock' },
      { relation: 'items', mode: 'ShareLock' },
    ],
  });
  expect(run.trace![1].dangerous).toMatchObject([{ relation: 'items', mode: 'ShareLock', blocks: 'writes' }]);
  // The run's diff: the new table, and under it the index the step created with it.
  expect(run.diff).toEqual([
    { sign: '+', depth: 0, text: 'table items (id bigint NOT NULL PRIMARY KEY, name text)' },
    { sign: '+', depth: 1, text: 'index items_name (name)' },
  ]);

  const timeline = recordRun(EMPTY_TIMELINE, {
    engine: 'postgres',
    command: 'apply-all',
    label: 'Apply all',
    time: '12:00:00',
    run: run.run,
    diff: run.diff,
    durationMs: run.durationMs,
    trace: run.trace,
  });
  expect(timeline.steps[0].trace).toBe(run.trace);

  await request<'open'>({ type: 'open', engine: 'sqlite' });
  const sqlite = await request<'run'>({
    type: 'run',
    command: 'apply-all',
    files: [file('0001_items.lua', 'sqlite', 'CREATE TABLE items (id INTEGER PRIMARY KEY)')],
  });
  expect(sqlite.run.error).toBeNull();
  expect(sqlite.trace).toBeNull();
});

/** Two new tables with what comes with them: unique, check, foreign key, index, trigger, and a view over them. */
const NEW_OBJECTS = {
  sqlite: [
    'CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL)',
    'CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors (id) ON DELETE CASCADE, isbn TEXT UNIQUE, price REAL CHECK (price >= 0), title TEXT)',
    'CREATE INDEX books_title ON books (title)',
    'CREATE TRIGGER books_price AFTER UPDATE ON books BEGIN SELECT 1; END',
    'CREATE VIEW cheap_books AS SELECT title FROM books WHERE price < 10',
  ],
  postgres: [
    'CREATE TABLE authors (id integer PRIMARY KEY, name text NOT NULL)',
    'CREATE TABLE books (id integer PRIMARY KEY, author_id integer REFERENCES authors (id) ON DELETE CASCADE, isbn text UNIQUE, price real CHECK (price >= 0), title text)',
    'CREATE INDEX books_title ON books (title)',
    'CREATE FUNCTION books_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
    'CREATE TRIGGER books_price AFTER UPDATE ON books FOR EACH ROW EXECUTE FUNCTION books_noop()',
    'CREATE VIEW cheap_books AS SELECT title FROM books WHERE price < 10',
  ],
};

const NEW_OBJECTS_DIFF = {
  sqlite: [
    '+ table authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL)',
    '+ table books (id INTEGER PRIMARY KEY, author_id INTEGER, isbn TEXT, price REAL, title TEXT)',
    '  + unique (isbn)',
    '  + index books_title (title)',
    '  + foreign key (author_id) → authors (id) ON DELETE CASCADE',
    '  + check (price >= 0)',
    '  + trigger books_price: CREATE TRIGGER books_price AFTER UPDATE ON books BEGIN SELE…',
    '+ view cheap_books: CREATE VIEW cheap_books AS SELECT title FROM books WHERE pr…',
  ],
  postgres: [
    '+ table authors (id integer NOT NULL PRIMARY KEY, name text NOT NULL)',
    '+ table books (id integer NOT NULL PRIMARY KEY, author_id integer, isbn text, price real, title text)',
    '  + unique books_isbn_key (isbn)',
    '  + index books_title (title)',
    '  + foreign key books_author_id_fkey (author_id) → authors (id) ON DELETE CASCADE',
    '  + check books_price_check (price >= 0::double precision)',
    '  + trigger books_price: CREATE TRIGGER books_price AFTER UPDATE ON books FOR EACH R…',
    '+ view cheap_books: SELECT title FROM books WHERE price < 10::double precision;',
    '+ function books_noop()',
  ],
};

test.each(['sqlite', 'postgres'] as const)(
  'Apply all on %s: the diff lists what a new table came with (index, foreign key, unique, check, trigger) and the view',
  async (engine) => {
    const request = hostWithReplies();
    await request<'open'>({ type: 'open', engine });
    const run = await request<'run'>({
      type: 'run',
      command: 'apply-all',
      files: [file('0001_books.lua', engine, ...NEW_OBJECTS[engine])],
    });
    expect(run.run.error).toBeNull();
    expect(run.diff!.map((l) => `${'  '.repeat(l.depth)}${l.sign} ${l.text}`)).toEqual(NEW_OBJECTS_DIFF[engine]);
  },
);
