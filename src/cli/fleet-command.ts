/**
 * `moonwalk up|down|status --targets FILE [--parallel N] [--fail-fast]` (DESIGN §5): the same migrations on many
 * databases or tenant schemas. Each target gets its own connection (at most one at a time), its own lock and its
 * own result; a line per target as it finishes (with the progress so far), a table at the end, or with --json one
 * document `{"ok", "targets": [{"target", "ok", "results", "error"}]}`. Exit 1 when any target failed.
 */
import { LuaHost } from '../core/lua/host.ts';
import { Migrator, type MigratorOptions } from '../core/migrator.ts';
import type { MigrationFile } from '../core/migration-files.ts';
import { plural } from '../core/plural.ts';
import type { MigrationResult, RunError, RunResult, StatusEntry } from '../core/results.ts';
import { runFleet, type FleetOutcome } from './fleet.ts';
import { jsonValue, formatMs } from './render.ts';
import { jsonRunError, jsonRunResult } from '../core/documents.ts';
import type { Target } from './targets-file.ts';
import type { Driver } from '../core/driver.ts';
import type { GithubAnnotations } from './github-annotations.ts';
import { forCommand } from './remedies.ts';

export type FleetCommand = 'up' | 'down' | 'status';

export interface FleetRun {
  command: FleetCommand;
  targets: Target[];
  files: MigrationFile[];
  parallel: number;
  failFast: boolean;
  json: boolean;
  /** Opens a target's database; what it throws is that target's connect failure. */
  connect(target: Target): Promise<Driver>;
  /** The migrator's options other than driver, files and host. */
  migrator: Omit<MigratorOptions, 'driver' | 'files' | 'host' | 'onEvent'>;
  up: Parameters<Migrator['up']>[0];
  down: Parameters<Migrator['down']>[0];
  out(text: string): void;
  err(text: string): void;
  /** `status --exit-code`: exit 1 while any target has a migration that is not applied. */
  exitCode?: boolean;
  /** `--format github`: each failed target's error as an annotation. */
  github?: GithubAnnotations | null;
}

/** What one target ended with. */
interface TargetReport {
  target: string;
  ok: boolean;
  results: MigrationResult[];
  migrations?: StatusEntry[];
  engine?: string;
  error: RunError | null;
  ms: number;
}

export async function runFleetCommand(run: FleetRun): Promise<number> {
  // One Lua host per lane: a host runs one migration at a time, and a lane runs one target at a time.
  const hosts = new Map<number, LuaHost>();
  const hostFor = (slot: number): LuaHost => {
    let host = hosts.get(slot);
    if (!host) hosts.set(slot, (host = new LuaHost(run.migrator.limits)));
    return host;
  };
  const progress = run.json ? run.err : run.out;
  const outcomes = await runFleet(
    run.targets,
    { parallel: run.parallel, failFast: run.failFast },
    (target, slot) => runTarget(run, target, hostFor(slot)),
    (report) => report.ok,
    (target, outcome, { done, failed, total }) => {
      const report = toReport(target, outcome);
      const counts = `[${done}/${total}${failed ? `, ${failed} failed` : ''}]`;
      progress(`${summaryLine(run.command, report)}  ${counts}`);
    },
  );
  const reports = outcomes.map((outcome, i) => toReport(run.targets[i], outcome));
  const ok = reports.every((r) => r.ok);
  if (run.json) {
    run.out(JSON.stringify({ ok, targets: reports.map((r) => jsonReport(run.command, r)) }, jsonValue));
  } else {
    run.out(renderTable(run.command, reports));
  }
  for (const report of reports) if (report.error) run.github?.runError(report.error, `target ${report.target}`);
  const unsettled = reports.some((r) => r.migrations?.some((m) => m.status !== 'applied'));
  return ok && !(run.exitCode && unsettled) ? 0 : 1;
}

