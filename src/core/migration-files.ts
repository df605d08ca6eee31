/**
 * The migrations folder as data (DESIGN §1): each `.lua` file is one migration, its id the file name without
 * `.lua`, ordered by id compared byte by byte. Other files are ignored. The core never reads files itself: the CLI
 * and the web app hand it names and texts.
 */
import { sha256Hex } from './sha256.ts';

/** A migration file as lint reads it: what it is called and says, not yet hashed. */
export interface MigrationSource {
  id: string;
  /** The file name, as messages show it. */
  file: string;
  source: string;
}

export interface MigrationFile extends MigrationSource {
  /** sha256 of the file's bytes (its text as UTF-8, a byte-order mark included): what the ledger keeps to notice a file changed after it was applied. */
  checksum: string;
}

const encoder = new TextEncoder();

/** Byte-wise comparison of UTF-8 strings (DESIGN §1), not JavaScript's UTF-16 order. */
export function compareIds(a: string, b: string): number {
  // Below U+D800, UTF-16 code units sort as UTF-8 bytes do, so most ids are told apart without encoding them.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x - y;
    return compareBytes(a, b);
  }
  // One is a prefix of the other: the shorter sorts first in bytes too (even when the cut splits a surrogate pair,
  // as the lone half encodes as EF BF BD, below the F0 that starts the pair)
  return a.length - b.length;
}

function compareBytes(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * The migrations among a folder's entries, ordered by id. An entry may bring its checksum (the Node reader hashes the
 * bytes it read with node:crypto, natively); otherwise it is computed here from the text.
 */
export function migrationFiles(
  entries: ReadonlyArray<{ name: string; text: string; checksum?: string }>,
): MigrationFile[] {
  return entries
    .filter(isMigrationName)
    .map((entry) => ({
      id: entry.name.slice(0, -4),
      file: entry.name,
      source: entry.text,
      checksum: entry.checksum ?? sha256Hex(entry.text),
    }))
    .sort((a, b) => compareIds(a.id, b.id));
}

/** The migrations among a folder's entries, ordered by id, without checksums: what lint reads (it never hashes). */
export function migrationSources(entries: ReadonlyArray<{ name: string; text: string }>): MigrationSource[] {
  return entries
    .filter(isMigrationName)
    .map((entry) => ({ id: entry.name.slice(0, -4), file: entry.name, source: entry.text }))
    .sort((a, b) => compareIds(a.id, b.id));
}

const isMigrationName = (entry: { name: string }): boolean => entry.name.endsWith('.lua') && entry.name.length > 4;
