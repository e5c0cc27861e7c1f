-- wrk script: tallies response statuses across threads. Arguments:
--   (none)            requests the command line's URL;
--   PREFIX            every request signs a fresh message PREFIX-<thread>-<n> (a cache miss);
--   --cycle PREFIX N  requests the messages PREFIX-1 … PREFIX-N round robin, each thread from its own offset.
local threads = {}

function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    statuses = {}
    counter = 0
    if args[1] == "--cycle" then
        -- Built once, so the per-request cost in wrk is the same for every target.
        cycle = {}
        local n = tonumber(args[3])
        for i = 1, n do
            cycle[i] = wrk.format("GET", "/crypto/sign?message=" .. args[2] .. "-" .. i)
        end
        counter = ((tid - 1) * math.floor(n / 4)) % n
    else
        prefix = args[1]
    end
end

function request()
    counter = counter + 1
    if cycle ~= nil then
        return cycle[(counter % #cycle) + 1]
    end
    if prefix == nil then
        return wrk.format()
    end
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
