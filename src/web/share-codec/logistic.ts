/**
 * The logistic functions of the share codec's mixer, in integers only so that every engine computes the same bits
 * (a float whose last digit rounded differently would make a link decode to garbage elsewhere).
 *
 * Probabilities are 12-bit (0..4095 for 0..1); the logistic domain is stretch(p) = ln(p / (1 - p)) scaled by 256 and
 * clamped to ±2047. `squash` interpolates a 33-point table of the logistic curve; `stretch` is its exact inverse on
 * the 4,096 probabilities, found by scanning `squash` once (the tables of lpaq1 by Matt Mahoney).
 */

const CURVE = [
  1, 2, 3, 6, 10, 16, 27, 45, 73, 120, 194, 310, 488, 747, 1101, 1546, 2047, 2549, 2994, 3348, 3607, 3785, 3901, 3975,
  4024, 4050, 4068, 4079, 4085, 4089, 4092, 4093, 4094,
];

/** 1 / (1 + e^(-d / 256)) as a 12-bit probability, for any integer d. */
export function squash(d: number): number {
  if (d > 2047) return 4095;
  if (d < -2047) return 0;
  const w = d & 127;
  const i = (d >> 7) + 16;
  return (CURVE[i] * (128 - w) + CURVE[i + 1] * w + 64) >> 7;
}

/** `squash` of -2047..2047 at index d + 2047: the hot paths read this table instead of calling. */
export const SQUASHED = Uint16Array.from({ length: 4095 }, (_, i) => squash(i - 2047));

/** `stretch` of 0..4095: the hot paths read this table instead of calling. */
export const STRETCH = (() => {
  const table = new Int16Array(4096);
  let pi = 0;
  for (let x = -2047; x <= 2047; x++) {
    const v = squash(x);
    for (let j = pi; j <= v; j++) table[j] = x;
    pi = v + 1;
  }
  for (let j = pi; j < 4096; j++) table[j] = 2047;
  return table;
})();

/** The inverse of `squash` for a 12-bit probability (0..4095). */
export function stretch(p: number): number {
  return STRETCH[p];
}
