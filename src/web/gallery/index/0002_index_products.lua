-- Creating indexes (the guide's "Creating Indexes"): a plain one, a unique one on two columns and a
-- partial one. down drops them in the reverse order.
local INDEXES = {
    { create = "CREATE INDEX idx_products_name ON products (name)",
      drop = "DROP INDEX IF EXISTS idx_products_name" },
    { create = "CREATE UNIQUE INDEX idx_products_name_price ON products (name, price)",
      drop = "DROP INDEX IF EXISTS idx_products_name_price" },
    { create = "CREATE INDEX idx_products_free ON products (name) WHERE price = 0",
      drop = "DROP INDEX IF EXISTS idx_products_free" },
}

local function create_indexes(db)
    for _, index in ipairs(INDEXES) do
        local _, err = db:execute(index.create)
        if err then error(err) end
    end
end

local function drop_indexes(db)
    for i = #INDEXES, 1, -1 do
        local _, err = db:execute(INDEXES[i].drop)
        if err then error(err) end
    end
end

return require("migration").define(function()
    migration("Index products", function()
        database("sqlite", function()
            up(create_indexes)
            down(drop_indexes)
        end)
        database("postgres", function()
            up(create_indexes)
            down(drop_indexes)
        end)
    end)
end)
