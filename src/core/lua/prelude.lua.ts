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
-- DESIGN §3 promises the base library: collectgarbage is there, but memory belongs to JavaScript's collector, so
-- every option is accepted and does nothing ("count" answers 0).
local GC_OPTIONS = {
  collect = 0, stop = 0, restart = 0, step = true, setpause = 0, setstepmul = 0, isrunning = true,
  incremental = "incremental", generational = "incremental",
}
base.collectgarbage = function(option)
  if option == nil then return 0 end
  if option == "count" then return 0, 0 end
  local answer = GC_OPTIONS[option]
  if answer == nil then
    error("bad argument #1 to 'collectgarbage' (invalid option '" .. tostring(option) .. "')", 2)
  end
  return answer
end
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
-- Spelled out (not a loop over LIBRARY_META) in new_env: it runs once per file.
local STRING_META, TABLE_META, MATH_META = LIBRARY_META.string, LIBRARY_META.table, LIBRARY_META.math
local UTF8_META, COROUTINE_META, OS_META = LIBRARY_META.utf8, LIBRARY_META.coroutine, LIBRARY_META.os

-- Errors returned by db methods: tostring gives the message, err:kind() a category, and error(err) works.
-- Its metatable is protected (getmetatable answers a string): a file that changed __tostring or kind would
-- change every later file's errors.
local ERROR_MARK = "moonwalk error"
local Error = { __metatable = ERROR_MARK }
Error.__index = { kind = function(self) return self.category end }
Error.__tostring = function(self) return self.message end
Error.__concat = function(a, b)
  return (getmetatable(a) == ERROR_MARK and a.message or a) .. (getmetatable(b) == ERROR_MARK and b.message or b)
end

-- The engines and phases, numbered as the host reads a definition (see new_definition below): keep in step with host.ts.
local ENGINES = { sqlite = 0, postgres = 1, mysql = 2 }
local PHASES = { up = 1, down = 2, after = 3 }
local SUGGEST = {
  postgresql = "postgres", pg = "postgres", pgsql = "postgres", psql = "postgres", pglite = "postgres",
  sqlite3 = "sqlite", ["sql.js"] = "sqlite", mariadb = "mysql", maria = "mysql",
}

