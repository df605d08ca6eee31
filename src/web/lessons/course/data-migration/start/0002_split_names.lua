return require("migration").define(function()
    migration("Split customer names", function()
        database("sqlite", function()
            up(function(db)
                -- Add first_name and last_name, fill them from full_name, drop full_name.
            end)
            down(function(db)
                -- Add full_name back, fill it, drop first_name and last_name.
            end)
        end)
    end)
end)
