/**
 * The v3 share codec: bytes ⇄ a context-mixing model (./model.ts) driving a binary arithmetic coder, with the model
 * primed by a preset dictionary first so that even a short text is predicted from what migrations usually say.
 *
 * The stream: the text's byte length (LEB128), a 16-bit check of the text, then the coded bits. Decoding is bounded
 * and strict: a length above the caller's limit, or above what a stream of its size may hold, is refused before any
 * work; a stream that runs out (cut off) or has bytes after its end is refused, and so is a text whose check does not
 * match (garbled).
 */
import { BitDecoder, BitEncoder, EndOfInput } from './arithmetic-coder.ts';
import { Model } from './model.ts';

/**
 * The longest text a stream of `streamBytes` bytes may decode to: 8 bytes of text per byte of stream, plus 64 KB.
 * Decoding costs one to a few microseconds per byte, so this bounds the work a link can ask for (a 100,000-character
 * link: at most about 660 KB, a second or two) and refuses a small link that claims a huge text (a "bomb") before any
 * work, where 2 MB would take several seconds. Real states
 * stay below it: up to 64 KB always, and migrations pack about 8 to 10 to 1; a state that packs tighter is written
 * as v2 (src/web/share.ts checks the same bound).
 */
export function maxTextLength(streamBytes: number): number {
  return 8 * streamBytes + 65_536;
}

export type Decompressed = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too-large' | 'broken' };

/**
 * The model after reading the last dictionary used, forked for each link: reading the dictionary is most of the work
 * for a short link, copying the model's tables (about 6 MB, kept while the page lives) a small part of it.
 */
let primedCache: { dictionary: Uint8Array; model: Model } | null = null;

function primed(dictionary: Uint8Array, textLength: number): Model {
  if (primedCache?.dictionary !== dictionary) {
    const model = new Model(dictionary.length);
    for (const byte of dictionary) model.see(byte);
    primedCache = { dictionary, model };
  }
  return primedCache.model.fork(dictionary.length + textLength);
}

/** FNV-1a of the text, folded to 16 bits. */
function check(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const byte of bytes) h = Math.imul(h ^ byte, 0x01000193);
  return ((h >>> 16) ^ h) & 0xffff;
}

export function compress(text: Uint8Array, dictionary: Uint8Array): Uint8Array {
  const header: number[] = [];
  let n = text.length;
  while (n >= 128) {
    header.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  header.push(n);
  const sum = check(text);
  header.push(sum >> 8, sum & 255);
  const model = primed(dictionary, text.length);
  const encoder = new BitEncoder();
  for (const byte of text) {
    for (let i = 7; i >= 0; i--) {
      const bit = (byte >> i) & 1;
      encoder.encode(bit, model.predict());
      model.update(bit);
    }
  }
  const coded = encoder.finish();
  const out = new Uint8Array(header.length + coded.length);
  out.set(header);
  out.set(coded, header.length);
  return out;
}

export function decompress(data: Uint8Array, dictionary: Uint8Array, limit: number): Decompressed {
  let length = 0;
  let at = 0;
  for (let shift = 1; ; shift *= 128) {
    if (at >= data.length || shift > 2 ** 28) return { ok: false, reason: 'broken' };
    const byte = data[at++];
    length += (byte & 127) * shift;
    if (byte < 128) {
      if (byte === 0 && shift > 1) return { ok: false, reason: 'broken' };
      break;
    }
  }
  if (length > limit) return { ok: false, reason: 'too-large' };
  if (length > maxTextLength(data.length)) return { ok: false, reason: 'broken' };
  if (at + 2 > data.length) return { ok: false, reason: 'broken' };
  const sum = (data[at] << 8) | data[at + 1];
  at += 2;
  const text = new Uint8Array(length);
  try {
    const model = primed(dictionary, length);
    const decoder = new BitDecoder(data, at);
    for (let i = 0; i < length; i++) {
      let byte = 0;
      for (let b = 0; b < 8; b++) {
        const bit = decoder.decode(model.predict());
        model.update(bit);
        byte = (byte << 1) | bit;
      }
      text[i] = byte;
    }
    if (!decoder.endsHere()) return { ok: false, reason: 'broken' };
  } catch (error) {
    if (error instanceof EndOfInput) return { ok: false, reason: 'broken' };
    throw error;
  }
  return check(text) === sum ? { ok: true, bytes: text } : { ok: false, reason: 'broken' };
}
