/**
 * Builders for migration files in tests, and a small runner around `Migrator` that collects what the code printed.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Driver, Engine } from '../../src/core/driver.ts';
import { LuaHost } from '../../src/core/lua/host.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import type { RunResult } from '../../src/core/results.ts';
import { openPglite } from '../../src/drivers/pglite.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';

/** The file line on which the first line of the `up` body given to `migration()` lands. */
export const UP_FIRST_LINE = 6;

export interface MigrationOptions {
  description?: string;
  /** Lua body of `down(function(db) ... end)`; no `down` when absent. */
  down?: string;
  /** Engines that get a block (default: all three). */
  engines?: Engine[];
}

/**
 * A complete migration file whose `up(function(db) ... end)` has `up` as its body, for every engine in `engines`.
 * The body's first line is line `UP_FIRST_LINE` of the file.
 */
export function migration(up: string, options: MigrationOptions = {}): string {
  const engines = options.engines ?? ['sqlite', 'postgres', 'mysql'];
  const lines = [
    'return require("migration").define(function()',
    `  migration(${JSON.stringify(options.description ?? 'test migration')}, function()`,
    `    for _, engine in ipairs({${engines.map((e) => JSON.stringify(e)).join(', ')}}) do`,
    '      database(engine, function()',
    '        up(function(db)',
    up,
    '        end)',
  ];
  if (options.down !== undefined) lines.push('        down(function(db)', options.down, '        end)');
  lines.push('      end)', '    end', '  end)', 'end)', '');
  return lines.join('\n');
}

let counter = 0;

/** A unique migration file name (ids sort in the order names were made). */
export function fileName(label = 'test'): string {
  counter++;
  return `m${String(counter).padStart(5, '0')}_${label}.lua`;
}

export interface Outcome {
  result: RunResult;
  /** Lines printed by the migrations' code, in order. */
  output: string[];
}

/**
 * A small instruction budget, so runaway code is stopped quickly in tests. The Lua-time limit is far away on purpose:
 * a busy machine stretches time, not instructions, and a test that expects the instruction limit (or a stack
 * overflow) must not meet the clock first. The clock's own test sets a small one.
 */
export const SMALL_LIMITS = { instructions: 5e6, luaTimeMs: 60_000 };

export function smallHost(): LuaHost {
  return new LuaHost(SMALL_LIMITS);
}

/**
 * Applies the given files (texts, or `{name, text}`) with `up()`. Names are made unique so that one database can
 * serve many tests; drift is allowed because earlier tests' files are not passed again.
 */
export async function runUp(
  driver: Driver,
  files: Array<string | { name: string; text: string }>,
  options: { host?: LuaHost } = {},
): Promise<Outcome> {
  const output: string[] = [];
  const migrator = new Migrator({
    driver,
    files: migrationFiles(files.map((f) => (typeof f === 'string' ? { name: fileName(), text: f } : f))),
    host: options.host ?? smallHost(),
    allowDrift: true,
    onEvent: (event) => {
      if (event.type === 'output') output.push(...event.lines);
    },
  });
  try {
    const result = await migrator.up();
    return { result, output };
  } finally {
    migrator.dispose();
  }
}

/** `runUp` with one `up` body wrapped by `migration()`. */
export function runBody(driver: Driver, up: string, options: { host?: LuaHost } = {}): Promise<Outcome> {
  return runUp(driver, [migration(up)], options);
}

/** The engines the Lua host runs on in process: sql.js (answers at once) and PGlite (answers with promises). */
export const IN_PROCESS_ENGINES: Array<[Engine, () => Promise<Driver>]> = [
  ['sqlite', () => openSqlJs()],
  ['postgres', () => openPglite()],
];

export interface LuaSession {
  readonly driver: Driver;
  readonly host: LuaHost;
  /** Applies one migration whose `up` body is `body`. */
  run(body: string): Promise<Outcome>;
  /** The same, which must succeed: what its code printed. */
  prints(body: string): Promise<string[]>;
}

/**
 * For one describe block: a database of the engine (opened before its tests, closed after them, shared by them) and
 * a host with small limits.
 */
export function useLuaSession(open: () => Promise<Driver>): LuaSession {
  let driver: Driver | null = null;
  let host: LuaHost | null = null;
  beforeAll(async () => {
    driver = await open();
    host = smallHost();
  });
  afterAll(async () => {
    await driver?.close();
  });
  const session: LuaSession = {
    get driver() {
      if (!driver) throw new Error('useLuaSession: the database is not open (beforeAll has not run or failed)');
      return driver;
    },
    get host() {
      if (!host) throw new Error('useLuaSession: no host (beforeAll has not run or failed)');
      return host;
    },
    run: (body) => runBody(session.driver, body, { host: session.host }),
    async prints(body) {
      const { result, output } = await session.run(body);
      expect(result.error).toBeNull();
      expect(result.ok).toBe(true);
      return output;
    },
  };
  return session;
}
