return require("migration").define(function()
    migration("Require member names", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE members_new (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL CHECK (length(name) > 0),
                        email TEXT
                    )
                ]])
                if err then error(err) end
                local _, err = db:execute("INSERT INTO members_new (id, name, email) SELECT id, name, email FROM members")
                if err then error(err) end
                local _, err = db:execute("DROP TABLE members")
                if err then error(err) end
                local _, err = db:execute("ALTER TABLE members_new RENAME TO members")
                if err then error(err) end
                local _, err = db:execute("CREATE INDEX idx_members_email ON members (email)")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("CREATE TABLE members_old (id INTEGER PRIMARY KEY, name TEXT, email TEXT)")
                if err then error(err) end
                local _, err = db:execute("INSERT INTO members_old (id, name, email) SELECT id, name, email FROM members")
                if err then error(err) end
                local _, err = db:execute("DROP TABLE members")
                if err then error(err) end
                local _, err = db:execute("ALTER TABLE members_old RENAME TO members")
                if err then error(err) end
                local _, err = db:execute("CREATE INDEX idx_members_email ON members (email)")
                if err then error(err) end
            end)
        end)
    end)
end)
