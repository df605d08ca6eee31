/**
 * Issue 11 item 17: verify carries on past a migration whose second `up` fails (its down forgot to drop an index):
 * every pending migration gets its verdict, on both engines, in the command and in the playground's verify.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { openThrowaway } from '../../src/lib/node.ts';
import { verifyMigrations } from '../../src/web/worker/verify.ts';
import { json, runCliInProcess as run } from '../helpers/cli-process.ts';
import { smallHost } from '../helpers/migration.ts';

const TMP = mkdtempSync(join(tmpdir(), 'moonwalk-hostile-verify-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** A migration creating table `t<n>` with an index; the second one also makes `t2_log`, which its down forgets. */
function file(n: number): string {
  const table = `t${n}`;
  const extra = n === 2 ? `assert(db:execute("CREATE TABLE t2_log (x INT)"))` : '';
  return `return require("migration").define(function()
  migration("table ${table}", function()
    for _, engine in ipairs({"sqlite", "postgres"}) do
      database(engine, function()
        up(function(db)
          assert(db:execute("CREATE TABLE ${table} (x INT)"))
          assert(db:execute("CREATE INDEX ${table}_x ON ${table} (x)"))
          ${extra}
        end)
        down(function(db) assert(db:execute("DROP INDEX ${table}_x")); assert(db:execute("DROP TABLE ${table}")) end)
      end)
    end
  end)
end)
`;
}

const files = Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`000${n}_t${n}.lua`, file(n)]));
const dir = join(TMP, 'migrations');
mkdirSync(dir);
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

function expectSixVerdicts(entries: Array<{ id: string; reversible: boolean; error?: string }>) {
  expect(entries.map((e) => e.id)).toEqual(['0001_t1', '0002_t2', '0003_t3', '0004_t4', '0005_t5', '0006_t6']);
  expect(entries.map((e) => e.reversible)).toEqual([true, false, true, true, true, true]);
  expect(entries[1].error).toMatch(/up failed when run again after down/);
  expect(entries[1].error).toMatch(/goes on from the state its first up left/);
  for (const entry of [entries[0], ...entries.slice(2)]) expect(entry.error).toBeUndefined();
}

describe.each(['sqlite', 'postgres'] as const)('%s', (engine) => {
  test('the command: six pending files, the second irreversible, six verdicts', async () => {
    const outcome = await run(['verify', '--json', '--engine', engine, '--dir', dir]);
    expect(outcome.code).toBe(1);
    const doc = json(outcome);
    expect(doc.error).toBeNull();
    expectSixVerdicts(doc.migrations);
  }, 120_000);

  test("the playground's verify: six verdicts", async () => {
    const driver = await openThrowaway(engine);
    try {
      const report = await verifyMigrations(
        engine,
        driver,
        migrationFiles(Object.entries(files).map(([name, text]) => ({ name, text }))),
        smallHost(),
        () => openThrowaway(engine),
      );
      expect(report.migrations.map((m) => m.outcome)).toEqual([
        'reversible',
        'irreversible',
        'reversible',
        'reversible',
        'reversible',
        'reversible',
      ]);
    } finally {
      await driver.close();
    }
  }, 120_000);
});
