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
  // Checked as unknown: the library is called from plain JavaScript too.
  const given: unknown = migrations;
  if (!Array.isArray(given)) throw new OptionsError('migrations must be an array of { id, text }');
  const seen = new Set<string>();
  const entries = (given as unknown[]).map((m, i) => {
    const { id: rawId, text } = (m ?? {}) as { id?: unknown; text?: unknown };
    if (typeof rawId !== 'string' || typeof text !== 'string')
      throw new OptionsError(`migrations[${i}] must be { id: string, text: string }`);
    const id = rawId.endsWith('.lua') ? rawId.slice(0, -4) : rawId;
    if (id === '' || /[\\/]/.test(id)) throw new OptionsError(`migrations[${i}]: "${rawId}" is not a migration id`);
    if (seen.has(id)) throw new OptionsError(`migrations[${i}]: the id ${id} is given twice`);
    seen.add(id);
    return { name: `${id}.lua`, text };
  });
  return migrationFiles(entries);
}
