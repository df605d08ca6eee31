return require("migration").define(function()
    migration("Index posts by user", function()
        database("sqlite", function()
            up(function(db)
                -- Create the index here.
            end)
            down(function(db)
                -- Drop it here.
            end)
        end)
    end)
end)
