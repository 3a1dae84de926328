"""The shared store: Redis, for several replicas behind a load balancer.

Keys share the hash tag ``{CODE}`` and expire with the session (``PEXPIREAT`` to its deadline):
``bp:{CODE}`` (hash: the state), ``bp:{CODE}:q`` (question id → "stage value"), ``bp:{CODE}:a:N``
(token hash → [time, label, verdict]) and ``bp:{CODE}:t:N`` (label → count). Every change is one Lua
script, so it is atomic, and its clock is the server's ``TIME``, one clock for every replica.
Persistence is the server's business: with ``appendonly yes`` a restart keeps everything.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

import redis
from redis.backoff import EqualJitterBackoff
from redis.retry import Retry

from .store import (
    GONE,
    GUESS_WINDOW_S,
    MIN_ANSWER_GAP_S,
    NOT_OPEN,
    OVER,
    TOO_FAST,
    Closed,
    NotFound,
    RateLimited,
    Store,
    TallyRow,
)

_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "

_CREATE = (
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end "
    + _NOW
    + """
local expires = now + tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'expires', expires, unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], expires)
return 1
"""
)

_CHANGE = """
local s = KEYS[1]
if redis.call('EXISTS', s) == 0 then return {-1, 0} end
local question = tonumber(redis.call('HGET', s, 'question'))
if ARGV[1] == 'stage' or ARGV[1] == 'hide' then
  redis.call('HSET', s, 'stage', ARGV[2], 'hidden', ARGV[1] == 'hide' and 1 or 0)
elseif ARGV[1] == 'ask' then
  local stage = redis.call('HGET', s, 'stage')
  question = question + 1
  redis.call('HSET', s, 'question', question, 'asking', 'open', 'qstage', stage, 'value', ARGV[2])
  redis.call('HSET', KEYS[2], question, stage .. ' ' .. ARGV[2])
  redis.call('PEXPIREAT', KEYS[2], redis.call('HGET', s, 'expires'))
elseif redis.call('HGET', s, 'asking') ~= 'open' then
  return {-2, question}
else
  redis.call('HSET', s, 'asking', 'revealed')
end
return {redis.call('HINCRBY', s, 'version', 1), question}
"""

_SUBMIT = (
    """
local s = redis.call('HMGET', KEYS[1], 'question', 'asking', 'expires')
if not s[1] then return 'gone' end
if s[1] ~= ARGV[1] or s[2] ~= 'open' then return 'over' end
"""
    + _NOW
    + """
local before = redis.call('HGET', KEYS[2], ARGV[2])
if before then
  local old = cjson.decode(before)
  if now - old[1] < tonumber(ARGV[5]) then return 'fast' end
  redis.call('HINCRBY', KEYS[3], old[2], -1)
