// The stock scripts. Each runs atomically inside Redis on the keys of one SKU (one hash slot),
// so a hold, a sale reservation or a movement is one indivisible read-decide-write. Time of the
// domain (hold expiry) comes in as nowMs; Redis's own clock (TIME) only ages intents and
// reload leases, which must mean the same on every instance.
//
// Per SKU: stock = {loaded, onHand, sold, pending, held, drain, drainSinceMs, loadNotBeforeMs},
// holds = cart -> units (hash) and cart -> expiresAtMs (sorted set), intents = store writes in
// flight (sale or movement) with their start time. available = onHand - sold - pending - held.

const prelude = `
local stockKey, holdQty, holdExp, intents, intentAge = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local function num(value) return tonumber(value) or 0 end
local function clockMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function isLoaded() return redis.call('HGET', stockKey, 'loaded') == '1' end
local function counters()
  local v = redis.call('HMGET', stockKey, 'onHand', 'sold', 'pending', 'held')
  return num(v[1]), num(v[2]), num(v[3]), num(v[4])
end
-- Holds stop counting at their expiry: every decision first drops the expired ones.
local function dropExpired(nowMs)
  local expired = redis.call('ZRANGEBYSCORE', holdExp, '-inf', nowMs)
  if #expired == 0 then return end
  local total = 0
  for _, cart in ipairs(expired) do
    total = total + num(redis.call('HGET', holdQty, cart))
    redis.call('HDEL', holdQty, cart)
  end
  redis.call('ZREMRANGEBYSCORE', holdExp, '-inf', nowMs)
  redis.call('HINCRBY', stockKey, 'held', -total)
end
local function oldestIntentAgeMs()
  local oldest = redis.call('ZRANGE', intentAge, 0, 0, 'WITHSCORES')
  if #oldest == 0 then return 0 end
  return clockMs() - tonumber(oldest[2])
end
local function setHold(cart, quantity, expiresAtMs)
  if quantity == 0 then
    redis.call('HDEL', holdQty, cart)
    redis.call('ZREM', holdExp, cart)
  else
    redis.call('HSET', holdQty, cart, quantity)
    redis.call('ZADD', holdExp, expiresAtMs, cart)
  end
end
`;

/** ARGV: cart, quantity, expiresAtMs, backorder (1/0), nowMs, mode (grow|any). */
const hold = `
if not isLoaded() then return {'notloaded'} end
local cart, quantity = ARGV[1], tonumber(ARGV[2])
dropExpired(ARGV[5])
local own = num(redis.call('HGET', holdQty, cart))
local ownExpiry = redis.call('ZSCORE', holdExp, cart) or '0'
if ARGV[6] == 'grow' and quantity < own then return {'shrink'} end
if quantity > own and redis.call('HEXISTS', stockKey, 'drain') == 1 then return {'loading'} end
local onHand, sold, pending, held = counters()
local availableToCart = onHand - sold - pending - held + own
if quantity > own and ARGV[4] ~= '1' and availableToCart < quantity then
  return {'short', math.max(0, availableToCart), oldestIntentAgeMs()}
end
setHold(cart, quantity, ARGV[3])
redis.call('HINCRBY', stockKey, 'held', quantity - own)
return {'ok', own, ownExpiry, oldestIntentAgeMs()}
`;

/** Puts a hold back as it was (compensation of a grow): ARGV cart, quantity, expiresAtMs, nowMs. */
const restore = `
if not isLoaded() then return 0 end
dropExpired(ARGV[4])
local cart, quantity = ARGV[1], tonumber(ARGV[2])
if tonumber(ARGV[3]) <= tonumber(ARGV[4]) then quantity = 0 end
local own = num(redis.call('HGET', holdQty, cart))
setHold(cart, quantity, ARGV[3])
redis.call('HINCRBY', stockKey, 'held', quantity - own)
return 1
`;

/** ARGV: cart. Releasing needs no room, so it runs even while the SKU reloads. */
const release = `
local own = num(redis.call('HGET', holdQty, ARGV[1]))
setHold(ARGV[1], 0, 0)
if own ~= 0 and isLoaded() then redis.call('HINCRBY', stockKey, 'held', -own) end
return own
`;

/** ARGV: nowMs, limit. Returns {released, next expiry or '-1'}. */
const sweep = `
local expired = redis.call('ZRANGEBYSCORE', holdExp, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local total = 0
for _, cart in ipairs(expired) do
  total = total + num(redis.call('HGET', holdQty, cart))
  setHold(cart, 0, 0)
end
if total ~= 0 and isLoaded() then redis.call('HINCRBY', stockKey, 'held', -total) end
local nextHold = redis.call('ZRANGE', holdExp, 0, 0, 'WITHSCORES')
return {#expired, nextHold[2] or '-1'}
`;

/**
 * A read: ARGV nowMs. Expired holds are subtracted, not deleted. The age of the oldest intent
 * goes back too: a write whose instance died is noticed by whoever looks at the SKU next.
 */
