return require("migration").define(function()
    migration("Create members table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT, email TEXT)")
                if err then error(err) end
                local _, err = db:execute("CREATE INDEX idx_members_email ON members (email)")
                if err then error(err) end
                local _, err = db:execute("INSERT INTO members (name, email) VALUES ('ada', 'ada@example.com'), ('grace', 'grace@example.com'), ('linus', 'linus@example.com')")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE members")
                if err then error(err) end
            end)
        end)
    end)
end)
