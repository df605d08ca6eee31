/**
 * Suite process-start (issue 10): what every deploy and every CI step pays, whole processes from spawn to exit,
 * measured side by side in one run (rounds interleave the contenders, so a busy machine slows all of them alike):
 *
 * - `moonwalk --version` and `moonwalk status` on 10 applied migrations: at most 2× a bare `node -e ""`;
 * - a no-op `moonwalk up` over 1,000 applied: faster than a Knex process running `migrate.latest()` on the same
 *   state, and at most 1.5× a raw process that opens the file and reads the ledger (better-sqlite3 only);
 * - `moonwalk up --single-transaction` over 1,000 pending: faster than the Knex process;
 * - `moonwalk up` (one transaction per migration) over 1,000 pending: at most 1.2× a raw better-sqlite3 process doing
 *   the same commits, fsync included (bench/raw-sqlite-process.ts).
 *
 * Beside the two apply targets runs their floor (bench/fengari-floor-process.ts): fengari and better-sqlite3 alone,
 * no sandbox, no worker, a stand-in DSL. Its ratio to the same peer is the best any fengari-based runner could reach.
 *
 * The command is bin/moonwalk.js over the built lib/ (what the package ships). Run on its own:
 * `node dist/bench/process-start.js` after `npm run build:cli`.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess, writeFolders } from './migrations-sqlite-file.ts';
import { makeMigrations } from './raw-sqlite.ts';
import {
  formatMs,
  formatRatio,
  repoRoot,
  Samples,
  spreadOf,
  tempDir,
  type BenchRow,
  type SuiteReport,
} from './util.ts';

export interface ProcessStartOptions {
  /** Rounds of the quick processes (--version, status, no-op up). */
  rounds?: number;
  /** Rounds of the 1,000-pending runs (each several seconds). */
  applyRounds?: number;
  count?: number;
  progress?: (line: string) => void;
}

interface Target {
  row: string;
  peer: string;
  /** The measured ratio must be at most this (1 means "faster than"). */
  atMost: number;
  strictlyBelow?: boolean;
}

