// The v3 share-link codec (src/web/share-codec/) and the v3 links built on it (src/web/share.ts), without a browser:
// round trips, the frozen format, and every way a v3 link is refused.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { compress, decompress, maxTextLength } from '../../src/web/share-codec/codec.ts';
import { shareDictionaryV3 } from '../../src/web/share-codec/dictionary-v3.ts';
import { frame, unframe } from '../../src/web/share-codec/framing.ts';
import { squash, stretch } from '../../src/web/share-codec/logistic.ts';
import { base64urlEncode, decodeShare, encodeShare, MAX_JSON_BYTES, type SharedState } from '../../src/web/share.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);
const dictionary = shareDictionaryV3();

/** Deterministic pseudo-random bytes (a 32-bit LCG). */
function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const printable = (bytes: Uint8Array) => Array.from(bytes, (b) => String.fromCharCode(32 + (b % 95))).join('');

/** A v3 link whose stream holds `text` exactly as given (framed or not), as a hostile or buggy writer could make. */
const linkV3 = (text: Uint8Array | string) =>
  `#v3.${base64urlEncode(compress(typeof text === 'string' ? utf8(text) : text, dictionary))}`;

/** A v3 stream header claiming `length` bytes of text, then `coded` as the coded part. */
function claiming(length: number, coded: Uint8Array): string {
  const header: number[] = [];
  for (let n = length; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      header.push(n);
      break;
    }
    header.push((n & 127) | 128);
  }
  return `#v3.${base64urlEncode(Uint8Array.from([...header, 0x12, 0x34, ...coded]))}`;
}

const migration = `return require("migration").define(function()
    migration("Create notes", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
                if err then error(err) end
            end)
            down(function(db)
                db:execute("DROP TABLE notes")
            end)
        end)
    end)
end)
`;

const pinnedState: SharedState = {
  files: [
    { name: '0001_create_notes.lua', text: migration },
    { name: '0002_unicode.lua', text: '-- ünïcödé ✓ 🚀\n' },
  ],
  engine: 'postgres',
  selected: '0002_unicode.lua',
};

/** What encodeShare wrote for `pinnedState` when v3 was made: v3 links must decode the same forever. */
const PINNED_V3 = 'v3.hwQZxwBNrZ_pcJhGntxOZ2s2RzLxQYrWzTXF8cAYIphNKD1NR2Wj_60GTGlF_jC_xAvqg_SPis4kkoU9cHY8SzU';
const V3_DICTIONARY_SHA256 = 'ba8b189b8691bf02b9dd33c42015eeb2437384c88bcdafb6d70f9134dd2d1f11';