end
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
redis.call('HSET', KEYS[2], ARGV[2], cjson.encode({now, ARGV[3], ARGV[4]}))
redis.call('PEXPIREAT', KEYS[2], s[3])
redis.call('PEXPIREAT', KEYS[3], s[3])
return 'ok'
"""
)

# The per-question keys are named from the session key: one hash slot, so fine on a cluster too.
_DELETE = """
local n = tonumber(redis.call('HGET', KEYS[1], 'question') or '0')
for q = 1, n do redis.call('DEL', KEYS[1] .. ':a:' .. q, KEYS[1] .. ':t:' .. q) end
return redis.call('DEL', KEYS[1], KEYS[2])
"""


MAX_CONNECTIONS = 32  # per process; each call holds one for a fraction of a millisecond


def _session(code: str) -> str:
    return f"bp:{{{code}}}"


class RedisStore(Store):
    def __init__(self, url: str, max_connections: int = MAX_CONNECTIONS):
        # A bounded pool that makes a thread wait for a free connection: a Streamlit server runs one thread
        # per session, and 300 phones must not open 300 connections (nor fail when the pool is full).
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=5,
            decode_responses=True,
            socket_timeout=5,
            socket_connect_timeout=2,
            retry=Retry(EqualJitterBackoff(cap=1.0, base=0.05), 6),  # rides over a restart of the server
        )
        self.redis = redis.Redis(connection_pool=pool)
        self._create, self._change_script, self._submit_script, self._delete_script = (
            self.redis.register_script(script) for script in (_CREATE, _CHANGE, _SUBMIT, _DELETE)
        )

    def close(self) -> None:
        self.redis.connection_pool.disconnect()  # a pool passed in is not closed by Redis.close()

    def purge(self) -> int:
        return 0  # Redis deletes expired keys itself

    def _insert(self, code: str, fields: Mapping[str, object], ttl_s: float) -> bool:
        args = [max(1, round(ttl_s * 1000))]
        for name, value in fields.items():
            args += [name, value]
        return self._create(keys=[_session(code)], args=args) == 1

    def _read(self, code: str) -> Mapping[str, str] | None:
        row = self.redis.hgetall(_session(code))
        if not row:
            return None
        return {**row, "expires": int(row["expires"]) / 1000}

    def _field(self, code: str, name: str) -> str | None:
        return self.redis.hget(_session(code), name)

    def _version(self, code: str) -> int | None:
        found = self.redis.hget(_session(code), "version")
        return None if found is None else int(found)

    def _watch(self, code: str) -> tuple[str, int] | None:
        salt, version = self.redis.hmget(_session(code), "salt", "version")
        return None if salt is None or version is None else (salt, int(version))

    def _change(self, code: str, action: str, arg: str) -> tuple[int, int]:
        key = _session(code)
        version, question = self._change_script(keys=[key, key + ":q"], args=[action, arg])
        if version == -1:
            raise NotFound(GONE)
        if version == -2:
            raise Closed(NOT_OPEN)
        return version, question

    def _delete(self, code: str) -> None:
        key = _session(code)
        self._delete_script(keys=[key, key + ":q"])

    def _submit(self, code: str, question: int, token: str, label: str, verdict: str) -> None:
        key = _session(code)
        keys = [key, f"{key}:a:{question}", f"{key}:t:{question}"]
        result = self._submit_script(keys=keys, args=[question, token, label, verdict, MIN_ANSWER_GAP_S * 1000])
        if result == "gone":
            raise NotFound(GONE)
        if result == "over":
            raise Closed(OVER)
        if result == "fast":
            raise RateLimited(TOO_FAST)

    def _tally(self, code: str, question: int) -> tuple[Mapping[str, int], int]:
        key = _session(code)
        with self.redis.pipeline(transaction=True) as pipe:
            counts, answered = pipe.hgetall(f"{key}:t:{question}").hlen(f"{key}:a:{question}").execute()
        return {label: int(n) for label, n in counts.items()}, answered

    def _own(self, code: str, question: int, token: str) -> tuple[str, str] | None:
        found = self.redis.hget(f"{_session(code)}:a:{question}", token)
        if found is None:
            return None
        _, label, verdict = json.loads(found)
        return label, verdict

    def _rows(self, code: str) -> list[TallyRow]:
        key = _session(code)
        asked = sorted((int(q), text.split(" ", 1)) for q, text in self.redis.hgetall(key + ":q").items())
        with self.redis.pipeline(transaction=True) as pipe:
            for question, _ in asked:
                pipe.hgetall(f"{key}:t:{question}")
            tallies = pipe.execute()
        return [
            TallyRow(question, stage, value, label, int(n))
            for (question, (stage, value)), counts in zip(asked, tallies)
            for label, n in sorted(counts.items())
            if int(n) > 0
        ]

    def _guess_key(self, who: str) -> str:
        return f"bp:guess:{who}:{int(time.time() // GUESS_WINDOW_S)}"  # this replica's clock: skew only shifts a window

    def _guesses(self, who: str) -> int:
        return int(self.redis.get(self._guess_key(who)) or 0)

    def _guessed_wrong(self, who: str) -> None:
        key = self._guess_key(who)
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key).expire(key, 2 * GUESS_WINDOW_S).execute()
