"""The Lua scripts of the team store: each runs atomically inside Redis.

Keys (``P`` = ``frugal:<namespace>:``, passed as KEYS[1]; nothing in a key is secret
or code — provider and model names from the config, numbers, and hashes):

- ``P seq``          counter of call ids
- ``P call:<id>``    one call's record (hash), as the SQLite ledger's ``calls`` row
- ``P calls``        sorted set of call ids by reservation time
- ``P open``         hash id -> "units|lease_until|provider": reservations not yet settled
- ``P q:<n>``        counters of quarter hour n (unix time // 900), ``P d:<n>`` of UTC day n
                     and ``P all`` of all time: settled units (``u``, ``u:<provider>``), groups
                     for reports, per member, savings, accepted, reservations made
- ``P rids``         record ids already pushed from a member's local store (idempotence)
- ``P dz:<scope>``   a keyed allowance's draws: call ids by reservation time,
  ``P da:<scope>``   call id -> amount in the allowance's unit (``store/draws.py``; the
                     scope is the allowance key, plus ``|<project id>`` for a project one),
  ``P dc:<scope>``   and its counters: ``q<n>`` per quarter hour, ``d<n>`` per UTC day, ``all``

A call counts in the counters of its reservation time once it is settled; until then
its reservation counts in ``open``. ``used(since)`` = exact records of the first partial
quarter + quarter counters up to the next UTC midnight + day counters (or the all-time
counter when ``since`` is 0) + every open reservation.
"""

from __future__ import annotations

