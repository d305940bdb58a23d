"""Team mode: many qa-tui instances watching one provider project share one poller and one budget.

With `[team] redis_url`, each provider project gets a Redis **lease** (`lease.py`: `SET NX PX`,
renewed, released on exit, fenced by its random token) whose holder is the only instance that
polls; it **publishes** every change batch to a Redis Stream and keeps a **snapshot** hash of the
runs for a newcomer's first paint, through a Lua script that refuses a writer whose lease token is
not the current one (`scripts.py`). The others **follow** (`member.py`): they read the stream with
`XREAD BLOCK`, apply each batch to their own store exactly as the engine's own, poll nothing, and
ask the poller for a faster refresh of the run open in their detail view on a request stream.
Every request sent with a provider key by any instance takes a token from one **shared token
bucket** per key (`bucket.py`, a Lua script; the key's identity in Redis is a hash, `keys.py`).
What comes back from Redis is **validated** like a provider payload (`wire.py`: the normalized
`Run` model, size caps, bad entries skipped and counted), and nothing secret is ever written
there. When Redis goes away an instance polls alone with a fair share of the budget, says so
(`status.py`: `team: offline`), and rejoins when it is back (`link.py` wires it all together).
"""