const level = `
if not isLoaded() then return {'notloaded'} end
local onHand, sold, pending, held = counters()
for _, cart in ipairs(redis.call('ZRANGEBYSCORE', holdExp, '-inf', ARGV[1])) do
  held = held - num(redis.call('HGET', holdQty, cart))
end
return {'ok', onHand, sold, pending, held, oldestIntentAgeMs()}
`;

/** A read: ARGV cart, nowMs. Returns {quantity, expiresAtMs} of a live hold, or {0, '0'}. */
const holdOf = `
local quantity = num(redis.call('HGET', holdQty, ARGV[1]))
local expiry = redis.call('ZSCORE', holdExp, ARGV[1])
if quantity == 0 or not expiry or tonumber(expiry) <= tonumber(ARGV[2]) then return {0, '0'} end
return {quantity, expiry}
`;

/**
 * Reserves a sale before the store commits it: ARGV intentId, cart, quantity, backorder, nowMs.
 * As much of the cart's own hold as the sale needs becomes part of the reservation; the rest
 * stays held until the sale ends. Freeing that rest now would let other carts take units the
 * hold has to get back if the sale fails.
 */
const reserve = `
if not isLoaded() then return {'notloaded'} end
if redis.call('HEXISTS', intents, ARGV[1]) == 1 then return {'ok', oldestIntentAgeMs()} end
if redis.call('HEXISTS', stockKey, 'drain') == 1 then return {'loading'} end
dropExpired(ARGV[5])
local cart, quantity = ARGV[2], tonumber(ARGV[3])
local own = num(redis.call('HGET', holdQty, cart))
local ownExpiry = redis.call('ZSCORE', holdExp, cart) or '0'
local onHand, sold, pending, held = counters()
local availableToCart = onHand - sold - pending - held + own
if ARGV[4] ~= '1' and availableToCart < quantity then return {'short', math.max(0, availableToCart), oldestIntentAgeMs()} end
redis.call('HSET', intents, ARGV[1], cjson.encode({kind = 'sale', quantity = quantity, cart = cart, own = own, ownExpiry = ownExpiry}))
redis.call('ZADD', intentAge, clockMs(), ARGV[1])
redis.call('HINCRBY', stockKey, 'pending', quantity)
local taken = math.min(own, quantity)
if taken > 0 then
  setHold(cart, own - taken, ownExpiry)
  redis.call('HINCRBY', stockKey, 'held', -taken)
end
return {'ok', oldestIntentAgeMs()}
`;

/**
 * Announces a movement before the store applies it: ARGV intentId, onHandDelta, soldDelta,
 * allowBelowCommitted, nowMs. The stricter half (less on hand, more sold) applies at once, the
 * looser half only once the store confirmed, so the cache never promises more than the truth.
 */
const move = `
if not isLoaded() then return {'notloaded'} end
if redis.call('HEXISTS', intents, ARGV[1]) == 1 then return {'ok'} end
if redis.call('HEXISTS', stockKey, 'drain') == 1 then return {'loading'} end
dropExpired(ARGV[5])
local onHandDelta, soldDelta = tonumber(ARGV[2]), tonumber(ARGV[3])
local onHand, sold, pending, held = counters()
local committed = sold + pending
local lowersMargin = (onHand + onHandDelta) - (committed + soldDelta) < onHand - committed
local belowCommitted = onHand + onHandDelta < committed + soldDelta + held
if lowersMargin and belowCommitted and ARGV[4] ~= '1' then return {'refused', onHand, committed, held} end
redis.call('HINCRBY', stockKey, 'onHand', math.min(onHandDelta, 0))
redis.call('HINCRBY', stockKey, 'sold', math.max(soldDelta, 0))
redis.call('HSET', intents, ARGV[1], cjson.encode({kind = 'move', onHand = onHandDelta, sold = soldDelta}))
redis.call('ZADD', intentAge, clockMs(), ARGV[1])
return {'ok'}
`;

/**
 * Ends an intent once the store answered: ARGV intentId, outcome (ok|fail), nowMs. A sold sale
 * also ends what is left of its cart's hold on the SKU (an order ends every hold of its cart). A
 * failed one gives the hold back whole, unless the hold changed meanwhile (the cart set a new
 * one, or it was released or swept): that newer decision stands.
 */
