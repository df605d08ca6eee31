/**
 * `npm run bench`: runs each benchmark suite, prints a table per suite and a final one-line summary per target.
 * Figures are medians of several runs measured against named peers in the same run; nothing here asserts anything
 * and the exit code does not depend on the targets (only on a suite crashing).
 *
 *   npm run bench                          all suites
 *   npm run bench -- sqlite-file           only the named suites (sqlite-file, prepared-inserts, schema-snapshot, postgres, browser, fleet, lint-trace, mcp, own-database, process-start)
 *   npm run bench -- --quick               fewer runs, 20,000 rows in prepared-inserts (a smoke run, not figures)
 *
 * Progress goes to stderr, the tables to stdout.
 */
import { cpus, loadavg } from 'node:os';
import { benchSqliteFile } from './migrations-sqlite-file.ts';
import { benchPreparedInserts } from './prepared-inserts.ts';
import { benchPostgresMigrations } from './migrations-postgres.ts';
import { benchBrowser } from './browser.ts';
import { benchFleet } from './fleet.ts';
import { benchLintTrace } from './lint-trace.ts';
import { benchMcp } from './mcp.ts';
import { benchOwnDatabase } from './own-database.ts';
import { benchProcessStart } from './process-start.ts';
import { formatMs, renderSuite, renderTarget, type BenchRow, type SuiteReport, type TargetCheck } from './util.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const progress = (line: string) => process.stderr.write(`  … ${line}\n`);

/** The schema-snapshot suite, kept at arm's length: it is maintained separately and only its result lines are read. */
interface SnapshotResultLike {
  name?: string;
  median_ms?: number;
  min_ms?: number;
  max_ms?: number;
  runs?: number;
  target_ms?: number | null;
  within_target?: boolean | null;
  line?: string;
}

async function schemaSnapshotSuite(): Promise<SuiteReport> {
  const specifier = './schema-snapshot.js';
  const mod = (await import(specifier)) as {
    benchSchemaSnapshot: (options?: Record<string, unknown>) => Promise<SnapshotResultLike[]>;
  };
  const results = await mod.benchSchemaSnapshot(quick ? { runs: 5, warmup: 1 } : {});
  const rows: BenchRow[] = [];
  const targets: TargetCheck[] = [];
  for (const r of results) {
    const hasTarget = typeof r.target_ms === 'number';
    rows.push({
      name: r.name ?? '?',
      figure: typeof r.median_ms === 'number' ? formatMs(r.median_ms) : '?',
      spread:
        typeof r.min_ms === 'number' && typeof r.max_ms === 'number'
          ? `${formatMs(r.min_ms)}–${formatMs(r.max_ms)}, n=${r.runs ?? '?'}`
          : '',
      ratio: '',
      target: hasTarget ? `≤ ${r.target_ms} ms` : '',
      met: hasTarget ? r.within_target === true : null,
    });
    if (hasTarget) {
      targets.push({
        suite: 'schema-snapshot',
        description: `${r.name ?? '?'} within ${r.target_ms} ms`,
        met: r.within_target === true,
        detail: typeof r.median_ms === 'number' ? formatMs(r.median_ms) : '?',
      });
    }
  }
  return {
    title: 'Schema snapshot + diff (bench/schema-snapshot.ts)',
    rows,
    targets,
    notes: results.map((r) => r.line ?? '').filter((line) => line !== ''),
  };
}

const SUITES: Array<{ name: string; run: () => Promise<SuiteReport> }> = [
  {
    name: 'sqlite-file',
    run: () => benchSqliteFile({ progress, ...(quick ? { rounds: 1, minRounds: 1, noopsPerRound: 2 } : {}) }),
  },
  {
    name: 'prepared-inserts',
    run: () => benchPreparedInserts({ progress, ...(quick ? { rows: 20_000, sqljsRuns: 3, pgliteRuns: 1 } : {}) }),
  },
  { name: 'schema-snapshot', run: schemaSnapshotSuite },
  {
    name: 'postgres',
    run: () => benchPostgresMigrations({ progress, ...(quick ? { migrations: 200, rounds: 1, minRounds: 1 } : {}) }),
  },
  { name: 'browser', run: () => benchBrowser({ progress, ...(quick ? { runs: 2 } : {}) }) },
  { name: 'fleet', run: () => benchFleet({ progress, ...(quick ? { schemas: 20, rounds: 1 } : {}) }) },
  {
    name: 'lint-trace',
    run: () => benchLintTrace({ progress, ...(quick ? { lintRuns: 2, traceMigrations: 20, traceRuns: 1 } : {}) }),
  },
  { name: 'mcp', run: () => benchMcp({ progress, ...(quick ? { calls: 3, processRuns: 1 } : {}) }) },
  {
    name: 'own-database',
    run: () => benchOwnDatabase({ progress, ...(quick ? { fileRows: 100_000, dumpRows: 10_000, runs: 1 } : {}) }),
  },
  {
    name: 'process-start',
    run: () => benchProcessStart({ progress, ...(quick ? { rounds: 3, applyRounds: 1 } : {}) }),
  },
];

const wanted = args.filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((name) => !SUITES.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const loadAverage = () => {
  const [one, five, fifteen] = loadavg();
  return `load average ${one.toFixed(2)} / ${five.toFixed(2)} / ${fifteen.toFixed(2)} (1/5/15 min) on ${cpus().length} CPUs`;
};

const started = performance.now();
const allTargets: TargetCheck[] = [];
const crashed: string[] = [];
console.log(
  `Moonwalk benchmarks — Node ${process.version}, ${process.platform}/${process.arch}` +
    (quick ? ' — QUICK smoke run: fewer runs, not figures to quote' : ''),
);
console.log(`at the start: ${loadAverage()} — a shared machine: figures move with what else runs`);
for (const suite of SUITES) {
  if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
  progress(`${suite.name}: starting`);
  const t0 = performance.now();
  try {
    const report = await suite.run();
    console.log('');
    console.log(renderSuite(report));
    console.log(`  · suite time ${formatMs(performance.now() - t0)}`);
    allTargets.push(...report.targets);
  } catch (e) {
    crashed.push(suite.name);
    console.log('');
    console.log(`== ${suite.name}: FAILED to run ==`);
    console.log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}

console.log('');
console.log('== Targets ==');
for (const check of allTargets) console.log(renderTarget(check));
for (const name of crashed) console.log(`FAILED  [${name}] the suite did not run to the end (see above)`);
console.log(
  `(${allTargets.filter((t) => t.met).length} of ${allTargets.length} targets met; ` +
    `total ${formatMs(performance.now() - started)}; at the end: ${loadAverage()})`,
);
if (crashed.length > 0) process.exitCode = 1;
