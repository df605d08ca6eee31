return require("migration").define(function()
    migration("Create settings table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                if err then error(err) end
                local _, err = db:execute("INSERT INTO settings (key, value) VALUES ('theme', 'dark')")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE settings")
                if err then error(err) end
            end)
        end)
    end)
end)