const resolve = `
local raw = redis.call('HGET', intents, ARGV[1])
if not raw then return 'missing' end
redis.call('HDEL', intents, ARGV[1])
redis.call('ZREM', intentAge, ARGV[1])
local intent = cjson.decode(raw)
local ok = ARGV[2] == 'ok'
if intent.kind == 'sale' then
  redis.call('HINCRBY', stockKey, 'pending', -intent.quantity)
  local current = num(redis.call('HGET', holdQty, intent.cart))
  if ok then
    redis.call('HINCRBY', stockKey, 'sold', intent.quantity)
    if current > 0 then
      setHold(intent.cart, 0, 0)
      redis.call('HINCRBY', stockKey, 'held', -current)
    end
  elseif intent.own > 0 and tonumber(intent.ownExpiry) > tonumber(ARGV[3]) and current == intent.own - math.min(intent.own, intent.quantity) then
    setHold(intent.cart, intent.own, intent.ownExpiry)
    redis.call('HINCRBY', stockKey, 'held', intent.own - current)
  end
elseif ok then
  redis.call('HINCRBY', stockKey, 'onHand', math.max(intent.onHand, 0))
  redis.call('HINCRBY', stockKey, 'sold', math.min(intent.sold, 0))
else
  redis.call('HINCRBY', stockKey, 'onHand', -math.min(intent.onHand, 0))
  redis.call('HINCRBY', stockKey, 'sold', -math.max(intent.sold, 0))
end
return 'ok'
`;

/**
 * Starts (or continues) reloading a SKU from the store: ARGV token, quarantineMs, leaseMs,
 * intentLeaseMs. While `drain` is set no new sale, growing hold or movement starts. Returns
 * {'busy'} when another live loader has it, else {'ok', live intents, ms still to wait}.
 */
const beginReload = `
local now = clockMs()
local drain = redis.call('HGET', stockKey, 'drain')
if drain and drain ~= ARGV[1] and now - num(redis.call('HGET', stockKey, 'drainSinceMs')) < tonumber(ARGV[3]) then
  return {'busy'}
end
if drain ~= ARGV[1] then redis.call('HSET', stockKey, 'drain', ARGV[1], 'drainSinceMs', now) end
local waitMs = 0
if not isLoaded() then
  -- Data was lost (or never loaded): let store writes that began before the loss land first.
  local notBefore = num(redis.call('HGET', stockKey, 'loadNotBeforeMs'))
  if notBefore == 0 then
    notBefore = now + tonumber(ARGV[2])
    redis.call('HSET', stockKey, 'loadNotBeforeMs', notBefore)
  end
  waitMs = math.max(0, notBefore - now)
end
local live = #redis.call('ZRANGEBYSCORE', intentAge, '(' .. (now - tonumber(ARGV[4])), '+inf')
return {'ok', live, waitMs}
`;

/** ARGV token, onHand, sold (read from the store after every live intent ended), intentLeaseMs. */
const finishReload = `
if redis.call('HGET', stockKey, 'drain') ~= ARGV[1] then return 'lost' end
local now = clockMs()
if #redis.call('ZRANGEBYSCORE', intentAge, '(' .. (now - tonumber(ARGV[4])), '+inf') > 0 then return 'live' end
-- Intents older than their lease belong to writers that died: the store's figures supersede them.
redis.call('DEL', intents, intentAge)
local held = 0
for _, quantity in ipairs(redis.call('HVALS', holdQty)) do held = held + num(quantity) end
redis.call('HSET', stockKey, 'loaded', 1, 'onHand', ARGV[2], 'sold', ARGV[3], 'pending', 0, 'held', held)
redis.call('HDEL', stockKey, 'drain', 'drainSinceMs', 'loadNotBeforeMs')
return 'ok'
`;

/** ARGV token: gives up a reload this loader could not finish. */
const abandonReload = `
if redis.call('HGET', stockKey, 'drain') == ARGV[1] then redis.call('HDEL', stockKey, 'drain', 'drainSinceMs') end
return 1
`;

/** The stock scripts above, each over the five keys of one SKU. */
export const skuScripts = {
  pcHold: hold,
  pcRestore: restore,
  pcRelease: release,
  pcSweep: sweep,
  pcLevel: level,
  pcHoldOf: holdOf,
  pcReserve: reserve,
  pcMove: move,
  pcResolve: resolve,
  pcBeginReload: beginReload,
  pcFinishReload: finishReload,
  pcAbandonReload: abandonReload,
} as const;

export type SkuScriptName = keyof typeof skuScripts;

export function skuScriptSource(name: SkuScriptName): string {
  return prelude + skuScripts[name];
}

/**
 * The sweeper's index of SKUs with holds (one key), written before the hold: ARGV sku,
 * expiresAtMs, nowMs. Keeps the earliest expiry, but replaces a score that is already due, so
 * that a sweeper which found the SKU empty (and compares scores before removing it) never drops
 * a SKU that is getting a hold; a due score it replaces only delays deleting expired holds,
 * which stopped counting at their expiry anyway.
 */
export const indexHoldSource = `
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not current or tonumber(current) > tonumber(ARGV[2]) or tonumber(current) <= tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
end
return 1
`;

/** ARGV sku, the score the sweeper saw, the next expiry or '-1': changes it only if unchanged. */
export const indexSweptSource = `
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not current or tonumber(current) ~= tonumber(ARGV[2]) then return 0 end
if ARGV[3] == '-1' then redis.call('ZREM', KEYS[1], ARGV[1]) else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
return 1
`;

/** KEYS lock, ARGV token: deletes the lock only if this holder still owns it. */
export const unlockSource = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
