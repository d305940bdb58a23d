"""The Lua scripts team mode runs inside Redis, each one atomic.

Times inside the scripts are Redis's own (`TIME`), so instances on machines whose clocks differ
still agree on a bucket's refill and a pause's end. Numbers come back as strings (Lua numbers
would be truncated to integers on the way out).
"""

from __future__ import annotations

LEASE_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
"""KEYS: lease. ARGV: token, ttl ms. 1 when the lease was still ours and is extended."""

LEASE_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
"""KEYS: lease. ARGV: token. Deletes the lease only if it is still ours."""

PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return false
end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*',
  'v', '1', 'runs', ARGV[4], 'removed', ARGV[5])
local n = tonumber(ARGV[6])
for i = 0, n - 1 do
  redis.call('HSET', KEYS[3], ARGV[7 + 2 * i], ARGV[8 + 2 * i])
end
for i = 7 + 2 * n, #ARGV do
  redis.call('HDEL', KEYS[3], ARGV[i])
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
return id
"""
"""KEYS: lease, changes stream, snapshot hash. ARGV: lease token, stream max length, time to live
(ms), the entry's runs (JSON), its removed ids (JSON), n, then n pairs (run id, run JSON) for the
snapshot, then the removed ids. The fence: nothing is written unless the lease token is the
caller's, so a stalled former poller cannot publish. Returns the entry id, or nil when fenced."""

BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local op = ARGV[1]
local rate, burst = tonumber(ARGV[2]), tonumber(ARGV[3])
local hour_rate, hour_cap = tonumber(ARGV[4]), tonumber(ARGV[5])
local amount, debt = tonumber(ARGV[6]), tonumber(ARGV[7])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'hour', 'stamp', 'paused')
local tokens, hour = tonumber(s[1]), tonumber(s[2])
local stamp, paused = tonumber(s[3]), tonumber(s[4])
if tokens == nil then
  tokens, hour, stamp, paused = burst, hour_cap, now, 0
end
if hour == nil then hour = hour_cap end
local elapsed = math.max(0, now - stamp)
tokens = math.min(burst, tokens + elapsed * rate) - debt
if hour_cap > 0 then hour = math.min(hour_cap, hour + elapsed * hour_rate) - debt end
local granted, wait = 0, 0
if op == 'take' then
  if paused > now then
    wait = paused - now
  elseif tokens >= 1 and (hour_cap <= 0 or hour >= 1) then
    tokens = tokens - amount
    if hour_cap > 0 then hour = hour - amount end
    granted = 1
  else
    wait = math.max(0, 1 - tokens) / rate
    if hour_cap > 0 and hour < 1 then wait = math.max(wait, (1 - hour) / hour_rate) end
  end
elseif op == 'pause' then
  paused = math.max(paused, now + amount)
  tokens = math.min(tokens, 0)
elseif op == 'cap' then
  tokens = math.min(tokens, amount)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'hour', tostring(hour),
  'stamp', tostring(now), 'paused', tostring(paused))
redis.call('EXPIRE', KEYS[1], ARGV[8])
return {granted, tostring(wait), tostring(tokens), tostring(hour), tostring(math.max(0, paused - now))}
"""
"""KEYS: bucket. ARGV: op (`take`, `pause`, `cap`, `peek`), tokens a second, burst, hourly tokens
a second, hourly capacity (0: no hourly limit), amount (tokens to take, seconds to pause, the cap),
debt (tokens already spent locally by `try_acquire`), time to live (s). Returns granted (0/1),
seconds to wait, tokens, hourly tokens, seconds of pause left."""

HEARTBEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return redis.call('ZCARD', KEYS[1])
"""
"""KEYS: members. ARGV: instance id, presence ttl (ms). Returns how many instances are present."""
