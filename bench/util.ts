/**
 * Shared pieces of the benchmark suites: statistics, temp directories, the result model and its text table.
 *
 * A suite answers a `SuiteReport`: rows (one per measured thing, Moonwalk's and its peers') and target checks. The
 * figures are medians of several runs; nothing here asserts anything — `npm run bench` only prints.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Samples of one measurement, in ms. */
export class Samples {
  readonly ms: number[] = [];

  add(ms: number): void {
    this.ms.push(ms);
  }

  get median(): number {
    return median(this.ms);
  }

  get min(): number {
    return Math.min(...this.ms);
  }

  get max(): number {
    return Math.max(...this.ms);
  }
}

/** Times `work` (sync or async) in ms. */
export async function time(work: () => unknown): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

/** A fresh directory under the OS temp dir; `remove()` deletes it with everything in it. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `moonwalk-bench-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The repository: the nearest folder above this file with a vite.config.ts (this file runs from bench/ or dist/bench/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'vite.config.ts')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the repository (no vite.config.ts above this file)');
    dir = parent;
  }
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatRate(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond)) return 'n/a';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M ${unit}/s`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(0)}k ${unit}/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k ${unit}/s`;
  return `${perSecond.toFixed(0)} ${unit}/s`;
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return ratio >= 10 ? `${ratio.toFixed(1)}×` : `${ratio.toFixed(2)}×`;
}

/** One line of a suite's table. */
export interface BenchRow {
  name: string;
  /** The headline figure as printed (a median time or a throughput). */
  figure: string;
  /** The spread of the runs as printed (min–max, run count). */
  spread: string;
  /** Ratios against named peers, e.g. "1.21× raw time"; '' for peers themselves. */
  ratio: string;
  /** The target as printed, '' when the row has none. */
  target: string;
  /** Whether the target is met; null when the row has none. */
  met: boolean | null;
}

/** A target of the task, checked against this run's measurements. */
export interface TargetCheck {
  suite: string;
  description: string;
  met: boolean;
  /** The measured value and what it was compared with. */
  detail: string;
}

export interface SuiteReport {
  title: string;
  rows: BenchRow[];
  targets: TargetCheck[];
  /** Extra lines printed under the table (method notes, sanity checks). */
  notes: string[];
}

export function spreadOf(samples: Samples, format: (ms: number) => string = formatMs): string {
  return `${format(samples.min)}–${format(samples.max)}, n=${samples.ms.length}`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}

/** The suite as a text table with its notes. */
export function renderSuite(report: SuiteReport): string {
  const header: BenchRow = {
    name: 'measurement',
    figure: 'median',
    spread: 'spread (min–max, runs)',
    ratio: 'ratio vs peer',
    target: 'target',
    met: null,
  };
  const cells = (row: BenchRow, isHeader = false): string[] => [
    row.name,
    row.figure,
    row.spread,
    row.ratio,
    row.target,
    isHeader ? 'met?' : row.met === null ? '' : row.met ? 'met' : 'MISSED',
  ];
  const all = [cells(header, true), ...report.rows.map((row) => cells(row))];
  const widths = all[0].map((_, c) => Math.max(...all.map((r) => [...r[c]].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => pad(cell, widths[c]))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  const out = [`== ${report.title} ==`, line(all[0]), rule, ...all.slice(1).map(line)];
  for (const note of report.notes) out.push(`  · ${note}`);
  return out.join('\n');
}

/** The one-line summary of a target. */
export function renderTarget(check: TargetCheck): string {
  return `${check.met ? 'MET   ' : 'MISSED'}  [${check.suite}] ${check.description}: ${check.detail}`;
}

/** One small migration of the bench: one CREATE TABLE, its DROP, and the same as a Moonwalk file. */
export interface TableMigration {
  id: string;
  description: string;
  /** The CREATE TABLE statement. */
  up: string;
  down: string;
  /** The Moonwalk migration file's text. */
  lua: string;
}

/**
 * `count` migrations that create one table each (`t0001`, …) with an id column numbered by the engine (`idColumn`,
 * e.g. `id INTEGER PRIMARY KEY` on SQLite, `id SERIAL PRIMARY KEY` on PostgreSQL), for the peers and for Moonwalk.
 */
export function tableMigrations(count: number, engine: 'sqlite' | 'postgres', idColumn: string): TableMigration[] {
  const out: TableMigration[] = [];
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(4, '0');
    const table = `t${n}`;
    const up = `CREATE TABLE ${table} (${idColumn}, name TEXT)`;
    const down = `DROP TABLE ${table}`;
    const description = `create table ${table}`;
    const lua =
      'return require("migration").define(function()\n' +
      `  migration("${description}", function()\n` +
      `    database("${engine}", function()\n` +
      `      up(function(db) db:execute("${up}") end)\n` +
      `      down(function(db) db:execute("${down}") end)\n` +
      '    end)\n' +
      '  end)\n' +
      'end)\n';
    out.push({ id: `${n}_create_${table}`, description, up, down, lua });
  }
  return out;
}
