/**
 * Issue 11 item 13: a long error message or statement is cut at 4,096 bytes of UTF-8, never inside a character, and
 * the count of what was left out is in bytes, as the message says.
 */
import { describe, expect, test } from 'vitest';
import { clipText, MAX_ERROR_TEXT } from '../../src/core/results.ts';

const bytes = (text: string) => new TextEncoder().encode(text).length;

function parts(clipped: string): { head: string; more: number } {
  const match = /^([\s\S]*)… \(([\d,]+) more bytes\)$/.exec(clipped);
  if (!match) throw new Error(`not cut: ${clipped.slice(-40)}`);
  return { head: match[1], more: Number(match[2].replace(/,/g, '')) };
}

describe('clipText', () => {
  test('text up to 4,096 bytes is kept whole', () => {
    expect(clipText('a'.repeat(MAX_ERROR_TEXT))).toBe('a'.repeat(MAX_ERROR_TEXT));
    expect(clipText('é'.repeat(MAX_ERROR_TEXT / 2))).toBe('é'.repeat(MAX_ERROR_TEXT / 2));
  });

  test.each([
    ['ASCII', 'x'],
    ['two-byte characters', 'é'],
    ['three-byte characters', '€'],
    ['four-byte characters (surrogate pairs)', '🦆'],
    ['a mix that does not end on a 4,096-byte boundary', 'ab€🦆é'],
  ])('%s: the head is at most 4,096 bytes, whole characters, and the count is the bytes left out', (_name, unit) => {
    const text = `message: ${unit.repeat(20_000)}`;
    const { head, more } = parts(clipText(text));
    expect(bytes(head)).toBeLessThanOrEqual(MAX_ERROR_TEXT);
    expect(bytes(head)).toBeGreaterThan(MAX_ERROR_TEXT - 4);
    expect(text.startsWith(head)).toBe(true);
    expect(head).not.toMatch(/[\ud800-\udbff]$/); // no half of a surrogate pair
    expect(bytes(head) + more).toBe(bytes(text));
  });

  test('a text cut already is not cut again (its count stays that of the message)', () => {
    const once = clipText('é'.repeat(20_000));
    expect(clipText(once)).toBe(once);
    expect(parts(once).more).toBe(40_000 - MAX_ERROR_TEXT);
  });

  test('a 50 MB message is cut quickly to a few KB', () => {
    const clipped = clipText('y'.repeat(50 * 1024 * 1024));
    expect(clipped.length).toBeLessThan(MAX_ERROR_TEXT + 40);
    expect(parts(clipped).more).toBe(50 * 1024 * 1024 - MAX_ERROR_TEXT);
  });
});
