/**
 * A binary arithmetic coder (the carry-less 32-bit coder of lpaq1) for the share codec: each bit is coded with the
 * model's 12-bit probability that it is 1. Integer arithmetic only; the 32-bit bounds are kept as unsigned values in
 * ordinary numbers, whose products stay far below 2^53 and so are exact everywhere.
 */

/** Where, between `low` and `high`, a bit with probability `p1` (of 4,096) of being 1 splits the range. */
function split(low: number, high: number, p1: number): number {
  const range = high - low;
  return low + (range >>> 12) * p1 + (((range & 0xfff) * p1) >>> 12);
}

export class BitEncoder {
  private low = 0;
  private high = 0xffffffff;
  private readonly out: number[] = [];

  encode(bit: number, p1: number): void {
    const mid = split(this.low, this.high, p1);
    if (bit) this.high = mid;
    else this.low = mid + 1;
    while (((this.low ^ this.high) & 0xff000000) === 0) {
      this.out.push(this.high >>> 24);
      this.low = (this.low << 8) >>> 0;
      this.high = ((this.high << 8) | 255) >>> 0;
    }
  }

  /** The coded bytes. */
  finish(): Uint8Array {
    this.out.push(...tail(this.low, this.high));
    return Uint8Array.from(this.out);
  }
}

/**
 * The bytes that end a stream whose final range is low..high: the fewest (1 to 4) that, followed by the zeros the
 * decoder reads past the end, make a value in the range. The decoder recomputes them to check that a stream ends
 * exactly as the encoder ends one (nothing cut off, nothing appended).
 */
function tail(low: number, high: number): number[] {
  for (let bytes = 1; ; bytes++) {
    const unit = 2 ** (32 - 8 * bytes);
    const value = Math.ceil(low / unit) * unit;
    if (value <= high) return Array.from({ length: bytes }, (_, i) => Math.floor(value / 2 ** (24 - 8 * i)) & 255);
  }
}

/** Thrown when the decoder needs bytes the input does not have: the data was cut off or is not a v3 stream. */
export class EndOfInput extends Error {}

export class BitDecoder {
  private low = 0;
  private high = 0xffffffff;
  private x = 0;
  private next: number;

  /** Decodes `data` from `start`. Past its end the encoder's flush implies zeros, at most 3 of them. */
  constructor(
    private readonly data: Uint8Array,
    start: number,
  ) {
    this.next = start;
    for (let i = 0; i < 4; i++) this.x = ((this.x << 8) | this.byte()) >>> 0;
  }

  /** Whether the stream ends here exactly as the encoder ends one: its last bytes are the tail of this range. */
  endsHere(): boolean {
    const expected = tail(this.low, this.high);
    const start = this.next - 4;
    if (start + expected.length !== this.data.length) return false;
    return expected.every((byte, i) => this.data[start + i] === byte);
  }

  private byte(): number {
    const at = this.next++;
    if (at < this.data.length) return this.data[at];
    if (at >= this.data.length + 3) throw new EndOfInput();
    return 0;
  }

  decode(p1: number): number {
    const mid = split(this.low, this.high, p1);
    const bit = this.x <= mid ? 1 : 0;
    if (bit) this.high = mid;
    else this.low = mid + 1;
    while (((this.low ^ this.high) & 0xff000000) === 0) {
      this.low = (this.low << 8) >>> 0;
      this.high = ((this.high << 8) | 255) >>> 0;
      this.x = ((this.x << 8) | this.byte()) >>> 0;
    }
    return bit;
  }
}
