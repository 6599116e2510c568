"""The read side of the team ledger: the aggregates forecast, status and report need.

Windows of a day or less (burn of the last hour, the day's smoothed burn) read the call
records themselves; longer ones read the quarter-hour and day counters the settle script
keeps (``redis_scripts.py``), so a month of a whole team's calls is a few dozen hashes.
Counter windows start on the quarter hour containing ``since``.
"""

from __future__ import annotations

import json
from collections import defaultdict

import redis

from frugal_lsp.store.records import MemberUsage, SpendGroup, Totals

QUARTER, DAY_QUARTERS = 900, 96


class RedisReads:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def _key(self, name: str) -> str:
        return self.prefix + name

    # -- from the records ---------------------------------------------------------------

    def _records(self, start: float, end: float, lo: str = "") -> list[tuple[float, str, float]]:
        """(ts, provider, cost) of calls reserved in [start, end) — or (start, end]."""
        low, high = (f"({start!r}", repr(end)) if lo == "(" else (repr(start), f"({end!r}")
        ids = self.client.zrangebyscore(self._key("calls"), low, high)
        pipe = self.client.pipeline(transaction=False)
        for call_id in ids:
            pipe.hmget(self._key(f"call:{call_id!s}"), ["ts", "provider", "cost_units"])
        return [(float(ts), str(p), float(cost or 0)) for ts, p, cost in pipe.execute()]

    def cache_savings(self, since: float) -> tuple[int, int, float, float]:
        """Prompt-cache reads, writes, and the units and dollars they saved since ``since``."""
        ids = self.client.zrangebyscore(self._key("calls"), repr(since), "+inf")
        pipe = self.client.pipeline(transaction=False)
        fields = ["cached_tokens", "cache_write_tokens", "cache_saved_units", "cache_saved_usd"]
        for call_id in ids:
            pipe.hmget(self._key(f"call:{call_id!s}"), fields)
        rows = pipe.execute()
        read = sum(int(float(r[0] or 0)) for r in rows)
        written = sum(int(float(r[1] or 0)) for r in rows)
        return (
            read,
            written,
            sum(float(r[2] or 0) for r in rows),
            sum(float(r[3] or 0) for r in rows),
        )

    def spend_between(self, start: float, end: float, provider: str | None = None) -> float:
        rows = self._records(start, end)
        return sum(cost for _, p, cost in rows if provider in (None, p))

    def spend_by_hours_ago(self, now: float, provider: str | None = None) -> dict[int, float]:
        by_hour: dict[int, float] = defaultdict(float)
        for ts, p, cost in self._records(now - 86400, now, "("):
            hour = int((now - ts) / 3600)
            if provider in (None, p) and 0 <= hour < 24:
                by_hour[hour] += cost
        return dict(by_hour)

    def latencies(self, provider: str, model: str, limit: int = 50) -> list[float]:
        key = self._key(f"lat:{provider}|{model}")
        return [float(v) for v in self.client.lrange(key, 0, limit - 1)]

    # -- from the counters --------------------------------------------------------------

    def _span_keys(self, since: float, end: float) -> list[str]:
        """Quarter keys at the edges, day keys for every whole UTC day in between."""
        q, last = int(since // QUARTER), int(end // QUARTER)
        keys = []
        while q <= last:
            if q % DAY_QUARTERS == 0 and q + DAY_QUARTERS - 1 <= last:
                keys.append(self._key(f"d:{q // DAY_QUARTERS}"))
                q += DAY_QUARTERS
            else:
                keys.append(self._key(f"q:{q}"))
                q += 1
        return keys

    def _hashes(self, keys: list[str]) -> list[dict[str, str]]:
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.hgetall(key)
        return list(pipe.execute())

    def _sums(self, since: float, end: float | None = None) -> dict[str, float]:
        import time

        totals: dict[str, float] = defaultdict(float)
        keys = [self._key("all")] if since <= 0 and end is None else []
        for found in self._hashes(keys or self._span_keys(since, end or time.time() + 86400)):
            for field, value in found.items():
                totals[field] += float(value)
        return totals

    def savings_by_kind(self, since: float) -> list[tuple[str, int, float]]:
        sums = self._sums(since)
        kinds = sorted(f[1:] for f in sums if f.startswith("s"))
        return [(k, int(sums[f"s{k}"]), sums.get(f"S{k}", 0.0)) for k in kinds]

    def scope_saving(self, since: float) -> tuple[int, float]:
        sums = self._sums(since)
        return int(sums.get("f", 0)), sums.get("F", 0.0)

    def totals(self, since: float) -> Totals:
        sums = self._sums(since)
        saved = sum(v for f, v in sums.items() if f.startswith("s"))
        return Totals(int(saved), int(sums.get("N", 0)), int(sums.get("a", 0)), sums.get("uc", 0.0))

    def members(self, since: float) -> list[MemberUsage]:
        sums = self._sums(since)
        found = [
            MemberUsage(f[1:], v, int(sums.get(f"M{f[1:]}", 0)))
            for f, v in sums.items()
            if f.startswith("m")
        ]
        return sorted(found, key=lambda m: (-m.units, m.member))

    def spend_groups(self, start: float, end: float) -> list[SpendGroup]:
        """Per quarter hour (so days fall on the user's wall clock), provider, model, task."""
        first, last = int(start // QUARTER), int(end // QUARTER)
        quarters = list(range(first, last + 1))
        found = self._hashes([self._key(f"q:{q}") for q in quarters])
        groups = []
        for quarter, fields in zip(quarters, found, strict=True):
            for field, units in fields.items():
                if field.startswith("g["):
                    g = field[1:]
                    provider, model, task, member = json.loads(g)
                    groups.append(
                        SpendGroup(
                            quarter,
                            provider,
                            model,
                            task,
                            member,
                            float(units),
                            int(float(fields.get(f"n{g}", 0))),
                            int(float(fields.get(f"t{g}", 0))),
                            float(fields.get(f"${g}", 0)),
                        )
                    )
        return groups
