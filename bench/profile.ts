/**
 * Small scripts to profile what the benchmark measures, one scenario per run, for `node --cpu-prof`:
 *
 *   npm run build:cli
 *   node --cpu-prof --cpu-prof-dir=/tmp/mw-prof dist/bench/profile.js sqljs-inserts
 *   node dist/bench/profile.js top /tmp/mw-prof/<file>.cpuprofile [count] [filter]
 *
 * Scenarios (each repeats its work a few times so that start-up is a small part of the profile):
 *   sqljs-inserts [rows]    the prepared-inserts migration on sql.js (default 100,000 rows, 3 times)
 *   pglite-inserts [rows]   the same on PGlite (default 20,000 rows, 2 times)
 *   file-up [rounds]        1,000 migrations, one transaction each, SQLite file with synchronous=OFF (so the
 *                           profile shows Moonwalk's CPU, not fsync waits)
 *   file-single [rounds]    the same in one transaction (default 3 rounds: the first ones are JIT warm-up)
 *   file-noop [rounds]      the no-op up over 1,000 applied migrations (30 times)
 *   compile [rounds]        only `migrationFiles` (sha256) and compiling the 1,000 files in a fresh LuaHost, no
 *                           database (default 20 rounds; prints the first, cold, round and the min/median of the rest)
 *
 * `top` prints the top self-time functions, self time per file or package, and the inclusive time of the functions
 * whose location contains `filter` (default `dist/src/`, Moonwalk's own code). Temp files go under the OS temp dir and are removed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Migrator } from '../src/core/migrator.ts';
import { migrationFiles, type MigrationFile } from '../src/core/migration-files.ts';
import { LuaHost } from '../src/core/lua/host.ts';
import type { Driver } from '../src/core/driver.ts';
import { openSqlJs } from '../src/drivers/sqljs.ts';
import { openPglite } from '../src/drivers/pglite.ts';
import { openSqliteFile } from '../src/drivers/better-sqlite3.ts';
import { tempDir } from './util.ts';

function insertsMigration(rows: number): MigrationFile[] {
  const block = (engine: string, create: string) =>
    `    database("${engine}", function()\n      up(function(db)\n        db:execute("${create}")\n` +
    '        local stmt = db:prepare("INSERT INTO items (id, name, price) VALUES (?, ?, ?)")\n' +
    `        for i = 1, ${rows} do stmt:execute({i, "item " .. i, i * 0.5}) end\n      end)\n    end)\n`;
  const text =
    'return require("migration").define(function()\n  migration("insert items", function()\n' +
    block('sqlite', 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL)') +
    block('postgres', 'CREATE TABLE items (id integer PRIMARY KEY, name text, price double precision)') +
    '  end)\nend)\n';
  return migrationFiles([{ name: '0001_insert_items.lua', text }]);
}

function tableMigrations(count: number): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(4, '0');
    out.push({
      name: `${n}_create_t${n}.lua`,
      text:
        'return require("migration").define(function()\n' +
        `  migration("create table t${n}", function()\n    database("sqlite", function()\n` +
        `      up(function(db) db:execute("CREATE TABLE t${n} (id INTEGER PRIMARY KEY, name TEXT)") end)\n` +
        `      down(function(db) db:execute("DROP TABLE t${n}") end)\n    end)\n  end)\nend)\n`,
    });
  }
  return out;
}

async function inserts(driver: Driver, rows: number, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const migrator = new Migrator({
      driver,
      host: new LuaHost({ instructions: 1e9, luaTimeMs: 120_000 }),
      files: insertsMigration(rows),
    });
    const t0 = performance.now();
    const result = await migrator.up();
    console.log(`${rows} rows: ${(performance.now() - t0).toFixed(0)} ms`);
    if (!result.ok) throw new Error(result.error?.message);
    migrator.dispose();
    await driver.exec('DROP TABLE items');
    await driver.exec('DROP TABLE _migrations');
  }
}

async function fileRuns(mode: 'up' | 'single' | 'noop', rounds: number): Promise<void> {
  const texts = tableMigrations(1000);
  const dir = tempDir('profile');
  try {
    for (let round = 0; round < rounds; round++) {
      const file = join(dir.path, `round${round}.sqlite`);
      const run = async (single: boolean) => {
        const driver = openSqliteFile(file);
        driver.exec('PRAGMA synchronous = OFF');
        const migrator = new Migrator({ driver, files: migrationFiles(texts) });
        const result = await migrator.up(single ? { singleTransaction: true } : {});
        if (!result.ok) throw new Error(result.error?.message);
        migrator.dispose();
        await driver.close();
      };
      if (mode === 'noop') await run(true);
      const times = mode === 'noop' ? 30 : 1;
      const t0 = performance.now();
      for (let i = 0; i < times; i++) await run(mode === 'single');
      console.log(`${mode}: ${((performance.now() - t0) / times).toFixed(1)} ms per run`);
    }
  } finally {
    dir.remove();
  }
}

/** Checksums and compiles the 1,000 table migrations `rounds` times, each in a fresh host, and prints the times. */
function compileRuns(rounds: number): void {
  const texts = tableMigrations(1000);
  const files: number[] = [];
  const compile: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    const migrations = migrationFiles(texts);
    const t1 = performance.now();
    const host = new LuaHost();
    for (const file of migrations) host.release(host.compile(file.file, file.source));
    compile.push(performance.now() - t1);
    files.push(t1 - t0);
  }
  const summary = (ms: number[]) => {
    const rest = ms.slice(1).sort((a, b) => a - b);
    const mid = rest[rest.length >> 1] ?? ms[0];
    return `first ${ms[0].toFixed(1)} ms, then min ${(rest[0] ?? ms[0]).toFixed(1)} / median ${mid.toFixed(1)} ms`;
  };
  console.log(`migrationFiles (sha256 of 1,000 texts): ${summary(files)}`);
  console.log(`compile 1,000 files in a fresh host:     ${summary(compile)}`);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Prints the top of a .cpuprofile: self time per function and per file, inclusive time of matching functions. */
