/**
 * Per-file analysis: walks the luaparse AST of one migration file, follows the DSL
 * (`define` → `migration` → `database` → `up` / `down` / `after`), resolving local function references, and runs the
 * SQL checks on the first argument of `execute` / `query` / `prepare` calls.
 */
import type {
  CallExpression,
  Expression,
  FunctionDeclaration,
  Identifier,
  Node,
  Statement,
  StringCallExpression,
  TableCallExpression,
} from 'luaparse';
import { decodeString, parseLua } from './lua.ts';
import { analyzeSql, LUA_EXPR, type StatementInfo } from './sql.ts';
import { lineAt, SqlTextBuilder, type SqlText } from './sql-text.ts';
import { lockSafetyFindings, type PhaseStatement } from './lock-safety.ts';
import type { DslLintCode, LintFinding, Severity } from './types.ts';
import { ENGINES } from '../driver.ts';

const ENGINE_ALIASES: Record<string, string> = {
  postgresql: 'postgres',
  pg: 'postgres',
  pgsql: 'postgres',
  psql: 'postgres',
  pglite: 'postgres',
  sqlite3: 'sqlite',
  mariadb: 'mysql',
};

type Binding =
  | { kind: 'function'; node: FunctionDeclaration; scope: Scope }
  | { kind: 'value'; expr: Expression; scope: Scope }
  | { kind: 'unknown' };