export async function benchProcessStart(options: ProcessStartOptions = {}): Promise<SuiteReport> {
  const rounds = options.rounds ?? 15;
  const applyRounds = options.applyRounds ?? 3;
  const count = options.count ?? 1000;
  const progress = options.progress ?? (() => {});
  const root = repoRoot();
  const bin = join(root, 'bin', 'moonwalk.js');
  const rawScript = join(root, 'dist', 'bench', 'raw-sqlite-process.js');
  const knexScript = join(root, 'dist', 'bench', 'knex-latest-process.js');
  const floorScript = join(root, 'dist', 'bench', 'fengari-floor-process.js');
  const work = tempDir('process-start');
  const many = writeFolders(makeMigrations(count));
  const ten = writeFolders(makeMigrations(10));
  const samples = new Map<string, Samples>();
  const timed = async (name: string, script: string, args: string[], check?: (out: string) => void) => {
    const t0 = performance.now();
    const out = await runProcess(script, args);
    const ms = performance.now() - t0;
    check?.(out);
    if (!samples.has(name)) samples.set(name, new Samples());
    samples.get(name)!.add(ms);
  };
  const applied = (expected: number) => (out: string) => {
    const doc = JSON.parse(out) as { ok: boolean; results: Array<{ status: string }> };
    const n = doc.results.filter((r) => r.status === 'applied').length;
    if (!doc.ok || n !== expected) throw new Error(`moonwalk applied ${n} of ${expected}: ${out.slice(0, 300)}`);
  };
  const printed = (expected: number) => (out: string) => {
    if (Number(out.trim()) !== expected) throw new Error(`expected ${expected}, the process printed ${out.trim()}`);
  };

  try {
    // The applied states the no-op runs start from, made once by the tools themselves.
    const tenDb = join(work.path, 'ten.db');
    const manyDb = join(work.path, 'many.db');
    const knexDb = join(work.path, 'knex.db');
    await runProcess(bin, ['up', '--db', `sqlite:${tenDb}`, '--dir', ten.luaDir, '--json']);
    await runProcess(bin, ['up', '--single-transaction', '--db', `sqlite:${manyDb}`, '--dir', many.luaDir, '--json']);
    await runProcess(knexScript, [knexDb, many.knexDir]);

    for (let round = 0; round < rounds; round++) {
      progress(`process-start: quick processes, round ${round + 1} of ${rounds}`);
      await timed('node -e ""', '-e', ['']); // runProcess spawns `node SCRIPT ...ARGS`
      await timed('moonwalk --version', bin, ['--version']);
      await timed('moonwalk status (10 applied)', bin, ['status', '--db', `sqlite:${tenDb}`, '--dir', ten.luaDir]);
      await timed(
        `moonwalk up, no-op (${count} applied)`,
        bin,
        ['up', '--db', `sqlite:${manyDb}`, '--dir', many.luaDir, '--json'],
        applied(0),
      );
      await timed(`Knex migrate.latest(), no-op (${count} applied)`, knexScript, [knexDb, many.knexDir], printed(0));
      await timed(
        'raw: open the file, read the ledger and the folder',
        rawScript,
        ['ledger', manyDb, many.luaDir],
        printed(count),
      );
    }

    const empty = join(work.path, 'empty.db');
    await runProcess(rawScript, ['up', empty, '0']); // an empty database with its ledger table: each run copies it
    let n = 0;
    const fresh = () => {
      const file = join(work.path, `fresh-${n++}.db`);
      copyFileSync(empty, file);
      return file;
    };
    for (let round = 0; round < applyRounds; round++) {
      progress(`process-start: ${count} pending, round ${round + 1} of ${applyRounds}`);
      await timed(
        `moonwalk up --single-transaction (${count} pending)`,
        bin,
        ['up', '--single-transaction', '--db', `sqlite:${fresh()}`, '--dir', many.luaDir, '--json'],
        applied(count),
      );
      await timed(`Knex migrate.latest() (${count} pending)`, knexScript, [fresh(), many.knexDir], printed(count));
      await timed(FLOOR_SINGLE(count), floorScript, ['single', fresh(), many.luaDir], printed(count));
      await timed(
        `moonwalk up, a transaction each (${count} pending)`,
        bin,
        ['up', '--db', `sqlite:${fresh()}`, '--dir', many.luaDir, '--json'],
        applied(count),
      );
      await timed(`raw better-sqlite3, a transaction each (${count} pending)`, rawScript, [
        'up',
        fresh(),
        String(count),
      ]);
      await timed(FLOOR_EACH(count), floorScript, ['each', fresh(), many.luaDir], printed(count));
    }
  } finally {
    many.remove();
    ten.remove();
    work.remove();
  }

  const targets: Target[] = [
    { row: 'moonwalk --version', peer: 'node -e ""', atMost: 2 },
    { row: 'moonwalk status (10 applied)', peer: 'node -e ""', atMost: 2 },
    {
      row: `moonwalk up, no-op (${count} applied)`,
      peer: `Knex migrate.latest(), no-op (${count} applied)`,
      atMost: 1,
      strictlyBelow: true,
    },
    {
      row: `moonwalk up, no-op (${count} applied)`,
      peer: 'raw: open the file, read the ledger and the folder',
      atMost: 1.5,
    },
    {
      row: `moonwalk up --single-transaction (${count} pending)`,
      peer: `Knex migrate.latest() (${count} pending)`,
      atMost: 1,
      strictlyBelow: true,
    },
    {
      row: `moonwalk up, a transaction each (${count} pending)`,
      peer: `raw better-sqlite3, a transaction each (${count} pending)`,
      atMost: 1.2,
    },
  ];
  // Not targets: how close the floor itself comes to the same peers.
  const floors: Array<{ row: string; peer: string }> = [
    { row: FLOOR_SINGLE(count), peer: `Knex migrate.latest() (${count} pending)` },
    { row: FLOOR_EACH(count), peer: `raw better-sqlite3, a transaction each (${count} pending)` },
  ];
  const ratioOf = (t: { row: string; peer: string }) => samples.get(t.row)!.median / samples.get(t.peer)!.median;
  const metOf = (t: Target) => (t.strictlyBelow ? ratioOf(t) < t.atMost : ratioOf(t) <= t.atMost);
  const describe = (t: Target) => (t.strictlyBelow ? `< 1× ${t.peer}` : `≤ ${t.atMost}× ${t.peer}`);

  const rows: BenchRow[] = [...samples].map(([name, s]) => {
    const own = targets.filter((t) => t.row === name);
    const floor = floors.filter((f) => f.row === name);
    return {
      name,
      figure: formatMs(s.median),
      spread: spreadOf(s),
      ratio: [...own, ...floor].map((t) => `${formatRatio(ratioOf(t))} ${t.peer}`).join('; '),
      target: floor.length > 0 ? 'floor (no target): the best a fengari runner could do' : own.map(describe).join('; '),
      met: own.length === 0 ? null : own.every(metOf),
    };
  });
  return {
    title: 'Process start: whole processes, spawn to exit (bench/process-start.ts)',
    rows,
    targets: targets.map((t) => ({
      suite: 'process-start',
      description: `${t.row} ${describe(t)}`,
      met: metOf(t),
      detail: `${formatRatio(ratioOf(t))} (${formatMs(samples.get(t.row)!.median)} vs ${formatMs(samples.get(t.peer)!.median)})`,
    })),
    notes: [
      'medians; rounds interleave the contenders; the command is bin/moonwalk.js over the built lib/ (the package)',
      'raw peers: bench/raw-sqlite-process.ts (better-sqlite3 and nothing else); Knex: bench/knex-latest-process.ts',
      'floor: bench/fengari-floor-process.ts (fengari + better-sqlite3 in one process, unsandboxed, a stand-in DSL)',
    ],
  };
}

const FLOOR_SINGLE = (count: number) => `floor: bare fengari + better-sqlite3, one transaction (${count} pending)`;
const FLOOR_EACH = (count: number) => `floor: bare fengari + better-sqlite3, a transaction each (${count} pending)`;

const self = typeof process !== 'undefined' ? process.argv[1] : undefined;
if (self !== undefined && /process-start\.(js|ts)$/.test(self)) {
  const { renderSuite } = await import('./util.ts');
  console.log(renderSuite(await benchProcessStart({ progress: (l) => process.stderr.write(`  … ${l}\n`) })));
}
