local PEOPLE = {
    { "Ada Lovelace", "ada@example.com" },
    { "Miles O'Brien", "miles@example.com" },
    { "Grace Hopper", "grace@example.com" },
}

return require("migration").define(function()
    migration("Insert people", function()
        database("sqlite", function()
            up(function(db)
                for _, person in ipairs(PEOPLE) do
                    local _, err = db:execute("INSERT INTO people (name, email) VALUES ('" .. person[1] .. "', '" .. person[2] .. "')")
                    if err then error(err) end
                end
            end)
            down(function(db)
                for _, person in ipairs(PEOPLE) do
                    local _, err = db:execute("DELETE FROM people WHERE email = '" .. person[2] .. "'")
                    if err then error(err) end
                end
            end)
        end)
    end)
end)
