/**
 * A fleet run (issue 16): `moonwalk up` of 20 migrations (one CREATE TABLE each) on 100 tenant schemas of one
 * PostgreSQL database, four ways, each on a fresh database per run:
 * - a shell loop of single runs (`for url in …; do moonwalk up --db "$url"; done` in /bin/sh): the peer, what a team
 *   does without `--targets`;
 * - `moonwalk up --targets FILE --parallel 1`, `--parallel 4` and `--parallel 8` (one process).
 * Timed: the whole command, process start to exit (the loop: the shell and its 100 processes). The server is a
 * throw-away one started by the test harness (`startPostgres()`, fsync off, on 127.0.0.1). Reported: the median of
 * each and its speed-up over the loop.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createScratchDatabase, startPostgres } from '../test/harness/servers.ts';
import { Samples, formatMs, formatRatio, spreadOf, tableMigrations, type BenchRow, type SuiteReport } from './util.ts';

export interface FleetBenchOptions {
  schemas?: number;
  migrations?: number;
  rounds?: number;
  progress?: (line: string) => void;
}

const BIN = fileURLToPath(new URL('../../bin/moonwalk.js', import.meta.url));

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${command} ${args.slice(0, 3).join(' ')} … exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
}

export async function benchFleet(options: FleetBenchOptions = {}): Promise<SuiteReport> {
  const schemas = options.schemas ?? 100;
  const count = options.migrations ?? 20;
  const rounds = options.rounds ?? 2;
  const progress = options.progress ?? (() => {});
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'moonwalk-bench-fleet-'));
  const dir = path.join(tmp, 'migrations');
  fs.mkdirSync(dir);
  for (const m of tableMigrations(count, 'postgres', 'id SERIAL PRIMARY KEY'))
    fs.writeFileSync(path.join(dir, `${m.id}.lua`), m.lua);
  const server = await startPostgres();
  let fresh = 0;
  /** A new database with `schemas` empty schemas; the targets file listing them. */
  const prepare = async (): Promise<{ file: string; urls: string[] }> => {
    const url = await createScratchDatabase(server, `fleet_bench_${++fresh}`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const urls: string[] = [];
    for (let i = 1; i <= schemas; i++) {
      await client.query(`CREATE SCHEMA tenant_${i}`);
      const u = new URL(url);
      u.searchParams.set('schema', `tenant_${i}`);
      urls.push(u.toString());
    }
    await client.end();
    const file = path.join(tmp, `targets-${fresh}.txt`);
    fs.writeFileSync(file, urls.join('\n') + '\n');
    return { file, urls };
  };
  const contenders: Array<{ name: string; run: (file: string) => Promise<number> }> = [
    {
      name: 'shell loop of single runs',
      run: (file) =>
        run('/bin/sh', [
          '-c',
          'while read -r url; do "$0" "$1" up --db "$url" --dir "$2" >/dev/null || exit 1; done < "$3"',
          process.execPath,
          BIN,
          dir,
          file,
        ]),
    },
    ...[1, 4, 8].map((n) => ({
      name: `--targets --parallel ${n}`,
      run: (file: string) =>
        run(process.execPath, [BIN, 'up', '--targets', file, '--parallel', String(n), '--dir', dir]),
    })),
  ];
  const samples = contenders.map(() => new Samples());
  try {
    for (let round = 1; round <= rounds; round++) {
      // Alternating order, so that a slow spell on the machine does not land on one contender only.
      const order = round % 2 === 1 ? contenders.map((_, i) => i) : contenders.map((_, i) => i).reverse();
      for (const i of order) {
        const { file } = await prepare();
        const ms = await contenders[i].run(file);
        samples[i].add(ms);
        progress(`fleet: round ${round}/${rounds}, ${contenders[i].name}: ${formatMs(ms)}`);
      }
    }
  } finally {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const loop = samples[0].median;
  const rows: BenchRow[] = contenders.map((c, i) => ({
    name: c.name,
    figure: formatMs(samples[i].median),
    spread: spreadOf(samples[i]),
    ratio: i === 0 ? '' : `${formatRatio(loop / samples[i].median)} faster than the loop`,
    target: '',
    met: null,
  }));
  return {
    title: `Fleet: up of ${count} migrations on ${schemas} tenant schemas of one PostgreSQL database`,
    rows,
    targets: [],
    notes: [
      'Each run on a fresh database; timed from process start to exit. The loop starts one moonwalk process per schema.',
      `${os.cpus().length} CPUs: --parallel beyond that only overlaps waiting on the server.`,
    ],
  };
}
