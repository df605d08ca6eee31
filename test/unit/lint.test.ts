import { describe, expect, it } from 'vitest';
import { lintMigrations, type LintFinding } from '../../src/core/lint/index.ts';
import { readFileSync } from 'node:fs';
import { LINT_CODES, LOCK_SAFETY_CODES } from '../../src/core/lint/types.ts';

/** Lints one file, without the PostgreSQL lock-safety pack (lint-lock-safety.test.ts tests that). */
function lint(source: string, file = '0001_test.lua'): LintFinding[] {
  return lintMigrations([{ file, source }], { disabled: LOCK_SAFETY_CODES });
}

/** The 1-based line of the first line containing `marker` (asserting it exists). */
function lineOf(source: string, marker: string, nth = 1): number {
  const lines = source.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].includes(marker) && ++seen === nth) return i + 1;
  }
  throw new Error(`marker not found: ${marker}`);
}

/** code, severity, line of each finding (optionally only those with `code`). */
function summary(findings: LintFinding[], code?: string): Array<[string, string, number]> {
  return findings.filter((f) => code === undefined || f.code === code).map((f) => [f.code, f.severity, f.line]);
}

/** A complete migration: one database block whose up and down contain the given Lua. */
function migration(up: string, down = 'db:execute("SELECT 1")', engine = 'sqlite'): string {
  return `local function define_migration()
    migration("Test migration", function()
        database("${engine}", function()
            up(function(db)
${up}
            end)
            down(function(db)
${down}
            end)
        end)
    end)
end

return require("migration").define(define_migration)
`;
}

function expectNoErrors(findings: LintFinding[]): void {
  expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
}

