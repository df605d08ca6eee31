/**
 * The preset dictionary of `#v2.` share links (src/web/share.ts): text that migrations commonly hold, so that deflate
 * can refer to it from the first byte on instead of spelling it out once per link. Most of it is the playground's own
 * idiom (what "New migration" writes: the DSL's skeleton, `local _, err = db:execute(…)`, `if err then error(err)
 * end`, the usual DDL), the rest common SQL, a few DSL calls and the pieces of the link's JSON. It roughly halves a
 * link of a few small files (the default examples: 1,140 → ~615 characters); long links gain less.
 *
 * FROZEN: every `#v2.` link ever made is only readable with exactly these bytes (test/unit/share-link.test.ts pins
 * their hash). A better dictionary is a new format (`#v3.`), with this one kept to read v2 links.
 *
 * The bytes are `DSL_TEXT` as it appears inside a JSON string (JSON.stringify escapes newlines and quotes, exactly
 * and the same in every engine) followed by `JSON_PIECES`; deflate finds nearer matches cheaper, so the most common
 * text comes last.
 */

const DSL_TEXT = ` VARCHAR(255) BIGINT BOOLEAN NOT NULL DEFAULT FALSE NUMERIC(10, 2) JSONB TIMESTAMP DATE UUID BLOB ON DELETE CASCADE ON UPDATE CASCADE REFERENCES users(id) FOREIGN KEY (user_id) CHECK (price >= 0) UNIQUE (email) COLLATE NOCASE AUTOINCREMENT INT AUTO_INCREMENT PRIMARY KEY UNIX_TIMESTAMP() extract(epoch from now())::integer RETURNING id COUNT(*) AS n ORDER BY id LIMIT 1 GROUP BY BEGIN COMMIT ROLLBACK SAVEPOINT CREATE VIEW CREATE TRIGGER RENAME TO RENAME COLUMN ALTER COLUMN  TYPE  SET DEFAULT  DROP DEFAULT  SET NOT NULL  DROP NOT NULL  UPDATE  SET  WHERE id = ? AND  OR  IS NULL  IS NOT NULL  IN (?, ?, ?) LIKE SELECT id, name FROM  WHERE  = ?
 db:savepoint(" db:rollback_to(" db:release(" db:db_type() require("sql").NULL tostring(err) err:kind() string.format(" table.insert( #rows for i = 1, do end while return nil, err return true print(" pairs( assert( local sql = require("sql")
-- Parameters (?) instead of string concatenation: db:execute(sql, {value1, value2})
-- One migration per file: its id is the file name. up (and after) run in one transaction together with the
-- migration's row in _migrations; any error rolls all of it back. Write down so that it undoes up exactly:
-- verify checks that it does.
        database("mysql", function()
            after(function(db)
            end)
                local stmt, err = db:prepare("INSERT INTO items (name) VALUES (?)")
                if not stmt then error(err) end
                for _, row in ipairs(rows) do
                    local _, err = stmt:execute({row.name, row.email})
                    if err then error(err) end
                end
                stmt:close()
                local rows, err = db:query("SELECT id, name FROM items WHERE id = ?", {id})
                if not rows then error(err) end
                for _, row in ipairs(rows) do
                local _, err = db:execute("INSERT INTO items (name, email) VALUES (?, ?)", {"Alice", "alice@example.com"})
                local _, err = db:execute("DELETE FROM items WHERE name IN (?, ?, ?)", {"Alice", "Bob", "Carol"})
                local _, err = db:execute("ALTER TABLE items ADD COLUMN description TEXT")
                local _, err = db:execute("ALTER TABLE items DROP COLUMN description")
                local _, err = db:execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_items_email ON items(email)")
                local _, err = db:execute("CREATE INDEX IF NOT EXISTS idx_items_name ON items(name)")
                local _, err = db:execute("DROP INDEX IF EXISTS idx_items_name")
                local _, err = db:execute("UPDATE items SET name = ? WHERE id = ?", {name, id})
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS items (
                        id SERIAL PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users(id),
                        email TEXT NOT NULL UNIQUE,
                        price REAL NOT NULL,
                        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS items")
                if err then error(err) end
            end)
        end)
    end)
end)
return require("migration").define(function()
    migration("Create items table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS items (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS items")
                if err then error(err) end
            end)
        end)

        database("postgres", function()
            up(function(db)
`;

const JSON_PIECES =
  '"],["0002_add_.lua","-- "]],"e":"postgres","s":"0001_create_"]],"e":"sqlite","s":"0001_create_{"f":[["0001_create_';

let bytes: Uint8Array | null = null;

/** The v2 dictionary's bytes (made once). */
export function shareDictionaryV2(): Uint8Array {
  bytes ??= new TextEncoder().encode(JSON.stringify(DSL_TEXT).slice(1, -1) + JSON_PIECES);
  return bytes;
}
