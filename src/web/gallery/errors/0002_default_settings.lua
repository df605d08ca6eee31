-- Savepoint recovery: a failed statement dooms the transaction until the code rolls back to a savepoint
-- taken before it. Here an INSERT that hits an existing key (err:kind() == "constraint") is expected: roll back
-- to the savepoint and keep the existing value; any other error still fails the migration.
local DEFAULTS = { { "language", "en" }, { "page_size", "20" }, { "theme", "dark" } }
local ADDED = { "language", "page_size" }   -- "theme" exists already (0001): it keeps its value

local function add_defaults(db)
    for _, setting in ipairs(DEFAULTS) do
        local ok, err = db:savepoint("setting")
        if not ok then error(err) end
        local _, ierr = db:execute("INSERT INTO settings (key, value) VALUES (?, ?)", setting)
        if ierr then
            if ierr:kind() ~= "constraint" then error(ierr) end
            print(setting[1] .. " is set already: " .. tostring(ierr))
            ok, err = db:rollback_to("setting")   -- recovered: the transaction can go on
            if not ok then error(err) end
        end
        ok, err = db:release("setting")
        if not ok then error(err) end
    end
end

local function remove_defaults(db)
    local stmt, err = db:prepare("DELETE FROM settings WHERE key = ?")
    if err then return nil, err end
    for _, key in ipairs(ADDED) do
        local _, derr = stmt:execute({ key })
        if derr then return nil, derr end
    end
    stmt:close()
end

return require("migration").define(function()
    migration("Add default settings", function()
        database("sqlite", function()
            up(add_defaults)
            down(remove_defaults)
        end)
        database("postgres", function()
            up(add_defaults)
            down(remove_defaults)
        end)
    end)
end)
