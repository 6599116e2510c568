"""The ledger: one SQLite file (WAL) that every frugal-lsp process on the machine shares.

Every provider call leaves exactly one row in ``calls``: it is inserted as a reservation
(prompt tokens + max output tokens, in quota units) inside ``BEGIN IMMEDIATE`` after
checking that it fits every budget it draws from, and later settled in place with the
provider's reported usage. Because the check and the insert happen in one write
transaction, concurrent processes can never both fit into the same remaining quota.
A call is marked ``sent`` just before its request leaves. Reservations left by a process
that died are settled on the next open: one never sent is released at no cost, one sent
is charged its reservation (the provider may have billed every token of it — a killed
call must not be free, or the hard budget is exceeded at the provider).
``usage_source`` says where a row's token counts come from: ``reported`` by the provider,
``estimated`` (reported but implausible: our count instead), ``counted`` (nothing
reported) or ``reservation`` (the process died after sending).
Cache hits, typing-through reuse and skipped requests go to ``savings``, never to spend.
``credits`` holds hand-made top-ups, ``alerts`` the thresholds already announced (once per
period, whichever process got there first) and ``pacing`` every pacing step taken.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from frugal_lsp.errors import QuotaExhausted
from frugal_lsp.store import draws as allowance_draws
from frugal_lsp.store.ledger_reads import LedgerReads
from frugal_lsp.store.records import (
    ORPHAN_SENT,
    ORPHAN_UNSENT,
    OUTCOMES,
    RESERVED,
    Allowance,
    CallRequest,
    Reservation,
    Settlement,
    process_alive,
)
from frugal_lsp.store.sqlite import open_private

__all__ = [
    "OUTCOMES",
    "RESERVED",
    "Allowance",
    "CallRequest",
    "Ledger",
    "Reservation",
    "Settlement",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    settled_ts REAL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    tier TEXT NOT NULL,
    task TEXT NOT NULL,
    est_prompt_tokens INTEGER NOT NULL,
    est_output_tokens INTEGER NOT NULL,
    coefficient REAL NOT NULL,
    reserved_units REAL NOT NULL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    cached_tokens INTEGER,
    usage_reported INTEGER,
    cost_units REAL NOT NULL DEFAULT 0,
    cost_usd REAL,
    latency_ms REAL,
    full_file_tokens INTEGER,
    outcome TEXT NOT NULL,
    error TEXT,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    sent_ts REAL,
    usage_source TEXT,
    cache_write_tokens INTEGER,
    cache_saved_units REAL,
    cache_saved_usd REAL
);
CREATE INDEX IF NOT EXISTS calls_ts ON calls(ts);
CREATE INDEX IF NOT EXISTS calls_outcome ON calls(outcome);
CREATE TABLE IF NOT EXISTS savings (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    kind TEXT NOT NULL,
    model TEXT,
    tokens INTEGER NOT NULL,
    units REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS savings_ts ON savings(ts);
CREATE TABLE IF NOT EXISTS accepted (
    id TEXT PRIMARY KEY,
    ts REAL NOT NULL,
    call_id INTEGER
);
CREATE TABLE IF NOT EXISTS credits (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    provider TEXT,
    units REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    scope TEXT NOT NULL,
    period REAL NOT NULL,
    threshold REAL NOT NULL,
    ts REAL NOT NULL,
    fraction REAL NOT NULL,
    PRIMARY KEY (scope, period, threshold)
);
CREATE TABLE IF NOT EXISTS pacing (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    step INTEGER NOT NULL,
    reason TEXT NOT NULL
);
"""
# Columns added after the first release (also in SCHEMA), added on open to an older ledger.
MIGRATIONS = {
    "calls": (
        ("full_file_tokens", "INTEGER"),
        ("sent_ts", "REAL"),
        ("usage_source", "TEXT"),
        ("cache_write_tokens", "INTEGER"),
        ("cache_saved_units", "REAL"),
        ("cache_saved_usd", "REAL"),
    )
}


