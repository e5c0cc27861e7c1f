-- wrk script: tallies response statuses across threads; with an argument PREFIX every request signs
-- a fresh message PREFIX-<thread>-<n> (a cache miss), without one it requests the command line's URL.
local threads = {}

function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    prefix = args[1]
    counter = 0
    statuses = {}
end

function request()
    if prefix == nil then
        return wrk.format()
    end
    counter = counter + 1
    return wrk.format("GET", "/crypto/sign?message=" .. prefix .. "-" .. tid .. "-" .. counter)
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("statuses")) do
            total[status] = (total[status] or 0) + n
        end
    end
    for status, n in pairs(total) do
        io.write(string.format("status %d: %d\n", status, n))
    end
end