async function runTarget(run: FleetRun, target: Target, host: LuaHost): Promise<TargetReport> {
  const started = performance.now();
  const finish = (fields: Omit<TargetReport, 'target' | 'ms'>): TargetReport => ({
    target: target.name,
    ...fields,
    ms: performance.now() - started,
  });
  let driver: Driver;
  try {
    driver = await run.connect(target);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return finish({ ok: false, results: [], error: { code: 'engine', migration: null, phase: 'connect', message } });
  }
  const migrator = new Migrator({ ...run.migrator, driver, files: run.files, host });
  try {
    if (run.command === 'status') {
      const status = await migrator.status();
      return finish({
        ok: status.error === null,
        results: [],
        engine: status.engine,
        migrations: status.migrations,
        error: status.error && forCommand(status.error, driver.engine),
      });
    }
    const result: RunResult = run.command === 'up' ? await migrator.up(run.up) : await migrator.down(run.down);
    return finish({
      ok: result.ok,
      results: result.results,
      error: result.error && forCommand(result.error, driver.engine),
    });
  } finally {
    migrator.dispose();
    await driver.close();
  }
}

function toReport(target: Target, outcome: FleetOutcome<TargetReport>): TargetReport {
  if (outcome.state === 'done') return outcome.value;
  const code = outcome.state === 'thrown' ? 'internal' : 'not_started';
  const message =
    outcome.state === 'thrown'
      ? outcome.error instanceof Error
        ? outcome.error.message
        : String(outcome.error)
      : 'not started: an earlier target failed and --fail-fast stops the fleet there';
  return {
    target: target.name,
    ok: false,
    results: [],
    error: { code, migration: null, phase: 'check', message },
    ms: 0,
  };
}

function jsonReport(command: FleetCommand, r: TargetReport): Record<string, unknown> {
  if (command === 'status') {
    return {
      target: r.target,
      ok: r.ok,
      engine: r.engine ?? null,
      migrations: r.migrations ?? [],
      error: r.error ? jsonRunError(r.error) : null,
    };
  }
  const run = jsonRunResult({ ok: r.ok, results: r.results, error: r.error });
  return { target: r.target, ok: r.ok, results: run.results, error: run.error };
}

/** What a target's run did, in a few words: "3 applied", "up to date", "2 pending". */
function outcomeWords(command: FleetCommand, r: TargetReport): string {
  if (r.error?.code === 'not_started') return 'not started';
  if (r.error?.phase === 'connect') return 'not reached';
  if (command === 'status') {
    if (r.error) return 'unreadable';
    const count = (s: StatusEntry['status']) => (r.migrations ?? []).filter((m) => m.status === s).length;
    const drift = count('modified') + count('missing');
    return `${count('applied')} applied, ${count('pending')} pending${drift ? `, ${drift} modified or missing` : ''}`;
  }
  const status = command === 'up' ? 'applied' : 'reverted';
  const n = r.results.filter((x) => x.status === status).length;
  if (n === 0 && r.ok) return command === 'up' ? 'up to date' : 'nothing to revert';
  return `${n} ${status}`;
}

function firstLine(error: RunError): string {
  const where = error.migration ? `${error.migration} (${error.phase}): ` : '';
  return `${where}${error.message.split('\n')[0]}`;
}

function summaryLine(command: FleetCommand, r: TargetReport): string {
  const mark = r.ok ? 'ok    ' : 'FAILED';
  const error = r.error ? `  ${firstLine(r.error)}` : '';
  return `${mark} ${r.target}  ${outcomeWords(command, r)}  (${formatMs(r.ms)})${error}`;
}

function renderTable(command: FleetCommand, reports: TargetReport[]): string {
  const rows = reports.map((r) => [r.target, r.ok ? 'ok' : 'FAILED', outcomeWords(command, r), formatMs(r.ms)]);
  const head = ['target', 'result', 'migrations', 'time'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const notStarted = reports.filter((r) => r.error?.code === 'not_started');
  const failed = reports.filter((r) => !r.ok && r.error?.code !== 'not_started');
  const ok = reports.length - failed.length - notStarted.length;
  const lines = ['', line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
  lines.push(
    `${plural(reports.length, 'target')}: ${ok} ok` +
      (failed.length ? `, ${failed.length} failed` : '') +
      (notStarted.length ? `, ${notStarted.length} not started (--fail-fast)` : '') +
      '.',
  );
  for (const r of failed) if (r.error) lines.push(`  ${r.target}: ${firstLine(r.error)}`);
  return lines.join('\n');
}
