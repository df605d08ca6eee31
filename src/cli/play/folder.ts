/**
 * `moonwalk play`'s migrations folder: its `.lua` files as the page gets them (each with a version, the hash of its
 * bytes), and Save, which writes the page's edits back. The page sends, with each file, the version it read (null
 * for a file it made): a file whose bytes on disk are no longer that version was changed meanwhile (an editor, git)
 * and is a conflict. Nothing is written then, not even the other files: the page shows the conflict, and the edit
 * on disk is never overwritten.
 *
 * Only `.lua` files directly inside the folder are written: a name with a slash, a backslash, `..`, a NUL or a
 * leading dot is refused, and so is a symbolic link that leads out of the folder.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import type { Conflict, FolderFile, SaveAnswer, SaveRequest } from '../../core/play-protocol.ts';

export type { Conflict, FolderFile, SaveAnswer, SaveRequest } from '../../core/play-protocol.ts';

/** A folder that cannot be served: exit 2, with what to do. */
export class FolderError extends Error {}

const versionOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** The folder, checked: it must exist and be a folder. Answers its real path (symbolic links resolved). */
export function checkFolder(dir: string): string {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    throw new FolderError(
      `the migrations folder ${dir} does not exist: create it (moonwalk new NAME does), or pass --dir FOLDER`,
    );
  }
  if (!statSync(real).isDirectory())
    throw new FolderError(`${dir} is not a folder: pass the migrations folder with --dir FOLDER`);
  return real;
}

/** Why `name` cannot be written in the folder, or null. */
export function nameProblem(name: string): string | null {
  if (
    name.length === 0 ||
    name.length > 255 ||
    /[/\\\0]/.test(name) ||
    name.startsWith('.') ||
    name !== basename(name) ||
    !name.endsWith('.lua')
  ) {
    return `"${name}" is not a migration file name: only .lua files directly inside the folder are written (no folders, no "..", no leading dot)`;
  }
  return null;
}

/** Where `name` is written: the file itself, or where a symbolic link inside the folder leads (inside it only). */
function target(folder: string, name: string): { path: string; problem: string | null } {
  const path = join(folder, name);
  let link = false;
  try {
    const stat = lstatSync(path);
    link = stat.isSymbolicLink();
    if (!link && !stat.isFile()) return { path, problem: `${name} is not a regular file` };
  } catch {
    return { path, problem: null }; // a new file
  }
  if (!link) return { path, problem: null };
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return { path, problem: `${name} is a symbolic link to nothing` };
  }
  if (dirname(real) !== folder || !statSync(real).isFile())
    return { path, problem: `${name} is a symbolic link out of the folder: it is not written through` };
  return { path: real, problem: null };
}

function readBytes(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

/** The folder's `.lua` files (a link is followed where it leads to a file), in name order. */
export function readFolder(folder: string): FolderFile[] {
  const files: FolderFile[] = [];
  for (const name of readdirSync(folder).sort()) {
    if (!name.endsWith('.lua') || name.startsWith('.')) continue;
    const path = join(folder, name);
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      continue;
    }
    const bytes = isFile ? readBytes(path) : null;
    if (bytes === null) continue;
    files.push({ name, text: new TextDecoder().decode(bytes), version: versionOf(bytes) });
  }
  return files;
}

/** Writes the page's files, all or none: refused names and conflicts write nothing. */
export function saveFiles(folder: string, requests: SaveRequest[]): SaveAnswer {
  const writes: Array<{ name: string; path: string; bytes: Buffer }> = [];
  const conflicts: Conflict[] = [];
  for (const request of requests) {
    const problem = nameProblem(request.name);
    if (problem !== null) return { ok: false, kind: 'refused', message: problem };
    const { path, problem: where } = target(folder, request.name);
    if (where !== null) return { ok: false, kind: 'refused', message: where };
    const bytes = Buffer.from(request.text, 'utf8');
    const onDisk = readBytes(path);
    const diskVersion = onDisk === null ? null : versionOf(onDisk);
    if (onDisk !== null && onDisk.equals(bytes)) continue; // already what the page has
    if (diskVersion !== request.base) {
      conflicts.push({
        name: request.name,
        message:
          request.base === null
            ? `${request.name} was created on disk since the page read the folder`
            : diskVersion === null
              ? `${request.name} was deleted on disk since the page read it`
              : `${request.name} was changed on disk since the page read it`,
        onDisk:
          onDisk === null || diskVersion === null
            ? null
            : { name: request.name, text: new TextDecoder().decode(onDisk), version: diskVersion },
      });
      continue;
    }
    writes.push({ name: request.name, path, bytes });
  }
  if (conflicts.length > 0) return { ok: false, kind: 'conflict', conflicts };
  for (const { path, bytes } of writes) {
    // Written beside the file and renamed over it: an editor or a runner never reads half a file.
    const temporary = `${dirname(path)}${sep}.${basename(path)}.moonwalk-${process.pid}`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  }
  const saved = new Set(requests.map((r) => r.name));
  return { ok: true, saved: readFolder(folder).filter((f) => saved.has(f.name)) };
}
