/**
 * What the playground's worker tells the page while a command runs, on the real engines (sql.js, PGlite) and the
 * real runner: the statement counter (src/web/worker/statement-counter.ts) counts every statement a migration sends
 * and reports the count as it grows, without changing what the run does; the plan (src/web/worker/run-plan.ts)
 * says how many migrations each command goes through. Then the Timeline's data (src/web/timeline.ts): the ledger in
 * apply order, and the steps each command records.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { LuaHost } from '../../src/core/lua/host.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import {
  ledgerView,
  recordReset,
  recordRun,
  recordStop,
  EMPTY_TIMELINE,
  type TimelineStep,
} from '../../src/web/timeline.ts';
import { plannedSteps } from '../../src/web/worker/run-plan.ts';
import { StatementCounter } from '../../src/web/worker/statement-counter.ts';

const host = new LuaHost();

const INSERTS = (engine: 'sqlite' | 'postgres', n: number) => `return require("migration").define(function()
    migration("Inserts", function()
        database("${engine}", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE numbers (n INTEGER NOT NULL)")
                if err then error(err) end
                local insert = db:prepare("INSERT INTO numbers (n) VALUES (?)")
                for i = 1, ${n} do
                    if i % 2 == 0 then insert:execute({i}) else db:execute("INSERT INTO numbers (n) VALUES (?)", {i}) end
                end
                local rows = db:query("SELECT count(*) AS c FROM numbers")
                if rows[1].c ~= ${n} then error("expected ${n} rows") end
            end)
            down(function(db) db:execute("DROP TABLE numbers") end)
        end)
    end)
end)`;

const TABLE = (engine: 'sqlite' | 'postgres', name: string) => `return require("migration").define(function()
    migration("Create ${name}", function()
        database("${engine}", function()
            up(function(db) db:execute("CREATE TABLE ${name} (id INTEGER)") end)
            down(function(db) db:execute("DROP TABLE ${name}") end)
        end)
    end)
end)`;

const opened: Driver[] = [];
afterEach(async () => {
  for (const driver of opened.splice(0)) await driver.close();
});

async function open(engine: 'sqlite' | 'postgres'): Promise<Driver> {
  const driver = engine === 'sqlite' ? await openSqlJs() : await openPglite();
  opened.push(driver);
  return driver;
}

describe.each(['sqlite', 'postgres'] as const)('the statement counter on %s', (engine) => {
  test('counts every statement of a migration, reports the count as it grows, and not within its interval', async () => {
    const driver = await open(engine);
    const reports: number[] = [];
    // A zero interval reports after every statement, so the test needs no clock.
    const counter = new StatementCounter((n) => reports.push(n), 0);
    const n = engine === 'sqlite' ? 2000 : 300;
    const files = migrationFiles([{ name: '0001_inserts.lua', text: INSERTS(engine, n) }]);
    const migrator = new Migrator({ driver: counter.wrap(driver), files, host });
    const run = await migrator.up();
    migrator.dispose();
    expect(run.error).toBeNull();
    expect(run.results.map((r) => r.status)).toEqual(['applied']);
    // create + n inserts + the count, and the runner's own ledger statements around them
    expect(counter.statements).toBeGreaterThanOrEqual(n + 2);
    expect(counter.statements).toBeLessThan(n + 20);
    expect(reports.length).toBe(counter.statements);
    expect(reports.every((value, i) => i === 0 || value > reports[i - 1])).toBe(true);
    // The run went through to the real database.
    const rows = await driver.query('SELECT count(*) FROM numbers', []);
    expect(Number(rows.rows[0][0])).toBe(n);

    // The next command, with a counter whose interval never passes: counted, never reported.
    const quiet: number[] = [];
    const patient = new StatementCounter((count) => quiet.push(count), 1e9);
    const more = migrationFiles([
      ...files.map((f) => ({ name: f.file, text: f.source })),
      { name: '0002_table.lua', text: TABLE(engine, 't_more') },
    ]);
    const second = new Migrator({ driver: patient.wrap(driver), files: more, host });
    expect((await second.up()).error).toBeNull();
    second.dispose();
    expect(patient.statements).toBeGreaterThan(1);
    expect(quiet).toEqual([]);
  });

  test('passes every argument on: a caller that will not read lastInsertId spares the engine the question', async () => {
    const driver = await open(engine);
    const counted = new StatementCounter(() => {}).wrap(driver);
    // Drivers take the engine's own placeholders; the PostgreSQL table has no numbered id (it reports none anyway).
    const insert = engine === 'sqlite' ? 'INSERT INTO t (v) VALUES (?)' : 'INSERT INTO t (v) VALUES ($1)';
    await counted.exec(
      engine === 'sqlite' ? 'CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)' : 'CREATE TABLE t (v INTEGER)',
    );
    const plain = await counted.execute(insert, [1]);
    const quiet = await counted.execute(insert, [2], false);
    const statement = await counted.prepare(insert);
    const quietPrepared = await statement.execute([3], false);
    await statement.close();
    expect([plain.rowsAffected, quiet.rowsAffected, quietPrepared.rowsAffected]).toEqual([1, 1, 1]);
    expect(plain.lastInsertId).toBe(engine === 'sqlite' ? 1 : null); // PostgreSQL reports none either way
    expect(quiet.lastInsertId).toBeNull();
    expect(quietPrepared.lastInsertId).toBeNull();
  });

  test('the plan: how many migrations each command goes through', async () => {
    const driver = await open(engine);
    const files = migrationFiles(
      ['a', 'b', 'c'].map((t, i) => ({ name: `000${i + 1}_${t}.lua`, text: TABLE(engine, `t_${t}`) })),
    );
    expect(await plannedSteps(driver, 'apply-all', files)).toBe(3); // no ledger yet
    expect(await plannedSteps(driver, 'revert-all', files)).toBe(0);
    expect(await plannedSteps(driver, 'redo', files)).toBe(0);
    const migrator = new Migrator({ driver, files, host });
    expect((await migrator.up({ step: 2 })).error).toBeNull();
    migrator.dispose();
    expect(await plannedSteps(driver, 'apply-next', files)).toBe(1);
    expect(await plannedSteps(driver, 'apply-all', files)).toBe(1);
    expect(await plannedSteps(driver, 'revert-last', files)).toBe(1);
    expect(await plannedSteps(driver, 'revert-all', files)).toBe(2);
    expect(await plannedSteps(driver, 'redo', files)).toBe(2);
  });
});

describe('the ledger in apply order', () => {
  type Result = [id: string, status: 'applied' | 'reverted', ms: number];
  const step = (
    n: number,
    kind: TimelineStep['kind'],
    results: Result[],
    engine: 'sqlite' | 'postgres' = 'sqlite',
  ): TimelineStep => ({
    n,
    engine,
    kind,
    label: kind,
    time: '12:00:00',
    results: results.map(([id, status, ms]) => ({
      id,
      status,
      direction: status === 'applied' ? 'up' : 'down',
      duration_ms: ms,
    })),
    diff: null,
  });

  test("this session's order over the ledger's, durations of the last apply, pending apart", () => {
    // 0003 was applied before 0002 (added later, applied by the next Apply all): within one second on SQLite.
    const status = [
      { id: '0001_a', description: 'A', status: 'applied' as const, applied_at: '2026-01-01T12:00:00Z' },
      { id: '0002_b', description: 'B', status: 'modified' as const, applied_at: '2026-01-01T12:00:01Z' },
      { id: '0003_c', description: 'C', status: 'applied' as const, applied_at: '2026-01-01T12:00:01Z' },
      { id: '0004_d', description: 'D', status: 'pending' as const },
      { id: '0009_gone', description: 'Gone', status: 'missing' as const, applied_at: '2026-01-01T12:00:01Z' },
    ];
    const steps = [
      step(1, 'applied', [['0009_gone', 'applied', 1]]),
      step(2, 'reset', []),
      step(3, 'applied', [
        ['0001_a', 'applied', 5],
        ['0009_gone', 'applied', 2],
      ]),
      step(4, 'applied', [['0003_c', 'applied', 7]], 'postgres'), // another engine's database
      step(5, 'applied', [['0003_c', 'applied', 3]]),
      step(6, 'reverted', [['0003_c', 'reverted', 1]]),
      step(7, 'applied', [
        ['0003_c', 'applied', 4],
        ['0002_b', 'applied', 6],
      ]),
    ];
    const view = ledgerView(status, steps, 'sqlite');
    expect(view.applied.map((r) => [r.id, r.state, r.durationMs])).toEqual([
      ['0001_a', 'applied', 5],
      ['0009_gone', 'missing', 2],
      ['0003_c', 'applied', 4],
      ['0002_b', 'modified', 6],
    ]);
    expect(view.pending.map((e) => e.id)).toEqual(['0004_d']);
    // What a stopped command had finished went with its database: it gives no order and no duration.
    const stopped = ledgerView(
      status,
      [
        step(1, 'stopped', [
          ['0003_c', 'applied', 8],
          ['0001_a', 'applied', 9],
        ]),
      ],
      'sqlite',
    );
    expect(stopped.applied.map((r) => [r.id, r.durationMs])).toEqual([
      ['0001_a', undefined],
      ['0002_b', undefined],
      ['0003_c', undefined],
      ['0009_gone', undefined],
    ]);
    // Without steps (dropped from the session's list): applied_at, then id.
    expect(ledgerView(status, [], 'sqlite').applied.map((r) => r.id)).toEqual([
      '0001_a',
      '0002_b',
      '0003_c',
      '0009_gone',
    ]);
  });
});

describe("the session's steps", () => {
  test('what each command records: its kind, the migrations, the diff; nothing for a command that did nothing', () => {
    let timeline = EMPTY_TIMELINE;
    const applied = { id: '0001_a', direction: 'up' as const, status: 'applied' as const, duration_ms: 3 };
    const diff = [{ sign: '+' as const, depth: 0, text: 'table a' }];
    const common = { engine: 'sqlite' as const, label: 'Apply all', time: '12:00:00', durationMs: 9 };
    timeline = recordRun(timeline, {
      ...common,
      command: 'apply-all',
      run: { ok: true, results: [], error: null },
      diff: [],
    });
    expect(timeline.steps).toEqual([]);
    timeline = recordRun(timeline, {
      ...common,
      command: 'apply-all',
      run: { ok: true, results: [applied], error: null },
      diff,
    });
    timeline = recordRun(timeline, {
      ...common,
      command: 'redo',
      label: 'Redo',
      run: { ok: true, results: [applied], error: null },
      diff: [],
    });
    timeline = recordRun(timeline, {
      ...common,
      command: 'apply-next',
      label: 'Apply next',
      diff: [],
      run: {
        ok: false,
        results: [{ ...applied, id: '0002_b', status: 'failed' }],
        error: { code: 'engine', migration: '0002_b', phase: 'up', message: 'no such table' },
      },
    });
    timeline = recordReset(timeline, 'postgres', '12:00:01', 'Reset database', 'A new, empty database.');
    timeline = recordStop(timeline, '12:00:02', 'sqlite', 'Apply all', [applied]);
    const steps = timeline.steps;
    expect(steps.map((s) => [s.engine, s.kind])).toEqual([
      ['sqlite', 'applied'],
      ['sqlite', 'redo'],
      ['sqlite', 'failed'],
      ['postgres', 'reset'],
      ['sqlite', 'stopped'],
      ['postgres', 'stopped'], // Stop ends both engines' databases
    ]);
    expect(steps[0].diff).toBe(diff); // the very array the Diff panel shows, so the step can be picked out
    expect(steps[2].note).toBe('no such table');
    // What the stopped command had finished is listed on the current engine's step, not on the other's.
    expect(steps[4].note).toMatch(
      /^Apply all was running\. It had finished 1 migration \(listed\), gone with the database\. /,
    );
    expect(steps[4].results).toEqual([applied]);
    expect(steps[5].results).toEqual([]);
    expect(steps[5].note).toMatch(/^Apply all was running\. The engine was ended/);
    expect(new Set(steps.map((s) => s.n)).size).toBe(steps.length);
  });
});
