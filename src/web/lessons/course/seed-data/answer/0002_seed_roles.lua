return require("migration").define(function()
    migration("Seed roles", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("INSERT INTO roles (name) VALUES ('admin'), ('editor'), ('viewer')")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DELETE FROM roles WHERE name IN ('admin', 'editor', 'viewer')")
                if err then error(err) end
            end)
        end)
    end)
end)
