/**
 * Reads the migrations folder into the plain data the core takes. Node only.
 *
 * Synchronous reads on purpose: the command runs in a worker thread of its own that has nothing else to do while
 * it reads, and a thousand small files read one after another take a fraction of the time that a thousand
 * concurrent `readFile` promises spend queueing on libuv's thread pool.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationFiles, type MigrationFile } from '../core/migration-files.ts';

/** A folder or file problem: exit 2, with what to do. */
export class FilesError extends Error {}

export async function readMigrationsDir(dir: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new FilesError(
        `the migrations folder ${dir} does not exist: create it (moonwalk new NAME does), or pass --dir FOLDER`,
      );
    }
    if (code === 'ENOTDIR')
      throw new FilesError(`${dir} is not a folder: pass the migrations folder with --dir FOLDER`);
    throw new FilesError(`cannot read the migrations folder ${dir}: ${(error as Error).message}`);
  }
  const entries = names
    .filter((name) => name.endsWith('.lua'))
    .map((name) => {
      try {
        return { name, text: readFileSync(join(dir, name), 'utf8') };
      } catch (error) {
        throw new FilesError(`cannot read ${join(dir, name)}: ${(error as Error).message}`);
      }
    });
  return migrationFiles(entries);
}
