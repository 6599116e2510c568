"""The read side of the SQLite ledger: the aggregates the forecast, status and report use.

Kept apart from ``ledger.py`` (the write side). Every query is the one those modules ran
before the store interface existed, so the embedded store's figures are unchanged.
"""

from __future__ import annotations

import getpass
import socket
from typing import Any

from frugal_lsp.store.base import BucketCell, MemoryCell
from frugal_lsp.store.records import MemberUsage, SpendGroup, Totals

QUARTER = 900


def local_member() -> str:
    """``user@host``: who this machine's spend belongs to."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    return f"{user}@{socket.gethostname()}"


class LedgerReads:
    """Mixed into ``Ledger``; ``query`` is its read-only SQL access."""

    def query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    @property
    def problem(self) -> str | None:
        return None

    def spend_between(self, start: float, end: float, provider: str | None = None) -> float:
        where, args = ("AND provider=?", (provider,)) if provider else ("", ())
        rows = self.query(
            f"SELECT COALESCE(SUM(cost_units),0) FROM calls WHERE ts>=? AND ts<? {where}",
            (start, end, *args),
        )
        return float(rows[0][0])

    def spend_by_hours_ago(self, now: float, provider: str | None = None) -> dict[int, float]:
        where, args = ("AND provider=?", (provider,)) if provider else ("", ())
        rows = self.query(
            "SELECT CAST((? - ts) / 3600 AS INTEGER) AS h, SUM(cost_units) FROM calls"
            f" WHERE ts>? AND ts<=? {where} GROUP BY h",
            (now, now - 86400, now, *args),
        )
        return {int(h): float(units) for h, units in rows if 0 <= int(h) < 24}

    def spend_groups(self, start: float, end: float) -> list[SpendGroup]:
        rows = self.query(
            f"SELECT CAST(ts / {QUARTER} AS INTEGER) AS q, provider, model, task,"
            " SUM(cost_units), COUNT(*),"
            " COALESCE(SUM(prompt_tokens),0) + COALESCE(SUM(completion_tokens),0),"
            " COALESCE(SUM(cost_usd),0) FROM calls WHERE ts>=? AND ts<=?"
            " GROUP BY q, provider, model, task",
            (start, end),
        )
        member = local_member()
        return [
            SpendGroup(int(q), str(p), str(m), str(t), member, float(u), int(c), int(k), float(d))
            for q, p, m, t, u, c, k, d in rows
        ]

    def savings_by_kind(self, since: float) -> list[tuple[str, int, float]]:
        rows = self.query(
            "SELECT kind, SUM(tokens), SUM(units) FROM savings WHERE ts>=? GROUP BY kind", (since,)
        )
        return [(str(k), int(t), float(u)) for k, t, u in rows]

    def scope_saving(self, since: float) -> tuple[int, float]:
        row = self.query(
            "SELECT COALESCE(SUM(full_file_tokens - est_prompt_tokens),0),"
            " COALESCE(SUM((full_file_tokens - est_prompt_tokens) * coefficient),0) FROM calls"
            " WHERE ts>=? AND full_file_tokens > est_prompt_tokens AND outcome!='reserved'",
            (since,),
        )[0]
        return int(row[0]), float(row[1])

    def totals(self, since: float) -> Totals:
        q = self.query
        saved = q("SELECT COALESCE(SUM(tokens),0) FROM savings WHERE ts>=?", (since,))[0][0]
        calls = q("SELECT COUNT(*) FROM calls WHERE ts>=?", (since,))[0][0]
        accepted = q("SELECT COUNT(*) FROM accepted WHERE ts>=?", (since,))[0][0]
        spend = q(
            "SELECT COALESCE(SUM(cost_units),0) FROM calls WHERE ts>=? AND task='completion'",
            (since,),
        )[0][0]
        estimated, orphans = q(
            "SELECT COALESCE(SUM(usage_source='estimated'),0),"
            " COALESCE(SUM(usage_source='reservation'),0) FROM calls WHERE ts>=?",
            (since,),
        )[0]
        return Totals(
            int(saved), int(calls), int(accepted), float(spend), int(estimated), int(orphans)
        )

    def latencies(self, provider: str, model: str, limit: int = 50) -> list[float]:
        rows = self.query(
            "SELECT latency_ms FROM calls WHERE provider=? AND model=? AND outcome='ok'"
            " ORDER BY id DESC LIMIT ?",
            (provider, model, limit),
        )
        return [float(r[0]) for r in rows if isinstance(r[0], int | float)]

    def members(self, since: float) -> list[MemberUsage]:
        units, calls = self.query(
            "SELECT COALESCE(SUM(cost_units),0), COUNT(*) FROM calls WHERE ts>=?", (since,)
        )[0]
        return [MemberUsage(local_member(), float(units), int(calls))] if calls else []

    def bucket_cell(self, provider: str, kind: str) -> BucketCell:
        return MemoryCell()