function top(path: string, count: number, filter: string): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfTime.values()].reduce((a, b) => a + b, 0);
  const where = (url: string) => url.replace(/^file:\/\/.*?\/(dist\/|node_modules\/)/, '$1');
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const bySelf = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, t] of selfTime) {
    const n = nodes.get(id)!;
    bySelf.set(key(n), (bySelf.get(key(n)) ?? 0) + t);
    const file =
      where(n.callFrame.url).replace(/^(node_modules\/(@[^/]+\/)?[^/]+)\/.*/, '$1') || n.callFrame.functionName;
    byFile.set(file, (byFile.get(file) ?? 0) + t);
  }
  const inclusive = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const n = nodes.get(id)!;
    const k = key(n);
    const fresh = !onStack.has(k);
    if (fresh) onStack.add(k);
    let t = selfTime.get(id) ?? 0;
    for (const child of n.children ?? []) t += walk(child, onStack);
    if (fresh) {
      onStack.delete(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + t);
    }
    return t;
  };
  walk(profile.nodes[0].id, new Set());
  const line = ([k, t]: [string, number]) =>
    `${(t / 1000).toFixed(0).padStart(8)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  console.log(`sampled ${(total / 1000).toFixed(0)} ms\n-- self time by function`);
  for (const entry of sorted(bySelf).slice(0, count)) console.log(line(entry));
  console.log('-- self time by file / package');
  for (const entry of sorted(byFile).slice(0, 15)) console.log(line(entry));
  console.log(`-- inclusive time of functions in "${filter}"`);
  for (const entry of sorted(inclusive)
    .filter(([k]) => k.includes(filter))
    .slice(0, count))
    console.log(line(entry));
}

const [scenario, arg1, arg2, arg3] = process.argv.slice(2);
switch (scenario) {
  case 'sqljs-inserts': {
    const driver = await openSqlJs();
    await inserts(driver, 2000, 1);
    await inserts(driver, Number(arg1 ?? 100_000), 3);
    await driver.close();
    break;
  }
  case 'pglite-inserts': {
    const driver = await openPglite();
    try {
      await inserts(driver, 2000, 1);
      await inserts(driver, Number(arg1 ?? 20_000), 2);
    } finally {
      await driver.close();
    }
    break;
  }
  case 'file-up':
  case 'file-single':
  case 'file-noop':
    await fileRuns(scenario.slice(5) as 'up' | 'single' | 'noop', Number(arg1 ?? 3));
    break;
  case 'compile':
    compileRuns(Number(arg1 ?? 20));
    break;
  case 'top':
    if (!arg1) throw new Error('usage: profile.js top <file.cpuprofile> [count] [filter]');
    top(arg1, Number(arg2 ?? 30), arg3 ?? 'dist/src/');
    break;
  default:
    console.error(
      'usage: profile.js sqljs-inserts|pglite-inserts|file-up|file-single|file-noop [rows] | compile [rounds] | top <file> [count] [filter]',
    );
    process.exitCode = 2;
}
