-- Keeps the worker reserve for one window from now (Redis time): sets budget:worker-waiting to that instant.
-- The key carries no expiry (an eviction must not drop the reserve): acquire.lua compares its value with TIME,
-- so the marker lapses by itself once the worker stops renewing it.
-- KEYS[1] budget:worker-waiting (epoch millis)   ARGV[1] window (ms)
-- Returns the marker's end in epoch millis.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%d', until_ms))
return until_ms