class Scope {
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

interface DbBlock {
  engine: string | null;
  line: number;
  phases: Map<string, number>;
  /** What its options{ … } says, as far as the lint can read it. */
  outsideTransaction: boolean;
  lockTimeout: boolean;
  /** Each phase's statements, checked for lock safety once the whole block (options{} included) is read. */
  phaseStatements: PhaseStatement[][];
}
interface MigrationModel {
  line: number;
  blocks: DbBlock[];
}

type DslLevel = 'root' | 'define' | 'migration' | 'database';
interface DslMode {
  kind: 'dsl';
  level: DslLevel;
  migration: MigrationModel | null;
  block: DbBlock | null;
}
interface SqlStatement {
  info: StatementInfo;
  /** The Lua line of the call that runs it. */
  line: number;
}
interface PhaseMode {
  kind: 'phase';
  phase: 'up' | 'down' | 'after';
  engine: string | null;
  param: string | null;
  visited: Set<Node>;
  statements: SqlStatement[];
}
type Mode = DslMode | PhaseMode;

export interface FileAnalysis {
  findings: LintFinding[];
  /** Present when the file parsed and defines a migration: its line and the engines it targets. */
  migration: { line: number; engines: Set<string>; unknownEngine: boolean } | null;
}

const SQL_METHODS = new Set(['execute', 'query', 'prepare']);
const TX_METHODS = new Set(['commit', 'rollback']);
const DSL_NAMES = new Set(['migration', 'database', 'up', 'down', 'after']);

const lineOf = (n: Node | undefined): number => n?.loc?.start.line ?? 1;

function describeExpr(e: Expression): string {
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

type Resolved =
  | { kind: 'function'; node: FunctionDeclaration; scope: Scope }
  | { kind: 'unknown' }
  | { kind: 'invalid'; what: string };

class FileAnalyzer {
  readonly findings: LintFinding[] = [];
  private readonly migrations: MigrationModel[] = [];
  private defineLine: number | null = null;
  private readonly dslStack = new Set<Node>();

  constructor(private readonly file: string) {}

  report(code: DslLintCode, severity: Severity, line: number, message: string): void {
    this.findings.push({ code, severity, file: this.file, line, message });
  }

  run(source: string): FileAnalysis {
    const parsed = parseLua(source);
    if (!parsed.ok) {
      this.report(
        'syntax-error',
        'error',
        parsed.line,
        `Lua syntax error: ${parsed.message}. Fix: correct the Lua syntax at line ${parsed.line} so the file loads.`,
      );
      return { findings: this.findings, migration: null };
    }
    const root = new Scope(null);
    this.walkBlock(parsed.chunk.body, root, { kind: 'dsl', level: 'root', migration: null, block: null });

    if (this.defineLine === null) {
      this.report(
        'missing-define',
        'error',
        1,
        'The file does not return require("migration").define(fn), so the runner finds no migration in it. ' +
          'Fix: end the file with return require("migration").define(define_migration).',
      );
      return { findings: this.findings, migration: null };
    }
    const first = this.migrations[0];
    if (first === undefined) {
      this.report(
        'missing-migration',
        'error',
        this.defineLine,
        'The function passed to define() never calls migration(...): a file must define exactly one migration. ' +
          'Fix: call migration("what it does", function() … end) once inside that function.',
      );
      return { findings: this.findings, migration: null };
    }
    for (const extra of this.migrations.slice(1)) {
      this.report(
        'multiple-migrations',
        'error',
        extra.line,
        `A second migration(...) call (the first is on line ${first.line}): a file defines exactly one migration. ` +
          'Fix: move this migration into its own file.',
      );
    }
    const engines = new Set<string>();
    let unknownEngine = false;
    for (const block of first.blocks) {
      if (block.engine === null) unknownEngine = true;
      else {
        // A misspelt engine is reported as unknown-database; count it as the engine it was meant to be.
        const meant = ENGINE_ALIASES[block.engine.toLowerCase()] ?? block.engine.toLowerCase();
        if ((ENGINES as readonly string[]).includes(meant)) engines.add(meant);
      }
    }
    return { findings: this.findings, migration: { line: first.line, engines, unknownEngine } };
  }

  // ---- statements and expressions ---------------------------------------------------------------------------------

  private walkBlock(body: Statement[], scope: Scope, mode: Mode): void {
    for (const st of body) this.walkStatement(st, scope, mode);
  }

  private bindingFor(e: Expression | undefined, scope: Scope): Binding {
    if (e === undefined) return { kind: 'unknown' };
    if (e.type === 'FunctionDeclaration') return { kind: 'function', node: e, scope };
    return { kind: 'value', expr: e, scope };
  }

  private walkStatement(st: Statement, scope: Scope, mode: Mode): void {
    switch (st.type) {
      case 'LocalStatement': {
        for (const e of st.init) this.walkExpr(e, scope, mode);
        st.variables.forEach((v, i) => scope.declare(v.name, this.bindingFor(st.init[i], scope)));
        break;
      }
      case 'AssignmentStatement': {
        for (const e of st.init) this.walkExpr(e, scope, mode);
        st.variables.forEach((v, i) => {
          if (v.type === 'Identifier') scope.assign(v.name, this.bindingFor(st.init[i], scope));
          else this.walkExpr(v, scope, mode);
        });
        break;
      }
      case 'CallStatement':
        this.walkExpr(st.expression, scope, mode);
        break;
      case 'FunctionDeclaration': {
        const id = st.identifier;
        if (id !== null && id.type === 'Identifier') {
          const b: Binding = { kind: 'function', node: st, scope };
          if (st.isLocal) scope.declare(id.name, b);
          else scope.assign(id.name, b);
        }
        if (mode.kind === 'phase') this.walkPhaseFunction(st, scope, mode);
        break;
      }
      case 'ReturnStatement':
        for (const e of st.arguments) this.walkExpr(e, scope, mode);
        break;
      case 'IfStatement':
        for (const clause of st.clauses) {
          if (clause.type !== 'ElseClause') this.walkExpr(clause.condition, scope, mode);
          this.walkBlock(clause.body, new Scope(scope), mode);
        }
        break;
      case 'WhileStatement':
        this.walkExpr(st.condition, scope, mode);
        this.walkBlock(st.body, new Scope(scope), mode);
        break;
      case 'RepeatStatement': {
        const inner = new Scope(scope);
        this.walkBlock(st.body, inner, mode);
        this.walkExpr(st.condition, inner, mode);
        break;
      }
      case 'DoStatement':
        this.walkBlock(st.body, new Scope(scope), mode);
        break;
      case 'ForNumericStatement': {
        this.walkExpr(st.start, scope, mode);
        this.walkExpr(st.end, scope, mode);
        if (st.step !== null) this.walkExpr(st.step, scope, mode);
        const inner = new Scope(scope);
        inner.declare(st.variable.name, { kind: 'unknown' });
        this.walkBlock(st.body, inner, mode);
        break;
      }
      case 'ForGenericStatement': {
        for (const e of st.iterators) this.walkExpr(e, scope, mode);
        const inner = new Scope(scope);
        for (const v of st.variables) inner.declare(v.name, { kind: 'unknown' });
        this.walkBlock(st.body, inner, mode);
        break;
      }
      default:
        break;
    }
  }

  private walkExpr(e: Expression, scope: Scope, mode: Mode): void {
    switch (e.type) {
      case 'CallExpression':
        this.onCall(e, e.arguments, scope, mode);
        this.walkExpr(e.base, scope, mode);
        for (const a of e.arguments) this.walkExpr(a, scope, mode);
        break;
      case 'StringCallExpression':
        this.onCall(e, [e.argument], scope, mode);
        this.walkExpr(e.base, scope, mode);
        break;
      case 'TableCallExpression':
        this.onCall(e, [e.arguments], scope, mode);
        this.walkExpr(e.base, scope, mode);
        this.walkExpr(e.arguments, scope, mode);
        break;
      case 'FunctionDeclaration':
        if (mode.kind === 'phase') this.walkPhaseFunction(e, scope, mode);
        break;
      case 'BinaryExpression':
      case 'LogicalExpression':
        this.walkExpr(e.left, scope, mode);
        this.walkExpr(e.right, scope, mode);
        break;
      case 'UnaryExpression':
        this.walkExpr(e.argument, scope, mode);
        break;
      case 'MemberExpression':
        this.walkExpr(e.base, scope, mode);
        break;
      case 'IndexExpression':
        this.walkExpr(e.base, scope, mode);
        this.walkExpr(e.index, scope, mode);
        break;
      case 'TableConstructorExpression':
        for (const f of e.fields) {
          if (f.type === 'TableKey') this.walkExpr(f.key, scope, mode);
          this.walkExpr(f.value, scope, mode);
        }
        break;
      default:
        break;
    }
  }

  private resolveFunction(e: Expression | undefined, scope: Scope, depth = 0): Resolved {
    if (e === undefined) return { kind: 'invalid', what: 'nothing' };
    switch (e.type) {
      case 'FunctionDeclaration':
        return { kind: 'function', node: e, scope };
      case 'Identifier': {
        const b = scope.lookup(e.name);
        if (b === undefined) return { kind: 'invalid', what: `${e.name}, which is not defined in this file` };
        if (b.kind === 'function') return b;
        if (b.kind === 'value' && depth < 8) {
          const r = this.resolveFunction(b.expr, b.scope, depth + 1);
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
  private isMigrationModule(e: Expression, scope: Scope, depth = 0): boolean {
    if (e.type === 'Identifier') {
      const b = scope.lookup(e.name);
      return b !== undefined && b.kind === 'value' && depth < 8 && this.isMigrationModule(b.expr, b.scope, depth + 1);
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

  // ---- calls ------------------------------------------------------------------------------------------------------

  private onCall(
    call: CallExpression | StringCallExpression | TableCallExpression,
    args: Expression[],
    scope: Scope,
    mode: Mode,
  ): void {
    const base = call.base;
    if (mode.kind === 'phase') {
      this.onPhaseCall(call, args, scope, mode);
      return;
    }
    if (
      base.type === 'MemberExpression' &&
      base.identifier.name === 'define' &&
      this.isMigrationModule(base.base, scope)
    ) {
      if (mode.level !== 'root') return;
      this.defineLine ??= lineOf(call);
      const fn = this.resolveFunction(args[0], scope);
      if (fn.kind === 'invalid') {
        this.report(
          'invalid-argument',
          'error',
          lineOf(call),
          `define() needs the function that declares the migration, got ${fn.what}. ` +
            'Fix: pass it a function, e.g. require("migration").define(define_migration).',
        );
      } else if (fn.kind === 'function') {
        this.walkDslFunction(fn.node, fn.scope, { kind: 'dsl', level: 'define', migration: null, block: null });
      }
      return;
    }
    if (base.type !== 'Identifier') return;
    const bound = scope.lookup(base.name);
    if (bound === undefined && base.name === 'options' && mode.level === 'database' && mode.block !== null) {
      readOptions(args[0], mode.block);
      return;
    }
    if (bound === undefined && DSL_NAMES.has(base.name) && call.type === 'CallExpression') {
      this.onDslCall(base, call, args, scope, mode);
      return;
    }
    // A call to a helper defined in this file: follow it in the same context.
    const fn = this.resolveFunction(base, scope);
    if (fn.kind === 'function') this.walkDslFunction(fn.node, fn.scope, mode);
  }

  private walkDslFunction(fn: FunctionDeclaration, scope: Scope, mode: DslMode): void {
    if (this.dslStack.has(fn)) return;
    this.dslStack.add(fn);
    const inner = new Scope(scope);
    for (const p of fn.parameters) if (p.type === 'Identifier') inner.declare(p.name, { kind: 'unknown' });
    this.walkBlock(fn.body, inner, mode);
    this.dslStack.delete(fn);
  }

  private checkFunctionArg(
    name: string,
    arg: Expression | undefined,
    scope: Scope,
    line: number,
    example: string,
  ): Resolved {
    const fn = this.resolveFunction(arg, scope);
    if (fn.kind === 'invalid') {
      this.report(
        'invalid-argument',
        'error',
        line,
        `${name}() needs a function${name === 'migration' || name === 'database' ? ' as its second argument' : ''}, ` +
          `got ${fn.what}. Fix: pass ${example}.`,
      );
    }
    return fn;
  }

  private onDslCall(id: Identifier, call: CallExpression, args: Expression[], scope: Scope, mode: DslMode): void {
    const name = id.name;
    const line = lineOf(call);
    if (name === 'migration') {
      if (mode.level !== 'define') {
        this.report(
          'misplaced-call',
          'error',
          line,
          mode.level === 'root'
            ? 'migration() is called outside the function passed to define(), where it does not exist. ' +
                'Fix: move it into the function you pass to require("migration").define(…).'
            : 'migration() is called inside another migration. Fix: keep a single migration(...) per file, at the top of the function passed to define().',
        );
        return;
      }
      const model: MigrationModel = { line, blocks: [] };
      this.migrations.push(model);
      const desc = args[0];
      if (
        desc === undefined ||
        (desc.type !== 'StringLiteral' &&
          ![
            'Identifier',
            'BinaryExpression',
            'CallExpression',
            'MemberExpression',
            'IndexExpression',
            'LogicalExpression',
          ].includes(desc.type))
      ) {
        this.report(
          'invalid-argument',
          'error',
          line,
          `migration() needs a description string first, got ${desc === undefined ? 'nothing' : describeExpr(desc)}. ` +
            'Fix: write migration("what this migration does", function() … end).',
        );
      } else if (desc.type === 'StringLiteral' && decodeString(desc).text.trim() === '') {
        this.report(
          'invalid-argument',
          'error',
          line,
          'migration() has an empty description. Fix: say what the migration does, e.g. migration("Create users table", …).',
        );
      }
      const fn = this.checkFunctionArg('migration', args[1], scope, line, 'function() database("sqlite", …) end');
      if (fn.kind === 'function') {
        this.walkDslFunction(fn.node, fn.scope, { kind: 'dsl', level: 'migration', migration: model, block: null });
      }
      return;
    }
    if (name === 'database') {
      if (mode.level !== 'migration' || mode.migration === null) {
        this.report(
          'misplaced-call',
          'error',
          line,
          mode.level === 'database'
            ? 'database() is called inside another database() block. Fix: make the blocks siblings inside migration(…).'
            : 'database() is called outside migration(…). Fix: move it inside the function passed to migration("…", function() … end).',
        );
        return;
      }
      const typeArg = args[0];
      let engine: string | null = null;
      if (typeArg !== undefined && typeArg.type === 'StringLiteral') {
        engine = decodeString(typeArg).text;
        if (!(ENGINES as readonly string[]).includes(engine)) {
          const lower = engine.toLowerCase();
          const suggestion = (ENGINES as readonly string[]).includes(lower) ? lower : ENGINE_ALIASES[lower];
          this.report(
            'unknown-database',
            'error',
            line,
            `Unknown database type "${engine}": the runner knows only ` +
              '"sqlite", "postgres" and "mysql". ' +
              (suggestion !== undefined
                ? `Fix: write database("${suggestion}", …).`
                : 'Fix: use one of database("sqlite", …), database("postgres", …) or database("mysql", …).'),
          );
        }
      } else if (
        typeArg === undefined ||
        [
          'NumericLiteral',
          'BooleanLiteral',
          'NilLiteral',
          'TableConstructorExpression',
          'FunctionDeclaration',
        ].includes(typeArg.type)
      ) {
        this.report(
          'invalid-argument',
          'error',
          line,
          `database() needs the engine name first, got ${typeArg === undefined ? 'nothing' : describeExpr(typeArg)}. ` +
            'Fix: write database("sqlite", function() … end).',
        );
        engine = '';
      }
      if (engine !== null && engine !== '') {
        const dup = mode.migration.blocks.find((b) => b.engine === engine);
        if (dup !== undefined) {
          this.report(
            'duplicate-database',
            'error',
            line,
            `A second database("${engine}") block in this migration (the first is on line ${dup.line}). ` +
              'Fix: merge the two blocks into one.',
          );
        }
      }
      const block: DbBlock = {
        engine: engine === '' ? null : engine,
        line,
        phases: new Map(),
        outsideTransaction: false,
        lockTimeout: false,
        phaseStatements: [],
      };
      mode.migration.blocks.push(block);
      const fn = this.checkFunctionArg('database', args[1], scope, line, 'function() up(function(db) … end) end');
      if (fn.kind === 'function') {
        this.walkDslFunction(fn.node, fn.scope, { kind: 'dsl', level: 'database', migration: mode.migration, block });
        this.checkBlock(block);
        this.checkLockSafety(block);
      }
      return;
    }
    // up / down / after
    if (mode.level !== 'database' || mode.block === null) {
      this.report(
        'misplaced-call',
        'error',
        line,
        `${name}() is called outside a database(...) block. ` +
          `Fix: move it inside database("sqlite", function() ${name}(function(db) … end) end).`,
      );
      return;
    }
    const block = mode.block;
    const previous = block.phases.get(name);
    if (previous !== undefined) {
      this.report(
        'duplicate-phase',
        'error',
        line,
        `A second ${name}() in this database block (the first is on line ${previous}); only one of them can run. ` +
          `Fix: merge them into a single ${name}(function(db) … end).`,
      );
    } else block.phases.set(name, line);
    const fn = this.checkFunctionArg(name, args[0], scope, line, 'function(db) … end');
    if (fn.kind === 'function') {
      const statements = this.analyzePhase(fn.node, fn.scope, name as PhaseMode['phase'], block.engine);
      block.phaseStatements.push(statements.map((s) => ({ tokens: s.info.tokens, info: s.info, line: s.line })));
    }
  }

  /** The PostgreSQL lock-safety rules (and MySQL's online-DDL hint) on each phase of the block. */
  private checkLockSafety(block: DbBlock): void {
    const engine = block.engine === 'postgres' || block.engine === 'mysql' ? block.engine : null;
    if (engine === null) return;
    for (const statements of block.phaseStatements) {
      this.findings.push(
        ...lockSafetyFindings({
          file: this.file,
          engine,
          outsideTransaction: block.outsideTransaction,
          lockTimeout: block.lockTimeout,
          statements,
        }),
      );
    }
  }

  private checkBlock(block: DbBlock): void {
    const label = `database("${block.engine ?? '…'}")`;
    if (!block.phases.has('up')) {
      this.report(
        'missing-up',
        'warning',
        block.line,
        `The ${label} block has no up(): nothing runs on this engine, and the runner may refuse the block. ` +
          'Fix: add up(function(db) … end) to it, or remove the block.',
      );
    } else if (!block.phases.has('down')) {
      this.report(
        'missing-down',
        'warning',
        block.line,
        `The ${label} block has up() but no down(), so this migration cannot be reverted. ` +
          'Fix: add down(function(db) … end) that undoes what up does.',
      );
    }
  }

  // ---- phases (up / down / after) ---------------------------------------------------------------------------------

  private walkPhaseFunction(fn: FunctionDeclaration, scope: Scope, mode: PhaseMode): void {
    if (mode.visited.has(fn)) return;
    mode.visited.add(fn);
    const inner = new Scope(scope);
    for (const p of fn.parameters) if (p.type === 'Identifier') inner.declare(p.name, { kind: 'unknown' });
    this.walkBlock(fn.body, inner, mode);
  }

  private analyzePhase(
    fn: FunctionDeclaration,
    scope: Scope,
    phase: PhaseMode['phase'],
    engine: string | null,
  ): SqlStatement[] {
    const first = fn.parameters[0];
    const mode: PhaseMode = {
      kind: 'phase',
      phase,
      engine,
      param: first !== undefined && first.type === 'Identifier' ? first.name : null,
      visited: new Set(),
      statements: [],
    };
    this.walkPhaseFunction(fn, scope, mode);
    this.checkStatements(mode);
    return mode.statements;
  }

  private onPhaseCall(
    call: CallExpression | StringCallExpression | TableCallExpression,
    args: Expression[],
    scope: Scope,
    mode: PhaseMode,
  ): void {
    const base = call.base;
    if (base.type === 'MemberExpression') {
      const method = base.identifier.name;
      // db:execute(sql) on any object; db.execute(db, sql) on the phase's own parameter.
      const onParam = base.indexer === '.' && base.base.type === 'Identifier' && base.base.name === mode.param;
      if (base.indexer !== ':' && !onParam) return;
      const callArgs = base.indexer === ':' ? args : args.slice(1);
      if (TX_METHODS.has(method)) {
        const receiver = describeExpr(base.base);
        this.report(
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
        if (sqlArg !== undefined) this.onSql(sqlArg, scope, mode, lineOf(call));
      }
      return;
    }
    if (base.type === 'Identifier') {
      const fn = this.resolveFunction(base, scope);
      if (fn.kind === 'function') this.walkPhaseFunction(fn.node, fn.scope, mode);
    }
  }

  /** Builds the SQL text of an argument; `dynamic` names the first non-literal part spliced in, if any. */
  private sqlText(
    e: Expression,
    scope: Scope,
    depth = 0,
  ): { sql: SqlText; dynamic: string | null; how: string; node: Node } | null {
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
      if (b !== undefined && b.kind === 'value') return this.sqlText(b.expr, b.scope, depth + 1);
    }
    return null;
  }

  private onSql(arg: Expression, scope: Scope, mode: PhaseMode, callLine: number): void {
    const built = this.sqlText(arg, scope);
    if (built === null) return;
    if (built.dynamic !== null) {
      this.report(
        'sql-concatenation',
        'error',
        lineOf(built.node),
        `SQL ${built.how} from ${built.dynamic}: a value spliced into SQL is an injection risk and breaks on quotes. ` +
          'Fix: write ? placeholders in the SQL and pass the values as the parameter table, e.g. db:execute("… VALUES (?)", {value}).',
      );
    }
    for (const info of analyzeSql(built.sql, mode.engine)) mode.statements.push({ info, line: callLine });
  }

  private checkStatements(mode: PhaseMode): void {
    const { phase, engine } = mode;
    const statements = mode.statements.map((s) => s.info);
    const created = new Set<string>();
    for (let i = 0; i < statements.length; i++) {
      const s = statements[i];
      if (s.kind === 'transaction') {
        this.report(
          'transaction-control',
          'error',
          s.line,
          `SQL ${s.keyword} inside a migration: the runner owns the transaction, and ${s.keyword} would end it early. ` +
            'Fix: remove the statement; use SAVEPOINT / ROLLBACK TO for partial undo, error(err) to undo everything.',
        );
      }
      const target = s.objects[0] ?? LUA_EXPR;
      const shown = target === LUA_EXPR ? '' : ` ${target}`;
      // The new table of a table rebuild (created, filled, then renamed over the old one) must not exist yet: IF NOT
      // EXISTS there would hide a leftover from a failed run and copy into it.
      const rebuildTable =
        s.kind === 'create-table' &&
        target !== LUA_EXPR &&
        statements.slice(i + 1).some((later) => later.renames.some(([from]) => from === target));
      if (
        (s.kind === 'create-table' || (s.kind === 'create-index' && engine !== 'mysql')) &&
        !s.ifNotExists &&
        !rebuildTable
      ) {
        const what = s.kind === 'create-table' ? 'TABLE' : 'INDEX';
        this.report(
          'create-without-if-not-exists',
          'info',
          s.line,
          `CREATE ${what}${s.kind === 'create-table' ? shown : ` on${shown || ' a table'}`} without IF NOT EXISTS fails if the object already exists. ` +
            `Fix: write CREATE ${what} IF NOT EXISTS so the migration can run again safely.`,
        );
      }
      if (phase === 'up' && s.kind === 'drop-table') {
        for (const table of s.objects) {
          if (table === LUA_EXPR || created.has(table)) continue;
          const rebuilt = statements.slice(i + 1).some((later) => later.renames.some(([, to]) => to === table));
          if (rebuilt) continue;
          this.report(
            'destructive-change',
            'warning',
            s.line,
            `up drops table ${table} with all its rows; down cannot bring the data back. ` +
              'Fix: be sure the data is no longer needed (or copy it elsewhere first) and let down recreate the table.',
          );
        }
      }
      if (phase === 'up') {
        for (const col of s.dropColumns) {
          this.report(
            'destructive-change',
            'warning',
            col.line,
            `up drops column ${col.column}${shown ? ` of${shown}` : ''} with its data; down cannot bring it back. ` +
              'Fix: be sure the data is no longer needed (or copy it first) before dropping the column.',
          );
        }
      }
      for (const col of s.addNotNull) {
        if (engine !== 'sqlite' && created.has(target)) continue; // the table is still empty
        const mysql = engine === 'mysql';
        this.report(
          'destructive-change',
          mysql ? 'warning' : 'error',
          col.line,
          `ADD COLUMN ${col.column} … NOT NULL without a DEFAULT ${
            mysql
              ? "fills existing rows with the type's implicit default (0 or '') on MySQL"
              : engine === 'sqlite'
                ? 'is refused by SQLite'
                : 'fails as soon as the table has rows'
          }. ` + 'Fix: give the column a DEFAULT, or add it nullable, backfill it, then make it NOT NULL.',
        );
      }
      if (s.kind === 'create-table') for (const t of s.objects) created.add(t);
    }
    if (phase === 'up') this.checkMultipleChanges(statements);
  }

  private checkMultipleChanges(statements: StatementInfo[]): void {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let r = x;
      while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
      return r;
    };
    for (const s of statements) {
      for (const [from, to] of s.renames) {
        const a = find(from);
        const b = find(to);
        if (a !== b) parent.set(b, a);
      }
    }
    const groups = new Map<string, string>(); // root → first name seen
    let secondLine: number | null = null;
    for (const s of statements) {
      if (!s.ddl) continue;
      for (const o of s.objects) {
        if (o === LUA_EXPR) continue;
        const root = find(o);
        if (!groups.has(root)) {
          groups.set(root, o);
          if (groups.size === 2) secondLine = s.line;
        }
      }
    }
    if (secondLine !== null) {
      const names = [...groups.values()];
      this.report(
        'multiple-changes',
        'warning',
        secondLine,
        `up changes ${names.length} unrelated objects (${names.join(', ')}); a migration should make one logical change, ` +
          'so it can be reverted and reasoned about on its own. Fix: split it into one migration per change.',
      );
    }
  }
}

/** options{ transaction = false, lock_timeout = "…" }: the keys the lock-safety rules read, when written literally. */
function readOptions(arg: Expression | undefined, block: DbBlock): void {
  if (arg === undefined || arg.type !== 'TableConstructorExpression') return;
  for (const field of arg.fields) {
    if (field.type !== 'TableKeyString') continue;
    if (field.key.name === 'transaction') {
      block.outsideTransaction = field.value.type === 'BooleanLiteral' && field.value.value === false;
    } else if (field.key.name === 'lock_timeout') block.lockTimeout = true;
  }
}

export function analyzeFile(file: string, source: string): FileAnalysis {
  return new FileAnalyzer(file).run(source);
}
