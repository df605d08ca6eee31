-- Prepared statements (the guide's "Using Prepared Statements"): prepare once, execute per row with
-- parameters bound to the ? placeholders in order (nil binds NULL). Never build SQL by concatenating values.
local PEOPLE = {
    { "Alice", "alice@example.com", 34 },
    { "Bob", "bob@example.com", nil },
    { "Charlie", "charlie@example.com", 27 },
}

local function insert_people(db)
    local stmt, err = db:prepare("INSERT INTO people (name, email, age) VALUES (?, ?, ?)")
    if err then error(err) end
    for _, person in ipairs(PEOPLE) do
        local _, ierr = stmt:execute(person)
        if ierr then error(ierr) end
    end
    stmt:close()

    -- db:query answers an array of rows, each a table keyed by column name.
    local rows, qerr = db:query("SELECT name, age FROM people WHERE age IS NOT NULL ORDER BY name")
    if qerr then error(qerr) end
    for _, row in ipairs(rows) do print(row.name .. " is " .. row.age) end
end

local function delete_people(db)
    local stmt, err = db:prepare("DELETE FROM people WHERE email = ?")
    if err then error(err) end
    for _, person in ipairs(PEOPLE) do
        local _, derr = stmt:execute({ person[2] })
        if derr then error(derr) end
    end
    stmt:close()
end

return require("migration").define(function()
    migration("Insert people with a prepared statement", function()
        database("sqlite", function()
            up(insert_people)
            down(delete_people)
        end)
        database("postgres", function()
            up(insert_people)
            down(delete_people)
        end)
    end)
end)
