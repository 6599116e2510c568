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

Live acceptance can overrule the scorecard for completions: a model whose suggestions
were shown at least ``MIN_SHOWN`` times for this language and accepted **clearly** less
often than its scorecard's exact-match rate predicts (below half that rate, and below it
by more than two binomial standard deviations, so chance alone rarely explains it) is
demoted: it is left out of "the best measured" and goes last, and the reason says
``demoted by live acceptance: small accepted 2/40 (5%), scorecard EM 33%``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from frugal_lsp.routing.router import Candidate
from frugal_lsp.store.scorecards import ScorecardStore, ScoreRow

Lookup = Callable[[str], ScoreRow | None]
Rank = Callable[[Candidate], int]
Demote = Callable[[Candidate, ScoreRow], str | None]
REFRESH_S = 60.0
MIN_SHOWN = 20  # suggestions shown before live acceptance may overrule the scorecard
ACCEPTANCE_TASK = "completion"  # the only task whose suggestions are shown and accepted


def clearly_below(row: ScoreRow, shown: int, accepted: int) -> bool:
    """Live acceptance clearly below the scorecard's exact-match rate: enough shown, under
    half the predicted rate, and short of it by more than two binomial deviations."""
    if shown < MIN_SHOWN:
        return False
    expected = shown * row.exact
    spread = 2.0 * math.sqrt(shown * row.exact * (1.0 - row.exact))
    return accepted < expected / 2 and accepted < expected - spread


def never(candidate: Candidate, row: ScoreRow) -> str | None:
    return None


class QualityTable:
    """The scorecard as routing reads it: cached in memory, re-read every minute."""

    def __init__(self, store: ScorecardStore) -> None:
        self.store = store
        self._rows: dict[str, ScoreRow] = {}
        self._all: list[ScoreRow] = []
        self._accepted: dict[tuple[str, str], tuple[int, int]] = {}
        self._read_at = -REFRESH_S

    def refresh(self) -> None:
        self._all = self.store.rows()
        self._rows = {r.key: r for r in self._all if r.tasks > 0}
        self._accepted = {(m, lang): (n, k) for m, lang, n, k in self.store.acceptance()}
        self._read_at = time.monotonic()

    def rows(self) -> list[ScoreRow]:
        """Every scorecard row, as last read (re-read when older than a minute)."""
        self._fresh()
        return list(self._all)

    def _fresh(self) -> None:
        if time.monotonic() - self._read_at >= REFRESH_S:
            self.refresh()

    def lookup(self, task: str, language: str) -> Lookup:
        self._fresh()
        rows = self._rows
        return lambda model: rows.get(f"{model}|{task}|{language}")

    def demotion(self, task: str, language: str) -> Demote:
        """Why a measured model is demoted by its live acceptance (None: it is not)."""
        if task != ACCEPTANCE_TASK:
            return never
        counts = self._accepted

        def why(candidate: Candidate, row: ScoreRow) -> str | None:
            shown, took = counts.get((candidate.model.key, language), (0, 0))
            if not clearly_below(row, shown, took):
                return None
            return (
                f"{candidate.model.name} accepted {took}/{shown} ({took / shown:.0%}),"
                f" scorecard EM {row.exact:.0%}"
            )

        return why

    def reorder(
        self,
        candidates: list[Candidate],
        task: str,
        language: str,
        tolerance: float,
        rank: Rank = lambda c: 0,
    ) -> tuple[list[Candidate], str | None]:
        lookup = self.lookup(task, language)
        return prefer(candidates, lookup, tolerance, rank, self.demotion(task, language))


def prefer(
    candidates: list[Candidate],
    lookup: Lookup,
    tolerance: float,
    rank: Rank = lambda c: 0,
    demote: Demote = never,
) -> tuple[list[Candidate], str | None]:
    """``candidates`` reordered by measured quality, and why (None: no change)."""
    measured = {c.model.key: row for c in candidates if (row := lookup(c.model.key))}
    if not candidates or candidates[0].model.key not in measured:
        return candidates, None
    why = {c.model.key: w for c in candidates if (w := _demoted(c, measured, demote))}
    demoted = [c for c in candidates if c.model.key in why]
    measured = {k: row for k, row in measured.items() if k not in why}
    rest = [c for c in candidates if c.model.key not in measured and c.model.key not in why]
    if not measured:  # every measured candidate demoted: the unmeasured ones first
        return [*rest, *demoted], _demoted_note(why)
    best_key = max(measured, key=lambda k: measured[k].similarity)
    best = measured[best_key].similarity
    good = [
        c for c in candidates if c.model.key in measured and _within(measured, c, best, tolerance)
    ]
    good.sort(key=lambda c: (rank(c), c.estimated_units))  # stable: the router's order breaks ties
    poor = [c for c in candidates if c.model.key in measured and c not in good]
    chosen = good[0]
    note = _reason(chosen, measured, best_key, candidates)
    if poor:
        note += "; below tolerance: " + ", ".join(
            f"{c.model.name} ES {measured[c.model.key].similarity:.2f}" for c in poor
        )
    if demoted:
        note += "; " + _demoted_note(why)
    return [*good, *rest, *poor, *demoted], note


def _demoted(c: Candidate, measured: dict[str, ScoreRow], demote: Demote) -> str | None:
    row = measured.get(c.model.key)
    return demote(c, row) if row is not None else None


def _demoted_note(why: dict[str, str]) -> str:
    return "demoted by live acceptance: " + "; ".join(why.values())


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
