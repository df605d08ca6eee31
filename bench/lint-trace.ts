/**
 * `lint` of 1,000 migration files and `trace` of 100 migrations on PGlite (issue 15).
 *
 * - lint: 1,000 generated migration files with a postgres block of five statements each (tables, indexes, columns,
 *   constraints: every lock-safety rule has work). Measured in process (`lintMigrations`: its first call, on code
 *   not yet optimized as in the command, and warm) and as the command (`node bin/moonwalk.js lint --dir …`, process
 *   start included), beside node's own start (the floor). Peer: squawk (squawk-cli from npm, installed into .bench-peers/ on first use) on the same SQL as
 *   1,000 `.sql` files, as a process.
 *   Target: the command under 1 s, and faster than squawk.
 * - trace: 100 migrations on a fresh in-memory PGlite, in process (`traceMigrations`). Peer: `up` of the same
 *   migrations on a fresh PGlite, which is the floor (trace runs them and reads pg_locks and pg_class around each
 *   statement).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintMigrations } from '../src/core/lint/index.ts';
import { LuaHost } from '../src/core/lua/host.ts';
import { migrationFiles, type MigrationFile } from '../src/core/migration-files.ts';
import { Migrator } from '../src/core/migrator.ts';
import { traceMigrations } from '../src/core/trace.ts';
import { openPglite } from '../src/drivers/pglite.ts';
import { formatMs, formatRatio, repoRoot, Samples, spreadOf, tempDir, time, type SuiteReport } from './util.ts';

export interface LintTraceOptions {
  progress?: (line: string) => void;
  lintFiles?: number;
  lintRuns?: number;
  traceMigrations?: number;
  traceRuns?: number;
}

/** The SQL of generated migration n: a table, then changes to the table of the migration before it. */
function statementsOf(n: number): string[] {
  const t = `t${n}`;
  const previous = `t${Math.max(1, n - 1)}`;
  return [
    `CREATE TABLE ${t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text, other_id bigint, at timestamptz)`,
    `CREATE INDEX ${t}_name ON ${previous} (name)`,
    `ALTER TABLE ${previous} ADD COLUMN c${n} text DEFAULT 'x'`,
    `ALTER TABLE ${previous} ADD CONSTRAINT ${previous}_fk${n} FOREIGN KEY (other_id) REFERENCES ${t} (id) NOT VALID`,
    `ALTER TABLE ${previous} ALTER COLUMN name SET NOT NULL`,
  ];
}

function luaFile(statements: string[]): string {
  return [
    'return require("migration").define(function()',
    '  migration("generated", function()',
    '    database("postgres", function()',
    '      up(function(db)',
    ...statements.map((sql) => `        assert(db:execute(${JSON.stringify(sql)}))`),
    '      end)',
    '    end)',
    '  end)',
    'end)',
    '',
  ].join('\n');
}

function generated(count: number): MigrationFile[] {
  return migrationFiles(
    Array.from({ length: count }, (_, i) => ({
      name: `${String(i + 1).padStart(5, '0')}_m.lua`,
      text: luaFile(statementsOf(i + 1)),
    })),
  );
}

/**
 * Runs a command and answers its wall time and the CPU time (user + system) it and its children used, read from
 * bash's `times`: on a shared machine the wall time mostly measures the wait for a CPU, the CPU time the work.
 */
function runTimed(command: string, args: string[]): { wallMs: number; cpuMs: number; stdout: string } {
  const started = performance.now();
  const run = spawnSync('bash', ['-c', '"$@" > "$OUT" 2>/dev/null; times', '_', command, ...args], {
    encoding: 'utf8',
    env: { ...process.env, OUT: OUTPUT_FILE },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  // `times` prints the shell's own times, then its children's: "0m0.229s 0m0.035s".
  const children = run.stdout.trim().split('\n').pop() ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, m) => sum + Number(m[1]) * 60 + Number(m[2]),
    0,
  );
  return { wallMs, cpuMs: seconds * 1000, stdout: existsSync(OUTPUT_FILE) ? readFileSync(OUTPUT_FILE, 'utf8') : '' };
}
let OUTPUT_FILE = '';

/**
 * squawk is installed on first use into `.bench-peers/` (not a devDependency: the registry here serves only the
 * package for this platform, and a lock file without the other platforms' optional packages fails `npm ci`).
 */
const SQUAWK_VERSION = '2.66.0';
const peersDir = (root: string) => join(root, '.bench-peers');

function squawkBinary(root: string): string | null {
  const bin = join(peersDir(root), 'node_modules', '.bin', 'squawk');
  if (!existsSync(bin)) {
    spawnSync(
      'npm',
      ['install', '--prefix', peersDir(root), '--no-save', '--no-audit', '--no-fund', `squawk-cli@${SQUAWK_VERSION}`],
      { stdio: 'ignore' },
    );
  }
  if (!existsSync(bin)) return null;
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? bin : null;
}

