-- Error handling (the guide's "Transaction Safety" and "Error Handling"): every call answers a value
-- and an error; "if err then error(err) end" stops the migration and rolls all of it back.
return require("migration").define(function()
    migration("Create settings table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                if err then error(err) end
                _, err = db:execute("INSERT INTO settings (key, value) VALUES (?, ?)", { "theme", "light" })
                if err then error(err) end
            end)
            down(function(db)
                -- return the call's two values: a non-nil error fails the migration just like error(err)
                return db:execute("DROP TABLE settings")
            end)
        end)
        database("postgres", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                if err then error(err) end
                _, err = db:execute("INSERT INTO settings (key, value) VALUES (?, ?)", { "theme", "light" })
                if err then error(err) end
            end)
            down(function(db)
                return db:execute("DROP TABLE settings")
            end)
        end)
    end)
end)
