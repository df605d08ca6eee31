/**
 * Knex's `migrate.latest()` in a process of its own, as a deploy runs it: the sqlite-file suite times this whole
 * process next to a whole `moonwalk up --single-transaction` process.
 *
 *   node dist/bench/knex-latest-process.js DATABASE_FILE MIGRATIONS_FOLDER   → prints how many it applied
 */
import knexFactory, { type Knex } from 'knex';

/** The one Knex configuration of the suite: better-sqlite3 on `file`, the `.cjs` migrations in `directory`. */
export function knexConfig(file: string, directory: string): Knex.Config {
  return {
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    migrations: { directory, loadExtensions: ['.cjs'] },
  };
}

const self = typeof process !== 'undefined' ? process.argv[1] : undefined;
if (self !== undefined && /knex-latest-process\.(js|ts)$/.test(self)) {
  const [file, directory] = process.argv.slice(2);
  if (!file || !directory) throw new Error('usage: knex-latest-process DATABASE_FILE MIGRATIONS_FOLDER');
  const knex = knexFactory(knexConfig(file, directory));
  try {
    const [, log] = (await knex.migrate.latest()) as [number, string[]];
    console.log(log.length);
  } finally {
    await knex.destroy();
  }
}
