/**
 * Share links: the playground's state in the URL hash, `#v3.<base64url(stream)>`.
 *
 * v3 (written): the state framed as plain text (src/web/share-codec/framing.ts) and compressed by a small
 * context-mixing model primed with a preset dictionary of migration text (src/web/share-codec/): the guide's eight
 * examples make a link of about 1,020 characters, against about 1,460 in v2 and 1,670 with brotli.
 * v2 and v1 (read, so older links keep working): the JSON `{"f": [[name, text], …], "e": "sqlite" | "postgres",
 * "s": selected name?}` deflated, v2 with a preset dictionary (src/web/share-dictionary.ts), v1 without. v2 is also
 * written for the rare state that v3 would compress more than its bomb guard allows (`maxTextLength`).
 *
 * A link is untrusted input. Decoding refuses, with a message a person can act on, anything that is not exactly
 * that: an unknown version, characters outside base64url, a hash longer than `MAX_HASH_CHARS`, a text longer than
 * `MAX_JSON_BYTES` (deflate is inflated in small slices, so a deflate bomb is stopped early; a v3 stream states its
 * length first, which is checked against the limit and against the stream's size before any work), a truncated or
 * garbled stream, invalid UTF-8, JSON or framing, and a state that breaks the limits below. A link is only ever
 * data: nothing in it runs until the person asks.
 */
import { Inflate, deflateSync } from 'fflate';
import { isValidName, MAX_FILE_CHARS, MAX_FILES, MAX_NAME_LENGTH } from './files.ts';
import { compress, decompress, maxTextLength } from './share-codec/codec.ts';
import { shareDictionaryV3 } from './share-codec/dictionary-v3.ts';
import { frame, unframe } from './share-codec/framing.ts';
import { shareDictionaryV2 } from './share-dictionary.ts';
import type { EngineId, LinkBaseline, SourceFile } from './worker/protocol.ts';

/** The format new links are written in. */
export const SHARE_VERSION = 'v3';
export const MAX_HASH_CHARS = 100_000;
export const MAX_JSON_BYTES = 2_000_000;

export interface SharedState {
  files: SourceFile[];
  engine: EngineId;
  selected: string | null;
  /** The starting database the link carries (loaded when the link is opened), if any. */
  baseline?: LinkBaseline | null;
}

/** A link's starting database as framed: `<rows left out>\n<sql>`. */
const baselineText = (b: LinkBaseline) => `${b.rowsLeftOut}\n${b.sql}`;

export type DecodeResult = { ok: true; state: SharedState } | { ok: false; message: string };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[n >> 18] + B64[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63];
  }
  return out;
}

