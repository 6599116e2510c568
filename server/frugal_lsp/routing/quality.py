"""Routing by measured quality: the cheapest model as good as the best one measured.

Among the candidates the router kept (adequate, with a key, quota and rate room), those
with a scorecard row for this task and language (``frugal-lsp eval``,
``store/scorecards.py``) are compared by edit similarity: every model within
``routing.quality_tolerance`` of the best is "as good", and among those the one paid
from a free or expiring allowance (``routing/allowance.py``, the caller's ``rank``) goes
first, then the cheapest by estimated units; measured models below the tolerance go last. When the
router's first choice has no scorecard, nothing changes (today's rules: tier and price).
The reason is part of the route, so ``plan --json`` shows it, e.g.
``quality: qwen-0.5b ES 0.61 vs best 0.63 (gpt-4o), 1/40 the units``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from frugal_lsp.routing.router import Candidate
from frugal_lsp.store.scorecards import ScorecardStore, ScoreRow

Lookup = Callable[[str], ScoreRow | None]
Rank = Callable[[Candidate], int]
REFRESH_S = 60.0


class QualityTable:
    """The scorecard as routing reads it: cached in memory, re-read every minute."""

    def __init__(self, store: ScorecardStore) -> None:
        self.store = store
        self._rows: dict[str, ScoreRow] = {}
        self._read_at = -REFRESH_S

    def refresh(self) -> None:
        self._rows = {r.key: r for r in self.store.rows() if r.tasks > 0}
        self._read_at = time.monotonic()

    def lookup(self, task: str, language: str) -> Lookup:
        if time.monotonic() - self._read_at >= REFRESH_S:
            self.refresh()
        rows = self._rows
        return lambda model: rows.get(f"{model}|{task}|{language}")

    def reorder(
        self,
        candidates: list[Candidate],
        task: str,
        language: str,
        tolerance: float,
        rank: Rank = lambda c: 0,
    ) -> tuple[list[Candidate], str | None]:
        return prefer(candidates, self.lookup(task, language), tolerance, rank)


def prefer(
    candidates: list[Candidate], lookup: Lookup, tolerance: float, rank: Rank = lambda c: 0
) -> tuple[list[Candidate], str | None]:
    """``candidates`` reordered by measured quality, and why (None: no change)."""
    measured = {c.model.key: row for c in candidates if (row := lookup(c.model.key))}
    if not candidates or candidates[0].model.key not in measured:
        return candidates, None
    best_key = max(measured, key=lambda k: measured[k].similarity)
    best = measured[best_key].similarity
    good = [
        c for c in candidates if c.model.key in measured and _within(measured, c, best, tolerance)
    ]
    good.sort(key=lambda c: (rank(c), c.estimated_units))  # stable: the router's order breaks ties
    poor = [c for c in candidates if c.model.key in measured and c not in good]
    rest = [c for c in candidates if c.model.key not in measured]
    chosen = good[0]
    note = _reason(chosen, measured, best_key, candidates)
    if poor:
        note += "; below tolerance: " + ", ".join(
            f"{c.model.name} ES {measured[c.model.key].similarity:.2f}" for c in poor
        )
    return [*good, *rest, *poor], note


def _within(measured: dict[str, ScoreRow], c: Candidate, best: float, tolerance: float) -> bool:
    return measured[c.model.key].similarity >= best - tolerance - 1e-9


def _reason(
    chosen: Candidate, measured: dict[str, ScoreRow], best_key: str, cands: list[Candidate]
) -> str:
    es = measured[chosen.model.key].similarity
    best = measured[best_key].similarity
    if chosen.model.key == best_key:
        return f"quality: {chosen.model.name} ES {es:.2f}, the best measured"
    best_cand = next(c for c in cands if c.model.key == best_key)
    return (
        f"quality: {chosen.model.name} ES {es:.2f} vs best {best:.2f}"
        f" ({best_cand.model.name}), {_ratio(chosen.estimated_units, best_cand.estimated_units)}"
    )


def _ratio(units: float, best_units: float) -> str:
    if units <= 0:
        return "no units (free)"
    if best_units <= 0 or units >= best_units:
        return f"{units / best_units:.1f}x the units" if best_units > 0 else "more units"
    return f"1/{best_units / units:.0f} the units"
