/**
 * SHA-256 of a text's UTF-8 bytes, as lowercase hex. Synchronous and dependency-free: the ledger checksums every
 * migration file on every run, and WebCrypto's digest is asynchronous and slower for many small inputs.
 */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const encoder = new TextEncoder();

/** The message schedule, reused by every call (the function is synchronous, so never shared between two). */
const w = new Int32Array(64);
/** The last one or two 64-byte blocks of a message, holding its tail, the 0x80 byte and the bit length. */
const tail = new Uint8Array(128);
const state = new Int32Array(8);
const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

export function sha256Hex(text: string): string {
  const data = encoder.encode(text);
  const length = data.length;
  state.set(INITIAL);

  // Whole blocks straight from the encoded text; only the tail is copied to be padded.
  const whole = length & ~63;
  for (let offset = 0; offset < whole; offset += 64) compress(data, offset);
  const rest = length - whole;
  const tailLength = rest < 56 ? 64 : 128;
  tail.fill(0);
  tail.set(data.subarray(whole));
  tail[rest] = 0x80;
  const bitsHigh = Math.floor(length / 0x20000000); // length * 8 / 2^32
  const bitsLow = (length * 8) >>> 0;
  tail[tailLength - 8] = bitsHigh >>> 24;
  tail[tailLength - 7] = bitsHigh >>> 16;
  tail[tailLength - 6] = bitsHigh >>> 8;
  tail[tailLength - 5] = bitsHigh;
  tail[tailLength - 4] = bitsLow >>> 24;
  tail[tailLength - 3] = bitsLow >>> 16;
  tail[tailLength - 2] = bitsLow >>> 8;
  tail[tailLength - 1] = bitsLow;
  compress(tail, 0);
  if (tailLength === 128) compress(tail, 64);

  let hex = '';
  for (let i = 0; i < 8; i++) hex += (state[i] >>> 0).toString(16).padStart(8, '0');
  return hex;
}

/** One 64-byte block of `bytes` at `offset` into `state`. */
function compress(bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4;
    w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15];
    const b = w[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = state[0],
    b = state[1],
    c = state[2],
    d = state[3],
    e = state[4],
    f = state[5],
    g = state[6],
    h = state[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}
