/**
 * The Examples gallery: sets of migrations, one per pattern of the migration guide (docs/migration-guide.md), each
 * loaded into the editor as a whole (replacing the files) and run by nobody until the person asks.
 *
 * The migrations are real `.lua` files under src/web/gallery/<set id>/ (imported as text with Vite's `?raw`); a set
 * may reuse another set's file (three start from create-table's products table). Every set lints clean and applies
 * and reverts cleanly on SQLite, and on PostgreSQL where its files have a postgres block, with `down` undoing `up`
 * exactly (schema and data): test/integration/gallery-files.test.ts runs `lint` and `verify` over each one, and
 * test/integration/web-examples.test.ts runs each through the real core.
 */
import { EXAMPLE_FILES } from './examples.ts';
import type { SourceFile } from './worker/protocol.ts';
import createProducts from './gallery/create-table/0001_create_products.lua?raw';
import createOrders from './gallery/create-table/0002_create_orders.lua?raw';
import addDescription from './gallery/add-column/0002_add_description_to_products.lua?raw';
import indexProducts from './gallery/index/0002_index_products.lua?raw';
import createRoles from './gallery/seed/0001_create_roles.lua?raw';
import seedRoles from './gallery/seed/0002_seed_roles.lua?raw';
import createPeople from './gallery/prepared/0001_create_people.lua?raw';
import insertPeople from './gallery/prepared/0002_insert_people.lua?raw';
import createMembers from './gallery/rebuild/0001_create_members.lua?raw';
import rebuildMembers from './gallery/rebuild/0002_add_email_to_members.lua?raw';
import createEvents from './gallery/engines/0001_create_events.lua?raw';
import logEvents from './gallery/engines/0002_log_events.lua?raw';
import createSettings from './gallery/errors/0001_create_settings.lua?raw';
import settingDefaults from './gallery/errors/0002_default_settings.lua?raw';

export interface ExampleSet {
  id: string;
  title: string;
  /** One or two sentences: what the set shows. */
  summary: string;
  /** The guide's patterns it covers (short tags shown in the gallery). */
  patterns: string[];
  files: SourceFile[];
}

export const EXAMPLE_SETS: ExampleSet[] = [
  {
    id: 'starter',
    title: 'Users, email and roles',
    summary:
      'The set the playground starts with: a table, a column with a unique index, and seed data inserted with a prepared statement.',
    patterns: ['create table', 'add column', 'index', 'prepared statement'],
    files: EXAMPLE_FILES,
  },
  {
    id: 'create-table',
    title: 'Create tables',
    summary:
      'Two tables, the second with a foreign key to the first; CREATE TABLE IF NOT EXISTS keeps them idempotent.',
    patterns: ['create table', 'foreign key', 'idempotent'],
    files: [
      { name: '0001_create_products.lua', text: createProducts },
      { name: '0002_create_orders.lua', text: createOrders },
    ],
  },
  {
    id: 'add-column',
    title: 'Add a column',
    summary: 'ALTER TABLE … ADD COLUMN and its exact undo, DROP COLUMN, shared by both engines.',
    patterns: ['add column'],
    files: [
      { name: '0001_create_products.lua', text: createProducts },
      { name: '0002_add_description_to_products.lua', text: addDescription },
    ],
  },
  {
    id: 'index',
    title: 'Create indexes',
    summary: 'A plain, a unique and a partial index, dropped in the reverse order by down.',
    patterns: ['index'],
    files: [
      { name: '0001_create_products.lua', text: createProducts },
      { name: '0002_index_products.lua', text: indexProducts },
    ],
  },
  {
    id: 'seed',
    title: 'Seed data',
    summary: 'Rows inserted by up and deleted by down; after checks the result with db:query in the same transaction.',
    patterns: ['seed data', 'after', 'db:query'],
    files: [
      { name: '0001_create_roles.lua', text: createRoles },
      { name: '0002_seed_roles.lua', text: seedRoles },
    ],
  },
  {
    id: 'prepared',
    title: 'Prepared statements',
    summary: 'db:prepare once, stmt:execute per row with ? parameters (nil is NULL), then read the rows back.',
    patterns: ['prepared statement', 'parameters', 'db:query'],
    files: [
      { name: '0001_create_people.lua', text: createPeople },
      { name: '0002_insert_people.lua', text: insertPeople },
    ],
  },
  {
    id: 'rebuild',
    title: 'Rebuild a table (SQLite)',
    summary:
      'Adding a NOT NULL column to a table with data: SQLite rebuilds the table (new table, copy, drop, rename, indexes); PostgreSQL alters it in place.',
    patterns: ['sqlite table rebuild', 'engine-specific'],
    files: [
      { name: '0001_create_members.lua', text: createMembers },
      { name: '0002_add_email_to_members.lua', text: rebuildMembers },
    ],
  },
  {
    id: 'engines',
    title: 'Engine-specific blocks',
    summary:
      'Each engine with its own types (an enum, JSONB and an identity column on PostgreSQL), then one function for both that asks db:db_type().',
    patterns: ['engine-specific', 'db:db_type'],
    files: [
      { name: '0001_create_events.lua', text: createEvents },
      { name: '0002_log_events.lua', text: logEvents },
    ],
  },
  {
    id: 'errors',
    title: 'Error handling and savepoints',
    summary:
      '"if err then error(err) end", return nil, err, and recovering from an expected failure with db:savepoint and db:rollback_to.',
    patterns: ['if err then error(err) end', 'savepoint recovery', 'err:kind()'],
    files: [
      { name: '0001_create_settings.lua', text: createSettings },
      { name: '0002_default_settings.lua', text: settingDefaults },
    ],
  },
];

/** Whether `files` hold exactly the files of one of the sets (name and text, in any order). */
export function isExampleSet(files: SourceFile[]): boolean {
  const key = (list: SourceFile[]) =>
    JSON.stringify([...list].sort((a, b) => (a.name < b.name ? -1 : 1)).map((f) => [f.name, f.text]));
  const mine = key(files);
  return EXAMPLE_SETS.some((set) => key(set.files) === mine);
}
