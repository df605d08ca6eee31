/**
 * What a name in a migration file stands for, as far as lint can tell without running the file: Lua's lexical scopes
 * (a local shadows, an assignment to an undeclared name makes a global of the file), and a name followed to the
 * function it was given.
 */
import type { Expression, FunctionDeclaration } from 'luaparse';
import { decodeString, describeExpr } from './lua.ts';

export type Binding =
  | { kind: 'function'; node: FunctionDeclaration; scope: Scope }
  | { kind: 'value'; expr: Expression; scope: Scope }
  | { kind: 'unknown' };

export class Scope {
  private readonly vars = new Map<string, Binding>();
  constructor(readonly parent: Scope | null) {}
  lookup(name: string): Binding | undefined {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      const b = s.vars.get(name);
      if (b !== undefined) return b;
    }
    return undefined;
  }
  declare(name: string, b: Binding): void {
    this.vars.set(name, b);
  }
  assign(name: string, b: Binding): void {
    let s: Scope = this;
    for (let c: Scope | null = this; c !== null; c = c.parent) {
      if (c.vars.has(name)) {
        c.vars.set(name, b);
        return;
      }
      s = c;
    }
    s.vars.set(name, b); // a global lives in the file's root scope
  }
}

/** What a name gets from the expression assigned to it (`local x = e`); nothing assigned is unknown. */
export function bindingFor(e: Expression | undefined, scope: Scope): Binding {
  if (e === undefined) return { kind: 'unknown' };
  if (e.type === 'FunctionDeclaration') return { kind: 'function', node: e, scope };
  return { kind: 'value', expr: e, scope };
}

/** A function argument: the function it is, unknown (made at run time), or invalid (a literal, an undefined name). */
export type Resolved =
  | { kind: 'function'; node: FunctionDeclaration; scope: Scope }
  | { kind: 'unknown' }
  | { kind: 'invalid'; what: string };

export function resolveFunction(e: Expression | undefined, scope: Scope, depth = 0): Resolved {
  if (e === undefined) return { kind: 'invalid', what: 'nothing' };
  switch (e.type) {
    case 'FunctionDeclaration':
      return { kind: 'function', node: e, scope };
    case 'Identifier': {
      const b = scope.lookup(e.name);
      if (b === undefined) return { kind: 'invalid', what: `${e.name}, which is not defined in this file` };
      if (b.kind === 'function') return b;
      if (b.kind === 'value' && depth < 8) {
        const r = resolveFunction(b.expr, b.scope, depth + 1);
        return r.kind === 'invalid' ? { kind: 'invalid', what: `${e.name} (${r.what})` } : r;
      }
      return { kind: 'unknown' };
    }
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
    case 'NilLiteral':
    case 'TableConstructorExpression':
      return { kind: 'invalid', what: describeExpr(e) };
    default:
      return { kind: 'unknown' };
  }
}

/** Is `e` `require("migration")`, directly or through a local variable? */
export function isMigrationModule(e: Expression, scope: Scope, depth = 0): boolean {
  if (e.type === 'Identifier') {
    const b = scope.lookup(e.name);
    return b !== undefined && b.kind === 'value' && depth < 8 && isMigrationModule(b.expr, b.scope, depth + 1);
  }
  if (
    (e.type === 'CallExpression' || e.type === 'StringCallExpression') &&
    e.base.type === 'Identifier' &&
    e.base.name === 'require'
  ) {
    const arg = e.type === 'CallExpression' ? e.arguments[0] : e.argument;
    return arg !== undefined && arg.type === 'StringLiteral' && decodeString(arg).text === 'migration';
  }
  return false;
}
