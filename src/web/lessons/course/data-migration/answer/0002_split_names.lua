return require("migration").define(function()
    migration("Split customer names", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("ALTER TABLE customers ADD COLUMN first_name TEXT")
                if err then error(err) end
                local _, err = db:execute("ALTER TABLE customers ADD COLUMN last_name TEXT")
                if err then error(err) end
                local _, err = db:execute([[
                    UPDATE customers SET
                        first_name = substr(full_name, 1, instr(full_name, ' ') - 1),
                        last_name = substr(full_name, instr(full_name, ' ') + 1)
                ]])
                if err then error(err) end
                local _, err = db:execute("ALTER TABLE customers DROP COLUMN full_name")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("ALTER TABLE customers ADD COLUMN full_name TEXT")
                if err then error(err) end
                local _, err = db:execute("UPDATE customers SET full_name = first_name || ' ' || last_name")
                if err then error(err) end
                local _, err = db:execute("ALTER TABLE customers DROP COLUMN first_name")
                if err then error(err) end
                local _, err = db:execute("ALTER TABLE customers DROP COLUMN last_name")
                if err then error(err) end
            end)
        end)
    end)
end)
