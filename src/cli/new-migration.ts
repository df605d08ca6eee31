/** `moonwalk new NAME`: writes the next-numbered file from the core's template into the migrations folder. */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './args.ts';
import { migrationSlug, migrationTemplate, nextMigrationNumber } from '../core/template.ts';

/** Most file systems take at most 255 bytes in one file name. */
const MAX_FILE_NAME_BYTES = 255;

export async function writeNewMigration(dir: string, rawName: string): Promise<string> {
  const name = migrationSlug(rawName);
  if (!name)
    throw new UsageError(
      `"${rawName}" is not a usable name: use letters, digits and underscores, e.g. add_email_to_users`,
    );
  const existing = await fileSystem(dir, async () => {
    await mkdir(dir, { recursive: true });
    return (await readdir(dir)).filter((f) => f.endsWith('.lua'));
  });
  const fileName = `${nextMigrationNumber(existing)}_${name}.lua`;
  const bytes = Buffer.byteLength(fileName);
  if (bytes > MAX_FILE_NAME_BYTES) {
    throw new UsageError(
      `the name is too long: the file name would have ${bytes} bytes and file systems take at most ` +
        `${MAX_FILE_NAME_BYTES}; use a shorter name (the description inside the file can be as long as you like)`,
    );
  }
  const path = join(dir, fileName);
  await fileSystem(path, () => writeFile(path, migrationTemplate(name), { flag: 'wx' }));
  return path;
}

/** Runs a file-system step; what fails becomes a usage error that names the path and says what to do. */
async function fileSystem<T>(path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why: Record<string, string> = {
      ENOTDIR: 'a part of the path is a file, not a folder: pass another --dir',
      EEXIST: 'it exists already (as a file, where a folder or a new file was needed): pass another --dir or name',
      EACCES: 'permission denied: pass a --dir you can write to',
      EPERM: 'permission denied: pass a --dir you can write to',
      EROFS: 'the file system is read-only: pass a --dir you can write to',
      ENAMETOOLONG: 'the path is too long: use a shorter name or --dir',
      ENOSPC: 'the disk is full',
    };
    throw new UsageError(`cannot write ${path}: ${why[code ?? ''] ?? (error as Error).message}`);
  }
}
