local DEFAULTS = {
    { "theme", "light" },
    { "language", "en" },
    { "page_size", "20" },
}

return require("migration").define(function()
    migration("Default settings", function()
        database("sqlite", function()
            up(function(db)
                for _, setting in ipairs(DEFAULTS) do
                    assert(db:savepoint("setting"))
                    local _, err = db:execute("INSERT INTO settings (key, value) VALUES (?, ?)", setting)
                    if err and err:kind() == "constraint" then
                        assert(db:rollback_to("setting")) -- already set: keep it
                    elseif err then
                        error(err)
                    end
                    assert(db:release("setting"))
                end
            end)
            down(function(db)
                local _, err = db:execute("DELETE FROM settings WHERE key IN ('language', 'page_size')")
                if err then error(err) end
            end)
        end)
    end)
end)
