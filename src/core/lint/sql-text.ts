/**
 * SQL text as the linter reads it out of Lua string literals, with the Lua source line of every character kept as a
 * line-offset table: one entry per run of characters on the same Lua line, not one per character (a thousand
 * migration files made millions of one-element entries, and most of lint's time went to collecting them).
 */
export interface SqlText {
  text: string;
  /** Ascending offsets into `text`: the characters from `starts[k]` up to `starts[k + 1]` are on Lua line `lines[k]`. */
  starts: number[];
  lines: number[];
}

/** SQL all on one Lua line (a statement the runner ran, a test's SQL). */
export function sqlOnLine(text: string, line: number): SqlText {
  return { text, starts: [0], lines: [line] };
}

/** The Lua line of `sql.text[offset]` (line 1 for text that has no lines, as an empty literal). */
export function lineAt(sql: SqlText, offset: number): number {
  const { starts, lines } = sql;
  let lo = 0;
  let hi = starts.length - 1;
  if (hi < 0) return 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lines[lo];
}

/** Builds a SqlText from pieces, each with its Lua line. */
export class SqlTextBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly starts: number[] = [];
  private readonly lines: number[] = [];

  /** Appends `piece`, every character of it on Lua line `line`. */
  add(piece: string, line: number): void {
    if (piece.length === 0) return;
    if (this.lines.length === 0 || this.lines[this.lines.length - 1] !== line) {
      this.starts.push(this.length);
      this.lines.push(line);
    }
    this.parts.push(piece);
    this.length += piece.length;
  }

  /** Appends `sql.text.slice(from, to)`, each character keeping its line. */
  addSlice(sql: SqlText, from = 0, to = sql.text.length): void {
    const { text, starts, lines } = sql;
    if (starts.length === 0) this.add(text.slice(from, to), 1);
    for (let k = 0; k < starts.length; k++) {
      const start = Math.max(starts[k], from);
      const end = Math.min(k + 1 < starts.length ? starts[k + 1] : text.length, to);
      if (start < end) this.add(text.slice(start, end), lines[k]);
    }
  }

  build(): SqlText {
    return {
      text: this.parts.length === 1 ? this.parts[0] : this.parts.join(''),
      starts: this.starts,
      lines: this.lines,
    };
  }
}
