/** `moonwalk new NAME`: writes the next-numbered file from the core's template into the migrations folder. */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './args.ts';
import { migrationSlug, migrationTemplate, nextMigrationNumber } from '../core/template.ts';

export async function writeNewMigration(dir: string, rawName: string): Promise<string> {
  const name = migrationSlug(rawName);
  if (!name)
    throw new UsageError(
      `"${rawName}" is not a usable name: use letters, digits and underscores, e.g. add_email_to_users`,
    );
  await mkdir(dir, { recursive: true });
  const existing = (await readdir(dir)).filter((f) => f.endsWith('.lua'));
  const path = join(dir, `${nextMigrationNumber(existing)}_${name}.lua`);
  await writeFile(path, migrationTemplate(name), { flag: 'wx' });
  return path;
}