export async function benchLintTrace(options: LintTraceOptions = {}): Promise<SuiteReport> {
  const progress = options.progress ?? (() => {});
  const lintCount = options.lintFiles ?? 1000;
  const lintRuns = options.lintRuns ?? 7;
  const traceCount = options.traceMigrations ?? 100;
  const traceRuns = options.traceRuns ?? 3;
  const root = repoRoot();
  const dir = tempDir('lint');
  const report: SuiteReport = { title: 'lint and trace (bench/lint-trace.ts)', rows: [], targets: [], notes: [] };
  try {
    // ---- lint ----
    const files = generated(lintCount);
    const luaDir = join(dir.path, 'lua');
    const sqlDir = join(dir.path, 'sql');
    spawnSync('mkdir', ['-p', luaDir, sqlDir]);
    for (const [i, file] of files.entries()) {
      writeFileSync(join(luaDir, file.file), file.source);
      writeFileSync(join(sqlDir, `${file.id}.sql`), statementsOf(i + 1).join(';\n') + ';\n');
    }
    const inputs = files.map((f) => ({ file: f.file, source: f.source }));
    progress(`lint: ${lintCount} files in process`);
    const inProcess = new Samples();
    let findings = 0;
    // The first call runs on cold code, as the command's one call does; the samples after it on warm code.
    const firstCall = await time(() => lintMigrations(inputs));
    for (let r = 0; r < lintRuns; r++) inProcess.add(await time(() => (findings = lintMigrations(inputs).length)));

    progress('lint: the command, node alone and squawk, in turn');
    OUTPUT_FILE = join(dir.path, 'out.json');
    const command = new Samples();
    const commandCpu = new Samples();
    // The floor under any Node command: node starting and exiting with nothing to do.
    const nodeStart = new Samples();
    const nodeStartCpu = new Samples();
    // The fixed cost of each: moonwalk lint of an empty folder, squawk of one file (its npm bin is a node script that
    // starts the native binary).
    const emptyDir = join(dir.path, 'empty');
    spawnSync('mkdir', ['-p', emptyDir]);
    const commandFixedCpu = new Samples();
    const peerFixedCpu = new Samples();
    const squawk = squawkBinary(root);
    const peer = new Samples();
    const peerCpu = new Samples();
    let squawkFindings: number | null = null;
    const cli = join(root, 'bin', 'moonwalk.js');
    // The floor: node parsing the same Lua files with lint's own parse call, nothing else.
    const floorScript = join(root, 'dist', 'bench', 'luaparse-floor-process.js');
    const floor = new Samples();
    const floorCpu = new Samples();
    const sqlFiles = files.map((f) => join(sqlDir, `${f.id}.sql`));
    // One of each per round, so that a busy spell on the shared machine falls on all three alike.
    for (let r = 0; r < lintRuns; r++) {
      const run = runTimed(process.execPath, [cli, 'lint', '--json', '--dir', luaDir]);
      command.add(run.wallMs);
      commandCpu.add(run.cpuMs);
      const empty = runTimed(process.execPath, ['-e', '']);
      nodeStart.add(empty.wallMs);
      nodeStartCpu.add(empty.cpuMs);
      commandFixedCpu.add(runTimed(process.execPath, [cli, 'lint', '--json', '--dir', emptyDir]).cpuMs);
      const floorRun = runTimed(process.execPath, [floorScript, luaDir]);
      floor.add(floorRun.wallMs);
      floorCpu.add(floorRun.cpuMs);
      if (squawk) peerFixedCpu.add(runTimed(squawk, ['--reporter', 'json', sqlFiles[0]]).cpuMs);
      if (squawk) {
        const peerRun = runTimed(squawk, ['--reporter', 'json', ...sqlFiles]);
        peer.add(peerRun.wallMs);
        peerCpu.add(peerRun.cpuMs);
        try {
          squawkFindings = (JSON.parse(peerRun.stdout) as unknown[]).length;
        } catch {
          squawkFindings = null;
        }
      }
    }
    const versus = squawk ? `${formatRatio(peer.median / command.median)} faster than squawk` : '';
    const versusCpu = squawk ? `${formatRatio(peerCpu.median / commandCpu.median)} faster than squawk` : '';
    report.rows.push(
      {
        name: `lint, ${lintCount} files, in process, first call (code not yet optimized)`,
        figure: formatMs(firstCall),
        spread: '',
        ratio: '',
        target: '',
        met: null,
      },
      {
        name: `lint, ${lintCount} files, in process, warm (${findings} findings)`,
        figure: formatMs(inProcess.median),
        spread: spreadOf(inProcess),
        ratio: '',
        target: '',
        met: null,
      },
      {
        name: `moonwalk lint --dir (${lintCount} files, process), wall`,
        figure: formatMs(command.median),
        spread: spreadOf(command),
        ratio: versus,
        target: '< 1 s',
        met: command.median < 1000,
      },
      {
        name: `moonwalk lint --dir (${lintCount} files, process), CPU user+sys`,
        figure: formatMs(commandCpu.median),
        spread: spreadOf(commandCpu),
        ratio: versusCpu,
        target: '< 1 s',
        met: commandCpu.median < 1000,
      },
    );
    report.rows.push({
      name: 'moonwalk lint of an empty folder (node start, the lint bundle, the command line), CPU user+sys',
      figure: formatMs(commandFixedCpu.median),
      spread: spreadOf(commandFixedCpu),
      ratio: '',
      target: '',
      met: null,
    });
    if (squawk) {
      report.rows.push({
        name: 'squawk on 1 file (its npm bin: node starting the native binary), CPU user+sys',
        figure: formatMs(peerFixedCpu.median),
        spread: spreadOf(peerFixedCpu),
        ratio: '',
        target: '',
        met: null,
      });
    }
    report.rows.push({
      name: `floor: node + luaparse parsing the ${lintCount} Lua files, nothing else (bench/luaparse-floor-process.ts), wall / CPU user+sys`,
      figure: `${formatMs(floor.median)} / ${formatMs(floorCpu.median)}`,
      spread: spreadOf(floorCpu),
      ratio: squawk
        ? `${formatRatio(peer.median / floor.median)} / ${formatRatio(peerCpu.median / floorCpu.median)} faster than squawk`
        : '',
      target: 'floor (no target): the best a Node linter of Lua files could do',
      met: null,
    });
    report.rows.push({
      name: `node -e '' (node's own start and exit: the floor of any Node command), wall / CPU user+sys`,
      figure: `${formatMs(nodeStart.median)} / ${formatMs(nodeStartCpu.median)}`,
      spread: spreadOf(nodeStartCpu),
      ratio: '',
      target: '',
      met: null,
    });
    report.targets.push(
      {
        suite: 'lint-trace',
        description: `moonwalk lint of ${lintCount} files under 1 s (wall)`,
        met: command.median < 1000,
        detail: formatMs(command.median),
      },
      {
        suite: 'lint-trace',
        description: `moonwalk lint of ${lintCount} files under 1 s of CPU`,
        met: commandCpu.median < 1000,
        detail: formatMs(commandCpu.median),
      },
    );
    if (squawk) {
      const label = `squawk ${readSquawkVersion(root)} on the same SQL (${lintCount} .sql files${squawkFindings === null ? '' : `, ${squawkFindings} findings`})`;
      report.rows.push(
        {
          name: `${label}, wall`,
          figure: formatMs(peer.median),
          spread: spreadOf(peer),
          ratio: '',
          target: '',
          met: null,
        },
        {
          name: `${label}, CPU user+sys`,
          figure: formatMs(peerCpu.median),
          spread: spreadOf(peerCpu),
          ratio: '',
          target: '',
          met: null,
        },
      );
      report.targets.push(
        {
          suite: 'lint-trace',
          description: 'moonwalk lint faster than squawk on the same SQL (CPU)',
          met: commandCpu.median < peerCpu.median,
          detail: `${formatMs(commandCpu.median)} vs ${formatMs(peerCpu.median)}`,
        },
        {
          suite: 'lint-trace',
          description: 'moonwalk lint faster than squawk on the same SQL (wall)',
          met: command.median < peer.median,
          detail: `${formatMs(command.median)} vs ${formatMs(peer.median)}`,
        },
      );
    } else {
      report.notes.push('squawk could not be installed into .bench-peers/ (npm install squawk-cli): no peer measured');
    }

    // ---- trace ----
    const traced = generated(traceCount);
    const host = new LuaHost();
    const traceSamples = new Samples();
    const upSamples = new Samples();
    let statements = 0;
    for (let r = 0; r < traceRuns; r++) {
      progress(`trace: ${traceCount} migrations on PGlite, run ${r + 1} of ${traceRuns}`);
      const driver = await openPglite();
      try {
        traceSamples.add(
          await time(async () => {
            const result = await traceMigrations({ driver, files: traced, host, allow: [] });
            if (result.error) throw new Error(`trace failed: ${result.error.message}`);
            statements = result.migrations.reduce((n, m) => n + m.statements.length, 0);
          }),
        );
      } finally {
        await driver.close();
      }
      const plain = await openPglite();
      try {
        upSamples.add(
          await time(async () => {
            const result = await new Migrator({ driver: plain, files: traced, host }).up();
            if (result.error) throw new Error(`up failed: ${result.error.message}`);
          }),
        );
      } finally {
        await plain.close();
      }
    }
    report.rows.push(
      {
        name: `trace, ${traceCount} migrations (${statements} statements) on PGlite`,
        figure: formatMs(traceSamples.median),
        spread: spreadOf(traceSamples),
        ratio: `${formatRatio(traceSamples.median / upSamples.median)} up`,
        target: '',
        met: null,
      },
      {
        name: `up of the same ${traceCount} migrations on PGlite (peer)`,
        figure: formatMs(upSamples.median),
        spread: spreadOf(upSamples),
        ratio: '',
        target: '',
        met: null,
      },
    );
    report.notes.push(
      'PGlite start-up is outside both trace and up figures; each run starts from a fresh in-memory database.',
    );
    return report;
  } finally {
    dir.remove();
  }
}

function readSquawkVersion(root: string): string {
  try {
    const pkg = JSON.parse(
      readFileSync(join(peersDir(root), 'node_modules', 'squawk-cli', 'package.json'), 'utf8'),
    ) as {
      version?: string;
    };
    return pkg.version ?? '?';
  } catch {
    return '?';
  }
}
