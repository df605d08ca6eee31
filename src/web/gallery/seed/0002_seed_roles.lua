-- Seeding data (the guide's "Seeding Data"): several rows in one INSERT; down deletes exactly those
-- rows. after runs once up has succeeded, in the same transaction: here it checks what up did with db:query.
local function seed(db)
    local result, err = db:execute([[
        INSERT INTO roles (name) VALUES
        ('admin'), ('user'), ('guest')
    ]])
    if err then error(err) end
    print("inserted " .. result.rows_affected .. " roles")
end

local function unseed(db)
    local _, err = db:execute("DELETE FROM roles WHERE name IN ('admin', 'user', 'guest')")
    if err then error(err) end
end

local function check(db)
    local rows, err = db:query("SELECT count(*) AS n FROM roles WHERE name IN (?, ?, ?)", { "admin", "user", "guest" })
    if err then error(err) end
    if tonumber(rows[1].n) ~= 3 then error("expected 3 seeded roles, found " .. tostring(rows[1].n)) end
end

return require("migration").define(function()
    migration("Seed roles", function()
        database("sqlite", function()
            up(seed)
            down(unseed)
            after(check)
        end)
        database("postgres", function()
            up(seed)
            down(unseed)
            after(check)
        end)
    end)
end)
