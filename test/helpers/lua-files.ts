/** Migration files for runner and command tests: a small spec becomes a complete file with one block per engine. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../src/core/driver.ts';
import { migrationFiles, type MigrationFile } from '../../src/core/migration-files.ts';

export interface Spec {
  /** Lua statements: the body of up(function(db) ... end). */
  up: string;
  /** The body of down; no down when absent. */
  down?: string;
  /** The body of after; no after when absent. */
  after?: string;
  /** Engines with a block (default sqlite and postgres). */
  engines?: Engine[];
  description?: string;
}

/** A complete migration file. */
export function lua(spec: Spec | string): string {
  const s = typeof spec === 'string' ? { up: spec } : spec;
  const engines = s.engines ?? ['sqlite', 'postgres'];
  const lines = [
    'return require("migration").define(function()',
    `  migration(${JSON.stringify(s.description ?? 'test migration')}, function()`,
    `    for _, engine in ipairs({${engines.map((e) => JSON.stringify(e)).join(', ')}}) do`,
    '      database(engine, function()',
    '        up(function(db)',
    s.up,
    '        end)',
  ];
  if (s.down !== undefined) lines.push('        down(function(db)', s.down, '        end)');
  if (s.after !== undefined) lines.push('        after(function(db)', s.after, '        end)');
  lines.push('      end)', '    end', '  end)', 'end)', '');
  return lines.join('\n');
}

/**
 * A complete migration file with one block for `engine`, its name written out (`database("sqlite", …)`): lint reads a
 * block's engine only from a literal, not from lua()'s loop over the engines.
 */
export function luaFor(engine: Engine, spec: Omit<Spec, 'engines'>): string {
  const phases = (['up', 'down', 'after'] as const).filter((phase) => spec[phase] !== undefined);
  return [
    'return require("migration").define(function()',
    `  migration(${JSON.stringify(spec.description ?? 'test migration')}, function()`,
    `    database("${engine}", function()`,
    ...phases.flatMap((phase) => [`      ${phase}(function(db)`, spec[phase]!, '      end)']),
    '    end)',
    '  end)',
    'end)',
    '',
  ].join('\n');
}

/** Migration files from ids and specs, in id order. */
export function files(specs: Record<string, Spec | string>): MigrationFile[] {
  return migrationFiles(Object.entries(specs).map(([id, spec]) => ({ name: `${id}.lua`, text: lua(spec) })));
}

/** Writes `<id>.lua` files into `dir` (made if needed); returns dir. */
export function writeMigrations(dir: string, specs: Record<string, Spec | string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [id, spec] of Object.entries(specs)) writeFileSync(join(dir, `${id}.lua`), lua(spec));
  return dir;
}

/** The 1-based line of the first line of the file containing `needle`. */
export function lineOf(file: MigrationFile | string, needle: string): number {
  const source = typeof file === 'string' ? file : file.source;
  const index = source.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`${needle} is not in the file`);
  return index + 1;
}

/** A table `name (v TEXT)` made by up and dropped by down. */
export function table(name: string, extra: Partial<Spec> = {}): Spec {
  return {
    up: `assert(db:execute("CREATE TABLE ${name} (v TEXT)"))`,
    down: `assert(db:execute("DROP TABLE ${name}"))`,
    ...extra,
  };
}
