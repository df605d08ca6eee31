/**
 * Reads the migrations folder into the plain data the core takes. Node only.
 *
 * Synchronous reads on purpose: the command runs in a worker thread of its own that has nothing else to do while
 * it reads, and a thousand small files read one after another take a fraction of the time that a thousand
 * concurrent `readFile` promises spend queueing on libuv's thread pool.
 */
import { hash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import {
  migrationFiles,
  migrationSources,
  type MigrationFile,
  type MigrationSource,
} from '../core/migration-files.ts';

/** A folder or file problem: exit 2, with what to do. */
export class FilesError extends Error {}

export async function readMigrationsDir(dir: string): Promise<MigrationFile[]> {
  return readMigrationFiles(dir);
}

/** readMigrationsDir, synchronously. */
export function readMigrationFiles(dir: string): MigrationFile[] {
  // The ledger's checksum is the sha256 of the bytes read (migration-files.ts), hashed natively here, one-shot
  // (`crypto.hash`: no Hash object per file; 1,000 files ~1 ms against ~5 ms with createHash in a fresh process).
  return migrationFiles(
    readLuaEntries(dir).map(({ name, text, bytes }) => ({
      name,
      text,
      checksum: hash('sha256', bytes, 'hex'),
    })),
  );
}

/** The folder's migrations as lint reads them: the same files, the same errors, no checksums (lint keeps no ledger). */
export function readMigrationSources(dir: string): MigrationSource[] {
  return migrationSources(readLuaEntries(dir));
}

/** Every `.lua` entry of the folder, read and decoded (FilesError for a folder or file that cannot be). */
function readLuaEntries(dir: string): Array<{ name: string; text: string; bytes: Buffer }> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
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
  return entries
    .filter((entry) => entry.name.endsWith('.lua'))
    .map((entry) => {
      const path = join(dir, entry.name);
      checkRegularFile(entry, path);
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (error) {
        throw new FilesError(`cannot read ${path}: ${(error as Error).message}`);
      }
      return { name: entry.name, text: decodeSource(path, bytes), bytes };
    });
}

/**
 * The ids of the folder's migrations, from its names alone (no file is read): enough to tell whether one is pending.
 * Null when the folder cannot be listed (readMigrationsDir then says why).
 */
export function migrationIds(dir: string): string[] | null {
  try {
    return migrationFiles(
      readdirSync(dir)
        .filter((name) => name.endsWith('.lua'))
        .map((name) => ({ name, text: '', checksum: '' })),
    ).map((file) => file.id);
  } catch {
    return null;
  }
}

/**
 * Every `.lua` entry is a migration or an error, never skipped in silence: a symbolic link is followed (a migration
 * shared between folders is a real use) when it leads to a regular file; a folder, a FIFO, a socket or a device, or
 * a link to nothing, is refused by name.
 */
function checkRegularFile(entry: Dirent, path: string): void {
  if (entry.isFile()) return;
  let what: string;
  if (entry.isSymbolicLink()) {
    let target: string;
    try {
      target = readlinkSync(path);
    } catch {
      target = '?';
    }
    try {
      const stat = statSync(path);
      if (stat.isFile()) return;
      what = `a symbolic link to ${target}, which is ${kindOf(stat)}`;
    } catch {
      what = `a symbolic link to ${target}, which does not exist`;
    }
  } else {
    what = kindOf(entry);
  }
  throw new FilesError(
    `${path} is ${what}, not a migration file: every .lua entry of the migrations folder must be a file (or a link ` +
      'to one). Rename or remove it',
  );
}

function kindOf(entry: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (entry.isDirectory()) return 'a folder';
  if (entry.isFIFO()) return 'a FIFO (named pipe)';
  if (entry.isSocket()) return 'a socket';
  return 'a device or other special file';
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The file's text. Bytes that are not UTF-8 are refused, naming the line, not replaced: a replaced byte would change
 * a SQL literal in silence, and hide an edit from the checksum. A byte-order mark is kept in the text (the checksum
 * is of the file's bytes; the Lua host skips it, as the reference Lua does).
 */
function decodeSource(path: string, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
    const hex = bytes[bad].toString(16).toUpperCase().padStart(2, '0');
    throw new FilesError(
      `${path}:${line}: the file is not valid UTF-8 (byte 0x${hex} at offset ${bad}): save it as UTF-8; ` +
        'write binary values with string escapes ("\\xE9") or parameters',
    );
  }
}

/** The offset of the first byte that does not belong to a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > bytes.length) return i;
    try {
      utf8.decode(bytes.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return i;
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
