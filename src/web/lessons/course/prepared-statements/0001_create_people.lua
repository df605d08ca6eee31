return require("migration").define(function()
    migration("Create people table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE)")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE people")
                if err then error(err) end
            end)
        end)
    end)
end)
