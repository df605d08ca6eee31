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

/** The file in a migrations folder that turns lint rules off for every file in it (docs/lint.md). */
export const LINT_CONFIG = '.moonwalk-lint.json';

/**
 * The lint codes a folder's `.moonwalk-lint.json` disables (`{ "disable": ["prefer-bigint"] }`); none without the
 * file. A file that is not such JSON, or names a code lint does not have, is a FilesError.
 */
export function readLintConfig(dir: string, codes: readonly string[]): string[] {
  const path = join(dir, LINT_CONFIG);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FilesError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    config = null;
  }
  const disable = (config as { disable?: unknown } | null)?.disable;
  if (!Array.isArray(disable) || !disable.every((code) => typeof code === 'string')) {
    throw new FilesError(
      `${path} must be JSON like { "disable": ["prefer-bigint"] }: a list of lint codes to turn off`,
    );
  }
  const unknown = disable.filter((code) => !codes.includes(code));
  if (unknown.length > 0) {
    throw new FilesError(
      `${path} names ${unknown.join(', ')}, which lint does not have: see docs/lint.md for the codes`,
    );
  }
  return disable;
}
