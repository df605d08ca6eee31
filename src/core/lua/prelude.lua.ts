/**
 * Lua code run once per host, with the full standard library in reach, before any migration file. It builds what
 * each file's sandbox is made of and returns the host's private toolbox. Files never see this environment.
 *
 * Kept as a TypeScript string so the core needs no file loading or bundler plugin.
 */
export const PRELUDE = String.raw`
local bridge_resume, _, limit_reached = ...
local G = _G
local real_load, select, type, error, pcall, pairs, ipairs, setmetatable, getmetatable, tostring =
  G.load, G.select, G.type, G.error, G.pcall, G.pairs, G.ipairs, G.setmetatable, G.getmetatable, G.tostring
local table_pack, table_unpack = table.pack, table.unpack

-- Nothing in the shared string library may leak a way out or be changed for the next file.
string.dump = nil
getmetatable("").__metatable = false

local resume, create = bridge_resume, coroutine.create
local coroutine_lib = {
  create = coroutine.create, isyieldable = coroutine.isyieldable, running = coroutine.running,
  status = coroutine.status, yield = coroutine.yield, resume = resume,
  wrap = function(fn)
    local co = create(fn)
    return function(...)
      local results = table_pack(resume(co, ...))
      if results[1] then return table_unpack(results, 2, results.n) end
      error(results[2], 0)
    end
  end,
}

local libraries = {
  string = string, table = table, math = math, utf8 = utf8, coroutine = coroutine_lib,
  os = { time = os.time, date = os.date, clock = os.clock, difftime = os.difftime },
}
local plain = {
  "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget", "rawlen",
  "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "_VERSION",
}
local base = {}
for _, name in ipairs(plain) do base[name] = G[name] end
-- A limit raises its error from inside the instruction hook, where hooks are off; Lua then calls xpcall's message
-- handler still inside the hook, so a handler that loops would never be stopped. Once a limit is reached the
-- handler is skipped and the error goes on unchanged.
local real_xpcall = G.xpcall
base.xpcall = function(fn, handler, ...)
  if type(handler) ~= "function" then
    error("bad argument #2 to 'xpcall' (function expected, got " .. type(handler) .. ")", 2)
  end
  return real_xpcall(fn, function(e)
    if limit_reached() then return e end
    return handler(e)
  end, ...)
end
-- Each file sees the libraries through proxies of its own: reading falls through to the shared table, writing
-- lands in the file's proxy, and the shared tables cannot be reached (the metatables are protected). Cheaper than
-- copying ~100 functions per file; the price is that pairs(string) lists nothing.
local LIBRARY_META = {}
for name, lib in pairs(libraries) do LIBRARY_META[name] = { __index = lib, __metatable = false } end
local ENV_META = { __index = base, __metatable = false }

-- Errors returned by db methods: tostring gives the message, err:kind() a category, and error(err) works.
local Error = {}
Error.__index = { kind = function(self) return self.category end }
Error.__tostring = function(self) return self.message end
Error.__concat = function(a, b)
  return (getmetatable(a) == Error and a.message or a) .. (getmetatable(b) == Error and b.message or b)
end

local ENGINES = { sqlite = true, postgres = true, mysql = true }
local SUGGEST = {
  postgresql = "postgres", pg = "postgres", pgsql = "postgres", psql = "postgres", pglite = "postgres",
  sqlite3 = "sqlite", ["sql.js"] = "sqlite", mariadb = "mysql", maria = "mysql",
}
local PHASES = { up = true, down = true, after = true }

-- The DSL of one file: migration / database / up / down / after exist only while define(fn) runs.
local function make_define(env, holder)
  return function(fn)
    if type(fn) ~= "function" then
      error("require('migration').define expects a function that calls migration(...), got a " .. type(fn), 2)
    end
    if holder.def then error("define is called twice in this file: a file defines exactly one migration", 2) end
    local def = { engines = {}, empty = {} }
    local block -- the database block being defined, if any

    env.migration = function(description, body)
      if def.description then
        error("migration(...) is called twice: a file defines exactly one migration; move the second one to its own file", 2)
      end
      if type(description) ~= "string" then
        error("migration(description, fn): the description must be a string, got a " .. type(description), 2)
      end
      if type(body) ~= "function" then
        error("migration(description, fn): the second argument must be a function, got a " .. type(body), 2)
      end
      def.description = description
      body()
    end

    env.database = function(engine, body)
      if not def.description then error("database(...) must be called inside migration(description, function() ... end)", 2) end
      if block then error("database(...) cannot be nested inside another database(...) block", 2) end
      if type(engine) ~= "string" then error("database(type, fn): the type must be a string such as \"sqlite\", got a " .. type(engine), 2) end
      if not ENGINES[engine] then
        local hint = SUGGEST[engine:lower()] or (ENGINES[engine:lower()] and engine:lower())
        error(("unknown database type %q: use \"sqlite\", \"postgres\" or \"mysql\"%s"):format(engine,
          hint and (" (did you mean \"" .. hint .. "\"?)") or ""), 2)
      end
      if type(body) ~= "function" then error("database(type, fn): the second argument must be a function, got a " .. type(body), 2) end
      if def.engines[engine] or def.empty[engine] then error(("database(%q) is defined twice in this migration"):format(engine), 2) end
      block = { engine = engine }
      local ok, err = pcall(body)
      local finished = block
      block = nil
      if not ok then error(err, 0) end
      if finished.up then
        def.engines[engine] = finished
      elseif finished.down or finished.after then
        error(("database(%q) has no up(function(db) ... end): a block with down or after needs one"):format(engine), 2)
      else
        -- An empty block (the guide's template has one) is a placeholder: the migration is skipped on that engine.
        def.empty[engine] = true
      end
    end

    for phase in pairs(PHASES) do
      env[phase] = function(fn)
        if not block then error(phase .. "(...) must be called inside a database(type, function() ... end) block", 2) end
        if type(fn) ~= "function" then error(phase .. "(fn) expects a function(db), got a " .. type(fn), 2) end
        if block[phase] then error(phase .. "(...) is defined twice in database(\"" .. block.engine .. "\")", 2) end
        block[phase] = fn
      end
    end

    local ok, err = pcall(fn)
    env.migration, env.database, env.up, env.down, env.after = nil, nil, nil, nil, nil
    if not ok then error(err, 0) end
    if not def.description then
      error("the function given to define never calls migration(description, function() ... end)", 2)
    end
    holder.def = def
    -- The definition stays private: handed back, the code could change it (or give it metatables) after the
    -- checks above, and the host reads it outside any budget.
    return nil
  end
end

local sql_module = { NULL = select(2, ...) }

-- A fresh environment for one migration file: its own copies of the libraries, the sandboxed load and require.
local function new_env(print_fn, holder)
  local env = setmetatable({ print = print_fn }, ENV_META)
  for name, meta in pairs(LIBRARY_META) do env[name] = setmetatable({}, meta) end
  env._G = env
  env.load = function(chunk, name, mode, ...)
    local target = env
    if select("#", ...) > 0 then target = ... end
    if mode ~= nil and mode ~= "t" then return nil, "only text chunks can be loaded in a migration" end
    return real_load(chunk, name, "t", target)
  end
  local migration_module = { define = make_define(env, holder) }
  env.require = function(name)
    if name == "migration" then return migration_module end
    if name == "sql" then return sql_module end
    error(("module %q is not available in a migration: only \"migration\" and \"sql\" can be required"):format(tostring(name)), 2)
  end
  return env
end

-- The globals table itself is emptied: the host keeps only what it returns here.
local toolbox = { new_env = new_env, error_meta = Error }
local names = {}
for k in pairs(G) do names[#names + 1] = k end
for _, k in ipairs(names) do G[k] = nil end
return toolbox
`;
