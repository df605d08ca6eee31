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
  lauxlib,
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

/** What a `db` object stands for: the transaction of one phase of one migration, until that phase ends. */
interface DbState {
  tx: Transaction;
  services: DbServices;
  ended: boolean;
}

/** A prepared statement `db:prepare` answered: its `db`, the statement and its text, until it is closed. */
interface StatementState {
  db: DbState;
  statement: PreparedStatement;
  sql: string;
  count: number;
  closed: boolean;
}

/**
 * The Lua tables handed out as `db` and as statements, to what they stand for. The tables are empty: their methods
 * come from one metatable per Lua state (built once, not per migration), which finds the transaction through `self`.
 * That metatable is protected (getmetatable answers a string) and its method table is reachable from nowhere else,
 * so one file cannot change the methods the next file's `db` has; a field a file sets on its own `db` stays there.
 */
const dbStates = new WeakMap<object, DbState>();
const statementStates = new WeakMap<object, StatementState>();

const DB_META = 'moonwalk db';
const STATEMENT_META = 'moonwalk statement';

/**
 * Pushes a new `db` object for `tx`. The returned function ends it: a `db` (or a statement it prepared) that code
 * kept and uses after its phase returned is refused with a Lua error, instead of running outside the bookkeeping of
 * the transaction it belonged to.
 */
export function pushDbObject(L: LuaState, tx: Transaction, services: DbServices): () => void {
  const state: DbState = { tx, services, ended: false };
  lua.lua_createtable(L, 0, 0);
  dbStates.set(lua.lua_topointer(L, -1), state);
  pushSharedMetatable(L, DB_META, DB_METHODS);
  lua.lua_setmetatable(L, -2);
  return () => {
    state.ended = true;
  };
}

/** The metatable `name` of this Lua state, made on first use: `__index` is `methods`, the metatable is protected. */
function pushSharedMetatable(L: LuaState, name: string, methods: Record<string, HostFunction>): void {
  if (lauxlib.luaL_newmetatable(L, to_luastring(name, true)) === 0) return;
  pushMethodTable(L, methods);
  lua.lua_setfield(L, -2, to_luastring('__index', true));
  lua.lua_pushstring(L, to_luastring(name, true));
  lua.lua_setfield(L, -2, to_luastring('__metatable', true));
}

/** The `db` that `self` (argument 1) is, or a Lua error that says how to call the method `name`. */
function dbOf(T: LuaState, name: string): DbState {
  checkSelf(T, name);
  const state = dbStates.get(lua.lua_topointer(T, 1));
  if (!state) raiseLuaErrorHere(T, `call db:${name}(...) on the db object the function received`);
  if (state.ended) raiseLuaErrorHere(T, afterEnd(`db:${name}()`));
  return state;
}

function afterEnd(what: string): string {
  return (
    `${what} was called after the function that received this db returned: a db object is valid only while its ` +
    'up, down or after function runs (each of them receives its own)'
  );
}

function fail(db: DbState, T: LuaState, error: unknown): number {
  lua.lua_pushnil(T);
  db.services.pushError(T, error instanceof StatementError ? error : db.tx.fail(undefined, error, () => undefined));
  return 2;
}

function pushRows(T: LuaState, result: QueryResult): number {
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
}

function execResultPusher(db: DbState): (T: LuaState, result: ExecResult) => number {
  return (T, result) => {
    lua.lua_createtable(T, 0, 2);
    db.services.pushKey(T, 'rows_affected');
    lua.lua_pushinteger(T, result.rowsAffected);
    lua.lua_rawset(T, -3);
    if (result.lastInsertId !== null) {
      db.services.pushKey(T, 'last_insert_id');
      pushSqlValue(T, result.lastInsertId);
      lua.lua_rawset(T, -3);
    }
    return 1;
  };
}

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
  db: DbState,
  T: LuaState,
  sql: string | undefined,
  op: () => V | Promise<V>,
  push: (T: LuaState, v: V) => number,
): number {
  const bridge = db.services.bridge;
  const canWait = bridge.canWait(T);
  if (!canWait && asyncDrivers.has(db.tx.driver)) return cannotWait(db, T, sql);
  let value: V | Promise<V>;
  try {
    value = op();
  } catch (error) {
    return fail(db, T, error);
  }
  if (value instanceof Promise) {
    asyncDrivers.add(db.tx.driver);
    if (!canWait) {
      // Only the very first call to a driver gets here: it was sent, so dooming the transaction undoes it.
      value.catch(() => undefined);
      return cannotWait(db, T, sql);
    }
  }
  return bridge.answer(T, value, push, (U, error) => fail(db, U, error));
}

function cannotWait(db: DbState, T: LuaState, sql: string | undefined): never {
  db.tx.fail(sql, new StatementError(CANNOT_WAIT, 'engine', sql), where(T));
  return raiseLuaErrorHere(T, CANNOT_WAIT);
}

