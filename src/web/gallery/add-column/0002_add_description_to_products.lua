-- Adding a column (the guide's "Adding Columns"). The same SQL runs on both engines, so both
-- blocks share one pair of functions. DROP COLUMN needs SQLite 3.35 or later (the playground has it); on an
-- older SQLite, rebuild the table instead (see the "Rebuild a table" example).
local function add_description(db)
    local _, err = db:execute("ALTER TABLE products ADD COLUMN description TEXT")
    if err then error(err) end
end

local function drop_description(db)
    local _, err = db:execute("ALTER TABLE products DROP COLUMN description")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Add description to products", function()
        database("sqlite", function()
            up(add_description)
            down(drop_description)
        end)
        database("postgres", function()
            up(add_description)
            down(drop_description)
        end)
    end)
end)
