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
                    local _, err = db:execute("INSERT INTO settings (key, value) VALUES (?, ?)", setting)
                    if err then error(err) end
                end
            end)
            down(function(db)
                local _, err = db:execute("DELETE FROM settings WHERE key IN ('language', 'page_size')")
                if err then error(err) end
            end)
        end)
    end)
end)