describe('the v3 codec', () => {
  test.each([
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(65)],
    ['every byte value', Uint8Array.from({ length: 512 }, (_, i) => i & 255)],
    ['random bytes', randomBytes(5000, 7)],
    ['a long run', new Uint8Array(40_000).fill(97)],
    ['unicode text', utf8('ünïcödé ✓ 🚀 — 日本語\n'.repeat(50))],
    ['a migration', utf8(migration)],
    ['large text', utf8(Array.from({ length: 2000 }, (_, i) => `line ${i}: ${(i * 7919) % 1000}\n`).join(''))],
  ])('round trip: %s', (_label, bytes) => {
    const stream = compress(bytes, dictionary);
    expect(decompress(stream, dictionary, MAX_JSON_BYTES)).toEqual({ ok: true, bytes });
  });

  test('a model forked from the kept primed one codes exactly as one primed afresh', () => {
    for (const text of [utf8(migration), randomBytes(3000, 11), utf8('x'.repeat(5000))]) {
      const kept = compress(text, dictionary);
      const afresh = compress(text, dictionary.slice()); // another array: primed again, and kept instead
      expect(Buffer.from(afresh).equals(Buffer.from(kept))).toBe(true);
      expect(decompress(kept, dictionary, MAX_JSON_BYTES)).toEqual({ ok: true, bytes: text });
    }
  });

  test('the dictionary is what makes migration text short', () => {
    const text = utf8(frame({ engine: 'sqlite', files: [['0001_create_notes.lua', migration]], selected: null }));
    const primed = compress(text, dictionary).length;
    const unprimed = compress(text, new Uint8Array(0)).length;
    expect(primed).toBeLessThan(0.5 * unprimed);
    expect(decompress(compress(text, new Uint8Array(0)), dictionary, MAX_JSON_BYTES).ok).toBe(false);
  });

  test("a stream is refused when its stated length passes the caller's limit", () => {
    const stream = compress(utf8('x'.repeat(1000)), dictionary);
    expect(decompress(stream, dictionary, 999)).toEqual({ ok: false, reason: 'too-large' });
    expect(decompress(stream, dictionary, 1000).ok).toBe(true);
  });

  test('every cut-off stream, every garbled byte and any appended byte is refused', () => {
    // A small dictionary keeps these hundreds of decodes quick; the checks do not depend on it.
    const small = utf8('return require("migration").define(function()');
    const stream = compress(utf8(migration), small);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(decompress(stream.subarray(0, stream.length - cut), small, MAX_JSON_BYTES).ok).toBe(false);
    }
    for (let at = 0; at < stream.length; at++) {
      const garbled = stream.slice();
      garbled[at] ^= 1 << (at % 8);
      expect(decompress(garbled, small, MAX_JSON_BYTES).ok).toBe(false);
    }
    for (const extra of [[0], [0, 0, 0], [1]]) {
      expect(decompress(Uint8Array.from([...stream, ...extra]), small, MAX_JSON_BYTES).ok).toBe(false);
    }
    expect(decompress(stream, small, MAX_JSON_BYTES)).toEqual({ ok: true, bytes: utf8(migration) });
  });

  test("the logistic tables are each other's inverse and monotonic", () => {
    for (let p = 1; p < 4095; p++) {
      expect(Math.abs(squash(stretch(p)) - p)).toBeLessThanOrEqual(Math.max(1, Math.ceil((p * (4096 - p)) / 40_000)));
      expect(stretch(p)).toBeGreaterThanOrEqual(stretch(p - 1));
    }
    for (let d = -2047; d < 2047; d++) expect(squash(d + 1)).toBeGreaterThanOrEqual(squash(d));
  });
});

describe('the v3 framing', () => {
  test('round trip, with NUL and SOH inside a text', () => {
    const state = {
      engine: 'sqlite',
      files: [
        ['a.lua', 'x\u0000y\u0001z\u0001'],
        ['b.lua', ''],
      ] as Array<[string, string]>,
      selected: 'b.lua',
    };
    expect(unframe(frame(state))).toEqual(state);
    expect(unframe(frame({ ...state, files: [], selected: null }))).toEqual({ ...state, files: [], selected: null });
  });

  test.each([
    ['no header', 'a.lua\nx\u0000'],
    ['a selection past the list', 'sqlite 2\na.lua\nx\u0000'],
    ['a leading zero', 'sqlite 01\na.lua\nx\u0000'],
    ['a text without its end', 'sqlite 0\na.lua\nx'],
    ['a name without its end', 'sqlite 0\na.lua'],
    ['a NUL in a name', 'sqlite 0\na\u0000.lua\nx\u0000'],
    ['a stray SOH', 'sqlite 0\na.lua\nx\u00012\u0000'],
  ])('refuses %s', (_label, text) => {
    expect(unframe(text)).toBeNull();
  });
});

