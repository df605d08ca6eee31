// The share link format (src/web/share.ts) without a browser: round trip, and every way a link can be refused.
import { createHash } from 'node:crypto';
import { deflateSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { migrationTemplate } from '../../src/core/template.ts';
import {
  base64urlDecode,
  base64urlEncode,
  decodeShare,
  encodeShare,
  MAX_HASH_CHARS,
  type SharedState,
} from '../../src/web/share.ts';
import { MAX_FILES } from '../../src/web/files.ts';
import { shareDictionaryV2 } from '../../src/web/share-dictionary.ts';

/** A v1 link (deflate-raw without a dictionary), as the playground wrote them before v2. */
const link = (json: string) => `#v1.${base64urlEncode(deflateSync(new TextEncoder().encode(json)))}`;
/** A v2 link (deflate-raw with the v2 preset dictionary). */
const linkV2 = (json: string) =>
  `#v2.${base64urlEncode(deflateSync(new TextEncoder().encode(json), { dictionary: shareDictionaryV2() }))}`;

const V2_DICTIONARY_SHA256 = 'cdb69998137e74221537d7fdcf73f0aa4642b8aa0116f7eda85b92dcbf92c3d2';

const state: SharedState = {
  files: [
    { name: '0001_create_users.lua', text: 'return require("migration").define(function() end) -- ünïcödé ✓\n' },
    { name: '0002_empty.lua', text: '' },
  ],
  engine: 'postgres',
  selected: '0002_empty.lua',
};

describe('share links', () => {
  test('round trip', () => {
    const hash = encodeShare(state);
    expect(hash).toMatch(/^v3\.[A-Za-z0-9_-]+$/);
    expect(decodeShare(`#${hash}`)).toEqual({ ok: true, state });
    expect(decodeShare(hash)).toEqual({ ok: true, state });
  });

  test('v2 links (deflate with the v2 dictionary) still open', () => {
    const json = JSON.stringify({ f: state.files.map((f) => [f.name, f.text]), e: state.engine, s: state.selected });
    expect(decodeShare(linkV2(json))).toEqual({ ok: true, state });
  });

  test('v1 links (no dictionary) still open', () => {
    const json = JSON.stringify({ f: state.files.map((f) => [f.name, f.text]), e: state.engine, s: state.selected });
    expect(decodeShare(link(json))).toEqual({ ok: true, state });
  });

  test('the v2 dictionary is frozen: every v2 link depends on these exact bytes', () => {
    // Changing the dictionary breaks every v2 link ever shared: make a v3 instead (see src/web/share-dictionary.ts).
    expect(createHash('sha256').update(shareDictionaryV2()).digest('hex')).toBe(V2_DICTIONARY_SHA256);
  });

  test('v3 makes a typical link much shorter than v1', () => {
    const files = [
      { name: '0001_create_users.lua', text: migrationTemplate('create_users', ['sqlite', 'postgres']) },
      { name: '0002_add_email.lua', text: migrationTemplate('add_email', ['sqlite', 'postgres']) },
    ];
    const v3 = encodeShare({ files, engine: 'sqlite', selected: null });
    const v1 = link(JSON.stringify({ f: files.map((f) => [f.name, f.text]), e: 'sqlite' }));
    const v2 = linkV2(JSON.stringify({ f: files.map((f) => [f.name, f.text]), e: 'sqlite' }));
    expect(decodeShare(v3)).toEqual({ ok: true, state: { files, engine: 'sqlite', selected: null } });
    expect(v3.length).toBeLessThan(0.6 * v1.length);
    expect(v3.length).toBeLessThan(v2.length);
  });

  test('base64url round trip for every length', () => {
    for (let n = 0; n < 10; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 89 + 251) & 0xff);
      expect(base64urlDecode(base64urlEncode(bytes))).toEqual(bytes);
    }
    expect(base64urlDecode('a+b/')).toBeNull();
    expect(base64urlDecode('abcde')).toBeNull();
  });

  test('a selection that names no file is dropped', () => {
    const decoded = decodeShare(link(JSON.stringify({ f: [['0001_a.lua', 'x']], e: 'sqlite', s: 'nope.lua' })));
    expect(decoded).toEqual({
      ok: true,
      state: { files: [{ name: '0001_a.lua', text: 'x' }], engine: 'sqlite', selected: null },
    });
  });

  const refused: Array<[string, string, RegExp]> = [
    ['not ours', '#main', /not a Moonwalk share link/],
    ['newer version', '#v4.AAAA', /format v4/],
    [
      'v2 read without its dictionary',
      `#v1.${linkV2(JSON.stringify({ f: state.files.map((f) => [f.name, f.text]), e: state.engine })).slice(4)}`,
      /broken or incomplete/,
    ],
    ['v3 read as v2', `#v2.${encodeShare(state).slice(3)}`, /broken or incomplete/],
    [
      'v2 deflate bomb',
      `#v2.${base64urlEncode(deflateSync(new Uint8Array(50_000_000), { level: 9, dictionary: shareDictionaryV2() }))}`,
      /more than 2 MB/,
    ],
    ['v2 not JSON', linkV2('{"f": ['), /broken or incomplete/],
    ['v2 a path as a name', linkV2('{"f":[["../x.lua","x"]],"e":"sqlite"}'), /not allowed/],
    ['not base64url', '#v1.ab+c', /broken or incomplete/],
    ['empty', '#v1.', /broken or incomplete/],
    ['truncated', encodeShare(state).slice(0, -5), /broken or incomplete/],
    ['not deflate', '#v1.AAAAAAAAAAAAAAAA', /broken or incomplete/],
    [
      'invalid UTF-8',
      `#v1.${base64urlEncode(deflateSync(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)))}`,
      /broken or incomplete/,
    ],
    ['not JSON', link('{"f": ['), /broken or incomplete/],
    ['too long', `#v1.${'A'.repeat(MAX_HASH_CHARS + 1)}`, /too long/],
    ['deflate bomb', `#v1.${base64urlEncode(deflateSync(new Uint8Array(50_000_000), { level: 9 }))}`, /more than 2 MB/],
    ['an array', link('[]'), /not an object/],
    ['unknown engine', link('{"f":[],"e":"mysql"}'), /unknown engine/],
    ['files not a list', link('{"f":{"__proto__":{"x":1}},"e":"sqlite"}'), /no file list/],
    ['an entry not a pair', link('{"f":[["a.lua"]],"e":"sqlite"}'), /not \[name, text\]/],
    ['text not a string', link('{"f":[["a.lua",{"toString":1}]],"e":"sqlite"}'), /not \[name, text\]/],
    ['a path as a name', link('{"f":[["../x.lua","x"]],"e":"sqlite"}'), /not allowed/],
    ['markup as a name', link('{"f":[["<b>x</b>.lua","x"]],"e":"sqlite"}'), /not allowed/],
    ['not .lua', link('{"f":[["x.sql","x"]],"e":"sqlite"}'), /not allowed/],
    ['a duplicate name', link('{"f":[["a.lua","x"],["a.lua","y"]],"e":"sqlite"}'), /twice/],
    [
      'too many files',
      link(JSON.stringify({ f: Array.from({ length: MAX_FILES + 1 }, (_, i) => [`${i}.lua`, '']), e: 'sqlite' })),
      /more than 200 files/,
    ],
    ['selection not a string', link('{"f":[],"e":"sqlite","s":7}'), /selection/],
  ];

  test.each(refused)('refuses %s', (_label, hash, message) => {
    const decoded = decodeShare(hash);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.message).toMatch(message);
      expect(decoded.message).toMatch(/Nothing was loaded\.$/);
    }
  });

  test('a prototype key does not pollute', () => {
    decodeShare(link('{"__proto__":{"polluted":1},"f":[],"e":"sqlite"}'));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
