/**
 * The migration DSL as a file uses it: `require("migration").define(fn)` → `migration(description, fn)` →
 * `database(engine, fn)` → `up` / `down` / `after` and `options{}`, followed through the file's own helper
 * functions. Each call is checked where it stands (misplaced, invalid argument, unknown or duplicate engine or
 * phase); each phase goes to phase-walk.ts, each finished block to dsl-block.ts.
 */
import type { CallExpression, Expression, FunctionDeclaration, Identifier, Node, Statement } from 'luaparse';
import { ENGINES } from '../driver.ts';
import type { Phase } from '../lua/host.ts';
import { checkBlock, checkLockSafety, readOptions, type DbBlock } from './dsl-block.ts';
import type { FileFindings } from './file-findings.ts';
import { decodeString, describeExpr, lineOf } from './lua.ts';
import { isMigrationModule, resolveFunction, Scope, type Resolved } from './lua-scope.ts';
import { walkBlock, walkFunctionBody, type LuaCall, type LuaVisitor } from './lua-walk.ts';
import { analyzePhase } from './phase-walk.ts';

/** Engine names people write for the three the runner knows (unknown-database suggests the one meant). */
export const ENGINE_ALIASES: Record<string, string> = {
  postgresql: 'postgres',
  pg: 'postgres',
  pgsql: 'postgres',
  psql: 'postgres',
  pglite: 'postgres',
  sqlite3: 'sqlite',
  mariadb: 'mysql',
};

const DSL_NAMES = new Set(['migration', 'database', 'up', 'down', 'after']);

export interface MigrationModel {
  line: number;
  blocks: DbBlock[];
}

/** What the walk found: where define() is called, and each migration(...) call with its database blocks. */
export interface DslModel {
  defineLine: number | null;
  migrations: MigrationModel[];
}

/** Walks a file's top-level code for its DSL use, reporting to `findings`. */
export function walkDsl(body: Statement[], findings: FileFindings): DslModel {
  const walk = new DslWalk(findings);
  walkBlock(body, new Scope(null), new DslLevelVisitor(walk, 'root', null, null));
  return walk;
}

type DslLevel = 'root' | 'define' | 'migration' | 'database';

/** The walk at one level of the DSL: which calls are valid here, and the migration and block they belong to. */
class DslLevelVisitor implements LuaVisitor {
  constructor(
    private readonly walk: DslWalk,
    readonly level: DslLevel,
    readonly migration: MigrationModel | null,
    readonly block: DbBlock | null,
  ) {}

  call(call: LuaCall, args: Expression[], scope: Scope): void {
    this.walk.onCall(call, args, scope, this);
  }

  functionValue(): void {
    // A function written here runs only when called: followed at its call (onCall), or given to the DSL.
  }
}

class DslWalk implements DslModel {
  defineLine: number | null = null;
  readonly migrations: MigrationModel[] = [];
  /** The DSL functions being walked: a helper calling itself is followed once. */
  private readonly dslStack = new Set<Node>();

  constructor(private readonly findings: FileFindings) {}

  onCall(call: LuaCall, args: Expression[], scope: Scope, mode: DslLevelVisitor): void {
    const base = call.base;
    if (base.type === 'MemberExpression' && base.identifier.name === 'define' && isMigrationModule(base.base, scope)) {
      if (mode.level !== 'root') return;
      this.defineLine ??= lineOf(call);
      const fn = resolveFunction(args[0], scope);
      if (fn.kind === 'invalid') {
        this.findings.report(
          'invalid-argument',
          'error',
          lineOf(call),
          `define() needs the function that declares the migration, got ${fn.what}. ` +
            'Fix: pass it a function, e.g. require("migration").define(define_migration).',
        );
      } else if (fn.kind === 'function') {
        this.walkDslFunction(fn.node, fn.scope, new DslLevelVisitor(this, 'define', null, null));
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
    const fn = resolveFunction(base, scope);
    if (fn.kind === 'function') this.walkDslFunction(fn.node, fn.scope, mode);
  }

  private walkDslFunction(fn: FunctionDeclaration, scope: Scope, mode: DslLevelVisitor): void {
    if (this.dslStack.has(fn)) return;
    this.dslStack.add(fn);
    walkFunctionBody(fn, scope, mode);
    this.dslStack.delete(fn);
  }

  private checkFunctionArg(
    name: string,
    arg: Expression | undefined,
    scope: Scope,
    line: number,
    example: string,
  ): Resolved {
    const fn = resolveFunction(arg, scope);
    if (fn.kind === 'invalid') {
      this.findings.report(
        'invalid-argument',
        'error',
        line,
        `${name}() needs a function${name === 'migration' || name === 'database' ? ' as its second argument' : ''}, ` +
          `got ${fn.what}. Fix: pass ${example}.`,
      );
    }
    return fn;
  }

  private onDslCall(
    id: Identifier,
    call: CallExpression,
    args: Expression[],
    scope: Scope,
    mode: DslLevelVisitor,
  ): void {
    const name = id.name;
    const line = lineOf(call);
    if (name === 'migration') {
      if (mode.level !== 'define') {
        this.findings.report(
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
        this.findings.report(
          'invalid-argument',
          'error',
          line,
          `migration() needs a description string first, got ${desc === undefined ? 'nothing' : describeExpr(desc)}. ` +
            'Fix: write migration("what this migration does", function() … end).',
        );
      } else if (desc.type === 'StringLiteral' && decodeString(desc).text.trim() === '') {
        this.findings.report(
          'invalid-argument',
          'error',
          line,
          'migration() has an empty description. Fix: say what the migration does, e.g. migration("Create users table", …).',
        );
      }
      const fn = this.checkFunctionArg('migration', args[1], scope, line, 'function() database("sqlite", …) end');
      if (fn.kind === 'function') {
        this.walkDslFunction(fn.node, fn.scope, new DslLevelVisitor(this, 'migration', model, null));
      }
      return;
    }
    if (name === 'database') {
      if (mode.level !== 'migration' || mode.migration === null) {
        this.findings.report(
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
          this.findings.report(
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
        this.findings.report(
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
          this.findings.report(
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
        this.walkDslFunction(fn.node, fn.scope, new DslLevelVisitor(this, 'database', mode.migration, block));
        checkBlock(this.findings, block);
        checkLockSafety(this.findings, block);
      }
      return;
    }
    // up / down / after
    if (mode.level !== 'database' || mode.block === null) {
      this.findings.report(
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
      this.findings.report(
        'duplicate-phase',
        'error',
        line,
        `A second ${name}() in this database block (the first is on line ${previous}); only one of them can run. ` +
          `Fix: merge them into a single ${name}(function(db) … end).`,
      );
    } else block.phases.set(name, line);
    const fn = this.checkFunctionArg(name, args[0], scope, line, 'function(db) … end');
    if (fn.kind === 'function') {
      block.phaseStatements.push(analyzePhase(this.findings, fn.node, fn.scope, name as Phase, block.engine));
    }
  }
}
