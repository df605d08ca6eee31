/**
 * Lua helpers for the linter: parsing with luaparse and decoding string literals. luaparse is used with
 * `encodingMode: 'none'` (any Unicode source is accepted), which leaves string values null, so literals are decoded
 * here from their raw text, keeping the source line of every character.
 */
import luaparse from 'luaparse';
import type { Chunk, StringLiteral } from 'luaparse';
import type { SqlText } from './sql.ts';

export type ParseResult = { ok: true; chunk: Chunk } | { ok: false; line: number; message: string };

export function parseLua(source: string): ParseResult {
  try {
    const chunk = luaparse.parse(source, {
      locations: true,
      comments: true,
      luaVersion: '5.3',
      encodingMode: 'none',
    });
    return { ok: true, chunk };
  } catch (e) {
    const err = e as { line?: unknown; message?: unknown };
    const line = typeof err.line === 'number' && err.line > 0 ? err.line : 1;
    const raw = typeof err.message === 'string' ? err.message : String(e);
    return { ok: false, line, message: raw.replace(/^\[\d+:\d+\]\s*/, '') };
  }
}

/** Decodes a string literal (short or long) into its text and the source line of each character. */
export function decodeString(node: StringLiteral): SqlText {
  const raw = node.raw;
  let line = node.loc?.start.line ?? 1;
  let text = '';
  const lines: number[] = [];
  const emit = (s: string): void => {
    for (let k = 0; k < s.length; k++) {
      text += s[k];
      lines.push(line);
    }
  };
  const long = /^\[(=*)\[/.exec(raw);
  if (long !== null) {
    let i = long[0].length;
    const end = raw.length - long[0].length;
    // A newline right after the opening bracket is skipped.
    if (raw[i] === '\r' || raw[i] === '\n') {
      const pair = raw[i + 1];
      i += (pair === '\r' || pair === '\n') && pair !== raw[i] ? 2 : 1;
      line++;
    }
    for (; i < end; i++) {
      const ch = raw[i];
      emit(ch);
      if (ch === '\n') line++;
    }
    return { text, lines };
  }
  const quote = raw[0];
  const end = raw.length - (raw.length > 1 && raw[raw.length - 1] === quote ? 1 : 0);
  let i = 1;
  while (i < end) {
    const ch = raw[i];
    if (ch !== '\\') {
      emit(ch);
      if (ch === '\n') line++;
      i++;
      continue;
    }
    const e = raw[i + 1] ?? '';
    i += 2;
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (e in simple) emit(simple[e]);
    else if (e === '\n' || e === '\r') {
      emit('\n');
      line++;
      const pair = raw[i];
      if ((pair === '\n' || pair === '\r') && pair !== e) i++;
    } else if (e === 'z') {
      while (i < end && /\s/.test(raw[i])) {
        if (raw[i] === '\n') line++;
        i++;
      }
    } else if (e === 'x') {
      emit(String.fromCharCode(parseInt(raw.slice(i, i + 2), 16) || 0));
      i += 2;
    } else if (e === 'u') {
      const m = /^\{([0-9A-Fa-f]+)\}/.exec(raw.slice(i));
      if (m !== null) {
        const cp = parseInt(m[1], 16);
        emit(cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd');
        i += m[0].length;
      }
    } else if (/[0-9]/.test(e)) {
      const m = /^[0-9]{0,2}/.exec(raw.slice(i))![0];
      emit(String.fromCharCode(parseInt(e + m, 10) & 0xff));
      i += m.length;
    } else emit(e);
  }
  return { text, lines };
}