/** null when `text` is not base64url (no padding). */
export function base64urlDecode(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    buffer = (buffer << 6) | B64.indexOf(text[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

export function encodeShare(state: SharedState): string {
  const text = new TextEncoder().encode(
    frame({
      engine: state.engine,
      files: state.files.map((f) => [f.name, f.text]),
      selected: state.selected,
      baseline: state.baseline ? [state.baseline.name, baselineText(state.baseline)] : null,
    }),
  );
  const stream = compress(text, shareDictionaryV3());
  if (text.length <= maxTextLength(stream.length)) return `${SHARE_VERSION}.${base64urlEncode(stream)}`;
  const json = JSON.stringify({
    f: state.files.map((f) => [f.name, f.text]),
    e: state.engine,
    ...(state.selected !== null ? { s: state.selected } : {}),
    ...(state.baseline ? { b: [state.baseline.name, baselineText(state.baseline)] } : {}),
  });
  return `v2.${base64urlEncode(deflateSync(new TextEncoder().encode(json), { level: 9, dictionary: shareDictionaryV2() }))}`;
}

class TooLarge extends Error {}

/** Inflates raw deflate data, giving up as soon as the output passes `limit` bytes. */
function inflateBounded(data: Uint8Array, limit: number, dictionary: Uint8Array | undefined): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let finished = false;
  const inflater = new Inflate(dictionary ? { dictionary } : {}, (chunk, final) => {
    total += chunk.length;
    if (total > limit) throw new TooLarge();
    chunks.push(chunk);
    if (final) finished = true;
  });
  const SLICE = 512;
  for (let i = 0; i < data.length; i += SLICE) {
    inflater.push(data.subarray(i, Math.min(i + SLICE, data.length)), i + SLICE >= data.length);
  }
  if (data.length === 0) inflater.push(new Uint8Array(0), true);
  if (!finished) throw new Error('unexpected end of data');
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const BROKEN = 'This share link is broken or incomplete (was it cut off when it was copied?). Nothing was loaded.';
const TOO_LARGE =
  `This share link unpacks to more than ${MAX_JSON_BYTES / 1_000_000} MB, more than a playground holds. ` +
  'Nothing was loaded.';

type Unpacked = { ok: true; data: unknown } | { ok: false; message: string };

/** A deflated JSON state (v1: no dictionary, v2: the v2 dictionary). */
function readDeflated(bytes: Uint8Array, dictionary: Uint8Array | undefined): Unpacked {
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(inflateBounded(bytes, MAX_JSON_BYTES, dictionary));
  } catch (error) {
    return { ok: false, message: error instanceof TooLarge ? TOO_LARGE : BROKEN };
  }
  try {
    return { ok: true, data: JSON.parse(json) };
  } catch {
    return { ok: false, message: BROKEN };
  }
}

/** A v3 stream: the framed state, as the JSON shape `validate` checks. */
function readV3(bytes: Uint8Array): Unpacked {
  const result = decompress(bytes, shareDictionaryV3(), MAX_JSON_BYTES);
  if (!result.ok) return { ok: false, message: result.reason === 'too-large' ? TOO_LARGE : BROKEN };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(result.bytes);
  } catch {
    return { ok: false, message: BROKEN };
  }
  const state = unframe(text);
  if (!state) return { ok: false, message: BROKEN };
  return {
    ok: true,
    data: {
      f: state.files,
      e: state.engine,
      ...(state.selected !== null ? { s: state.selected } : {}),
      ...(state.baseline ? { b: state.baseline } : {}),
    },
  };
}

/** The formats read. */
const READS: Record<string, (bytes: Uint8Array) => Unpacked> = {
  v1: (bytes) => readDeflated(bytes, undefined),
  v2: (bytes) => readDeflated(bytes, shareDictionaryV2()),
  v3: readV3,
};

/** Decodes a hash (with or without its leading `#`). */
export function decodeShare(hash: string): DecodeResult {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text.length > MAX_HASH_CHARS) {
    return {
      ok: false,
      message:
        `This share link is too long (${text.length.toLocaleString('en-US')} characters; at most ` +
        `${MAX_HASH_CHARS.toLocaleString('en-US')}). Nothing was loaded.`,
    };
  }
  const version = /^(v\d+)\./.exec(text);
  if (!version)
    return { ok: false, message: 'The part of the address after # is not a Moonwalk share link. Nothing was loaded.' };
  const read = Object.hasOwn(READS, version[1]) ? READS[version[1]] : undefined;
  if (!read) {
    return {
      ok: false,
      message:
        `This share link has format ${version[1]}, which this version of the playground does not ` +
        `know (it reads ${Object.keys(READS).join(', ')}). Nothing was loaded.`,
    };
  }
  const bytes = base64urlDecode(text.slice(version[0].length));
  if (!bytes || bytes.length === 0) return { ok: false, message: BROKEN };
  const unpacked = read(bytes);
  return unpacked.ok ? validate(unpacked.data) : unpacked;
}

function invalid(detail: string): DecodeResult {
  return { ok: false, message: `This share link does not hold a valid playground: ${detail}. Nothing was loaded.` };
}

function validate(data: unknown): DecodeResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return invalid('it is not an object');
  const record = data as Record<string, unknown>;
  const engine = record['e'];
  if (engine !== 'sqlite' && engine !== 'postgres') return invalid('unknown engine');
  const list = record['f'];
  if (!Array.isArray(list)) return invalid('no file list');
  if (list.length > MAX_FILES) return invalid(`more than ${MAX_FILES} files`);
  const files: SourceFile[] = [];
  const names = new Set<string>();
  for (const entry of list) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') {
      return invalid('a file entry is not [name, text]');
    }
    const [name, text] = entry as [string, string];
    if (!isValidName(name)) {
      return invalid(
        `the file name "${name.slice(0, MAX_NAME_LENGTH)}" is not allowed (letters, digits, "_", "-", "." and .lua)`,
      );
    }
    if (names.has(name)) return invalid(`the file name ${name} appears twice`);
    if (text.length > MAX_FILE_CHARS)
      return invalid(`${name} is longer than ${MAX_FILE_CHARS.toLocaleString('en-US')} characters`);
    names.add(name);
    files.push({ name, text });
  }
  const selected = record['s'];
  if (selected !== undefined && typeof selected !== 'string') return invalid('the selection is not a file name');
  const baseline = readBaseline(record['b']);
  if (baseline === false) return invalid('its starting database is not [name, rows left out and SQL]');
  return {
    ok: true,
    state: {
      files,
      engine,
      selected: typeof selected === 'string' && names.has(selected) ? selected : null,
      ...(baseline ? { baseline } : {}),
    },
  };
}

/** A link's starting database; undefined when it has none, false when it is not what `encodeShare` writes. */
function readBaseline(entry: unknown): LinkBaseline | undefined | false {
  if (entry === undefined) return undefined;
  if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'string')
    return false;
  const [name, text] = entry as [string, string];
  const head = /^(0|[1-9][0-9]{0,9})\n/.exec(text);
  // The name is only shown (as text): any printable name of reasonable length.
  if (!head || name.length === 0 || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) return false;
  return { name, sql: text.slice(head[0].length), rowsLeftOut: Number(head[1]) };
}
