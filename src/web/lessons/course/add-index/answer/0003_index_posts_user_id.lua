return require("migration").define(function()
    migration("Index posts by user", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE INDEX idx_posts_user_id ON posts (user_id)")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP INDEX idx_posts_user_id")
                if err then error(err) end
            end)
        end)
    end)
end)
