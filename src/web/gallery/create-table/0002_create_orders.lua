-- A second table with a foreign key to the first: down drops it before products is dropped,
-- because migrations are reverted in the reverse order.
return require("migration").define(function()
    migration("Create orders table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS orders (
                        id INTEGER PRIMARY KEY,
                        product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
                        quantity INTEGER NOT NULL DEFAULT 1
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS orders")
                if err then error(err) end
            end)
        end)

        database("postgres", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS orders (
                        id SERIAL PRIMARY KEY,
                        product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
                        quantity INTEGER NOT NULL DEFAULT 1
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS orders")
                if err then error(err) end
            end)
        end)
    end)
end)
