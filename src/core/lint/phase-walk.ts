/**
 * One phase (`up`, `down` or `after`) of a database block: its code walked for the SQL it runs (the first argument of
 * `execute` / `query` / `prepare`, on the phase's `db` or through helpers of the file it calls) and for `commit` /
 * `rollback` calls, then its statements checked (statement-rules.ts; each call's whole text by refused-statement.ts). Their list is kept for lock safety.
 */
import type { Expression, FunctionDeclaration, Node } from 'luaparse';
import type { Phase } from '../lua/host.ts';
import type { FileFindings } from './file-findings.ts';
import type { PhaseStatement } from './lock-safety.ts';
import { describeExpr, lineOf } from './lua.ts';
import { resolveFunction, type Scope } from './lua-scope.ts';
import { walkFunctionBody, type LuaCall, type LuaVisitor } from './lua-walk.ts';
import { analyzeSql } from './sql.ts';
import { checkRefusedStatement } from './refused-statement.ts';
import { sqlFromLua } from './sql-from-lua.ts';
import { checkStatements } from './statement-rules.ts';

const SQL_METHODS = new Set(['execute', 'query', 'prepare']);
const TX_METHODS = new Set(['commit', 'rollback']);

/** Checks the phase function `fn` and answers the statements it runs, each with the Lua line of its call. */
export function analyzePhase(
  findings: FileFindings,
  fn: FunctionDeclaration,
  scope: Scope,
  phase: Phase,
  engine: string | null,
): PhaseStatement[] {
  const first = fn.parameters[0];
  const walk = new PhaseWalk(findings, engine, first !== undefined && first.type === 'Identifier' ? first.name : null);
  walk.functionValue(fn, scope);
  checkStatements(
    findings,
    phase,
    engine,
    walk.statements.map((s) => s.info),
  );
  return walk.statements;
}

class PhaseWalk implements LuaVisitor {
  readonly statements: PhaseStatement[] = [];
  /** Each function is walked once: a helper called twice, or calling itself, adds its statements once. */
  private readonly visited = new Set<Node>();

  constructor(
    private readonly findings: FileFindings,
    private readonly engine: string | null,
    /** The phase function's first parameter: its `db`, whose `db.execute(db, sql)` is a call on the database too. */
    private readonly param: string | null,
  ) {}

  functionValue(fn: FunctionDeclaration, scope: Scope): void {
    if (this.visited.has(fn)) return;
    this.visited.add(fn);
    walkFunctionBody(fn, scope, this);
  }

  call(call: LuaCall, args: Expression[], scope: Scope): void {
    const base = call.base;
    if (base.type === 'MemberExpression') {
      const method = base.identifier.name;
      // db:execute(sql) on any object; db.execute(db, sql) on the phase's own parameter.
      const onParam = base.indexer === '.' && base.base.type === 'Identifier' && base.base.name === this.param;
      if (base.indexer !== ':' && !onParam) return;
      const callArgs = base.indexer === ':' ? args : args.slice(1);
      if (TX_METHODS.has(method)) {
        const receiver = describeExpr(base.base);
        this.findings.report(
          'transaction-control',
          'error',
          lineOf(call),
          `${receiver}:${method}() inside a migration: the runner owns the transaction and ${
            method === 'commit' ? 'commits it after up and after succeed' : 'rolls it back when the migration fails'
          }. ` +
            'Fix: remove the call; to undo the migration raise error(err) or return nil, err (savepoints are allowed).',
        );
      } else if (SQL_METHODS.has(method) && call.type !== 'TableCallExpression') {
        const sqlArg = callArgs[0];
        if (sqlArg !== undefined) this.onSql(sqlArg, scope, lineOf(call));
      }
      return;
    }
    if (base.type === 'Identifier') {
      const fn = resolveFunction(base, scope);
      if (fn.kind === 'function') this.functionValue(fn.node, fn.scope);
    }
  }

  private onSql(arg: Expression, scope: Scope, callLine: number): void {
    const built = sqlFromLua(arg, scope);
    if (built === null) return;
    if (built.dynamic !== null) {
      this.findings.report(
        'sql-concatenation',
        'error',
        lineOf(built.node),
        `SQL ${built.how} from ${built.dynamic}: a value spliced into SQL is an injection risk and breaks on quotes. ` +
          'Fix: write ? placeholders in the SQL and pass the values as the parameter table, e.g. db:execute("… VALUES (?)", {value}).',
      );
    }
    checkRefusedStatement(this.findings, built.sql.text, this.engine, callLine);
    for (const info of analyzeSql(built.sql, this.engine))
      this.statements.push({ tokens: info.tokens, info, line: callLine });
  }
}
