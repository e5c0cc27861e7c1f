-- A read-only look at the shared upstream budget, for metrics: takes no slot, trims nothing, writes nothing.
-- KEYS[1] budget:upstream  KEYS[2] budget:paused-until
-- ARGV[1] window (µs)  ARGV[2] margin (µs)  ARGV[3] limit
-- Returns "used:waitMicros:nowMicros": the calls admitted within the span (window + margin) before now, and the
-- time until a WORKER caller (who counts against the whole limit) could be admitted, the pause included.
local time = redis.call('TIME')
local stamp = time[1] .. string.format('%06d', tonumber(time[2]))
local now = tonumber(stamp)
local span = tonumber(ARGV[1]) + tonumber(ARGV[2])
local limit = tonumber(ARGV[3])

local used = redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%d', now - span), '+inf')
local wait = 0
if used >= limit then
  local entry = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%d', now - span), '+inf',
      'WITHSCORES', 'LIMIT', used - limit, 1)
  wait = tonumber(entry[2]) + span - now
end
local paused = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
wait = math.max(wait, paused * 1000 - now)
return string.format('%d', used) .. ':' .. string.format('%d', wait) .. ':' .. stamp
