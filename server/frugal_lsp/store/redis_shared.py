"""What else a team shares in Redis: token buckets per platform and the answer cache.

A bucket's state is one hash per platform and kind; every change runs the bucket's math
(``quota/buckets.py``) inside a WATCH/MULTI transaction, so members drawing at the same
moment retry instead of overwriting each other. Answers live under the namespace's
prefix by request hash (the prompt itself is never a key), with the cache's TTL.
While Redis is away both work on this process's memory / miss, and say so once.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

from frugal_lsp.store.base import BucketChange, BucketState, MemoryCell

log = logging.getLogger(__name__)
BUCKET_TTL_S = 86400


def _state(raw: Any) -> BucketState | None:
    if not raw:
        return None
    full_at = raw.get("full_at")
    return BucketState(
        float(raw["level"]),
        float(raw["at"]),
        float(full_at) if full_at else None,
        float(raw.get("blocked_until", 0)),
    )


def _fields(state: BucketState) -> dict[str, str]:
    return {
        "level": repr(state.level),
        "at": repr(state.at),
        "full_at": repr(state.full_at) if state.full_at is not None else "",
        "blocked_until": repr(state.blocked_until),
    }


class RedisCell:
    """One token bucket shared by every member of the namespace."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        self.client = client
        self.key = key
        self._local = MemoryCell()  # while Redis is away

    def get(self) -> BucketState | None:
        try:
            return _state(self.client.hgetall(self.key))
        except redis.RedisError:
            return self._local.get()

    def update(self, change: BucketChange) -> BucketState:
        result: list[BucketState] = []

        def apply(pipe: Any) -> None:
            new = change(_state(pipe.hgetall(self.key)))
            pipe.multi()
            pipe.hset(self.key, mapping=_fields(new))
            pipe.expire(self.key, BUCKET_TTL_S)
            result[:] = [new]

        try:
            self.client.transaction(apply, self.key)
        except redis.RedisError as exc:
            log.debug("bucket %s kept locally: %s", self.key, exc)
            return self._local.update(change)
        return result[0]


class RedisAnswers:
    """The namespace's answer cache: ``<prefix>answer:<sha256>`` -> the answer as JSON."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._warned = False

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            raw = self.client.get(self.prefix + "answer:" + key)
        except redis.RedisError as exc:
            self._warn(exc)
            return None
        found = json.loads(raw) if isinstance(raw, str) else None
        return found if isinstance(found, dict) else None

    def set(self, key: str, value: dict[str, Any], ttl_s: int | None) -> None:
        try:
            self.client.set(self.prefix + "answer:" + key, json.dumps(value), ex=ttl_s or None)
        except redis.RedisError as exc:
            self._warn(exc)

    def _warn(self, exc: Exception) -> None:
        if not self._warned:
            self._warned = True
            log.warning("team answer cache unavailable, answering without it: %s", exc)

    def close(self) -> None:
        pass
