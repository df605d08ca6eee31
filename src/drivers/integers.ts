/** How every driver hands a 64-bit integer to the core. No Node or DOM API: the browser worker's drivers use it too. */

/** A 64-bit integer as the core wants it: number when it is a safe integer (within ±2^53), bigint otherwise. */
export function normalizeInteger(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** An integer printed in decimal (PostgreSQL's int8, MySQL's insert id), normalised the same way. */
export function parseInteger(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : normalizeInteger(BigInt(text));
}
