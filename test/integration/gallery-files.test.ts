/**
 * The playground's Examples gallery as real `.lua` files (src/web/gallery/<set id>/*.lua, indexed by
 * src/web/gallery.ts): `moonwalk lint` and `moonwalk verify` (the library's, which answer the command's documents)
 * over every set, on SQLite and, where the set's files have a postgres block, on PostgreSQL (PGlite). An example
 * teaches a pattern, so lint finds no error in it and each `down` undoes its `up` exactly.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lint, verify } from '../../src/lib/node.ts';
import { EXAMPLE_SETS, type ExampleSet } from '../../src/web/gallery.ts';

const GALLERY = join(import.meta.dirname, '../../src/web/gallery');

/**
 * What lint says about each set, exactly (file:line code). No errors: nothing the page shows as a mistake. The hints
 * are the ones a reader of the example should see in the editor: the examples keep the guide's plain SERIAL/INTEGER
 * columns and plain CREATE TABLE (prefer-bigint, create-without-if-not-exists are `info`), and the PostgreSQL
 * lock-safety warnings are about tables in use on a busy server, which the examples' ALTER and CREATE INDEX would be
 * there (the playground's page teaches them through these findings). A new finding, or one gone, fails here.
 */
const FINDINGS: Record<string, string[]> = {
  starter: [
    '0001_create_users.lua:23 prefer-bigint',
    '0002_add_email_to_users.lua:3 missing-lock-timeout',
    '0002_add_email_to_users.lua:5 index-not-concurrent',
    '0002_add_email_to_users.lua:10 index-not-concurrent',
    '0002_add_email_to_users.lua:10 missing-lock-timeout',
    '0003_seed_roles.lua:29 prefer-bigint',
  ],
  'create-table': [
    '0001_create_products.lua:24 prefer-bigint',
    '0002_create_orders.lua:24 prefer-bigint',
    '0002_create_orders.lua:24 prefer-bigint',
    '0002_create_orders.lua:24 prefer-bigint',
  ],
  'add-column': [
    '0001_create_products.lua:24 prefer-bigint',
    '0002_add_description_to_products.lua:5 missing-lock-timeout',
    '0002_add_description_to_products.lua:10 missing-lock-timeout',
  ],
  index: ['0001_create_products.lua:24 prefer-bigint'],
  seed: [
    '0001_create_roles.lua:6 create-without-if-not-exists',
    '0001_create_roles.lua:16 create-without-if-not-exists',
    '0001_create_roles.lua:16 prefer-bigint',
  ],
  prepared: [
    '0001_create_people.lua:11 create-without-if-not-exists',
    '0001_create_people.lua:18 create-without-if-not-exists',
    '0001_create_people.lua:18 prefer-bigint',
    '0001_create_people.lua:18 prefer-bigint',
  ],
  rebuild: [
    '0001_create_members.lua:7 create-without-if-not-exists',
    '0001_create_members.lua:14 create-without-if-not-exists',
    '0001_create_members.lua:26 prefer-bigint',
    '0001_create_members.lua:27 create-without-if-not-exists',
    '0001_create_members.lua:34 create-without-if-not-exists',
  ],
  engines: [
    '0001_create_events.lua:8 create-without-if-not-exists',
    '0001_create_events.lua:28 create-without-if-not-exists',
    '0001_create_events.lua:28 multiple-changes',
  ],
  errors: [
    '0001_create_settings.lua:7 create-without-if-not-exists',
    '0001_create_settings.lua:19 create-without-if-not-exists',
  ],
};

const migrationsOf = (set: ExampleSet) => set.files.map((f) => ({ id: f.name, text: f.text }));
const targets = (set: ExampleSet): Array<'sqlite' | 'postgres'> =>
  set.files.some((f) => f.text.includes('database("postgres"')) ? ['sqlite', 'postgres'] : ['sqlite'];

describe('the gallery files', () => {
  test('every .lua file under src/web/gallery is in a set, under its own name', () => {
    const onDisk = readdirSync(GALLERY, { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.lua'))
      .map((path) => relative(GALLERY, join(GALLERY, path)).split('\\').join('/'))
      .sort();
    // Each set's folder holds the files it adds; a file may serve several sets (create-table's products table).
    expect(onDisk).toEqual([
      'add-column/0002_add_description_to_products.lua',
      'create-table/0001_create_products.lua',
      'create-table/0002_create_orders.lua',
      'engines/0001_create_events.lua',
      'engines/0002_log_events.lua',
      'errors/0001_create_settings.lua',
      'errors/0002_default_settings.lua',
      'index/0002_index_products.lua',
      'prepared/0001_create_people.lua',
      'prepared/0002_insert_people.lua',
      'rebuild/0001_create_members.lua',
      'rebuild/0002_add_email_to_members.lua',
      'seed/0001_create_roles.lua',
      'seed/0002_seed_roles.lua',
      'starter/0001_create_users.lua',
      'starter/0002_add_email_to_users.lua',
      'starter/0003_seed_roles.lua',
    ]);
    const texts = new Set(EXAMPLE_SETS.flatMap((s) => s.files.map((f) => f.text)));
    expect(texts.size).toBe(onDisk.length);
    for (const path of onDisk) {
      const name = path.split('/')[1];
      const inSets = EXAMPLE_SETS.flatMap((s) => s.files).filter((f) => f.name === name);
      expect(inSets.length, path).toBeGreaterThan(0);
    }
  });

  test('the findings table names every set', () => {
    expect(Object.keys(FINDINGS)).toEqual(EXAMPLE_SETS.map((s) => s.id));
  });

  test('the sets keep the ids the page and its tests use, with a postgres block in every set', () => {
    expect(EXAMPLE_SETS.map((s) => s.id)).toEqual([
      'starter',
      'create-table',
      'add-column',
      'index',
      'seed',
      'prepared',
      'rebuild',
      'engines',
      'errors',
    ]);
    expect(EXAMPLE_SETS.filter((s) => targets(s).includes('postgres')).map((s) => s.id)).toEqual(
      EXAMPLE_SETS.map((s) => s.id),
    );
  });
});

describe.each(EXAMPLE_SETS.map((s) => [s.id, s] as const))('gallery set %s', (_id, set) => {
  test('moonwalk lint: no errors, exactly the hints listed', async () => {
    const linted = await lint({ migrations: migrationsOf(set) });
    expect(linted.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(linted.ok).toBe(true);
    expect(linted.findings.map((f) => `${f.file}:${f.line} ${f.code}`)).toEqual(FINDINGS[set.id]);
  });

  test.each(targets(set))('moonwalk verify on %s: every migration reversible', async (engine) => {
    const verified = await verify({ migrations: migrationsOf(set), engine });
    expect(verified.error).toBeNull();
    expect(verified.engine).toBe(engine);
    expect(verified.migrations.map((m) => [m.id, m.reversible, m.up_again, m.differences])).toEqual(
      set.files.map((f) => [f.name.replace(/\.lua$/, ''), true, true, []]),
    );
    expect(verified.ok).toBe(true);
  });
});
