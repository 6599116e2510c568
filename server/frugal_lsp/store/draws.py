"""Which allowance paid each unit: the ``draws`` table of the SQLite ledger.

One row per (call, allowance): the ``fraction`` of the call the allowance pays (a pool)
or 1.0 (a cap, which counts every call), and the ``amount`` in the allowance's own unit
(quota units, or requests x multiplier). ``open`` rows belong to a reservation not yet
settled; settling sets the real amount (``pools.settled``). The ledger calls
these functions inside its write transaction, so the check of every allowance and the
insert of the call and its draws are one atomic step (``Ledger.reserve``).

Allowances with an empty ``key`` (the overall budget, a single plain ``[providers.quota]``)
are counted from ``calls`` as before; only keyed allowances have draws.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from frugal_lsp.pools import Draw, Standing, plan_draws, settle_all
from frugal_lsp.store.records import Allowance

SCHEMA = """
CREATE TABLE IF NOT EXISTS draws (
    call_id INTEGER NOT NULL,
    ts REAL NOT NULL,
    allowance TEXT NOT NULL,
    project TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL,
    fraction REAL NOT NULL,
    amount REAL NOT NULL,
    cap INTEGER NOT NULL,
    open INTEGER NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (call_id, allowance)
);
CREATE INDEX IF NOT EXISTS draws_key_ts ON draws(allowance, ts);
"""


def used(db: sqlite3.Connection, allowance: Allowance) -> float:
    """What ``allowance`` has counted since its start, open reservations included."""
    where, args = ("AND project=?", (allowance.project,)) if allowance.project else ("", ())
    row = db.execute(
        f"SELECT COALESCE(SUM(amount),0) FROM draws WHERE allowance=? AND (ts>=? OR open=1)"
        f" {where}",
        (allowance.key, allowance.since, *args),
    ).fetchone()
    return float(row[0])


def oldest(db: sqlite3.Connection, allowance: Allowance) -> float | None:
    """When the oldest spend still counted by ``allowance`` was made (a rolling window's
    oldest spend drops out ``window`` after it)."""
    row = db.execute(
        "SELECT MIN(ts) FROM draws WHERE allowance=? AND ts>=? AND amount>0",
        (allowance.key, allowance.since),
    ).fetchone()
    return float(row[0]) if row and row[0] is not None else None


def standing(db: sqlite3.Connection, allowance: Allowance, units: float, now: float) -> Standing:
    need = allowance.need if allowance.need is not None else units
    resets_in = allowance.resets_at - now if allowance.resets_at is not None else None
    return Standing(
        allowance.key,
        allowance.name,
        allowance.unit,
        allowance.limit,
        used(db, allowance),
        need,
        free=allowance.free,
        cap=not allowance.pool,
        resets_in=resets_in,
    )


def plan(
    db: sqlite3.Connection, allowances: Iterable[Allowance], units: float, now: float
) -> list[tuple[Draw, str]]:
    """The draws of a call of ``units``, each with the project it counts for ('' unless
    the allowance is per project); raises QuotaExhausted when one does not fit."""
    keyed = [a for a in allowances if a.key]
    if not keyed:
        return []
    projects = {a.key: a.project for a in keyed}
    planned = plan_draws([standing(db, a, units, now) for a in keyed])
    return [(d, projects[d.key]) for d in planned]


def insert(db: sqlite3.Connection, call_id: int, now: float, draws: list[tuple[Draw, str]]) -> None:
    db.executemany(
        "INSERT INTO draws (call_id, ts, allowance, project, unit, fraction, amount, cap, open,"
        " seq) VALUES (?,?,?,?,?,?,?,?,1,?)",
        [
            (call_id, now, d.key, project, d.unit, d.fraction, d.amount, int(d.cap), i)
            for i, (d, project) in enumerate(draws)
        ],
    )


def settle(db: sqlite3.Connection, call_id: int, reserved: float, cost: float) -> None:
    """The call settled at ``cost`` units: each draw takes its real amount, pools in
    their draw order (``pools.settle_all``)."""
    rows = db.execute(
        "SELECT allowance, fraction, amount, unit, cap FROM draws WHERE call_id=? AND open=1"
        " ORDER BY seq",
        (call_id,),
    ).fetchall()
    draws = [Draw(k, f, a, u, bool(c)) for k, f, a, u, c in rows]
    for final in settle_all(draws, reserved, cost):
        db.execute(
            "UPDATE draws SET amount=?, open=0 WHERE call_id=? AND allowance=?",
            (final.amount, call_id, final.key),
        )


def scopes_of(db: sqlite3.Connection, call_id: int) -> list[dict[str, object]]:
    """A settled call's draws as the team store names them (``{"s": scope, "a": amount}``),
    to push a call made while Redis was away together with what it drew."""
    rows = db.execute(
        "SELECT allowance, project, amount FROM draws WHERE call_id=? ORDER BY seq", (call_id,)
    ).fetchall()
    return [{"s": f"{k}|{p}" if p else str(k), "a": float(a)} for k, p, a in rows]


def release(db: sqlite3.Connection, unsent: list[int], sent: list[int]) -> None:
    """Orphaned reservations: never sent ones count nothing; sent ones keep their draws."""
    db.executemany("UPDATE draws SET amount=0, open=0 WHERE call_id=?", [(i,) for i in unsent])
    db.executemany("UPDATE draws SET open=0 WHERE call_id=?", [(i,) for i in sent])


def paid_by(db: sqlite3.Connection, since: float) -> list[tuple[str, str, str, float, int]]:
    """Settled amounts since ``since`` per allowance and project: (key, project, unit,
    amount, calls) — which allowance paid what, for ``report``."""
    rows = db.execute(
        "SELECT allowance, project, unit, SUM(amount), COUNT(*) FROM draws"
        " WHERE ts>=? AND open=0 GROUP BY allowance, project, unit ORDER BY allowance, project",
        (since,),
    ).fetchall()
    return [(str(k), str(p), str(u), float(a), int(n)) for k, p, u, a, n in rows]