PRELUDE = r"""
local P = KEYS[1]

local function num(v) return tonumber(v) or 0 end

local function redis_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1e6
end

local function parse_open(v)
  local units, lease, provider = string.match(v, '^([^|]*)|([^|]*)|(.*)$')
  return tonumber(units) or 0, tonumber(lease) or 0, provider or ''
end

local function used(since, provider, now)
  local f = 'u'
  if provider ~= '' then f = 'u:' .. provider end
  local total = 0
  if since <= 0 then
    total = num(redis.call('HGET', P .. 'all', f))
  else
    local q0 = math.ceil(since / 900)
    if q0 * 900 > since then
      local ids = redis.call('ZRANGEBYSCORE', P .. 'calls', since, '(' .. (q0 * 900))
      for _, id in ipairs(ids) do
        local r = redis.call('HMGET', P .. 'call:' .. id, 'provider', 'cost_units', 'outcome')
        if r[3] ~= 'reserved' and (provider == '' or r[1] == provider) then
          total = total + num(r[2])
        end
      end
    end
    local d0 = math.ceil(q0 / 96)
    for q = q0, d0 * 96 - 1 do total = total + num(redis.call('HGET', P .. 'q:' .. q, f)) end
    for d = d0, math.floor(now / 86400) + 1 do
      total = total + num(redis.call('HGET', P .. 'd:' .. d, f))
    end
  end
  local open = redis.call('HVALS', P .. 'open')
  for _, v in ipairs(open) do
    local units, _, p = parse_open(v)
    if provider == '' or p == provider then total = total + units end
  end
  return total
end

local function bump(ts, field, by)
  local keys = {P .. 'q:' .. math.floor(ts / 900), P .. 'd:' .. math.floor(ts / 86400),
    P .. 'all'}
  for _, k in ipairs(keys) do redis.call('HINCRBYFLOAT', k, field, by) end
end

local function count_call(rec)
  local ts, cost = num(rec.ts), num(rec.cost_units)
  local g = cjson.encode({rec.provider, rec.model, rec.task, rec.member})
  local tokens = num(rec.prompt_tokens) + num(rec.completion_tokens)
  bump(ts, 'u', cost)
  bump(ts, 'u:' .. rec.provider, cost)
  bump(ts, 'g' .. g, cost)
  bump(ts, 'n' .. g, 1)
  bump(ts, 't' .. g, tokens)
  bump(ts, '$' .. g, num(rec.cost_usd))
  bump(ts, 'm' .. rec.member, cost)
  bump(ts, 'M' .. rec.member, 1)
  if rec.task == 'completion' then bump(ts, 'uc', cost) end
  local scope = num(rec.full_file_tokens) - num(rec.est_prompt_tokens)
  if rec.full_file_tokens and scope > 0 then
    bump(ts, 'f', scope)
    bump(ts, 'F', scope * num(rec.coefficient))
  end
  if rec.outcome == 'ok' and rec.latency_ms then
    local lat = P .. 'lat:' .. rec.provider .. '|' .. rec.model
    redis.call('LPUSH', lat, rec.latency_ms)
    redis.call('LTRIM', lat, 0, 49)
  end
end

-- One draw's amount, with the scope's counters (quarter hour, UTC day, all time) kept in
-- step: they change by the difference, so a settle or a release is counted once.
local function set_draw(scope, id, ts, amount)
  local amounts = P .. 'da:' .. scope
  local delta = amount - num(redis.call('HGET', amounts, id))
  redis.call('HSET', amounts, id, string.format('%.17g', amount))
  if delta ~= 0 then
    local c = P .. 'dc:' .. scope
    redis.call('HINCRBYFLOAT', c, 'q' .. math.floor(ts / 900), delta)
    redis.call('HINCRBYFLOAT', c, 'd' .. math.floor(ts / 86400), delta)
    redis.call('HINCRBYFLOAT', c, 'all', delta)
  end
end

-- What a keyed allowance counted since ``since``, as ``used`` sums the calls: the exact
-- draws of the first partial quarter, quarter counters up to the next UTC midnight, day
-- counters after it (all time when ``since`` is 0) — plus the draws of reservations still
-- open that were made before ``since``, as the SQLite ledger counts them.
local function draw_used(scope, since, now)
  local c, amounts, times = P .. 'dc:' .. scope, P .. 'da:' .. scope, P .. 'dz:' .. scope
  local total = 0
  if since <= 0 then
    total = num(redis.call('HGET', c, 'all'))
  else
    local q0 = math.ceil(since / 900)
    if q0 * 900 > since then
      for _, id in ipairs(redis.call('ZRANGEBYSCORE', times, since, '(' .. (q0 * 900))) do
        total = total + num(redis.call('HGET', amounts, id))
      end
    end
    local d0 = math.ceil(q0 / 96)
    for q = q0, d0 * 96 - 1 do total = total + num(redis.call('HGET', c, 'q' .. q)) end
    for d = d0, math.floor(now / 86400) + 1 do
      total = total + num(redis.call('HGET', c, 'd' .. d))
    end
  end
  for _, id in ipairs(redis.call('HKEYS', P .. 'open')) do
    local at = redis.call('ZSCORE', times, id)
    if at and tonumber(at) < since then total = total + num(redis.call('HGET', amounts, id)) end
  end
  return total
end

-- A call's draws (json in its record, in draw order) take their settled amounts, as
-- ``pools.settle_all``: caps count the real call; pools pay it again in draw
-- order, each up to what it reserved, the last one whatever is left.
local function settle_draws(id, draws, reserved, cost)
  if not draws or draws == '' then return end
  local function put(scope, amount)
    set_draw(scope, id, num(redis.call('ZSCORE', P .. 'dz:' .. scope, id)), amount)
  end
  local list = cjson.decode(draws)
  local never_sent = cost <= 0 and reserved > 0
  local pools = {}
  for _, d in ipairs(list) do
    local amount = num(d.a)
    if num(d.c) == 1 then
      if d.u == 'tokens' then amount = cost elseif never_sent then amount = 0 end
      put(d.s, amount)
    else
      table.insert(pools, d)
    end
  end
  local remaining = 1.0
  for i, d in ipairs(pools) do
    local need = cost
    if d.u ~= 'tokens' then
      need = 0
      if num(d.f) > 0 then need = num(d.a) / num(d.f) end
    end
    local share = remaining
    if i < #pools and need > 0 then share = math.min(remaining, num(d.a) / need) end
    if never_sent then share = 0 end
    put(d.s, share * need)
    remaining = remaining - share
  end
end

-- A lease ran out (the member's machine vanished): released at no cost when its request
-- never left, charged the reservation when it did (``sent_ts``), as the SQLite ledger.
local function release_expired(now)
  local open = redis.call('HGETALL', P .. 'open')
  for i = 1, #open, 2 do
    local units, lease = parse_open(open[i + 1])
    if lease < now then
      local key = P .. 'call:' .. open[i]
      redis.call('HDEL', P .. 'open', open[i])
      if redis.call('HEXISTS', key, 'sent_ts') == 1 then
        redis.call('HSET', key, 'outcome', 'released', 'reserved_units', 0, 'settled_ts', now,
          'cost_units', units, 'usage_reported', 0, 'usage_source', 'reservation',
          'error', 'reservation lease expired after the request was sent: charged it')
        local flat = redis.call('HGETALL', key)
        local rec = {}
        for j = 1, #flat, 2 do rec[flat[j]] = flat[j + 1] end
        rec.prompt_tokens, rec.completion_tokens = rec.est_prompt_tokens, rec.est_output_tokens
        redis.call('HSET', key, 'prompt_tokens', rec.prompt_tokens,
          'completion_tokens', rec.completion_tokens)
        count_call(rec)
      else
        redis.call('HSET', key, 'outcome', 'released', 'reserved_units', 0,
          'settled_ts', now, 'error', 'reservation lease expired before the call settled')
        settle_draws(open[i], redis.call('HGET', key, 'draws'), 1, 0)
      end
    end
  end
end

local function write(key, rec)
  local args = {}
  for k, v in pairs(rec) do
    if v ~= cjson.null then
      table.insert(args, k)
      table.insert(args, tostring(v))
    end
  end
  redis.call('HSET', key, unpack(args))
end
"""