describe('v3 share links', () => {
  test('the format is frozen: a link made when v3 was made still decodes to the same state', () => {
    expect(encodeShare(pinnedState)).toBe(PINNED_V3);
    expect(decodeShare(`#${PINNED_V3}`)).toEqual({ ok: true, state: pinnedState });
  });

  test('the v3 dictionary is frozen: every v3 link depends on these exact bytes', () => {
    // Changing the dictionary (or the model) breaks every v3 link ever shared: make a v4 instead.
    expect(createHash('sha256').update(dictionary).digest('hex')).toBe(V3_DICTIONARY_SHA256);
  });

  test.each<[string, SharedState]>([
    ['no files', { files: [], engine: 'sqlite', selected: null }],
    ['an empty file', { files: [{ name: 'a.lua', text: '' }], engine: 'postgres', selected: 'a.lua' }],
    [
      'NUL and SOH in a text',
      { files: [{ name: 'a.lua', text: '\u0000\u0001\u0000x' }], engine: 'sqlite', selected: null },
    ],
    [
      'many files',
      {
        files: Array.from({ length: 200 }, (_, i) => ({
          name: `${String(i).padStart(4, '0')}_create_notes_${i}.lua`,
          text: `-- ${printable(randomBytes(60, i))}\n`,
        })),
        engine: 'sqlite',
        selected: '0199_create_notes_199.lua',
      },
    ],
    [
      'random text',
      {
        files: [{ name: 'r.lua', text: printable(randomBytes(3000, 3)) }],
        engine: 'sqlite',
        selected: null,
      },
    ],
  ])('round trip: %s', (_label, state) => {
    const hash = encodeShare(state);
    expect(hash.startsWith('v3.')).toBe(true);
    expect(decodeShare(hash)).toEqual({ ok: true, state });
  });

  test('a state v3 would pack past its bomb guard is written as v2, and opens', () => {
    const files = [
      { name: 'a.lua', text: 'x'.repeat(60_000) },
      { name: 'b.lua', text: 'y'.repeat(60_000) },
    ];
    const text = utf8(frame({ engine: 'sqlite', files: files.map((f) => [f.name, f.text]), selected: null }));
    expect(text.length).toBeGreaterThan(maxTextLength(compress(text, dictionary).length));
    const hash = encodeShare({ files, engine: 'sqlite', selected: null });
    expect(hash.startsWith('v2.')).toBe(true);
    expect(decodeShare(hash)).toEqual({ ok: true, state: { files, engine: 'sqlite', selected: null } });
  });

  const valid = encodeShare(pinnedState);
  const refused: Array<[string, string, RegExp]> = [
    ['a claimed length past the limit', claiming(MAX_JSON_BYTES + 1, new Uint8Array(10)), /more than 2 MB/],
    ['a small stream claiming a large text (bomb)', claiming(1_000_000, new Uint8Array(100)), /broken or incomplete/],
    ['a run of text packed past the bomb guard', linkV3('x'.repeat(200_000)), /broken or incomplete/],
    ['an empty stream', '#v3.', /broken or incomplete/],
    ['a header and nothing else', claiming(10, new Uint8Array(0)), /broken or incomplete/],
    ['cut off', `#${valid.slice(0, -4)}`, /broken or incomplete/],
    ['garbled', `#${valid.slice(0, 40)}${valid[40] === 'A' ? 'B' : 'A'}${valid.slice(41)}`, /broken or incomplete/],
    ['bytes appended', `#${valid}AAAA`, /broken or incomplete/],
    ['not UTF-8', linkV3(Uint8Array.of(0x73, 0x71, 0xff, 0xfe)), /broken or incomplete/],
    ['not a framing', linkV3('{"f":[],"e":"sqlite"}'), /broken or incomplete/],
    ['an unknown engine', linkV3('mysql 0\na.lua\nx\u0000'), /unknown engine/],
    ['a path as a name', linkV3('sqlite 0\n../x.lua\nx\u0000'), /not allowed/],
    ['a duplicate name', linkV3('sqlite 0\na.lua\nx\u0000a.lua\ny\u0000'), /twice/],
    [
      'too many files',
      linkV3(`sqlite 0\n${Array.from({ length: 201 }, (_, i) => `${i}.lua\n\u0000`).join('')}`),
      /more than 200 files/,
    ],
    [
      'a file too long',
      linkV3(
        `sqlite 0\na.lua\n${Array.from({ length: 23_000 }, (_, i) => `-- ${(i * 7919) % 100_003}\n`).join('')}\u0000`,
      ),
      /longer than 200,000 characters/,
    ],
  ];

  test.each(refused)('refuses %s', (_label, hash, message) => {
    const decoded = decodeShare(hash);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.message).toMatch(message);
      expect(decoded.message).toMatch(/Nothing was loaded\.$/);
    }
  });
});
