/**
 * The migrations folder as data: ids compare byte by byte in UTF-8 (DESIGN §1), which is not JavaScript's UTF-16
 * order for characters beyond U+FFFF against U+E000–U+FFFF. `compareIds` takes a shortcut for the common case and
 * must agree with the plain byte comparison everywhere.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareIds, migrationFiles } from '../../src/core/migration-files.ts';
import { sha256Hex } from '../../src/core/sha256.ts';
import { readMigrationsDir } from '../../src/lib/migrations-dir.ts';

const encoder = new TextEncoder();
const sign = (n: number) => Math.sign(n);

function byteOrder(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

describe('compareIds', () => {
  test('agrees with UTF-8 byte order on ASCII, accents, CJK, private-use, emoji and lone surrogates', () => {
    const pieces = ['', '0', '1', 'a', 'B', '_', 'é', '東', '\uE000', '\uFFFD', '😀', '\uD83D', '\uDE00', '~'];
    const ids: string[] = [];
    for (const x of pieces) for (const y of pieces) for (const z of ['', '1', '😀']) ids.push(`${x}${y}${z}`);
    const disagreements: string[] = [];
    for (const a of ids) {
      for (const b of ids) {
        if (sign(compareIds(a, b)) !== sign(byteOrder(a, b)))
          disagreements.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  test('an emoji sorts after U+E000 (UTF-16 order would put it first)', () => {
    expect(compareIds('0001_😀', '0001_\uE000')).toBeGreaterThan(0);
    expect('0001_😀' < '0001_\uE000').toBe(true);
  });
});

describe('migrationFiles', () => {
  test('keeps .lua files only, ids in byte order, each with the sha256 of its text', () => {
    const files = migrationFiles([
      { name: '0002_b.lua', text: 'b' },
      { name: 'notes.txt', text: 'x' },
      { name: '.lua', text: 'x' },
      { name: '0001_a.lua', text: 'abc' },
    ]);
    expect(files.map((f) => f.id)).toEqual(['0001_a', '0002_b']);
    expect(files[0]).toEqual({
      id: '0001_a',
      file: '0001_a.lua',
      source: 'abc',
      checksum: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
  });
});

describe('checksums', () => {
  test('the folder reader hashes the bytes natively to the same sha256 the core computes from the text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'moonwalk-checksum-'));
    try {
      const texts = {
        '0001_ascii.lua': 'return require("migration").define(function() end)\n',
        '0002_bom_and_accents.lua': '\uFEFF-- café 東 😀\nreturn require("migration").define(function() end)\r\n',
      };
      for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, name), text);
      const read = await readMigrationsDir(dir);
      expect(read.map((f) => f.checksum)).toEqual(Object.values(texts).map((text) => sha256Hex(text)));
      expect(read.map((f) => f.checksum)).toEqual(
        migrationFiles(Object.entries(texts).map(([name, text]) => ({ name, text }))).map((f) => f.checksum),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