# ARGV: record json, lease seconds, then (name, limit, since, provider) per allowance.
# The record's ``checks`` (json) are the draws planned for keyed allowances, each with its
# scope ``s``, limit ``l``, start ``since`` and amount ``a``: each must still fit.
# Returns {1, id}, {0, name, left, limit} or {2, scope, left, limit} (a draw no longer
# fits: the caller plans again) — as strings: Lua numbers lose decimals.
RESERVE = (
    PRELUDE
    + r"""
local rec = cjson.decode(ARGV[1])
local lease = tonumber(ARGV[2])
local now = redis_now()
release_expired(now)
local units = num(rec.reserved_units)
local clock = math.max(now, num(rec.ts))
for i = 3, #ARGV, 4 do
  local limit, since = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local spent = used(since, ARGV[i + 3], clock)
  if spent + units > limit then
    return {0, ARGV[i], string.format('%.17g', math.max(limit - spent, 0)),
      string.format('%.17g', limit)}
  end
end
local checks = {}
if rec.checks then checks = cjson.decode(rec.checks) end
rec.checks = nil
for _, c in ipairs(checks) do
  local spent = draw_used(c.s, num(c.since), clock)
  if spent + num(c.a) > num(c.l) + 1e-9 then
    return {2, c.s, string.format('%.17g', math.max(num(c.l) - spent, 0)),
      string.format('%.17g', num(c.l))}
  end
end
local id = redis.call('INCR', P .. 'seq')
rec.outcome = 'reserved'
write(P .. 'call:' .. id, rec)
for _, c in ipairs(checks) do
  redis.call('ZADD', P .. 'dz:' .. c.s, rec.ts, id)
  set_draw(c.s, id, num(rec.ts), num(c.a))
end
redis.call('ZADD', P .. 'calls', rec.ts, id)
redis.call('HSET', P .. 'open', id,
  string.format('%.17g|%.17g|%s', units, now + lease, rec.provider))
bump(num(rec.ts), 'N', 1)
return {1, tostring(id)}
"""
)

# ARGV: id, settlement json, token. Applies once: to a reservation, or to one a lease released.
SETTLE = (
    PRELUDE
    + r"""
local key = P .. 'call:' .. ARGV[1]
local found = redis.call('HMGET', key, 'outcome', 'token')
if found[1] ~= 'reserved' and found[1] ~= 'released' then return 0 end
if found[2] ~= ARGV[3] then return 0 end  -- not our reservation (e.g. Redis lost its data)
local s = cjson.decode(ARGV[2])
local reserved = num(redis.call('HGET', key, 'reserved_units'))
settle_draws(ARGV[1], redis.call('HGET', key, 'draws'), reserved, num(s.cost_units))
s.reserved_units = 0
write(key, s)
redis.call('HDEL', P .. 'open', ARGV[1])
local flat = redis.call('HGETALL', key)
local rec = {}
for i = 1, #flat, 2 do rec[flat[i]] = flat[i + 1] end
count_call(rec)
return 1
"""
)