class Ledger(LedgerReads):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_private(path)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._db.executescript(allowance_draws.SCHEMA)
        self._migrate()
        self.host = socket.gethostname()
        self.release_orphans()

    def _migrate(self) -> None:
        """Add missing columns in one write transaction, looking again once it holds the lock.

        Editors often start several servers at once on a fresh or older ledger: each one
        must find the columns the first one added, not add them a second time.
        """
        with self._write() as db:
            for table, columns in MIGRATIONS.items():
                have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns:
                    if name not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    @property
    def label(self) -> str:
        return f"embedded ledger {self.path}"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; other processes wait for it (BEGIN IMMEDIATE)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- spend ------------------------------------------------------------------------

    def reserve(self, call: CallRequest, allowances: tuple[Allowance, ...] = ()) -> Reservation:
        """Reserve the worst case of one call, or raise QuotaExhausted if it does not fit."""
        units = call.units
        now = time.time()
        with self._write() as db:
            for allowance in (a for a in allowances if not a.key):
                used = self._used(db, allowance.since, allowance.provider)
                if used + units > allowance.limit:
                    left = max(allowance.limit - used, 0.0)
                    raise QuotaExhausted(
                        f"{allowance.name}: {left:,.0f} of {allowance.limit:,.0f} units left, "
                        f"this request needs up to {units:,.0f}"
                    )
            draws = allowance_draws.plan(db, allowances, units, now)
            cur = db.execute(
                "INSERT INTO calls (ts, provider, model, tier, task, est_prompt_tokens,"
                " est_output_tokens, coefficient, reserved_units, outcome, pid, host,"
                " full_file_tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    now,
                    call.provider,
                    call.model,
                    call.tier,
                    call.task,
                    call.prompt_tokens,
                    call.max_output_tokens,
                    call.coefficient,
                    units,
                    RESERVED,
                    os.getpid(),
                    self.host,
                    call.full_file_tokens,
                ),
            )
            assert cur.lastrowid is not None
            allowance_draws.insert(db, cur.lastrowid, now, draws)
        tokens = call.prompt_tokens + call.max_output_tokens
        return Reservation(id=cur.lastrowid, units=units, started=now, tokens=tokens)

    def settle(self, reservation: Reservation, result: Settlement) -> None:
        """Turn the reservation into the call's final record (once; later calls are no-ops)."""
        latency = (time.time() - reservation.started) * 1000
        with self._write() as db:
            allowance_draws.settle(db, reservation.id, reservation.units, result.cost_units)
            db.execute(
                "UPDATE calls SET settled_ts=?, prompt_tokens=?, completion_tokens=?,"
                " cached_tokens=?, usage_reported=?, usage_source=?, cost_units=?, cost_usd=?,"
                " latency_ms=?, outcome=?, error=?, cache_write_tokens=?, cache_saved_units=?,"
                " cache_saved_usd=?, reserved_units=0 WHERE id=? AND outcome=?",
                (
                    time.time(),
                    result.prompt_tokens,
                    result.completion_tokens,
                    result.cached_tokens,
                    int(result.usage_reported),
                    result.source,
                    result.cost_units,
                    result.cost_usd,
                    latency,
                    result.outcome,
                    result.error,
                    result.cache_write_tokens,
                    result.cache_saved_units,
                    result.cache_saved_usd,
                    reservation.id,
                    RESERVED,
                ),
            )

    def mark_sent(self, reservation: Reservation) -> None:
        """The request is about to leave: from now on a crash charges the reservation."""
        with self._write() as db:
            db.execute(
                "UPDATE calls SET sent_ts=? WHERE id=? AND outcome=?",
                (time.time(), reservation.id, RESERVED),
            )

    def release_orphans(self) -> int:
        """Settle reservations of processes on this host that no longer run: one never sent
        at no cost, one sent at its reservation (prompt and every output token it allowed)."""
        now = time.time()
        with self._write() as db:
            rows = db.execute(
                "SELECT id, pid, sent_ts FROM calls WHERE outcome=? AND host=?",
                (RESERVED, self.host),
            ).fetchall()
            dead = [(row_id, sent) for row_id, pid, sent in rows if not process_alive(pid)]
            db.executemany(
                "UPDATE calls SET outcome='released', reserved_units=0, settled_ts=?,"
                " error=? WHERE id=?",
                [(now, ORPHAN_UNSENT, row_id) for row_id, sent in dead if sent is None],
            )
            db.executemany(
                "UPDATE calls SET outcome='released', cost_units=reserved_units,"
                " prompt_tokens=est_prompt_tokens, completion_tokens=est_output_tokens,"
                " usage_reported=0, usage_source='reservation', reserved_units=0,"
                " settled_ts=?, error=? WHERE id=?",
                [(now, ORPHAN_SENT, row_id) for row_id, sent in dead if sent is not None],
            )
            allowance_draws.release(
                db,
                [row_id for row_id, sent in dead if sent is None],
                [row_id for row_id, sent in dead if sent is not None],
            )
        return len(dead)

    @staticmethod
    def _used(db: sqlite3.Connection, since: float, provider: str | None) -> float:
        """Settled cost since ``since`` plus every open reservation."""
        where, args = ("AND provider=?", (provider,)) if provider else ("", ())
        row = db.execute(
            f"SELECT COALESCE(SUM(cost_units),0) + COALESCE(SUM(reserved_units),0) FROM calls"
            f" WHERE (ts>=? OR outcome='{RESERVED}') {where}",
            (since, *args),
        ).fetchone()
        return float(row[0])

    def used(self, since: float, provider: str | None = None) -> float:
        with self._lock:
            return self._used(self._db, since, provider)

    def allowance_used(self, allowance: Allowance) -> tuple[float, float | None]:
        """What a keyed allowance has counted, and when its oldest counted spend was."""
        with self._lock:
            return (
                allowance_draws.used(self._db, allowance),
                allowance_draws.oldest(self._db, allowance),
            )

    def cache_savings(self, since: float) -> tuple[int, int, float, float]:
        """Prompt tokens read from / written to a prompt cache since ``since``, and the
        units and dollars that saved (``quota/pricing.py``)."""
        rows = self.query(
            "SELECT COALESCE(SUM(cached_tokens),0), COALESCE(SUM(cache_write_tokens),0),"
            " COALESCE(SUM(cache_saved_units),0), COALESCE(SUM(cache_saved_usd),0)"
            " FROM calls WHERE ts>=? AND outcome!=?",
            (since, RESERVED),
        )
        read, written, units, usd = rows[0]
        return int(read), int(written), float(units), float(usd)

    def draws_of(self, call_id: int) -> list[dict[str, object]]:
        """The call's draws named as the team store names them (``store/draws.py``)."""
        with self._lock:
            return allowance_draws.scopes_of(self._db, call_id)

    def paid_by(self, since: float) -> list[tuple[str, str, str, float, int]]:
        """Which allowance paid what since ``since`` (see ``store/draws.py``)."""
        with self._lock:
            return allowance_draws.paid_by(self._db, since)

    # -- savings and acceptance ---------------------------------------------------------

    def record_saving(self, kind: str, tokens: int, units: float, model: str | None = None) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO savings (ts, kind, model, tokens, units) VALUES (?,?,?,?,?)",
                (time.time(), kind, model, tokens, units),
            )

    def record_accepted(self, completion_id: str, call_id: int | None) -> bool:
        """Count an accepted suggestion once; False when it was already counted."""
        with self._write() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO accepted (id, ts, call_id) VALUES (?,?,?)",
                (completion_id, time.time(), call_id),
            )
        return cur.rowcount == 1

    # -- credits, alerts, pacing -------------------------------------------------------

    def add_credits(self, units: float, provider: str | None = None) -> float:
        """Top up a balance (``provider`` None: the overall budget); returns the new total."""
        with self._write() as db:
            db.execute(
                "INSERT INTO credits (ts, provider, units) VALUES (?,?,?)",
                (time.time(), provider, units),
            )
            row = db.execute(
                "SELECT COALESCE(SUM(units),0) FROM credits WHERE provider IS ?", (provider,)
            ).fetchone()
        return float(row[0])

    def credits(self, provider: str | None = None) -> tuple[float, float]:
        """Units topped up for ``provider`` (None: the budget) and the last top-up's time."""
        rows = self.query(
            "SELECT COALESCE(SUM(units),0), COALESCE(MAX(ts),0) FROM credits WHERE provider IS ?",
            (provider,),
        )
        return float(rows[0][0]), float(rows[0][1])

    def claim_alerts(
        self, scope: str, period: float, thresholds: tuple[float, ...], fraction: float
    ) -> list[float]:
        """Record crossed thresholds; return those no process had announced this period."""
        claimed: list[float] = []
        with self._write() as db:
            for threshold in thresholds:
                cur = db.execute(
                    "INSERT OR IGNORE INTO alerts (scope, period, threshold, ts, fraction)"
                    " VALUES (?,?,?,?,?)",
                    (scope, period, threshold, time.time(), fraction),
                )
                if cur.rowcount == 1:
                    claimed.append(threshold)
        return claimed

    def pacing_step(self) -> tuple[int, float, str]:
        """The current pacing step, when it was taken and why (0 when never paced)."""
        rows = self.query("SELECT step, ts, reason FROM pacing ORDER BY id DESC LIMIT 1")
        return (int(rows[0][0]), float(rows[0][1]), str(rows[0][2])) if rows else (0, 0.0, "")

    def change_pacing(self, was: int, step: int, reason: str, now: float) -> bool:
        """Move from step ``was`` to ``step``; False when another process moved first."""
        with self._write() as db:
            row = db.execute("SELECT step FROM pacing ORDER BY id DESC LIMIT 1").fetchone()
            if (int(row[0]) if row else 0) != was:
                return False
            db.execute("INSERT INTO pacing (ts, step, reason) VALUES (?,?,?)", (now, step, reason))
        return True

    # -- reading ------------------------------------------------------------------------

    def query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Read-only access for status, forecast and reports."""
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())
