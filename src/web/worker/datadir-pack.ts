/**
 * The prepared PostgreSQL data directory's transport format (built by `scripts/pglite-datadir.ts`, read by the
 * worker). A data directory after initdb is about 40 MB of tar: three databases (template0, template1, postgres) whose
 * catalog files are page for page the same, and a 16 MB WAL segment that is almost all zeros. gzip cannot see the
 * repeats (they are megabytes apart; its window is 32 KB), so the plain `dumpDataDir()` tarball is 3–4.5 MB gzip.
 *
 * This format keeps the tar byte for byte but stores each distinct 8 KB page of file data once: the tar is rebuilt
 * into a zero-filled buffer from
 * - page references: (tar offset, page number) — every full 8 KB piece of a file's data that is not all zeros;
 * - literals: (tar offset, length) + bytes — the 512-byte tar headers and the ends of files that are not a whole page;
 * - nothing for all-zero pages and tar padding (the buffer starts zeroed).
 * The build gzips it (about 1 MB); `unpackDataDir` takes the inflated bytes and gives back the tar for PGlite's
 * `loadDataDir`. All numbers are little-endian u32:
 *
 *   "MWPD" version=1 tarLength pageSize pageCount refCount literalCount
 *   refCount × (offset, page) · literalCount × (offset, length) · pageCount × pageSize bytes · literal bytes
 */

const MAGIC = 0x4450574d; // "MWPD" read as a little-endian u32
const VERSION = 1;
const PAGE = 8192;
const BLOCK = 512;
const HEADER_WORDS = 7;

function isZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The octal size field of a tar header (ustar: 11 octal digits, NUL or space terminated). */
function entrySize(tar: Uint8Array, header: number): number {
  let size = 0;
  for (let i = header + 124; i < header + 136; i++) {
    const c = tar[i];
    if (c === 0 || c === 32) {
      if (size > 0 || i > header + 124) break;
      continue;
    }
    if (c < 48 || c > 55) throw new Error(`tar: bad size field in the header at ${header}`);
    size = size * 8 + (c - 48);
  }
  return size;
}

/** A cheap, well-spread key for a page (collisions are settled by comparing the bytes). */
function pageKey(bytes: Uint8Array, start: number): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, PAGE);
  for (let i = 0; i < PAGE; i += 4) {
    const w = view.getUint32(i, true);
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return `${(h1 >>> 0).toString(36)}.${(h2 >>> 0).toString(36)}`;
}

function samePage(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number): boolean {
  for (let i = 0; i < PAGE; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** Packs a tar (as `dumpDataDir('none')` writes it). `unpackDataDir(packDataDir(tar))` is `tar`, byte for byte. */
export function packDataDir(tar: Uint8Array): Uint8Array {
  if (tar.length % BLOCK !== 0) throw new Error('tar: length is not a multiple of 512');
  const pages: number[] = []; // tar offsets of the distinct pages, in order of first appearance
  const byKey = new Map<string, number[]>();
  const refs: number[] = [];
  const literals: number[] = [];
  let literalBytes = 0;
  const literal = (start: number, end: number) => {
    // trailing zeros need not be stored
    while (end > start && tar[end - 1] === 0) end--;
    if (end > start) {
      literals.push(start, end - start);
      literalBytes += end - start;
    }
  };
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    if (isZero(tar, offset, offset + BLOCK)) {
      offset += BLOCK; // the end-of-archive blocks (or padding): zeros
      continue;
    }
    const size = entrySize(tar, offset);
    literal(offset, offset + BLOCK);
    const data = offset + BLOCK;
    if (data + size > tar.length) throw new Error(`tar: the entry at ${offset} runs past the end`);
    let at = data;
    for (; at + PAGE <= data + size; at += PAGE) {
      if (isZero(tar, at, at + PAGE)) continue;
      const key = pageKey(tar, at);
      const candidates = byKey.get(key) ?? [];
      let index = candidates.find((i) => samePage(tar, pages[i], tar, at));
      if (index === undefined) {
        index = pages.length;
        pages.push(at);
        candidates.push(index);
        byKey.set(key, candidates);
      }
      refs.push(at, index);
    }
    literal(at, data + size);
    offset = data + Math.ceil(size / BLOCK) * BLOCK;
  }
  const head = (HEADER_WORDS + refs.length + literals.length) * 4;
  const out = new Uint8Array(head + pages.length * PAGE + literalBytes);
  const view = new DataView(out.buffer);
  let w = 0;
  for (const word of [
    MAGIC,
    VERSION,
    tar.length,
    PAGE,
    pages.length,
    refs.length / 2,
    literals.length / 2,
    ...refs,
    ...literals,
  ]) {
    view.setUint32(w, word, true);
    w += 4;
  }
  for (const start of pages) {
    out.set(tar.subarray(start, start + PAGE), w);
    w += PAGE;
  }
  for (let i = 0; i < literals.length; i += 2) {
    out.set(tar.subarray(literals[i], literals[i] + literals[i + 1]), w);
    w += literals[i + 1];
  }
  return out;
}

/** The tar that `packed` holds; throws on anything that is not this format, intact. */
export function unpackDataDir(packed: Uint8Array): Uint8Array<ArrayBuffer> {
  const fail = (what: string): never => {
    throw new Error(`the prepared data directory is damaged (${what})`);
  };
  if (packed.length < HEADER_WORDS * 4) fail('too short');
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const word = (i: number) => view.getUint32(i * 4, true);
  if (word(0) !== MAGIC) fail('not a packed data directory');
  if (word(1) !== VERSION) fail(`format ${word(1)}, expected ${VERSION}`);
  const [tarLength, pageSize, pageCount, refCount, literalCount] = [word(2), word(3), word(4), word(5), word(6)];
  const tableEnd = (HEADER_WORDS + 2 * refCount + 2 * literalCount) * 4;
  const pagesAt = tableEnd;
  let literalAt = pagesAt + pageCount * pageSize;
  if (tableEnd > packed.length || literalAt > packed.length) fail('truncated');
  const tar = new Uint8Array(tarLength);
  for (let r = 0; r < refCount; r++) {
    const offset = word(HEADER_WORDS + 2 * r);
    const page = word(HEADER_WORDS + 2 * r + 1);
    if (page >= pageCount || offset + pageSize > tarLength) fail('a page reference is out of range');
    tar.set(packed.subarray(pagesAt + page * pageSize, pagesAt + (page + 1) * pageSize), offset);
  }
  const literalsAt = HEADER_WORDS + 2 * refCount;
  for (let l = 0; l < literalCount; l++) {
    const offset = word(literalsAt + 2 * l);
    const length = word(literalsAt + 2 * l + 1);
    if (offset + length > tarLength || literalAt + length > packed.length) fail('a literal is out of range');
    tar.set(packed.subarray(literalAt, literalAt + length), offset);
    literalAt += length;
  }
  if (literalAt !== packed.length) fail('trailing bytes');
  return tar;
}
