return require("migration").define(function()
    migration("Require member names", function()
        database("sqlite", function()
            up(function(db)
                -- Rebuild members with name TEXT NOT NULL CHECK (length(name) > 0) here.
            end)
            down(function(db)
                -- Rebuild it back here.
            end)
        end)
    end)
end)
