/**
 * The DSL at hand: what docs/dsl.md says about each name a migration uses, shown when the pointer rests on the name
 * in the editor (src/web/dsl-hover.ts) and in the Reference dialog. Keep it in step with docs/dsl.md.
 */

export interface ReferenceEntry {
  /** What is looked up: `db:query`, `up`, … */
  name: string;
  signature: string;
  /** What it answers. */
  returns: string;
  /** One line of Lua. */
  example: string;
  /** One or two sentences more. */
  note?: string;
}

export const REFERENCE: ReferenceEntry[] = [
  {
    name: 'migration',
    signature: 'migration(description, function() … end)',
    returns: 'nothing; exactly one per file, inside require("migration").define(function() … end)',
    example: 'migration("Create users table", function() database("sqlite", function() … end) end)',
    note: 'The file name without .lua is the id; migrations run in id order, compared byte by byte.',
  },
  {
    name: 'database',
    signature: 'database(engine, function() … end)',
    returns: 'nothing; engine is "sqlite", "postgres" or "mysql"',
    example: 'database("postgres", function() up(function(db) … end) end)',
    note: 'A migration with no block (or an empty one) for the engine in use is skipped: reported, not recorded, still pending.',
  },
  {
    name: 'up',
    signature: 'up(function(db) … end)',
    returns: 'required. The function fails the migration with error(…) or a non-nil second return value',
    example:
      'up(function(db) local _, err = db:execute("CREATE TABLE t (id INTEGER PRIMARY KEY)") if err then error(err) end end)',
    note: 'A run: begin; up(db); insert the ledger row; after(db); commit. Any failure rolls all of it back.',
  },
  {
    name: 'down',
    signature: 'down(function(db) … end)',
    returns: 'optional: without it the migration cannot be reverted',
    example: 'down(function(db) return db:execute("DROP TABLE IF EXISTS t") end)',
    note: 'begin; down(db); delete the ledger row; commit. Write it so that it undoes up exactly: Verify checks that.',
  },
  {
    name: 'after',
    signature: 'after(function(db) … end)',
    returns: 'optional: runs after up and the ledger row, in the same transaction',
    example:
      'after(function(db) local rows, err = db:query("SELECT count(*) AS n FROM t") if err then error(err) end end)',
  },
  {
    name: 'options',
    signature: 'options{ transaction = false, lock_timeout = "5s", statement_timeout = "1min" }',
    returns: 'nothing; at most once per database block, every key optional',
    example: 'options{ transaction = false } -- for CREATE INDEX CONCURRENTLY',
    note: 'transaction = false: each statement commits on its own and a failure is reported as partially applied. The timeouts are PostgreSQL only (SET LOCAL).',
  },
  {
    name: 'db:query',
    signature: 'db:query(sql, params?)',
    returns: 'an array of rows, each a table keyed by column name (NULL is nil) — or nil, err',
    example: 'local rows, err = db:query("SELECT id, name FROM users WHERE age > ?", { 30 })',
  },
  {
    name: 'db:execute',
    signature: 'db:execute(sql, params?)',
    returns:
      '{ rows_affected = n, last_insert_id = n } — or nil, err (PostgreSQL has no last_insert_id: use INSERT … RETURNING with db:query)',
    example: 'local result, err = db:execute("INSERT INTO users (name) VALUES (?)", { "Ada" })',
  },
  {
    name: 'db:prepare',
    signature: 'db:prepare(sql)',
    returns: 'a statement with :execute(params), :query(params) and :close() — or nil, err',
    example: 'local stmt, err = db:prepare("INSERT INTO roles (name) VALUES (?)") stmt:execute({ "admin" })',
  },
  {
    name: 'stmt:execute',
    signature: 'stmt:execute(params) / stmt:query(params) / stmt:close()',
    returns: 'like db:execute / db:query with the prepared SQL — or nil, err',
    example: 'for _, name in ipairs(names) do local _, err = stmt:execute({ name }) if err then error(err) end end',
  },
  {
    name: 'db:savepoint',
    signature: 'db:savepoint(name) / db:rollback_to(name) / db:release(name)',
    returns: 'true — or nil, err',
    example: 'db:savepoint("opt") local _, err = db:execute(sql) if err then db:rollback_to("opt") end',
    note: 'A failed statement dooms the transaction until the code rolls back to a savepoint taken before it.',
  },
  {
    name: 'db:db_type',
    signature: 'db:db_type()',
    returns: '"sqlite", "postgres" or "mysql"',
    example: 'local id = db:db_type() == "postgres" and "SERIAL" or "INTEGER"',
  },
];

const BY_NAME = new Map(REFERENCE.map((e) => [e.name, e]));

const ALIASES: Record<string, string> = {
  'db:rollback_to': 'db:savepoint',
  'db:release': 'db:savepoint',
  'stmt:query': 'stmt:execute',
  'stmt:close': 'stmt:execute',
};

export function referenceFor(name: string): ReferenceEntry | undefined {
  return BY_NAME.get(ALIASES[name] ?? name);
}

const DSL_FUNCTIONS = new Set(['migration', 'database', 'up', 'down', 'after', 'options']);
const DB_METHODS = new Set(['query', 'execute', 'prepare', 'savepoint', 'rollback_to', 'release', 'db_type']);
const STATEMENT_METHODS = new Set(['execute', 'query', 'close']);

/**
 * The entry for the word at `offset` in `line` (a line of Lua): a DSL function called there (`up(`), or a method of
 * `db` or of a prepared statement (`db:query`, `stmt:execute`). Null when the word is none of those.
 * Answers the word's range in the line too.
 */
export function lookupAt(line: string, offset: number): { entry: ReferenceEntry; from: number; to: number } | null {
  const word = /[A-Za-z_][A-Za-z0-9_]*/g;
  let match: RegExpExecArray | null;
  while ((match = word.exec(line)) !== null) {
    const from = match.index;
    const to = from + match[0].length;
    if (offset < from || offset > to) continue;
    const name = match[0];
    const before = line.slice(0, from);
    const after = line.slice(to);
    const receiver = /([A-Za-z_][A-Za-z0-9_]*)\s*:\s*$/.exec(before);
    if (receiver) {
      // A method: db's own, or a prepared statement's (a receiver named like one, or a method only statements have).
      const statement =
        /st(ate)?me?n?t|prepared|insert|update|delete|select/i.test(receiver[1]) && receiver[1] !== 'db';
      if (STATEMENT_METHODS.has(name) && (statement || name === 'close')) {
        const entry = referenceFor(`stmt:${name}`);
        return entry ? { entry, from: from - receiver[0].length, to } : null;
      }
      if (DB_METHODS.has(name)) {
        const entry = referenceFor(`db:${name}`);
        return entry ? { entry, from: from - receiver[0].length, to } : null;
      }
      return null;
    }
    // The receiver itself (`db` in `db:query`): look up the method it calls.
    const method = /^\s*:\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(after);
    if (method && name === 'db' && DB_METHODS.has(method[1])) {
      const entry = referenceFor(`db:${method[1]}`);
      return entry ? { entry, from, to: to + method[0].length } : null;
    }
    if (
      DSL_FUNCTIONS.has(name) &&
      /^\s*[({]/.test(after) &&
      !/[.:]\s*$/.test(before) &&
      !/\bfunction\s+$/.test(before)
    ) {
      return { entry: referenceFor(name)!, from, to };
    }
    return null;
  }
  return null;
}
