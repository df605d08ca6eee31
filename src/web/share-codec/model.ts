/**
 * The share codec's model: it predicts each next bit of the text from what came before, and how well it predicts
 * is how short the link gets. A small context-mixing model in the manner of lpaq1 (Matt Mahoney), with contexts
 * chosen for migration files:
 * - the last 2, 3 and 6 bytes, and none (order 0);
 * - the identifier being written, and the one before it, each with the last byte;
 * - the current line from its first non-blank character (code lines repeat as wholes: `if err then error(err) end`)
 *   with the character above it in the previous line;
 * - the column with the character above (indentation, aligned blocks);
 * - a match model: the last earlier occurrence of the last 4+ bytes, predicting the byte that followed it.
 * Each context selects a 16-bit probability (adapting fast at first, then slower) in a hashed table of half-byte
 * blocks; two mixers (weights chosen by the match length, by the last byte) combine the
 * stretched probabilities with weights they learn; two adaptive probability maps refine the average.
 * Integer arithmetic only (no floats whose rounding could differ): every engine computes the same bits.
 *
 * Encoder and decoder drive the same model with the same bits, so they always agree. Changing anything here (a
 * constant, a context, the order of the inputs) changes every v3 link: it would be a new format (v4), with this one
 * kept to read v3 links (test/unit/share-codec.test.ts pins a link).
 */
import { SQUASHED, squash, STRETCH } from './logistic.ts';

/** Hashed contexts (see `startByte`). */
const CONTEXTS = 8;
/** Every context's counters, plus the match model's, plus a bias. */
const INPUTS = CONTEXTS + 2;
const TABLE_BITS = 17;
const MATCH_MIN = 4;
const MATCH_HASH_BITS = 18;
const MATCH_MAX = 63;
/** How fast a counter adapts: by 1/(n + 1.5) after its n-th bit, down to 1/(LIMIT + 1.5). */
const COUNTER_LIMIT = 127;
const MIXER_SHIFT = 14;
/** Mixer weight sets chosen by the match length. */
const MATCH_SETS = 5;
/** Mixers: weight sets chosen by the match length and by the last byte; averaged. */
const MIXERS = 2;
const MIXER_RATE = 6;
/** How far (of 4,096) a prediction must miss for the mixers to learn from it. */
const SKIP = 40;

/** A counter that has seen nothing: probability 1/2. */
const FRESH = 0x80000000;
/** The counter update rates, 15-bit: 32768 / (n + 1.5). */
const RATE = Int32Array.from({ length: 256 }, (_, n) => Math.floor(65536 / (2 * n + 3)));

function hash2(a: number, b: number): number {
  let x = Math.imul(a ^ 0x5bd1e995, 0x2c1b3c6d) ^ Math.imul(b + 0x7f4a7c15, 0x297a2d39);
  x ^= x >>> 15;
  x = Math.imul(x, 0x85ebca6b);
  return x ^ (x >>> 13);
}

