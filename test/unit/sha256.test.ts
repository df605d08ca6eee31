/**
 * The core's own SHA-256 (it checksums every migration file on every run, so it must agree with what the ledger
 * holds from earlier runs): compared with node:crypto on lengths around the block and padding boundaries, on
 * multi-byte UTF-8 text, and on a text of many blocks.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { sha256Hex } from '../../src/core/sha256.ts';

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex', () => {
  test('the empty text and a known vector', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('every length from 0 to 200 bytes (one, two and three blocks, the 55/56 and 63/64 padding edges)', () => {
    for (let n = 0; n <= 200; n++) {
      const text = Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 7) % 90))).join('');
      expect(sha256Hex(text), `length ${n}`).toBe(reference(text));
    }
  });

  test('multi-byte UTF-8 text, and a call after a longer one (no state left behind)', () => {
    for (const text of ['naïve – 東京 😀', 'é'.repeat(40), 'x'.repeat(10_000), '東', 'a\u0000b']) {
      expect(sha256Hex(text)).toBe(reference(text));
    }
  });
});
