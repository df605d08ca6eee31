return require("migration").define(function()
    migration("Seed roles", function()
        database("sqlite", function()
            up(function(db)
                -- Insert admin, editor and viewer here.
            end)
            down(function(db)
                -- Delete those three rows here.
            end)
        end)
    end)
end)
