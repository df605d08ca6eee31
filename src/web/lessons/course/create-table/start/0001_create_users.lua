-- Lesson 1: write the up and the down of this migration (the task is under the file list).
return require("migration").define(function()
    migration("Create users table", function()
        database("sqlite", function()
            up(function(db)
                -- Create the table users here:
                --     local _, err = db:execute([[CREATE TABLE users (...)]])
                --     if err then error(err) end
            end)
            down(function(db)
                -- Drop it here.
            end)
        end)
    end)
end)
