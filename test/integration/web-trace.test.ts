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

const file = (name: string, engine: string, sql: string) => ({
  name,
  text: `return require("migration").define(function()
  migration("m", function()
    database("${engine}", function()
      up(function(db)
        assert(db:execute("${sql}"))
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
  // The run's diff: the new table, one line (its index is not listed under a table that is new as a whole).
  expect(run.diff).toEqual([{ sign: '+', depth: 0, text: 'table items (id bigint NOT NULL PRIMARY KEY, name text)' }]);

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