function isWordByte(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * An adaptive probability map: refines a probability given a small context, interpolating 33 bins of the stretched
 * probability; each bin adapts fast at first, then slower (down to 1/(limit + 1.5)).
 */
class Refiner {
  private readonly table: Uint16Array;
  private readonly count: Uint8Array;
  private index = 0;

  constructor(
    contexts: number,
    private readonly limit: number,
  ) {
    this.table = new Uint16Array(contexts * 33);
    this.count = new Uint8Array(contexts * 33);
    for (let j = 0; j < 33; j++) this.table[j] = squash((j - 16) * 128) * 16;
    for (let filled = 33; filled < this.table.length; filled *= 2) this.table.copyWithin(filled, 0, filled);
  }

  copyFrom(other: Refiner): void {
    this.table.set(other.table);
    this.count.set(other.count);
    this.index = other.index;
  }

  refine(p: number, context: number): number {
    const s = STRETCH[p] + 2048;
    const weight = s & 127;
    const base = context * 33 + (s >> 7);
    this.index = base + (weight >> 6);
    return (this.table[base] * (128 - weight) + this.table[base + 1] * weight) >> 11;
  }

  update(bit: number): void {
    const i = this.index;
    const n = this.count[i];
    const value = this.table[i];
    this.table[i] = value + ((((bit ? 65535 : 0) - value) * RATE[n]) >> 15);
    if (n < this.limit) this.count[i] = n + 1;
  }
}

export class Model {
  /** Everything seen so far: the dictionary, then the text. */
  private readonly history: Uint8Array;
  private length = 0;
  /** Per counter: the 16-bit probability in the high half, the number of bits it has seen in the low half. */
  private readonly counters = new Uint32Array(CONTEXTS << TABLE_BITS);
  private readonly contextHash = new Int32Array(CONTEXTS);
  private readonly slot = new Int32Array(CONTEXTS);
  private readonly nibbleBase = new Int32Array(CONTEXTS);
  private readonly checks = new Uint8Array(CONTEXTS << (TABLE_BITS - 4));
  private readonly input = new Int32Array(INPUTS);
  private readonly weights: Int32Array;
  private readonly matchTable = new Int32Array(1 << MATCH_HASH_BITS);
  private readonly matchCounters = new Uint16Array(2 * (MATCH_MAX + 1));
  private readonly matchCounts = new Uint8Array(2 * (MATCH_MAX + 1));
  private matchPointer = -1;
  private matchLength = 0;
  private matchSlot = -1;
  private readonly refineByByte = new Refiner(256, 40);
  /** Refines by the partial byte and the low 5 bits of the byte before (letters without their case, digits). */
  private readonly refineByPrevious = new Refiner(1 << 13, 40);

  /** The partial byte with a leading 1 (1..255), and its bit count. */
  private partial = 1;
  private bits = 0;
  private last4 = 0;
  private last8 = 0;
  private word = 0;
  private previousWord = 0;
  private line = 0;
  private lineStart = 0;
  private previousLineStart = 0;
  private mixed = 2048;
  private readonly mixerBase = new Int32Array(MIXERS);
  private readonly mixerOut = new Int32Array(MIXERS);
  private prediction = 2048;

  /** `capacity`: the most bytes it will see in all; `from`: a model to go on from (see `fork`). */
  constructor(capacity: number, from?: Model) {
    this.history = new Uint8Array(capacity);
    this.weights = new Int32Array(INPUTS * (MATCH_SETS + 256));
    if (from) {
      this.copyFrom(from);
      return;
    }
    this.counters.fill(FRESH);
    this.matchTable.fill(-1);
    this.matchCounters.fill(32768);
    this.weights.fill(Math.floor((1 << 16) * 0.3));
    this.startByte();
  }

  /**
   * A model in exactly this one's state that can see `capacity` bytes in all: the model primed with the dictionary
   * is kept and forked for each link, which is much quicker than reading the dictionary again.
   */
  fork(capacity: number): Model {
    return new Model(capacity, this);
  }

  /** Every field of `from`, whatever fields there are: arrays and refiners copied, numbers assigned. */
  private copyFrom(from: Model): void {
    const target = this as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(from)) {
      const own = target[key];
      if (key === 'history') this.history.set(from.history.subarray(0, from.length));
      else if (value instanceof Refiner) (own as Refiner).copyFrom(value);
      else if (ArrayBuffer.isView(value)) (own as Uint8Array).set(value as Uint8Array);
      else target[key] = value;
    }
  }

  /** The probability, of 4,096, that the next bit is 1. */
  predict(): number {
    return this.prediction;
  }

  /** Learns the bit that came (the one `predict` was about) and predicts the next. */
  update(bit: number): void {
    this.learn(bit);
    this.partial = (this.partial << 1) | bit;
    if (++this.bits === 8) this.endByte(this.partial & 255);
    else this.computePrediction();
  }

  /** Sees a whole byte, as if coded (priming with the dictionary). */
  see(byte: number): void {
    for (let i = 7; i >= 0; i--) this.update((byte >> i) & 1);
  }

  private learn(bit: number): void {
    const { counters, slot, input, weights } = this;
    for (let i = 0; i < CONTEXTS; i++) {
      const s = slot[i];
      const v = counters[s];
      const n = v & 0xffff;
      const p = v >>> 16;
      counters[s] = ((p + ((((bit ? 65535 : 0) - p) * RATE[n]) >> 15)) << 16) | (n < COUNTER_LIMIT ? n + 1 : n);
    }
    if (this.matchSlot >= 0) {
      const s = this.matchSlot;
      const n = this.matchCounts[s];
      const p = this.matchCounters[s];
      this.matchCounters[s] = p + ((((bit ? 65535 : 0) - p) * RATE[n]) >> 15);
      if (n < COUNTER_LIMIT) this.matchCounts[s] = n + 1;
    }
    const errorA = ((bit << 12) - this.mixerOut[0]) * MIXER_RATE;
    const errorB = ((bit << 12) - this.mixerOut[1]) * MIXER_RATE;
    const a = this.mixerBase[0];
    const b = this.mixerBase[1];
    // Well predicted bits (most of them) leave the weights alone: less work, and no drift from noise.
    const miss = this.mixed - (bit << 12);
    if (miss > SKIP || miss < -SKIP)
      for (let i = 0; i < INPUTS; i++) {
        const x = input[i];
        weights[a + i] = weights[a + i] + ((x * errorA) >> MIXER_SHIFT);
        weights[b + i] = weights[b + i] + ((x * errorB) >> MIXER_SHIFT);
      }
    this.refineByByte.update(bit);
    this.refineByPrevious.update(bit);
  }

  private endByte(byte: number): void {
    const at = this.length;
    this.history[this.length++] = byte;
    this.last8 = (this.last8 << 8) | (this.last4 >>> 24);
    this.last4 = (this.last4 << 8) | byte;
    if (isWordByte(byte)) {
      this.word = hash2(this.word, byte);
    } else if (this.word !== 0) {
      this.previousWord = this.word;
      this.word = 0;
    }
    if (byte === 10) {
      this.previousLineStart = this.lineStart;
      this.lineStart = this.length;
      this.line = 0;
    } else if (byte !== 32 || this.line !== 0) {
      this.line = hash2(this.line, byte);
    }
    this.updateMatch(at);
    this.startByte();
  }

  private updateMatch(at: number): void {
    if (this.matchLength > 0 && this.matchPointer < at && this.history[this.matchPointer] === this.history[at]) {
      if (this.matchLength < MATCH_MAX) this.matchLength++;
      this.matchPointer++;
    } else {
      this.matchLength = 0;
    }
    if (this.length < MATCH_MIN) return;
    const key = hash2(this.last4, 0) >>> (32 - MATCH_HASH_BITS);
    if (this.matchLength === 0) {
      const candidate = this.matchTable[key];
      if (candidate > 0) {
        let n = 0;
        while (n < MATCH_MAX && candidate - 1 - n >= 0 && this.history[candidate - 1 - n] === this.history[at - n]) n++;
        if (n >= MATCH_MIN) {
          this.matchLength = n;
          this.matchPointer = candidate;
        }
      }
    }
    this.matchTable[key] = this.length;
  }

  private startByte(): void {
    this.partial = 1;
    this.bits = 0;
    const c4 = this.last4;
    const h = this.contextHash;
    const column = this.length - this.lineStart;
    const aboveAt = this.previousLineStart + column;
    const above = aboveAt < this.lineStart ? this.history[aboveAt] : 0;
    h[0] = 0; // order 0
    h[1] = hash2(2, c4 & 0xffff);
    h[2] = hash2(3, c4 & 0xffffff);
    h[3] = hash2(hash2(5, c4), this.last8 & 0xffff);
    h[4] = hash2(hash2(6, this.word), c4 & 0xff);
    h[5] = hash2(hash2(9, above), Math.min(column, 63));
    h[6] = hash2(hash2(10, this.line), above);
    h[7] = hash2(hash2(11, this.previousWord), c4 & 0xff);
    this.computePrediction();
  }

  /**
   * The block of 16 counters of context `i` for the half-byte context hash `h`: of two candidate places, the one
   * whose check byte matches, or else the less used one, emptied (a stranger's counters would mislead).
   */
  private findBlock(i: number, h: number): number {
    const check = h & 255;
    const first = (i << (TABLE_BITS - 4)) | (h >>> (36 - TABLE_BITS));
    if (this.checks[first] === check) return first;
    const second = first ^ 1;
    if (this.checks[second] === check) return second;
    // The less used of the two: fewer bits seen by its first counter.
    const chosen =
      (this.counters[(first << 4) | 1] & 0xffff) <= (this.counters[(second << 4) | 1] & 0xffff) ? first : second;
    this.checks[chosen] = check;
    for (let j = chosen << 4, end = j + 16; j < end; j++) {
      this.counters[j] = FRESH;
    }
    return chosen;
  }

  private computePrediction(): void {
    const { slot, input, weights, counters } = this;
    const c0 = this.partial;
    // Each context's 15 counters for a half byte sit together: one hash per context per half byte.
    if (this.bits === 0 || this.bits === 4) {
      for (let i = 0; i < CONTEXTS; i++) this.nibbleBase[i] = this.findBlock(i, hash2(this.contextHash[i], c0)) << 4;
    }
    // The bits known of the current half byte, with a leading 1: 1..15.
    const offset = this.bits < 4 ? c0 : (1 << (this.bits - 4)) | (c0 & ((1 << (this.bits - 4)) - 1));
    for (let i = 0; i < CONTEXTS; i++) {
      const s = this.nibbleBase[i] + offset;
      slot[i] = s;
      input[i] = STRETCH[counters[s] >>> 20]!;
    }
    let expected = -1;
    if (this.matchLength > 0) {
      const predicted = this.history[this.matchPointer] | 256;
      if (predicted >> (8 - this.bits) === c0) expected = (predicted >> (7 - this.bits)) & 1;
      else this.matchLength = 0;
    }
    if (expected >= 0) {
      this.matchSlot = this.matchLength * 2 + expected;
      input[CONTEXTS] = STRETCH[this.matchCounters[this.matchSlot] >>> 4]!;
    } else {
      this.matchSlot = -1;
      input[CONTEXTS] = 0;
    }
    input[CONTEXTS + 1] = 256;
    const m = this.matchLength;
    const a = INPUTS * (m === 0 ? 0 : m < 8 ? 1 : m < 16 ? 2 : m < 32 ? 3 : 4);
    const b = INPUTS * (MATCH_SETS + (this.last4 & 0xff));
    this.mixerBase[0] = a;
    this.mixerBase[1] = b;
    let dotA = 0;
    let dotB = 0;
    for (let i = 0; i < INPUTS; i++) {
      const x = input[i];
      dotA += x * weights[a + i];
      dotB += x * weights[b + i];
    }
    // Each mixer's sum (weights scaled by 2^16) as a stretched probability, clamped to the tables' ±2047.
    let stA = Math.floor(dotA / 65536);
    stA = stA > 2047 ? 2047 : stA < -2047 ? -2047 : stA;
    let stB = Math.floor(dotB / 65536);
    stB = stB > 2047 ? 2047 : stB < -2047 ? -2047 : stB;
    this.mixerOut[0] = SQUASHED[stA + 2047]!;
    this.mixerOut[1] = SQUASHED[stB + 2047]!;
    const mixed = SQUASHED[((stA + stB) >> 1) + 2047];
    this.mixed = mixed < 1 ? 1 : mixed > 4095 ? 4095 : mixed;
    const byByte = this.refineByByte.refine(this.mixed, c0);
    const byPrevious = this.refineByPrevious.refine(this.mixed, c0 | ((this.last4 & 0x1f) << 8));
    this.prediction = Math.min(4095, Math.max(1, (this.mixed + byByte + 2 * byPrevious + 2) >> 2));
  }
}
