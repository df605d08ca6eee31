-- Adding a column and an index (the guide's "Adding Columns" and "Creating Indexes").
local function up_email(db)
    local _, err = db:execute("ALTER TABLE users ADD COLUMN email TEXT")
    if err then error(err) end
    _, err = db:execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_users_email ON users(email)")
    if err then error(err) end
end

local function down_email(db)
    local _, err = db:execute("DROP INDEX IF EXISTS idx_users_email")
    if err then error(err) end
    _, err = db:execute("ALTER TABLE users DROP COLUMN email")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Add email to users", function()
        database("sqlite", function()
            up(up_email)
            down(down_email)
        end)
        database("postgres", function()
            up(up_email)
            down(down_email)
        end)
    end)
end)
