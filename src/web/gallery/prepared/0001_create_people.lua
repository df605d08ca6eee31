-- The table the next migration fills.
local function drop(db)
    local _, err = db:execute("DROP TABLE IF EXISTS people")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Create people table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, age INTEGER)")
                if err then error(err) end
            end)
            down(drop)
        end)
        database("postgres", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE people (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, age INTEGER)")
                if err then error(err) end
            end)
            down(drop)
        end)
    end)
end)
