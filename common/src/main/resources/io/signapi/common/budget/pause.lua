-- Pauses the shared budget for one window from now (Redis time) after an upstream 429; never shortens a pause.
-- The key carries no expiry (an eviction must not end a pause): acquire.lua compares its value with TIME.
-- KEYS[1] budget:paused-until (epoch millis)   ARGV[1] window (ms)
-- Returns the pause's end in epoch millis.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local until_ms = now + tonumber(ARGV[1])
if until_ms > current then
  redis.call('SET', KEYS[1], string.format('%d', until_ms))
  return until_ms
end
return current
