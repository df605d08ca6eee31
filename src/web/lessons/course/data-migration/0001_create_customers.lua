return require("migration").define(function()
    migration("Create customers table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT)")
                if err then error(err) end
                local _, err = db:execute("INSERT INTO customers (full_name) VALUES ('Ada Lovelace'), ('Alan Turing'), ('Grace Brewster Hopper')")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE customers")
                if err then error(err) end
            end)
        end)
    end)
end)