describe('the codes', () => {
  it('each has its section in docs/lint.md, and no section names a code that does not exist', () => {
    const docs = readFileSync(new URL('../../docs/lint.md', import.meta.url), 'utf8');
    const sections = [...docs.matchAll(/^### `([a-z0-9-]+)`$/gm)].map((m) => m[1]);
    expect([...sections].sort()).toEqual([...LINT_CODES].sort());
  });
});

describe('lintMigrations: general', () => {
  it('every message ends with a one-line fix', () => {
    const findings = lint(
      migration(
        `db:execute("DROP TABLE users")
db:execute("INSERT INTO t VALUES ('" .. x .. "')")
db:commit()`,
        'db:execute("CREATE TABLE users (id INTEGER)")',
      ),
    );
    expect(findings.length).toBeGreaterThan(2);
    for (const f of findings) {
      expect(f.message).toMatch(/ Fix: [^\n]+$/);
      expect(f.message).not.toContain('\n');
    }
  });

  it('sorts by file, line and code', () => {
    const a = migration(`db:execute("CREATE TABLE b (id INTEGER)")
db:execute("CREATE TABLE c (id INTEGER)")`);
    const findings = lintMigrations([
      { file: '0002_b.lua', source: a },
      { file: '0001_a.lua', source: a },
    ]);
    const keys = findings.map((f) => [f.file, f.line, f.code]);
    const sorted = [...keys].sort(
      (x, y) =>
        String(x[0]).localeCompare(String(y[0])) ||
        Number(x[1]) - Number(y[1]) ||
        String(x[2]).localeCompare(String(y[2])),
    );
    expect(keys).toEqual(sorted);
    expect(findings[0].file).toBe('0001_a.lua');
  });

  it('a clean migration has no findings', () => {
    expect(
      lint(
        migration(
          'db:execute("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT)")',
          'db:execute("DROP TABLE IF EXISTS users")',
        ),
      ),
    ).toEqual([]);
  });
});

describe('syntax-error', () => {
  it("reports luaparse's line", () => {
    const src = 'return require("migration").define(function()\n  local x = = 1\nend)\n';
    const findings = lint(src);
    expect(summary(findings)).toEqual([['syntax-error', 'error', 2]]);
    expect(findings[0].message).toContain('Lua syntax error');
  });

  it('reports an unclosed block at the end of the file', () => {
    const src = `return require("migration").define(function()
    migration("x", function()
        database("sqlite", function()
            up(function(db)
                db:execute("SELECT 1")
        end)
    end)
end)
`;
    const findings = lint(src);
    expect(summary(findings)).toEqual([['syntax-error', 'error', 9]]);
    expect(findings[0].message).toContain("'end' expected");
  });

  it('accepts Lua 5.3 syntax and non-ASCII text', () => {
    expect(summary(lint(migration('local n = 7 // 2 -- café →\ndb:execute("SELECT ?", {n & 1})')))).toEqual([]);
  });
});

describe('DSL structure', () => {
  it('missing-define when the file does not return define(fn)', () => {
    expect(summary(lint('migration("x", function() end)\n'))).toEqual([
      ['misplaced-call', 'error', 1],
      ['missing-define', 'error', 1],
    ]);
  });

  it("missing-migration when define's function declares none", () => {
    const src = 'local function f()\nend\n\nreturn require("migration").define(f)\n';
    expect(summary(lint(src))).toEqual([['missing-migration', 'error', 4]]);
  });

  it('multiple-migrations for each extra migration() call', () => {
    const src = `return require("migration").define(function()
    migration("one", function() end)
    migration("two", function() end)
end)
`;
    const findings = lint(src);
    expect(summary(findings)).toEqual([['multiple-migrations', 'error', 3]]);
    expect(findings[0].message).toContain('line 2');
  });

  it.each([
    ['postgresql', 'postgres'],
    ['pg', 'postgres'],
    ['sqlite3', 'sqlite'],
    ['mariadb', 'mysql'],
    ['SQLite', 'sqlite'],
  ])('unknown-database "%s" suggests "%s"', (given, suggestion) => {
    const src = migration('db:execute("SELECT 1")', undefined, given);
    const findings = lint(src);
    expect(summary(findings)).toEqual([['unknown-database', 'error', lineOf(src, 'database(')]]);
    expect(findings[0].message).toMatch(new RegExp(`Fix: write database\\("${suggestion}", …\\)\\.$`));
  });

  it('unknown-database with no close match lists the three engines', () => {
    const findings = lint(migration('db:execute("SELECT 1")', undefined, 'oracle'));
    expect(summary(findings)).toEqual([['unknown-database', 'error', 3]]);
    expect(findings[0].message).toContain('"sqlite", "postgres" and "mysql"');
  });

  it('missing-down: a database block with up but no down', () => {
    const src = `return require("migration").define(function()
    migration("Add email", function()
        database("sqlite", function()
            up(function(db)
                db:execute("ALTER TABLE users ADD COLUMN email TEXT")
            end)
        end)
    end)
end)
`;
    const findings = lint(src);
    expect(summary(findings)).toEqual([['missing-down', 'warning', 3]]);
    expect(findings[0].message).toContain('cannot be reverted');
  });

  it('missing-up: a database block without up', () => {
    const src = `return require("migration").define(function()
    migration("x", function()
        database("postgres", function()
            down(function(db) db:execute("SELECT 1") end)
        end)
    end)
end)
`;
    expect(summary(lint(src))).toEqual([['missing-up', 'warning', 3]]);
  });

  it('misplaced-call: up outside database, database outside migration', () => {
    const src = `return require("migration").define(function()
    migration("x", function()
        up(function(db) end)
    end)
    database("sqlite", function() end)
end)
`;
    expect(summary(lint(src))).toEqual([
      ['misplaced-call', 'error', 3],
      ['misplaced-call', 'error', 5],
    ]);
  });

  it('invalid-argument: a non-function where a function is needed, a missing description', () => {
    const src = `return require("migration").define(function()
    migration(42, function()
        database("sqlite", function()
            up("CREATE TABLE t (id INTEGER)")
            down(undefined_function)
        end)
    end)
end)
`;
    expect(summary(lint(src))).toEqual([
      ['invalid-argument', 'error', 2],
      ['invalid-argument', 'error', 4],
      ['invalid-argument', 'error', 5],
    ]);
  });

  it('duplicate-database and duplicate-phase', () => {
    const src = `return require("migration").define(function()
    migration("x", function()
        database("sqlite", function()
            up(function(db) db:execute("SELECT 1") end)
            up(function(db) db:execute("SELECT 2") end)
            down(function(db) db:execute("SELECT 3") end)
        end)
        database("sqlite", function()
            up(function(db) db:execute("SELECT 1") end)
            down(function(db) db:execute("SELECT 3") end)
        end)
    end)
end)
`;
    expect(summary(lint(src))).toEqual([
      ['duplicate-phase', 'error', 5],
      ['duplicate-database', 'error', 8],
    ]);
  });

  it('resolves local functions passed to define, migration, database, up and down', () => {
    const src = `local function apply_up(tx)
    tx:execute("ALTER TABLE users DROP COLUMN legacy")
end

local revert = function(tx)
    tx:execute("ALTER TABLE users ADD COLUMN legacy TEXT")
end

local function sqlite_block()
    up(apply_up)
    down(revert)
end

local function body()
    database("sqlite", sqlite_block)
end

local function define_migration()
    migration("Drop legacy column", body)
end

return require("migration").define(define_migration)
`;
    expect(summary(lint(src))).toEqual([['destructive-change', 'warning', 2]]);
  });

  it('follows helper functions called from up, whatever the receiver is called', () => {
    const src = migration('create(db, "users")', 'db:execute("DROP TABLE IF EXISTS users")').replace(
      'local function define_migration()',
      'local function create(conn, name)\n    conn:execute("CREATE TABLE IF NOT EXISTS " .. name .. " (id INTEGER)")\nend\n\nlocal function define_migration()',
    );
    expect(summary(lint(src))).toEqual([['sql-concatenation', 'error', 2]]);
  });
});

describe('sql-concatenation', () => {
  it("flags the guide's INCORRECT example", () => {
    const src = migration(`local name = "John"
db:execute("INSERT INTO users (name) VALUES ('" .. name .. "')")`);
    const findings = lint(src);
    expect(summary(findings)).toEqual([['sql-concatenation', 'error', lineOf(src, 'VALUES (\'" ..')]]);
    expect(findings[0].message).toContain('name');
  });

  it('flags concatenated calls, in query and prepare too, and SQL held in a variable', () => {
    const src = migration(`db:query("SELECT * FROM users WHERE id = " .. tostring(id))
local stmt = db:prepare([[INSERT INTO ]] .. tbl .. [[ VALUES (?)]])
local sql = "DELETE FROM users WHERE name = '" .. name .. "'"
db:execute(sql)
db:execute(string.format("DELETE FROM users WHERE id = %d", id))`);
    expect(summary(lint(src))).toEqual([
      ['sql-concatenation', 'error', lineOf(src, 'db:query')],
      ['sql-concatenation', 'error', lineOf(src, 'db:prepare')],
      ['sql-concatenation', 'error', lineOf(src, 'local sql')],
      ['sql-concatenation', 'error', lineOf(src, 'string.format')],
    ]);
  });

  it('accepts concatenations of literals only, and parameters', () => {
    const src = migration(`db:execute("INSERT INTO users (name) " ..
    "VALUES (?)", {name})
db:execute([[INSERT INTO t (n) ]] .. "VALUES (" .. 42 .. ")")`);
    expect(summary(lint(src))).toEqual([]);
  });
});

describe('multiple-changes', () => {
  it("flags DDL on two unrelated tables, at the second table's statement", () => {
    const src = migration(`db:execute("CREATE TABLE IF NOT EXISTS users (id INTEGER)")
db:execute("ALTER TABLE orders ADD COLUMN note TEXT")`);
    const findings = lint(src);
    expect(summary(findings)).toEqual([['multiple-changes', 'warning', lineOf(src, 'ALTER TABLE orders')]]);
    expect(findings[0].message).toContain('users, orders');
  });

  it('also within one SQL string', () => {
    const src = migration(`db:execute([[
    CREATE TABLE IF NOT EXISTS a (id INTEGER);
    CREATE TABLE IF NOT EXISTS b (id INTEGER);
]])`);
    expect(summary(lint(src))).toEqual([['multiple-changes', 'warning', lineOf(src, 'EXISTS b')]]);
  });

  it('accepts an index on the table just created, data changes and the table rebuild pattern', () => {
    const src = migration(`db:execute("CREATE TABLE IF NOT EXISTS users (id INTEGER, email TEXT)")
db:execute("CREATE INDEX IF NOT EXISTS idx_users_email ON users(email)")
db:execute("INSERT INTO audit (what) VALUES (?)", {"users"})
db:execute("CREATE TABLE IF NOT EXISTS accounts_new (id INTEGER)")`);
    expect(summary(lint(src), 'multiple-changes')).toEqual([
      ['multiple-changes', 'warning', lineOf(src, 'accounts_new')],
    ]);

    const rebuild = migration(`db:execute("CREATE TABLE IF NOT EXISTS users_new (id INTEGER PRIMARY KEY, name TEXT)")
db:execute("INSERT INTO users_new (id, name) SELECT id, name FROM users")
db:execute("DROP TABLE users")
db:execute("ALTER TABLE users_new RENAME TO users")
db:execute("CREATE INDEX IF NOT EXISTS idx_users_name ON users(name)")`);
    expect(summary(lint(rebuild))).toEqual([]);
  });

  it('is only checked in up', () => {
    const src = migration(
      'db:execute("DROP TABLE IF EXISTS a")',
      'db:execute("CREATE TABLE IF NOT EXISTS a (id INTEGER)")\ndb:execute("CREATE TABLE IF NOT EXISTS b (id INTEGER)")',
    );
    expect(summary(lint(src), 'multiple-changes')).toEqual([]);
  });
});

describe('create-without-if-not-exists', () => {
  it('flags CREATE TABLE and CREATE INDEX, case-insensitively', () => {
    const src = migration(`db:execute([[
    create table users (
        id INTEGER PRIMARY KEY
    )
]])
db:execute("Create Unique Index idx_users_id ON users(id)")`);
    expect(summary(lint(src))).toEqual([
      ['create-without-if-not-exists', 'info', lineOf(src, 'create table')],
      ['create-without-if-not-exists', 'info', lineOf(src, 'Create Unique')],
    ]);
  });

  it("leaves out the new table of the guide's SQLite table rebuild (IF NOT EXISTS would be wrong there)", () => {
    const src = migration(`db:execute("CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL)")
db:execute("INSERT INTO users_new (id, email) SELECT id, email FROM users")
db:execute("DROP TABLE users")
db:execute("ALTER TABLE users_new RENAME TO users")
db:execute("CREATE TABLE audit (id INTEGER PRIMARY KEY)")`);
    expect(summary(lint(src), 'create-without-if-not-exists')).toEqual([
      ['create-without-if-not-exists', 'info', lineOf(src, 'CREATE TABLE audit')],
    ]);
  });

  it('accepts IF NOT EXISTS, and does not ask for it on MySQL indexes (MySQL has no such syntax)', () => {
    const src = migration(
      `db:execute("CREATE TABLE IF NOT EXISTS users (id INT PRIMARY KEY)")
db:execute("CREATE INDEX idx_users_id ON users(id)")`,
      'db:execute("DROP TABLE users")',
      'mysql',
    );
    expect(summary(lint(src))).toEqual([]);
  });

  it('ignores keywords in SQL comments and string literals', () => {
    const src = migration(`db:execute([[
    -- CREATE TABLE old (id INTEGER)
    /* COMMIT; DROP TABLE users; */
    INSERT INTO notes (body) VALUES ('CREATE TABLE x; COMMIT; BEGIN; DROP TABLE users')
]])`);
    expect(summary(lint(src))).toEqual([]);
  });
});

describe('destructive-change', () => {
  it('DROP TABLE and DROP COLUMN in up are warnings', () => {
    const dropTable = migration('db:execute("DROP TABLE IF EXISTS sessions")');
    expect(summary(lint(dropTable))).toEqual([['destructive-change', 'warning', 5]]);
    const dropColumns = migration(
      'db:execute("ALTER TABLE users DROP COLUMN legacy, DROP CONSTRAINT c, DROP old")',
      undefined,
      'postgres',
    );
    const findings = lint(dropColumns);
    expect(summary(findings)).toEqual([
      ['destructive-change', 'warning', 5],
      ['destructive-change', 'warning', 5],
    ]);
    expect(findings.map((f) => f.message.split(' with ')[0])).toEqual([
      'up drops column legacy of users',
      'up drops column old of users',
    ]);
  });

  it('drops in down are not reported', () => {
    const src = migration(
      'db:execute("ALTER TABLE users ADD COLUMN email TEXT")',
      'db:execute("ALTER TABLE users DROP COLUMN email")\ndb:execute("DROP TABLE IF EXISTS x")',
    );
    expect(summary(lint(src))).toEqual([]);
  });

  it('ADD COLUMN … NOT NULL without DEFAULT is an error, in any phase', () => {
    const src = migration(
      'db:execute("ALTER TABLE users ADD COLUMN status TEXT NOT NULL")',
      'db:execute("alter table users add legacy int not null")',
      'postgres',
    );
    const findings = lint(src);
    expect(summary(findings)).toEqual([
      ['destructive-change', 'error', lineOf(src, 'ADD COLUMN status')],
      ['destructive-change', 'error', lineOf(src, 'add legacy')],
    ]);
    expect(findings[0].message).toContain('fails as soon as the table has rows');
  });

  it('accepts NOT NULL with a DEFAULT, and NOT NULL on a table created in the same up', () => {
    const src = migration(
      `db:execute("ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'")
db:execute("CREATE TABLE IF NOT EXISTS users_x (id INTEGER)")
db:execute("ALTER TABLE users_x ADD COLUMN name TEXT NOT NULL")`,
      undefined,
      'postgres',
    );
    expect(summary(lint(src), 'destructive-change')).toEqual([]);
  });

  it('does not read IS NOT NULL in a CHECK as a NOT NULL column', () => {
    const src = migration(
      'db:execute("ALTER TABLE users ADD COLUMN n INT CHECK (n IS NOT NULL OR n > 0)")',
      undefined,
      'postgres',
    );
    expect(summary(lint(src))).toEqual([]);
  });

  it('is a warning on MySQL, which fills existing rows with an implicit default', () => {
    const src = migration(
      'db:execute("ALTER TABLE users ADD COLUMN n INT NOT NULL, ADD COLUMN m INT NULL")',
      undefined,
      'mysql',
    );
    expect(summary(lint(src))).toEqual([['destructive-change', 'warning', lineOf(src, 'ADD COLUMN n')]]);
  });
});

describe('missing-engine-block', () => {
  it('names the engine that other migrations target and this one lacks', () => {
    const both = `return require("migration").define(function()
    migration("Create users", function()
        database("sqlite", function()
            up(function(db) db:execute("CREATE TABLE IF NOT EXISTS users (id INTEGER)") end)
            down(function(db) db:execute("DROP TABLE IF EXISTS users") end)
        end)
        database("postgres", function()
            up(function(db) db:execute("CREATE TABLE IF NOT EXISTS users (id SERIAL)") end)
            down(function(db) db:execute("DROP TABLE IF EXISTS users") end)
        end)
    end)
end)
`;
    const sqliteOnly = migration('db:execute("ALTER TABLE users ADD COLUMN email TEXT")');
    const findings = lintMigrations(
      [
        { file: '0001_create_users.lua', source: both },
        { file: '0002_add_email.lua', source: sqliteOnly },
      ],
      { disabled: LOCK_SAFETY_CODES },
    );
    expect(findings.map((f) => [f.code, f.severity, f.file, f.line])).toEqual([
      ['missing-engine-block', 'warning', '0002_add_email.lua', 2],
    ]);
    expect(findings[0].message).toContain('database("postgres"');
    expect(findings[0].message).toContain('0001_create_users.lua');
  });

  it('says nothing in a workspace that targets one engine only', () => {
    const files = ['0001_a.lua', '0002_b.lua', '0003_c.lua'].map((file) => ({
      file,
      source: migration('db:execute("SELECT 1")'),
    }));
    expect(lintMigrations(files, { disabled: LOCK_SAFETY_CODES }).map((f) => f.code)).toEqual([]);
  });

  it('counts a misspelt engine as the one it was meant to be (unknown-database reports it)', () => {
    const pg = migration('db:execute("SELECT 1")', undefined, 'postgres');
    const misspelt = migration('db:execute("SELECT 1")', undefined, 'postgresql');
    expect(
      lintMigrations([
        { file: 'a.lua', source: pg },
        { file: 'b.lua', source: misspelt },
      ]).map((f) => f.code),
    ).toEqual(['unknown-database']);
  });

  it('is silent when every migration targets the same engines', () => {
    const a = migration('db:execute("SELECT 1")');
    expect(
      lintMigrations([
        { file: 'a.lua', source: a },
        { file: 'b.lua', source: a },
      ]),
    ).toEqual([]);
  });
});

describe('transaction-control', () => {
  it('flags db:commit() and db:rollback(), whatever the parameter is called', () => {
    const src = migration('tx:execute("SELECT 1")\ntx:commit()', 'tx:rollback()').replace(
      /function\(db\)/g,
      'function(tx)',
    );
    expect(summary(lint(src))).toEqual([
      ['transaction-control', 'error', lineOf(src, 'tx:commit')],
      ['transaction-control', 'error', lineOf(src, 'tx:rollback')],
    ]);
  });

  it('flags SQL COMMIT, ROLLBACK, BEGIN and START TRANSACTION, but not savepoints', () => {
    const src = migration(`db:execute("BEGIN")
db:execute("SAVEPOINT s1")
db:execute("rollback to savepoint s1")
db:execute("ROLLBACK TRANSACTION TO s1")
db:execute("RELEASE SAVEPOINT s1")
db:execute("commit")
db:execute([[START TRANSACTION]])
db:execute("ROLLBACK")`);
    expect(summary(lint(src))).toEqual([
      ['transaction-control', 'error', lineOf(src, '"BEGIN"')],
      ['transaction-control', 'error', lineOf(src, '"commit"')],
      ['transaction-control', 'error', lineOf(src, 'START TRANSACTION')],
      ['transaction-control', 'error', lineOf(src, '"ROLLBACK"')],
    ]);
  });

  it('a column named begin does not swallow the statements after it', () => {
    const src = migration(`db:execute([[
    CREATE TABLE IF NOT EXISTS spans ("begin" INT, "end" INT, begin_at INT);
    COMMIT;
]])`);
    expect(summary(lint(src))).toEqual([['transaction-control', 'error', lineOf(src, 'COMMIT;')]]);
  });

  it("does not mistake a trigger body's BEGIN … END for transaction control", () => {
    const src = migration(`db:execute([[
    CREATE TRIGGER IF NOT EXISTS users_touch AFTER UPDATE ON users
    BEGIN
        UPDATE users SET updated_at = CASE WHEN 1 THEN 2 ELSE 3 END WHERE id = NEW.id;
    END;
]])`);
    expect(summary(lint(src))).toEqual([]);
  });
});

describe("the migration guide's own examples", () => {
  const template = `local function define_migration()
    migration("Description of what this migration does", function()
        -- Define database-specific implementation
        database("sqlite", function()
            -- Define forward migration
            up(function(db)
                -- SQL or code to apply changes
                -- The \`db\` parameter is a transaction object, not a connection
                return db:execute([[
                    CREATE TABLE example (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL
                    )
                ]])
            end)
            
            -- Define rollback
            down(function(db)
                -- SQL or code to revert changes
                db:execute("DROP TABLE IF EXISTS example")
                
                
            end)
            
            -- Optional post-migration tasks
            after(function(db)
                -- Additional operations after successful migration
                -- The \`db\` parameter is the same transaction object
            end)
        end)
        
        -- You can define implementations for multiple database types
        database("postgres", function()
            -- PostgreSQL-specific implementation
        end)
    end)
end

-- Return the migration function
return require("migration").define(define_migration)
`;

  it('the template has no errors', () => {
    const findings = lint(template);
    expectNoErrors(findings);
    expect(summary(findings)).toEqual([
      ['create-without-if-not-exists', 'info', 10],
      ['missing-up', 'warning', 33],
    ]);
  });

  const examples: Record<string, [string, string?]> = {
    'binding parameters (CORRECT)': [
      `db:execute("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT)")
db:execute("INSERT INTO users (name) VALUES (?)", {"John"})
db:execute("INSERT INTO users (name, email, age) VALUES (?, ?, ?)", 
           {"John", "john@example.com", 30})`,
    ],
    'complete rollbacks': [
      'db:execute("ALTER TABLE users ADD COLUMN email TEXT")',
      'db:execute("ALTER TABLE users DROP COLUMN email")',
    ],
    'transaction safety': [
      `local result, err = db:execute("CREATE TABLE users (...)")
if err then
     error(err)
end

result, err = db:execute("CREATE INDEX idx_user_email ON users(email)")
if err then
      error(err)
end`,
    ],
    'error handling': [
      `local success, err = db:execute([[
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE
    )
]])

if err then
      error(err)
end`,
    ],
    'idempotent migrations': ['db:execute("CREATE TABLE IF NOT EXISTS users (...)")'],
    'creating tables': [
      `db:execute([[
    CREATE TABLE products (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        price REAL NOT NULL,
        created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
    )
]])`,
      'db:execute("DROP TABLE IF EXISTS products")',
    ],
    'adding columns': [
      'db:execute("ALTER TABLE products ADD COLUMN description TEXT")',
      `-- SQLite doesn't support DROP COLUMN directly
-- For SQLite, you might need a more complex migration
-- For other databases:
db:execute("ALTER TABLE products DROP COLUMN description")`,
    ],
    'creating indexes': [
      'db:execute("CREATE INDEX idx_products_name ON products(name)")',
      'db:execute("DROP INDEX IF EXISTS idx_products_name")',
    ],
    'seeding data': [
      `-- Insert multiple rows
 db:execute([[
    INSERT INTO roles (name) VALUES 
    ('admin'), ('user'), ('guest')
]])`,
      `db:execute("DELETE FROM roles WHERE name IN ('admin', 'user', 'guest')")`,
    ],
    'prepared statements': [
      `-- Create prepared statement
local stmt, err = db:prepare("INSERT INTO users (name, email) VALUES (?, ?)")
if err then
      error(err)
end

-- Execute for multiple rows
local users = {
    {"Alice", "alice@example.com"},
    {"Bob", "bob@example.com"},
    {"Charlie", "charlie@example.com"}
}

for _, user in ipairs(users) do
    local result, err = stmt:execute(user)
    if err then
          error(err)
    end
end`,
    ],
    'complex schema changes (table rebuild)': [
      `-- Start transaction (already in a transaction, but shown for clarity)

-- 1. Create temporary table with new schema
local result, err = db:execute([[
    CREATE TABLE users_new (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,  -- New column
        created_at INTEGER NOT NULL
    )
]])
if err then   error(err) end

-- 2. Copy data from old table to new table
result, err = db:execute([[
    INSERT INTO users_new (id, name, created_at)
    SELECT id, name, created_at FROM users
]])
if err then   error(err) end

-- 3. Drop old table
result, err = db:execute("DROP TABLE users")
if err then   error(err) end

-- 4. Rename new table to old table name
result, err = db:execute("ALTER TABLE users_new RENAME TO users")
if err then   error(err) end

return true`,
    ],
  };

  it.each(Object.entries(examples))('%s: no errors', (_name, [up, down]) => {
    const findings = lint(migration(up, down));
    expectNoErrors(findings);
    expect(findings.filter((f) => f.code === 'multiple-changes' || f.code === 'destructive-change')).toEqual([]);
  });

  it('database-specific code: sqlite and postgres blocks, no errors', () => {
    const src = `return require("migration").define(function()
    migration("Create users table with authentication fields", function()
        database("sqlite", function()
            up(function(db)
                -- SQLite implementation
                db:execute("CREATE TABLE users (id INTEGER PRIMARY KEY, ...)")
            end)
        end)

        database("postgres", function()
            up(function(db)
                -- PostgreSQL implementation
                db:execute("CREATE TABLE users (id SERIAL PRIMARY KEY, ...)")
            end)
        end)
    end)
end)
`;
    const findings = lint(src);
    expectNoErrors(findings);
    expect(summary(findings, 'missing-down')).toEqual([
      ['missing-down', 'warning', 3],
      ['missing-down', 'warning', 10],
    ]);
  });
});
