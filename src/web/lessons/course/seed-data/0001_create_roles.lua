return require("migration").define(function()
    migration("Create roles table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE roles")
                if err then error(err) end
            end)
        end)
    end)
end)
