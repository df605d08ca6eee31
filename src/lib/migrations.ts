/**
 * Migrations given to the library in memory (DESIGN §8, §9: `migrations: [{ id, text }]`) as the files the core
 * takes. No Node or DOM API: the browser entry uses it too.
 */
import { migrationFiles, type MigrationFile } from '../core/migration-files.ts';

/** One migration as text: `id` is what the file name would be without `.lua` (e.g. `0001_create_users`). */
export interface InMemoryMigration {
  id: string;
  text: string;
}

/** Bad options given to the library: the message says which and what to do. */
export class OptionsError extends Error {}

/** The migrations in runner order (ids compared byte by byte, as files are); a duplicate or empty id is refused. */
export function inMemoryMigrations(migrations: readonly InMemoryMigration[]): MigrationFile[] {
  // Checked for callers without types; `list` keeps the declared type (isArray would narrow it to any[]).
  const list: readonly InMemoryMigration[] = migrations;
  if (!Array.isArray(migrations)) throw new OptionsError('migrations must be an array of { id, text }');
  const seen = new Set<string>();
  const entries = list.map((m, i) => {
    if (typeof m?.id !== 'string' || typeof m.text !== 'string')
      throw new OptionsError(`migrations[${i}] must be { id: string, text: string }`);
    const id = m.id.endsWith('.lua') ? m.id.slice(0, -4) : m.id;
    if (id === '' || /[\\/]/.test(id)) throw new OptionsError(`migrations[${i}]: "${m.id}" is not a migration id`);
    if (seen.has(id)) throw new OptionsError(`migrations[${i}]: the id ${id} is given twice`);
    seen.add(id);
    return { name: `${id}.lua`, text: m.text };
  });
  return migrationFiles(entries);
}
