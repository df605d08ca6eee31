/**
 * The `db` transaction object that `up`, `down` and `after` receive (DESIGN §3): query, execute, prepare and
 * statements, db_type, savepoints. Methods answer `value` or `nil, err`; only misuse (a missing colon, SQL that
 * is not a string, commit/rollback) raises a Lua error.
 */
import type { ExecResult, PreparedStatement, QueryResult } from '../driver.ts';
import { bindSql } from '../sql/placeholders.ts';
import { StatementError, type Transaction } from '../transaction.ts';
import {
  lua,
  to_luastring,
  raiseLuaErrorHere,
  toJsString,
  luaPosition,
  luaBytesToString,
  luaBytesToText,
  resultsWanted,
  type LuaState,
} from './fengari.ts';
import { pushSqlValue, readParams, ParameterError } from './values.ts';
import { CANNOT_WAIT, type Bridge } from './bridge.ts';

/** What the db object needs from the host besides the transaction. */
export interface DbServices {
  bridge: Bridge;
  /** Pushes a Lua error value (tostring, err:kind()) for a failed statement. */
  pushError(L: LuaState, error: StatementError): void;
  /** Pushes the host's one Lua string for a constant table key (its hash is computed once, not per use). */
  pushKey(L: LuaState, key: string): void;
}

type HostFunction = (L: LuaState) => number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function pushDbObject(L: LuaState, tx: Transaction, services: DbServices): void {
  const { bridge } = services;
  const engine = tx.engine;

  const fail = (T: LuaState, error: unknown): number => {
    lua.lua_pushnil(T);
    services.pushError(T, error instanceof StatementError ? error : tx.fail(undefined, error, () => undefined));
    return 2;
  };
  const pushRows = (T: LuaState, result: QueryResult): number => {
    const rows = result.rows;
    const columns = result.columns.length;
    lua.lua_createtable(T, rows.length, 0);
    const list = lua.lua_gettop(T);
    // Each column name becomes one Lua string used as the key of every row: fengari hashes a key string once per
    // string object, so reusing them keeps a big result from re-hashing its column names on every row.
    lua.lua_checkstack(T, columns + 4);
    for (const column of result.columns) lua.lua_pushstring(T, to_luastring(column));
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      lua.lua_createtable(T, 0, columns);
      for (let c = 0; c < columns; c++) {
        if (row[c] === null) continue; // NULL is nil: leave the key out
        lua.lua_pushvalue(T, list + 1 + c);
        pushSqlValue(T, row[c]);
        lua.lua_rawset(T, -3);
      }
      lua.lua_rawseti(T, list, r + 1);
    }
    lua.lua_settop(T, list);
    return 1;
  };
  const pushExecResult = (T: LuaState, result: ExecResult): number => {
    lua.lua_createtable(T, 0, 2);
    services.pushKey(T, 'rows_affected');
    lua.lua_pushinteger(T, result.rowsAffected);
    lua.lua_rawset(T, -3);
    if (result.lastInsertId !== null) {
      services.pushKey(T, 'last_insert_id');
      pushSqlValue(T, result.lastInsertId);
      lua.lua_rawset(T, -3);
    }
    return 1;
  };
  /** A call statement (`stmt:execute(row)` alone on its line) keeps no results: none are built. */
  const pushNothing = (): number => 0;
  const pushTrue = (T: LuaState): number => {
    lua.lua_pushboolean(T, true);
    return 1;
  };
  const where = (T: LuaState) => () => luaPosition(T, 1)?.line;

  /**
   * Runs a transaction operation and answers Lua with its result or `nil, err`. Where the call cannot wait for an
   * engine that answers asynchronously (inside a table.sort comparator, …) it is refused with a Lua error and the
   * transaction is doomed: a pcall around it must not let the migration go on as if the statement had run.
   */
  function answer<V>(
    T: LuaState,
    sql: string | undefined,
    op: () => V | Promise<V>,
    push: (T: LuaState, v: V) => number,
  ): number {
    const canWait = bridge.canWait(T);
    if (!canWait && asyncDrivers.has(tx.driver)) return cannotWait(T, sql);
    let value: V | Promise<V>;
    try {
      value = op();
    } catch (error) {
      return fail(T, error);
    }
    if (value instanceof Promise) {
      asyncDrivers.add(tx.driver);
      if (!canWait) {
        // Only the very first call to a driver gets here: it was sent, so dooming the transaction undoes it.
        value.catch(() => undefined);
        return cannotWait(T, sql);
      }
    }
    return bridge.answer(T, value, push, fail);
  }

  function cannotWait(T: LuaState, sql: string | undefined): never {
    tx.fail(sql, new StatementError(CANNOT_WAIT, 'engine', sql), where(T));
    return raiseLuaErrorHere(T, CANNOT_WAIT);
  }

  /** Reads the parameters, turning a bad one into a failed statement (it dooms the transaction like one). */
  function params(T: LuaState, index: number, count: number, sql: string) {
    try {
      return readParams(T, index, count);
    } catch (error) {
      if (!(error instanceof ParameterError)) throw error;
      throw tx.fail(sql, new StatementError(error.message, 'parameter', sql), where(T));
    }
  }

  const methods: Record<string, HostFunction> = {
    query: (T) => {
      const sql = checkSql(T, 'query');
      const bound = bindSql(sql, engine, hasParams(T, 3));
      return answer(T, sql, () => tx.query(bound.sql, params(T, 3, bound.placeholderCount, sql), where(T)), pushRows);
    },
    execute: (T) => {
      const sql = checkSql(T, 'execute');
      const bound = bindSql(sql, engine, hasParams(T, 3));
      const kept = resultsWanted(T) !== 0;
      return answer(
        T,
        sql,
        () => tx.execute(bound.sql, params(T, 3, bound.placeholderCount, sql), where(T), kept),
        kept ? pushExecResult : pushNothing,
      );
    },
    prepare: (T) => {
      const sql = checkSql(T, 'prepare');
      const bound = bindSql(sql, engine, true);
      return answer(
        T,
        sql,
        () => tx.prepare(bound.sql, where(T)),
        (U, statement) => {
          pushStatement(U, statement, bound.sql, bound.placeholderCount);
          return 1;
        },
      );
    },
    db_type: (T) => {
      lua.lua_pushstring(T, to_luastring(engine));
      return 1;
    },
    // The name is checked before answer(): a Lua error must not be raised inside its try block.
    savepoint: (T) => {
      const name = checkName(T, 'savepoint');
      return answer(T, undefined, () => tx.savepoint(name, where(T)), pushTrue);
    },
    rollback_to: (T) => {
      const name = checkName(T, 'rollback_to');
      return answer(T, undefined, () => tx.rollbackTo(name, where(T)), pushTrue);
    },
    release: (T) => {
      const name = checkName(T, 'release');
      return answer(T, undefined, () => tx.release(name, where(T)), pushTrue);
    },
    commit: (T) => ownedByRunner(T, 'commit'),
    rollback: (T) => ownedByRunner(T, 'rollback'),
  };

  function pushStatement(T: LuaState, statement: PreparedStatement, sql: string, count: number): void {
    let closed = false;
    const open = (U: LuaState, name: string) => {
      checkSelf(U, `stmt:${name}`);
      if (closed) raiseLuaErrorHere(U, `stmt:${name}() on a closed statement: prepare it again`);
    };
    const statementMethods: Record<string, HostFunction> = {
      execute: (U) => {
        open(U, 'execute');
        const kept = resultsWanted(U) !== 0;
        return answer(
          U,
          sql,
          () => tx.executePrepared(statement, sql, params(U, 2, count, sql), where(U), kept),
          kept ? pushExecResult : pushNothing,
        );
      },
      query: (U) => {
        open(U, 'query');
        return answer(U, sql, () => tx.queryPrepared(statement, sql, params(U, 2, count, sql), where(U)), pushRows);
      },
      close: (U) => {
        checkSelf(U, 'stmt:close');
        if (closed) return pushTrue(U);
        closed = true;
        return answer(U, undefined, () => statement.close(), pushTrue);
      },
    };
    pushMethodTable(T, statementMethods);
  }

  pushMethodTable(L, methods);
}

