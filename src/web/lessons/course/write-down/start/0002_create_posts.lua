return require("migration").define(function()
    migration("Create posts table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE posts (
                        id INTEGER PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users (id),
                        title TEXT NOT NULL
                    )
                ]])
                if err then error(err) end
            end)
        end)
    end)
end)
