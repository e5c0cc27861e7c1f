-- The shared upstream budget: one atomic decision on Redis time (docs/ARCHITECTURE.md, "Upstream budget").
-- No key here carries an expiry, so an LRU eviction (volatile-lru) can never remove one: the log is trimmed
-- below, and the two markers hold "until" instants compared with TIME.
-- KEYS[1] budget:upstream        sorted set, one entry per admitted call, score = Redis time in microseconds
-- KEYS[2] budget:worker-waiting  epoch millis (Redis time) until which the worker has due work
-- KEYS[3] budget:paused-until    epoch millis (Redis time) before which nobody is admitted
-- ARGV[1] window (µs)  ARGV[2] margin (µs)  ARGV[3] limit  ARGV[4] gateway share (limit - worker reserve)
-- ARGV[5] caller (GATEWAY|WORKER)  ARGV[6] a unique suffix for the entry
-- Returns "granted:waitMicros:nowMicros", e.g. "1:0:1700000000123456" or "0:734512:1700000000123456".
local time = redis.call('TIME')
local stamp = time[1] .. string.format('%06d', tonumber(time[2]))
local now = tonumber(stamp)
local span = tonumber(ARGV[1]) + tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local share = tonumber(ARGV[4])

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local count = redis.call('ZCARD', KEYS[1])

-- Time until fewer than `allowed` entries are in the span (nil: never, by entries alone). The entries are
-- ordered oldest first; once the one at index count - allowed has left the span, count - allowed + 1 have left.
local function wait_below(allowed)
  if count < allowed then
    return 0
  end
  if allowed <= 0 then
    return nil
  end
  local entry = redis.call('ZRANGE', KEYS[1], count - allowed, count - allowed, 'WITHSCORES')
  return tonumber(entry[2]) + span - now
end

local wait = wait_below(limit)
if ARGV[5] == 'GATEWAY' then
  local marker_left = (tonumber(redis.call('GET', KEYS[2]) or '0') or 0) * 1000 - now
  if marker_left > 0 then
    -- The gateway is unblocked either below its share, or once the worker's marker lapses and a slot is free.
    local within_share = wait_below(share)
    local after_marker = math.max(marker_left, wait)
    if within_share == nil then
      wait = after_marker
    else
      wait = math.min(within_share, after_marker)
    end
  end
end

local paused = tonumber(redis.call('GET', KEYS[3]) or '0') or 0
wait = math.max(wait, paused * 1000 - now)

if wait > 0 then
  return '0:' .. string.format('%d', wait) .. ':' .. stamp
end
redis.call('ZADD', KEYS[1], stamp, stamp .. '-' .. ARGV[6])
-- A log written before the limiter dropped its expiry would keep it through ZADD; a no-op otherwise.
redis.call('PERSIST', KEYS[1])
return '1:0:' .. stamp
