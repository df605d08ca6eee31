return require("migration").define(function()
    migration("Add bio to users", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("ALTER TABLE users ADD COLUMN bio TEXT")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("ALTER TABLE users DROP COLUMN bio")
                if err then error(err) end
            end)
        end)
    end)
end)
