/**
 * The SQL a Lua expression spells out, for the checks of `db:execute(sql)` and its kin: a string literal, a `..`
 * concatenation, a `string.format` (or `fmt:format`) call, or a local name given one of those. What is computed at
 * run time stands in the text as LUA_EXPR, and is named for the sql-concatenation finding.
 */
import type { Expression, Node } from 'luaparse';
import { decodeString, describeExpr, lineOf } from './lua.ts';
import type { Scope } from './lua-scope.ts';
import { LUA_EXPR } from './sql.ts';
import { lineAt, SqlTextBuilder, type SqlText } from './sql-text.ts';

export interface SqlFromLua {
  sql: SqlText;
  /** The first non-literal part spliced in, in a message's words; null when the SQL is all literal. */
  dynamic: string | null;
  /** How it was built (`concatenated with ..`), for the message. */
  how: string;
  node: Node;
}

/** The SQL text of `e`, or null when lint cannot tell it (a call's result, a parameter). */
export function sqlFromLua(e: Expression, scope: Scope, depth = 0): SqlFromLua | null {
  if (e.type === 'StringLiteral') return { sql: decodeString(e), dynamic: null, how: '', node: e };
  if (e.type === 'BinaryExpression' && e.operator === '..') {
    const out = new SqlTextBuilder();
    let dynamic: string | null = null;
    const flatten = (x: Expression): void => {
      if (x.type === 'BinaryExpression' && x.operator === '..') {
        flatten(x.left);
        flatten(x.right);
      } else if (x.type === 'StringLiteral') out.addSlice(decodeString(x));
      else if (x.type === 'NumericLiteral' || x.type === 'BooleanLiteral') out.add(x.raw, lineOf(x));
      else {
        dynamic ??= describeExpr(x);
        out.add(` ${LUA_EXPR} `, lineOf(x));
      }
    };
    flatten(e);
    return { sql: out.build(), dynamic, how: 'concatenated with ..', node: e };
  }
  if (e.type === 'CallExpression' && e.base.type === 'MemberExpression' && e.base.identifier.name === 'format') {
    // string.format(fmt, …) or (fmt):format(…)
    const viaString = e.base.indexer === '.' && e.base.base.type === 'Identifier' && e.base.base.name === 'string';
    const fmt = viaString ? e.arguments[0] : e.base.indexer === ':' ? e.base.base : undefined;
    const values = viaString ? e.arguments.slice(1) : e.arguments;
    if (fmt === undefined || fmt.type !== 'StringLiteral') return null;
    const decoded = decodeString(fmt);
    const out = new SqlTextBuilder();
    let from = 0;
    for (const m of decoded.text.matchAll(/%[-+ #0-9.]*[a-zA-Z%]/g)) {
      out.addSlice(decoded, from, m.index);
      if (m[0] === '%%') out.addSlice(decoded, m.index, m.index + 1);
      else out.add(` ${LUA_EXPR} `, lineAt(decoded, m.index));
      from = m.index + m[0].length;
    }
    out.addSlice(decoded, from);
    const dyn = values.find((v) => !['StringLiteral', 'NumericLiteral', 'BooleanLiteral'].includes(v.type));
    return {
      sql: out.build(),
      dynamic: dyn === undefined ? null : describeExpr(dyn),
      how: 'built with string.format',
      node: e,
    };
  }
  if (e.type === 'Identifier' && depth < 8) {
    const b = scope.lookup(e.name);
    if (b !== undefined && b.kind === 'value') return sqlFromLua(b.expr, b.scope, depth + 1);
  }
  return null;
}