-- The DSL: migration / database / up / down / after exist only while define(fn) runs. One set of functions serves
-- every file (a set of closures per file cost more than the file's own code); they fill in the definition of the
-- file whose define is running, and refuse to run outside it.
local current, block -- the definition being built, and its database block being defined; nil outside define

-- What the host reads of a definition, built as the DSL runs so that the host reads it without string keys: the
-- description; one integer of flags, four bits per engine (at 4 * its number: 1 a block with up, 2 its down, 4 its
-- after, 8 an empty block); and the phase functions at 3 * engine number + phase number.
local function new_definition()
  return { description = nil, flags = 0, fns = {}, options = nil }
end

local function dsl_migration(description, body)
  local def = current
  if not def then error("migration(...) must be called inside require('migration').define(function() ... end)", 2) end
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

local function dsl_database(engine, body)
  local def = current
  if not (def and def.description) then error("database(...) must be called inside migration(description, function() ... end)", 2) end
  if block then error("database(...) cannot be nested inside another database(...) block", 2) end
  if type(engine) ~= "string" then error("database(type, fn): the type must be a string such as \"sqlite\", got a " .. type(engine), 2) end
  local number = ENGINES[engine]
  if not number then
    local hint = SUGGEST[engine:lower()] or (ENGINES[engine:lower()] and engine:lower())
    error(("unknown database type %q: use \"sqlite\", \"postgres\" or \"mysql\"%s"):format(engine,
      hint and (" (did you mean \"" .. hint .. "\"?)") or ""), 2)
  end
  if type(body) ~= "function" then error("database(type, fn): the second argument must be a function, got a " .. type(body), 2) end
  local shift = 4 * number
  if def.flags & (15 << shift) ~= 0 then error(("database(%q) is defined twice in this migration"):format(engine), 2) end
  block = { engine = engine, number = number, bits = 0 }
  local ok, err = pcall(body)
  local bits, options = block.bits, block.options
  block = nil
  if not ok then error(err, 0) end
  if options and bits & 1 == 0 then
    error(("database(%q) calls options{...} but has no up(function(db) ... end)"):format(engine), 2)
  end
  if options then
    def.options = def.options or {}
    def.options[number + 1] = options
  end
  if bits & 1 ~= 0 then
    def.flags = def.flags | (bits << shift)
  elseif bits ~= 0 then
    error(("database(%q) has no up(function(db) ... end): a block with down or after needs one"):format(engine), 2)
  else
    -- An empty block (the guide's template has one) is a placeholder: the migration is skipped on that engine.
    def.flags = def.flags | (8 << shift)
  end
end

local dsl_phase = {}
for phase, number in pairs(PHASES) do
  local bit = 1 << (number - 1)
  dsl_phase[phase] = function(fn)
    if not (current and block) then error(phase .. "(...) must be called inside a database(type, function() ... end) block", 2) end
    if type(fn) ~= "function" then error(phase .. "(fn) expects a function(db), got a " .. type(fn), 2) end
    if block.bits & bit ~= 0 then error(phase .. "(...) is defined twice in database(\"" .. block.engine .. "\")", 2) end
    block.bits = block.bits | bit
    current.fns[3 * block.number + number] = fn
  end
end

-- options{ transaction = false, lock_timeout = "5s", statement_timeout = "1min" } (DESIGN §1), once per block. Kept
-- under integer keys for the host: 1 false when the migration runs outside a transaction, 2 and 3 the timeouts.
local OPTION_KEYS = { transaction = true, lock_timeout = true, statement_timeout = true }
local TIMEOUT_UNITS = { us = true, ms = true, s = true, min = true, h = true, d = true }
local function timeout_value(name, value, engine)
  if engine ~= "postgres" then
    error(("options{ %s = ... } is not supported on %s: only PostgreSQL has %s; remove it from database(%q)"):format(
      name, engine, name, engine), 3)
  end
  local text = type(value) == "string" and value or nil
  local number, unit = (text or ""):match("^%s*(%d+%.?%d*)%s*(%a*)%s*$")
  if not number or (unit ~= "" and not TIMEOUT_UNITS[unit]) then
    error(("options{ %s = ... } must be a duration string such as \"5s\", \"500ms\" or \"1min\" (units us, ms, s, min, h, d), got %s"):format(
      name, text and ("%q"):format(text) or ("a " .. type(value))), 3)
  end
  return number .. unit
end
local function dsl_options(options)
  if not (current and block) then error("options{...} must be called inside a database(type, function() ... end) block", 2) end
  if type(options) ~= "table" then error("options{...} expects a table such as options{ transaction = false }, got a " .. type(options), 2) end
  if block.options then error("options{...} is called twice in database(\"" .. block.engine .. "\"): put every option in one call", 2) end
  local keys = {}
  for key in pairs(options) do
    if not OPTION_KEYS[key] then
      error(("unknown option %s in options{...}: use transaction, lock_timeout or statement_timeout"):format(
        type(key) == "string" and key or ("[" .. tostring(key) .. "]")), 2)
    end
    keys[#keys + 1] = key
  end
  local result = { true }
  local transaction = options.transaction
  if transaction ~= nil and type(transaction) ~= "boolean" then
    error("options{ transaction = ... } must be true or false, got a " .. type(transaction), 2)
  end
  if transaction == false then result[1] = false end
  if options.lock_timeout ~= nil then result[2] = timeout_value("lock_timeout", options.lock_timeout, block.engine) end
  if options.statement_timeout ~= nil then
    result[3] = timeout_value("statement_timeout", options.statement_timeout, block.engine)
  end
  block.options = result
end

-- define for one file: it puts the DSL in the file's environment while fn runs, and takes it out again.
local function make_define(env, holder)
  return function(fn)
    if type(fn) ~= "function" then
      error("require('migration').define expects a function that calls migration(...), got a " .. type(fn), 2)
    end
    if holder[1] or current then error("define is called twice in this file: a file defines exactly one migration", 2) end
    local def = new_definition()
    current, block = def, nil
    env.migration, env.database, env.up, env.down, env.after, env.options =
      dsl_migration, dsl_database, dsl_phase.up, dsl_phase.down, dsl_phase.after, dsl_options
    local ok, err = pcall(fn)
    current, block = nil, nil
    env.migration, env.database, env.up, env.down, env.after, env.options = nil, nil, nil, nil, nil, nil
    if not ok then error(err, 0) end
    if not def.description then
      error("the function given to define never calls migration(description, function() ... end)", 2)
    end
    holder[1], holder[2], holder[3], holder[4] = def.description, def.flags, def.fns, def.options
    -- The definition stays private: handed back, the code could change it (or give it metatables) after the
    -- checks above, and the host reads it outside any budget.
    return nil
  end
end

local SQL_NULL = select(2, ...)

-- A fresh environment for one migration file: its own copies of the libraries, the sandboxed load and require.
local function new_env(print_fn, holder)
  -- A limit raised inside define can stop it before it clears these: no file starts with another's leftovers.
  current, block = nil, nil
  local env = setmetatable({ print = print_fn }, ENV_META)
  env.string, env.table, env.math = setmetatable({}, STRING_META), setmetatable({}, TABLE_META), setmetatable({}, MATH_META)
  env.utf8, env.coroutine, env.os = setmetatable({}, UTF8_META), setmetatable({}, COROUTINE_META), setmetatable({}, OS_META)
  env._G = env
  env.load = function(chunk, name, mode, ...)
    local target = env
    if select("#", ...) > 0 then target = ... end
    if mode ~= nil and mode ~= "t" then return nil, "only text chunks can be loaded in a migration" end
    return real_load(chunk, name, "t", target)
  end
  -- Modules are tables of the file's own: what one file writes into require("sql") the next never sees.
  local migration_module = { define = make_define(env, holder) }
  local sql_module = { NULL = SQL_NULL }
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
