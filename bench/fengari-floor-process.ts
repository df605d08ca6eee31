/**
 * The floor under any runner of Lua migrations built on fengari, as a whole process: what the process-start suite's
 * apply targets ask of Moonwalk, minus everything Moonwalk adds on top of fengari and better-sqlite3. It reads the
 * folder, loads every file into ONE unsandboxed fengari state (no worker, no memory cap, no per-file environment, no
 * instruction limit) with a six-line stand-in for the DSL, then applies them exactly as the raw peer does
 * (bench/raw-sqlite.ts: same ledger, same transactions and fsyncs), each `up` calling better-sqlite3 directly.
 *
 *   node dist/bench/fengari-floor-process.js single|each FILE FOLDER   → prints how many it applied
 *
 * If this process is already slower than a target's peer, no fengari-based runner can meet that target.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fengari from 'fengari';
import type Database from 'better-sqlite3';
import { rawUp } from './raw-sqlite.ts';
import type { TableMigration } from './util.ts';

const { lua, lauxlib, lualib, to_luastring } = fengari;

/** The DSL's shape with none of its checks: `define` runs the body, `up` keeps its function for `__up(i)`. */
const STAND_IN_DSL = `
local ups, current = {}, nil
function migration(description, body) current = #ups + 1 body() end
function database(engine, body) body() end
function up(f) ups[current] = f end
function down(f) end
local db = { execute = __execute }
function __up(i) ups[i](db) end
package.loaded.migration = { define = function(body) body() return true end }
`;

function floorUp(file: string, folder: string, singleTransaction: boolean): number {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  let target: Database.Database | null = null;
  lua.lua_pushcfunction(L, (state: unknown) => {
    target!.prepare(lua.lua_tojsstring(state, 2)).run();
    lua.lua_newtable(state);
    return 1;
  });
  lua.lua_setglobal(L, to_luastring('__execute'));
  if (lauxlib.luaL_dostring(L, to_luastring(STAND_IN_DSL)) !== 0) throw new Error(lua.lua_tojsstring(L, -1));

  // Every file loaded before anything is applied, as a runner that refuses a broken folder up front must.
  const migrations: TableMigration[] = [];
  for (const name of readdirSync(folder)
    .filter((n) => n.endsWith('.lua'))
    .sort()) {
    const text = readFileSync(join(folder, name), 'utf8');
    if (
      lauxlib.luaL_loadbuffer(L, to_luastring(text), null, to_luastring(name)) !== 0 ||
      lua.lua_pcall(L, 0, 0, 0) !== 0
    )
      throw new Error(`${name}: ${lua.lua_tojsstring(L, -1)}`);
    migrations.push({ id: name.slice(0, -'.lua'.length), description: name, up: '', down: '', lua: text });
  }
  const ran = rawUp(file, migrations, {
    singleTransaction,
    apply: (db, _m, index) => {
      target = db;
      lua.lua_getglobal(L, to_luastring('__up'));
      lua.lua_pushinteger(L, index + 1);
      if (lua.lua_pcall(L, 1, 0, 0) !== 0) throw new Error(lua.lua_tojsstring(L, -1));
    },
  });
  void ran.cleanup();
  return ran.count;
}

const [mode, file, folder] = process.argv.slice(2);
if ((mode === 'single' || mode === 'each') && file && folder) {
  console.log(floorUp(file, folder, mode === 'single'));
} else {
  throw new Error('usage: fengari-floor-process single|each FILE FOLDER');
}
