/**
 * Share links: the playground's state in the URL hash, `#v2.<base64url(deflate-raw(JSON, preset dictionary))>`.
 *
 * The JSON: `{"f": [[name, text], …], "e": "sqlite" | "postgres", "s": selected name?}`. v2 deflates it with a preset
 * dictionary of common migration text (src/web/share-dictionary.ts), which makes links of a few files about half as
 * long; v1 (the same without a dictionary) is still read, so older links keep working. New links are v2.
 *
 * A link is untrusted input. Decoding refuses, with a message a person can act on, anything that is not exactly
 * that: an unknown version, characters outside base64url, a hash longer than `MAX_HASH_CHARS`, a stream that
 * inflates past `MAX_JSON_BYTES` (inflated in small slices, so a deflate bomb is stopped early), a truncated
 * stream, invalid UTF-8 or JSON, and a state that breaks the limits below. A link is only ever data: nothing in it
 * runs until the person asks.
 */
import { Inflate, deflateSync } from 'fflate';
import { isValidName, MAX_NAME_LENGTH } from './files.ts';
import { shareDictionaryV2 } from './share-dictionary.ts';
import type { EngineId, SourceFile } from './worker/protocol.ts';

/** The format new links are written in. */
export const SHARE_VERSION = 'v2';
/** The formats read, with the preset dictionary each inflates with (none for v1). */
const READS: Record<string, () => Uint8Array | undefined> = {
  v1: () => undefined,
  v2: shareDictionaryV2,
};
export const MAX_HASH_CHARS = 100_000;
export const MAX_JSON_BYTES = 2_000_000;
export const MAX_FILES = 200;
export const MAX_FILE_CHARS = 200_000;

export interface SharedState {
  files: SourceFile[];
  engine: EngineId;
  selected: string | null;
}

export type DecodeResult = { ok: true; state: SharedState } | { ok: false; message: string };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]!;
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
    buffer = (buffer << 6) | B64.indexOf(text[i]!);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

export function encodeShare(state: SharedState): string {
  const json = JSON.stringify({
    f: state.files.map((f) => [f.name, f.text]),
    e: state.engine,
    ...(state.selected !== null ? { s: state.selected } : {}),
  });
  const compressed = deflateSync(new TextEncoder().encode(json), { level: 9, dictionary: shareDictionaryV2() });
  return `${SHARE_VERSION}.${base64urlEncode(compressed)}`;
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

/** Decodes a hash (with or without its leading `#`). */
export function decodeShare(hash: string): DecodeResult {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text.length > MAX_HASH_CHARS) {
    return { ok: false, message: `This share link is too long (${text.length.toLocaleString('en-US')} characters; at most ` +
      `${MAX_HASH_CHARS.toLocaleString('en-US')}). Nothing was loaded.` };
  }
  const version = /^(v\d+)\./.exec(text);
  if (!version) return { ok: false, message: 'The part of the address after # is not a Moonwalk share link. Nothing was loaded.' };
  const dictionary = Object.hasOwn(READS, version[1]!) ? READS[version[1]!] : undefined;
  if (!dictionary) {
    return { ok: false, message: `This share link has format ${version[1]}, which this version of the playground does not ` +
      `know (it reads ${Object.keys(READS).join(' and ')}). Nothing was loaded.` };
  }
  const bytes = base64urlDecode(text.slice(version[0].length));
  if (!bytes || bytes.length === 0) return { ok: false, message: BROKEN };
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(inflateBounded(bytes, MAX_JSON_BYTES, dictionary()));
  } catch (error) {
    if (error instanceof TooLarge) {
      return { ok: false, message: `This share link unpacks to more than ${MAX_JSON_BYTES / 1_000_000} MB, more than a ` +
        'playground holds. Nothing was loaded.' };
    }
    return { ok: false, message: BROKEN };
  }
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return { ok: false, message: BROKEN };
  }
  return validate(data);
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
      return invalid(`the file name "${name.slice(0, MAX_NAME_LENGTH)}" is not allowed (letters, digits, "_", "-", "." and .lua)`);
    }
    if (names.has(name)) return invalid(`the file name ${name} appears twice`);
    if (text.length > MAX_FILE_CHARS) return invalid(`${name} is longer than ${MAX_FILE_CHARS.toLocaleString('en-US')} characters`);
    names.add(name);
    files.push({ name, text });
  }
  const selected = record['s'];
  if (selected !== undefined && typeof selected !== 'string') return invalid('the selection is not a file name');
  return {
    ok: true,
    state: { files, engine, selected: typeof selected === 'string' && names.has(selected) ? selected : null },
  };
}
