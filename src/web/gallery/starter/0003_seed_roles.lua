-- Seeding data with a prepared statement (the guide's "Seeding Data" and "Using Prepared Statements").
local function seed(db)
    local stmt, err = db:prepare("INSERT INTO roles (name) VALUES (?)")
    if err then error(err) end
    for _, name in ipairs({ "admin", "user", "guest" }) do
        local _, ierr = stmt:execute({ name })
        if ierr then error(ierr) end
    end
    stmt:close()
end

local function drop_roles(db)
    local _, err = db:execute("DROP TABLE IF EXISTS roles")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Create and seed roles", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE IF NOT EXISTS roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
                if err then error(err) end
                seed(db)
            end)
            down(drop_roles)
        end)
        database("postgres", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE IF NOT EXISTS roles (id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
                if err then error(err) end
                seed(db)
            end)
            down(drop_roles)
        end)
    end)
end)
