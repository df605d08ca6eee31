return require("migration").define(function()
    migration("Add bio to users", function()
        database("sqlite", function()
            up(function(db)
                -- Add the column bio to users here.
            end)
            down(function(db)
                -- Remove it here.
            end)
        end)
    end)
end)
