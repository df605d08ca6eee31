// The share link format (src/web/share.ts) without a browser: round trip, and every way a link can be refused.
import { deflateSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import {
  base64urlDecode, base64urlEncode, decodeShare, encodeShare, MAX_FILES, MAX_HASH_CHARS, type SharedState,
} from '../../src/web/share.ts';

const link = (json: string) => `#v1.${base64urlEncode(deflateSync(new TextEncoder().encode(json)))}`;

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
    expect(hash).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(decodeShare(`#${hash}`)).toEqual({ ok: true, state });
    expect(decodeShare(hash)).toEqual({ ok: true, state });
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
    expect(decoded).toEqual({ ok: true, state: { files: [{ name: '0001_a.lua', text: 'x' }], engine: 'sqlite', selected: null } });
  });

  const refused: Array<[string, string, RegExp]> = [
    ['not ours', '#main', /not a Moonwalk share link/],
    ['newer version', '#v2.AAAA', /format v2/],
    ['not base64url', '#v1.ab+c', /broken or incomplete/],
    ['empty', '#v1.', /broken or incomplete/],
    ['truncated', encodeShare(state).slice(0, -5), /broken or incomplete/],
    ['not deflate', '#v1.AAAAAAAAAAAAAAAA', /broken or incomplete/],
    ['invalid UTF-8', `#v1.${base64urlEncode(deflateSync(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)))}`, /broken or incomplete/],
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
    ['too many files', link(JSON.stringify({ f: Array.from({ length: MAX_FILES + 1 }, (_, i) => [`${i}.lua`, '']), e: 'sqlite' })), /more than 200 files/],
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
