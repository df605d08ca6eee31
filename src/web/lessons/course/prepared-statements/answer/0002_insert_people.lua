local PEOPLE = {
    { "Ada Lovelace", "ada@example.com" },
    { "Miles O'Brien", "miles@example.com" },
    { "Grace Hopper", "grace@example.com" },
}

return require("migration").define(function()
    migration("Insert people", function()
        database("sqlite", function()
            up(function(db)
                local stmt, err = db:prepare("INSERT INTO people (name, email) VALUES (?, ?)")
                if err then error(err) end
                for _, person in ipairs(PEOPLE) do
                    local _, ierr = stmt:execute({ person[1], person[2] })
                    if ierr then error(ierr) end
                end
                stmt:close()
            end)
            down(function(db)
                for _, person in ipairs(PEOPLE) do
                    local _, err = db:execute("DELETE FROM people WHERE email = ?", { person[2] })
                    if err then error(err) end
                end
            end)
        end)
    end)
end)