# ARGV: rid, record json (settled). A record made locally while Redis was away: once.
PUSH_CALL = (
    PRELUDE
    + r"""
if redis.call('SADD', P .. 'rids', ARGV[1]) == 0 then return 0 end
local rec = cjson.decode(ARGV[2])
rec.rid = ARGV[1]
local pushed = {}
if rec.pushed_draws then pushed = cjson.decode(rec.pushed_draws) end
rec.pushed_draws = nil
local id = redis.call('INCR', P .. 'seq')
write(P .. 'call:' .. id, rec)
redis.call('ZADD', P .. 'calls', rec.ts, id)
for _, d in ipairs(pushed) do  -- what it drew from each allowance, counted for the team
  redis.call('ZADD', P .. 'dz:' .. d.s, rec.ts, id)
  set_draw(d.s, id, num(rec.ts), num(d.a))
end
bump(num(rec.ts), 'N', 1)
for k, v in pairs(rec) do rec[k] = tostring(v) end
count_call(rec)
return id
"""
)

# ARGV: rid ('' : no idempotence needed), ts, kind, tokens, units.
SAVING = (
    PRELUDE
    + r"""
if ARGV[1] ~= '' and redis.call('SADD', P .. 'rids', ARGV[1]) == 0 then return 0 end
local ts = tonumber(ARGV[2])
bump(ts, 's' .. ARGV[3], tonumber(ARGV[4]))
bump(ts, 'S' .. ARGV[3], tonumber(ARGV[5]))
return 1
"""
)

# ARGV: accepted key (a hash of the completion id), ts, ttl seconds.
ACCEPTED = (
    PRELUDE
    + r"""
if not redis.call('SET', P .. 'accepted:' .. ARGV[1], ARGV[2], 'NX', 'EX', ARGV[3]) then
  return 0
end
bump(tonumber(ARGV[2]), 'a', 1)
return 1
"""
)

# ARGV: id, now, reason. Release one reservation (its process died), if still open.
RELEASE = (
    PRELUDE
    + r"""
local key = P .. 'call:' .. ARGV[1]
if redis.call('HGET', key, 'outcome') ~= 'reserved' then return 0 end
redis.call('HSET', key, 'outcome', 'released', 'reserved_units', 0, 'settled_ts', ARGV[2],
  'error', ARGV[3])
settle_draws(ARGV[1], redis.call('HGET', key, 'draws'), 1, 0)
redis.call('HDEL', P .. 'open', ARGV[1])
return 1
"""
)

# ARGV: was, step, reason, now. Compare-and-set of the team's pacing step.
PACING = r"""
local P = KEYS[1]
local step = tonumber(redis.call('HGET', P .. 'pacing', 'step') or '0')
if step ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', P .. 'pacing', 'step', ARGV[2], 'ts', ARGV[4], 'reason', ARGV[3])
redis.call('RPUSH', P .. 'pacing:log', cjson.encode({ARGV[4], ARGV[2], ARGV[3]}))
return 1
"""

# ARGV: field ('*' = the budget), units, now. Returns the new balance as a string.
CREDITS = r"""
local P = KEYS[1]
local total = redis.call('HINCRBYFLOAT', P .. 'credits', ARGV[1], ARGV[2])
redis.call('HSET', P .. 'credits', 'ts:' .. ARGV[1], ARGV[3])
return total
"""

# ARGV: scope, since. Read-only: a keyed allowance's count (as ``reserve`` checks it) and
# the time of its oldest non-zero draw since ``since`` ('' when none).
DRAW_USED = (
    PRELUDE
    + r"""
local scope, since = ARGV[1], tonumber(ARGV[2])
local oldest = ''
local amounts = P .. 'da:' .. scope
local offset = 0
repeat  -- the first draw with an amount, a few at a time (most are the very first)
  local found = redis.call('ZRANGEBYSCORE', P .. 'dz:' .. scope, since, '+inf', 'WITHSCORES',
    'LIMIT', offset, 16)
  for i = 1, #found, 2 do
    if num(redis.call('HGET', amounts, found[i])) > 0 then oldest = found[i + 1]; break end
  end
  offset = offset + 16
until oldest ~= '' or #found < 32
return {string.format('%.17g', draw_used(scope, since, redis_now())), oldest}
"""
)

# ARGV: since, provider ('' = all), now. Read-only: the same sum ``reserve`` checks.
USED = (
    PRELUDE
    + r"""
return string.format('%.17g', used(tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])))
"""
)
