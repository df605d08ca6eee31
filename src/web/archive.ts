/**
 * "Download migrations" and "Import migrations": the files as a zip with a `migrations/` folder, which
 * `moonwalk up --dir migrations` runs as it is, and back.
 *
 * An import is untrusted input, checked like a share link (src/web/share.ts): the same name rules (letters, digits,
 * `_`, `-`, `.`, ending in .lua), the same limits (files, characters per file), valid UTF-8, no name twice. Anything
 * that is not a .lua file is refused with a message and nothing is loaded, except folders and the litter archivers
 * add (`__MACOSX/`, `.DS_Store`). In a zip, the folder a file is in does not matter: `migrations/0001_a.lua` and
 * `0001_a.lua` both load as `0001_a.lua`.
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { isValidName, MAX_FILE_CHARS, MAX_FILES, MAX_NAME_LENGTH } from './files.ts';
import type { SourceFile } from './worker/protocol.ts';

export const ZIP_FOLDER = 'migrations';
/** The largest zip or .lua file an import reads, and the most a zip may unpack to. */
export const MAX_IMPORT_BYTES = 5_000_000;

export function zipMigrations(files: SourceFile[]): Uint8Array {
  const encoder = new TextEncoder();
  const tree: Zippable = {};
  const folder: Zippable = {};
  for (const f of files) folder[f.name] = encoder.encode(f.text);
  tree[ZIP_FOLDER] = folder;
  return zipSync(tree, { level: 6 });
}

export interface ImportInput {
  name: string;
  bytes: Uint8Array;
}

export type ImportResult = { ok: true; files: SourceFile[] } | { ok: false; message: string };

const IGNORED = (path: string): boolean =>
  path.endsWith('/') || /(^|\/)__MACOSX\//.test(path) || /(^|\/)\.DS_Store$/.test(path);

function isZip(input: ImportInput): boolean {
  return (
    /\.zip$/i.test(input.name) ||
    (input.bytes[0] === 0x50 && input.bytes[1] === 0x4b && input.bytes[2] === 0x03 && input.bytes[3] === 0x04)
  );
}

const shown = (name: string): string =>
  JSON.stringify(name.length > MAX_NAME_LENGTH ? `${name.slice(0, MAX_NAME_LENGTH)}…` : name);

/** Reads what the person chose (.lua files, or zips of them) into files; refuses the whole import on any problem. */
export function readImport(inputs: ImportInput[]): ImportResult {
  const refuse = (detail: string): ImportResult => ({
    ok: false,
    message: `Import refused: ${detail}. Nothing was loaded.`,
  });
  if (inputs.length === 0) return refuse('no file was chosen');
  const entries: Array<{ path: string; bytes: Uint8Array; from: string }> = [];
  for (const input of inputs) {
    if (input.bytes.length > MAX_IMPORT_BYTES) {
      return refuse(`${shown(input.name)} is larger than ${MAX_IMPORT_BYTES / 1_000_000} MB`);
    }
    if (isZip(input)) {
      let unpacked: Record<string, Uint8Array>;
      let total = 0;
      let tooLarge = false;
      try {
        unpacked = unzipSync(input.bytes, {
          filter: (file) => {
            if (IGNORED(file.name)) return false;
            total += file.originalSize;
            if (total > MAX_IMPORT_BYTES) tooLarge = true;
            return !tooLarge;
          },
        });
      } catch {
        return refuse(`${shown(input.name)} is not a readable zip file`);
      }
      if (tooLarge) return refuse(`${shown(input.name)} unpacks to more than ${MAX_IMPORT_BYTES / 1_000_000} MB`);
      for (const [path, bytes] of Object.entries(unpacked)) entries.push({ path, bytes, from: input.name });
    } else {
      entries.push({ path: input.name, bytes: input.bytes, from: '' });
    }
  }
  const notLua = entries.filter((e) => !e.path.endsWith('.lua'));
  if (notLua.length > 0) {
    const first = notLua[0];
    const where = first.from ? ` (in ${shown(first.from)})` : '';
    return refuse(
      `only .lua migration files can be imported, and ${shown(first.path)}${where} is not one` +
        (notLua.length > 1 ? ` (nor ${notLua.length - 1} more)` : ''),
    );
  }
  if (entries.length === 0) return refuse('the zip holds no .lua files');
  if (entries.length > MAX_FILES) return refuse(`more than ${MAX_FILES} files`);
  const files: SourceFile[] = [];
  const names = new Set<string>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const entry of entries) {
    const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    if (!isValidName(name)) {
      return refuse(
        `the file name ${shown(name)} is not allowed (letters, digits, "_", "-", "." and .lua, at most ${MAX_NAME_LENGTH} characters)`,
      );
    }
    if (names.has(name)) return refuse(`the file name ${name} appears twice`);
    let text: string;
    try {
      text = decoder.decode(entry.bytes);
    } catch {
      return refuse(`${name} is not UTF-8 text`);
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.length > MAX_FILE_CHARS)
      return refuse(`${name} is longer than ${MAX_FILE_CHARS.toLocaleString('en-US')} characters`);
    names.add(name);
    files.push({ name, text });
  }
  return { ok: true, files };
}
