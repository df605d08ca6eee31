-- One function for both engines, asking db:db_type() where the SQL differs.
local function insert_events(db)
    local insert = db:db_type() == "postgres"
        and "INSERT INTO events (kind, payload) VALUES (?, ?::jsonb)"
        or "INSERT INTO events (kind, payload) VALUES (?, ?)"
    local stmt, err = db:prepare(insert)
    if err then error(err) end
    for _, event in ipairs({ { "info", '{"app": "started"}' }, { "warning", '{"disk": 91}' } }) do
        local _, ierr = stmt:execute(event)
        if ierr then error(ierr) end
    end
    stmt:close()

    local sql = db:db_type() == "postgres"
        and "SELECT payload->>'disk' AS disk FROM events WHERE kind = 'warning'"
        or "SELECT json_extract(payload, '$.disk') AS disk FROM events WHERE kind = 'warning'"
    local rows, qerr = db:query(sql)
    if qerr then error(qerr) end
    print(db:db_type() .. ": disk at " .. tostring(rows[1].disk) .. "%")
end

local function delete_events(db)
    local _, err = db:execute("DELETE FROM events WHERE kind IN ('info', 'warning')")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Log the first events", function()
        database("sqlite", function()
            up(insert_events)
            down(delete_events)
        end)
        database("postgres", function()
            up(insert_events)
            down(delete_events)
        end)
    end)
end)
