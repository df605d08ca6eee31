/**
 * A migration file's description read from its text, without running any of its code: the string literal of its
 * `migration("…", function() … end)` call. `status` shows pending files' descriptions this way, so it compiles no
 * file (a hostile file's top level could exhaust memory on a thread without the worker's cap) and loads no Lua VM.
 * A description that is not a plain literal (built by code, or with numeric escapes) gives null: the file must then
 * be loaded to know it.
 */

import { LUA_SIMPLE_ESCAPES } from './escapes.ts';

/** The literal description of the first `migration(` call in `source`, or null when it is not a plain literal. */
export function literalDescription(source: string): string | null {
  const reader = new LuaReader(source);
  for (let token = reader.next(); token !== null; token = reader.next()) {
    // `local migration = require("migration")`, `m.migration`: not the call.
    if (token !== 'migration' || reader.afterMember || reader.next() !== '(') continue;
    const description = reader.string();
    if (description === null) return null;
    return reader.next() === ',' ? description : null;
  }
  return null;
}

/** Just enough of Lua's lexer: names, strings and long strings skipped whole, comments skipped, one-character rest. */
class LuaReader {
  private i = 0;
  /** The name just read follows `.` or `:` (a field such as `m.migration`, not the DSL's function). */
  afterMember = false;
  private previous = '';

  constructor(private readonly text: string) {}

  /** The next token: a name, or one punctuation character ('"' for a short string, '[' for a long one), or null. */
  next(): string | null {
    const token = this.read();
    this.afterMember = this.previous === '.' || this.previous === ':';
    this.previous = token ?? '';
    return token;
  }

  /** A string literal as the next token, decoded; null when the next token is something else or cannot be decoded. */
  string(): string | null {
    this.skipSpaceAndComments();
    const text = this.text;
    const c = text[this.i];
    if (c === '"' || c === "'") return this.shortString(c);
    const long = this.longBracket();
    if (long === null) return null;
    // A long string drops one line break right after its opening bracket.
    return long.replace(/^\r\n?|^\n\r?/, '');
  }

  private read(): string | null {
    this.skipSpaceAndComments();
    const text = this.text;
    if (this.i >= text.length) return null;
    const c = text[this.i];
    if (/[A-Za-z_]/.test(c)) {
      const start = this.i;
      while (this.i < text.length && /[A-Za-z0-9_]/.test(text[this.i])) this.i++;
      return text.slice(start, this.i);
    }
    if (c === '"' || c === "'") {
      this.skipShortString(c);
      return '"';
    }
    if (c === '[' && this.longBracket() !== null) return '[';
    this.i++;
    return c;
  }

  private skipSpaceAndComments(): void {
    const text = this.text;
    for (;;) {
      while (this.i < text.length && /\s/.test(text[this.i])) this.i++;
      if (!text.startsWith('--', this.i)) return;
      this.i += 2;
      if (text[this.i] === '[' && this.longBracket() !== null) continue;
      const end = text.indexOf('\n', this.i);
      this.i = end < 0 ? text.length : end + 1;
    }
  }

  /** At `[`, `[[`, `[==[`: the long bracket's content, moving past its end; null (not moving) when it is not one. */
  private longBracket(): string | null {
    const open = /^\[(=*)\[/.exec(this.text.slice(this.i, this.i + 64));
    if (open === null) return null;
    const close = `]${open[1]}]`;
    const start = this.i + open[0].length;
    const end = this.text.indexOf(close, start);
    this.i = end < 0 ? this.text.length : end + close.length;
    return this.text.slice(start, end < 0 ? this.text.length : end);
  }

  private skipShortString(quote: string): void {
    const text = this.text;
    for (this.i++; this.i < text.length && text[this.i] !== quote && text[this.i] !== '\n'; this.i++) {
      if (text[this.i] === '\\') this.i++;
    }
    this.i++;
  }

  private shortString(quote: string): string | null {
    const text = this.text;
    let value = '';
    for (this.i++; this.i < text.length; this.i++) {
      const c = text[this.i];
      if (c === quote) {
        this.i++;
        return value;
      }
      if (c === '\n') return null;
      if (c === '\\') {
        // Anything else (`\ddd`, `\x`, `\u{}`, `\z`, a line break) gives up: only the code would tell.
        const escaped = LUA_SIMPLE_ESCAPES[text[++this.i]];
        if (escaped === undefined) return null;
        value += escaped;
      } else value += c;
    }
    return null;
  }
}