/** Reads the parameters, turning a bad one into a failed statement (it dooms the transaction like one). */
function params(db: DbState, T: LuaState, index: number, count: number, sql: string) {
  try {
    return readParams(T, index, count);
  } catch (error) {
    if (!(error instanceof ParameterError)) throw error;
    throw db.tx.fail(sql, new StatementError(error.message, 'parameter', sql), where(T));
  }
}

const DB_METHODS: Record<string, HostFunction> = {
  query: (T) => {
    const db = dbOf(T, 'query');
    const sql = checkSql(T, 'query');
    const bound = bindSql(sql, db.tx.engine, hasParams(T, 3));
    return answer(
      db,
      T,
      sql,
      () => db.tx.query(bound.sql, params(db, T, 3, bound.placeholderCount, sql), where(T)),
      pushRows,
    );
  },
  execute: (T) => {
    const db = dbOf(T, 'execute');
    const sql = checkSql(T, 'execute');
    const bound = bindSql(sql, db.tx.engine, hasParams(T, 3));
    const kept = resultsWanted(T) !== 0;
    return answer(
      db,
      T,
      sql,
      () => db.tx.execute(bound.sql, params(db, T, 3, bound.placeholderCount, sql), where(T), kept),
      kept ? execResultPusher(db) : pushNothing,
    );
  },
  prepare: (T) => {
    const db = dbOf(T, 'prepare');
    const sql = checkSql(T, 'prepare');
    const bound = bindSql(sql, db.tx.engine, true);
    return answer(
      db,
      T,
      sql,
      () => db.tx.prepare(bound.sql, where(T)),
      (U, statement) => {
        pushStatement(U, { db, statement, sql: bound.sql, count: bound.placeholderCount, closed: false });
        return 1;
      },
    );
  },
  db_type: (T) => {
    const db = dbOf(T, 'db_type');
    lua.lua_pushstring(T, to_luastring(db.tx.engine));
    return 1;
  },
  // The name is checked before answer(): a Lua error must not be raised inside its try block.
  savepoint: (T) => {
    const db = dbOf(T, 'savepoint');
    const name = checkName(T, 'savepoint');
    return answer(db, T, undefined, () => db.tx.savepoint(name, where(T)), pushTrue);
  },
  rollback_to: (T) => {
    const db = dbOf(T, 'rollback_to');
    const name = checkName(T, 'rollback_to');
    return answer(db, T, undefined, () => db.tx.rollbackTo(name, where(T)), pushTrue);
  },
  release: (T) => {
    const db = dbOf(T, 'release');
    const name = checkName(T, 'release');
    return answer(db, T, undefined, () => db.tx.release(name, where(T)), pushTrue);
  },
  commit: (T) => ownedByRunner(T, 'commit'),
  rollback: (T) => ownedByRunner(T, 'rollback'),
};

function pushStatement(T: LuaState, state: StatementState): void {
  lua.lua_createtable(T, 0, 0);
  statementStates.set(lua.lua_topointer(T, -1), state);
  pushSharedMetatable(T, STATEMENT_META, STATEMENT_METHODS);
  lua.lua_setmetatable(T, -2);
}

/** The open statement `self` is, or a Lua error. */
function openStatement(U: LuaState, name: string): StatementState {
  const state = statementOf(U, name);
  if (state.closed) raiseLuaErrorHere(U, `stmt:${name}() on a closed statement: prepare it again`);
  return state;
}

function statementOf(U: LuaState, name: string): StatementState {
  checkSelf(U, `stmt:${name}`);
  const state = statementStates.get(lua.lua_topointer(U, 1));
  if (!state) raiseLuaErrorHere(U, `call stmt:${name}(...) on a statement that db:prepare answered`);
  if (state.db.ended) raiseLuaErrorHere(U, afterEnd(`stmt:${name}()`));
  return state;
}

const STATEMENT_METHODS: Record<string, HostFunction> = {
  execute: (U) => {
    const s = openStatement(U, 'execute');
    const kept = resultsWanted(U) !== 0;
    return answer(
      s.db,
      U,
      s.sql,
      () => s.db.tx.executePrepared(s.statement, s.sql, params(s.db, U, 2, s.count, s.sql), where(U), kept),
      kept ? execResultPusher(s.db) : pushNothing,
    );
  },
  query: (U) => {
    const s = openStatement(U, 'query');
    return answer(
      s.db,
      U,
      s.sql,
      () => s.db.tx.queryPrepared(s.statement, s.sql, params(s.db, U, 2, s.count, s.sql), where(U)),
      pushRows,
    );
  },
  close: (U) => {
    const s = statementOf(U, 'close');
    if (s.closed) return pushTrue(U);
    s.closed = true;
    return answer(s.db, U, undefined, () => s.statement.close(), pushTrue);
  },
};

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