/** Drivers seen answering with a promise: a call that cannot wait is refused before it is sent to them. */
const asyncDrivers = new WeakSet<object>();

function pushMethodTable(L: LuaState, methods: Record<string, HostFunction>): void {
  lua.lua_createtable(L, 0, Object.keys(methods).length);
  for (const [name, fn] of Object.entries(methods)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, to_luastring(name, true));
  }
}

/** `db.query(sql)` instead of `db:query(sql)` is the commonest slip: say so instead of a confusing type error. */
function checkSelf(L: LuaState, name: string): void {
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
    const [object, method] = name.includes(':') ? name.split(':') : ['db', name];
    raiseLuaErrorHere(L, `call ${object}:${method}(...) with a colon, not ${object}.${method}(...)`);
  }
}

function checkSql(L: LuaState, name: string): string {
  checkSelf(L, name);
  if (lua.lua_type(L, 2) !== lua.LUA_TSTRING) {
    raiseLuaErrorHere(L, `db:${name}(sql, params): sql must be a string, got a ${typeName(L, 2)}`);
  }
  const sql = luaBytesToText(lua.lua_tolstring(L, 2));
  if (sql === null) {
    raiseLuaErrorHere(
      L,
      `db:${name}(sql, params): the SQL is not valid UTF-8 text; encode binary data (as hex, for instance)`,
    );
  }
  return sql;
}

function checkName(L: LuaState, name: string): string {
  checkSelf(L, name);
  const value = lua.lua_type(L, 2) === lua.LUA_TSTRING ? (toJsString(L, 2) as string) : '';
  if (!IDENTIFIER.test(value)) {
    raiseLuaErrorHere(L, `db:${name}(name): the savepoint name must be a plain identifier such as "before_copy"`);
  }
  return value;
}

function hasParams(L: LuaState, index: number): boolean {
  return lua.lua_type(L, index) > lua.LUA_TNIL;
}

function ownedByRunner(L: LuaState, name: string): number {
  return raiseLuaErrorHere(
    L,
    `db:${name}() is not allowed: the runner owns the transaction. Return normally to commit, ` +
      'or raise an error (error(err)) to roll the whole migration back; use db:savepoint/db:rollback_to for partial undo',
  );
}

function typeName(L: LuaState, index: number): string {
  const type = lua.lua_type(L, index);
  return type === lua.LUA_TNONE ? 'nil' : luaBytesToString(lua.lua_typename(L, type));
}
