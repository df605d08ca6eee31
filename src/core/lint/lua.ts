/**
 * Lua helpers for the linter: parsing with luaparse, decoding string literals, and naming a node in a message (its
 * line, what an expression is). luaparse is used with `encodingMode: 'none'` (any Unicode source is accepted), which
 * leaves string values null, so literals are decoded here from their raw text, keeping the source line of every
 * character.
 */
import luaparse from 'luaparse';
import type { Chunk, Expression, Node, StringLiteral } from 'luaparse';
import { SqlTextBuilder, type SqlText } from './sql-text.ts';
import { LUA_SIMPLE_ESCAPES } from '../lua/escapes.ts';

export type ParseResult = { ok: true; chunk: Chunk } | { ok: false; line: number; message: string };

export function parseLua(source: string): ParseResult {
  try {
    const chunk = luaparse.parse(source, {
      locations: true,
      comments: false, // ignore.ts reads the moonwalk:ignore comments from the source lines
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

const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/**
 * Decodes a string literal (short or long) into its text and the source line of each character: whole runs of plain
 * characters at a time, a new line-table entry only where the Lua line changes.
 */
export function decodeString(node: StringLiteral): SqlText {
  const raw = node.raw;
  let line = node.loc?.start.line ?? 1;
  const out = new SqlTextBuilder();
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
    // One piece per source line (its newline included).
    while (i < end) {
      const newline = raw.indexOf('\n', i);
      const stop = newline < 0 || newline >= end ? end : newline + 1;
      out.add(raw.slice(i, stop), line);
      if (stop === newline + 1) line++;
      i = stop;
    }
    return out.build();
  }
  const quote = raw[0];
  const end = raw.length - (raw.length > 1 && raw[raw.length - 1] === quote ? 1 : 0);
  let i = 1;
  while (i < end) {
    let plain = i;
    while (plain < end && raw.charCodeAt(plain) !== BACKSLASH && raw.charCodeAt(plain) !== NEWLINE) plain++;
    if (plain > i) {
      out.add(raw.slice(i, plain), line);
      i = plain;
      continue;
    }
    if (raw.charCodeAt(i) === NEWLINE) {
      out.add('\n', line);
      line++;
      i++;
      continue;
    }
    const e = raw[i + 1] ?? '';
    i += 2;
    if (e in LUA_SIMPLE_ESCAPES) out.add(LUA_SIMPLE_ESCAPES[e], line);
    else if (e === '\n' || e === '\r') {
      out.add('\n', line);
      line++;
      const pair = raw[i];
      if ((pair === '\n' || pair === '\r') && pair !== e) i++;
    } else if (e === 'z') {
      while (i < end && /\s/.test(raw[i])) {
        if (raw[i] === '\n') line++;
        i++;
      }
    } else if (e === 'x') {
      out.add(String.fromCharCode(parseInt(raw.slice(i, i + 2), 16) || 0), line);
      i += 2;
    } else if (e === 'u') {
      const m = /^\{([0-9A-Fa-f]+)\}/.exec(raw.slice(i));
      if (m !== null) {
        const cp = parseInt(m[1], 16);
        out.add(cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd', line);
        i += m[0].length;
      }
    } else if (/[0-9]/.test(e)) {
      const m = /^[0-9]{0,2}/.exec(raw.slice(i))![0];
      out.add(String.fromCharCode(parseInt(e + m, 10) & 0xff), line);
      i += m.length;
    } else out.add(e, line);
  }
  return out.build();
}

/** The source line a node starts on (1 when luaparse gave none). */
export const lineOf = (n: Node | undefined): number => n?.loc?.start.line ?? 1;

/** What an expression is, in a message's words: `a string`, `users.name`, `the result of f(…)`. */
export function describeExpr(e: Expression): string {
  switch (e.type) {
    case 'StringLiteral':
      return 'a string';
    case 'NumericLiteral':
      return 'a number';
    case 'BooleanLiteral':
      return 'a boolean';
    case 'NilLiteral':
      return 'nil';
    case 'TableConstructorExpression':
      return 'a table';
    case 'FunctionDeclaration':
      return 'a function';
    case 'Identifier':
      return e.name;
    case 'MemberExpression':
      return `${describeExpr(e.base)}${e.indexer}${e.identifier.name}`;
    case 'CallExpression':
    case 'StringCallExpression':
    case 'TableCallExpression':
      return `the result of ${describeExpr(e.base)}(…)`;
    default:
      return 'an expression';
  }
}
