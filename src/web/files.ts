/**
 * The playground's migration files: names, order (the runner's: by id, byte by byte) and the rules a name follows.
 */
import { compareIds } from '../core/migration-files.ts';
import type { SourceFile } from './worker/protocol.ts';
import { nextMigrationNumber } from '../core/template.ts';

export const MAX_NAME_LENGTH = 120;
/** How many files, and how long each, the playground takes in (share links, local storage, zip imports). */
export const MAX_FILES = 200;
export const MAX_FILE_CHARS = 200_000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.lua$/;

export function idOf(name: string): string {
  return name.endsWith('.lua') ? name.slice(0, -4) : name;
}

export function sortFiles(files: SourceFile[]): SourceFile[] {
  return [...files].sort((a, b) => compareIds(idOf(a.name), idOf(b.name)));
}

/** Turns what a person typed into a file name (`add email` → `add_email.lua`); null when nothing usable is left. */
export function normalizeName(input: string): string | null {
  let name = input.trim();
  if (name.endsWith('.lua')) name = name.slice(0, -4);
  name = name
    .replace(/\s+/g, '_')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .replace(/^[^A-Za-z0-9]+/, '');
  if (!name) return null;
  return `${name}.lua`;
}

/** Why a name cannot be used, or null when it can. */
export function nameProblem(name: string, files: SourceFile[], except?: string): string | null {
  if (name.length > MAX_NAME_LENGTH) return `A file name can have at most ${MAX_NAME_LENGTH} characters.`;
  if (!NAME.test(name)) return 'A file name uses letters, digits, "_", "-" and "." and ends with .lua.';
  if (files.some((f) => f.name === name && f.name !== except)) return `There is already a file named ${name}.`;
  return null;
}

export function isValidName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

/** The next number in the files' numbering, padded like them (`0004`). */
export function nextNumber(files: SourceFile[]): string {
  return nextMigrationNumber(files.map((f) => f.name));
}
