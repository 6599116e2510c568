"""Pick completion context lines by the identifiers they add per token.

The line being written most likely uses names that occur close to the cursor: measured
on real code, a name whose nearest use is 1 line away is in the next line ~14% of the
time, 4 lines away ~4%, 30 lines away ~0.4%. Each name gets that likelihood from the
distance to its nearest occurrence; a line is worth the likelihoods of the names it adds
that the prompt does not hold yet, per token it costs. Lines are taken greedily (lazily
re-scored, best value first) until the budget is spent; past a soft size, only while a
line still adds at least ``min_value`` per token, so easy positions stay small and hard
ones may use the whole budget. A name used far away but defined nearby (an import, a
signature, a class attribute) is then covered by its cheapest line, not by every line
in between, which is where a plain line window spends its tokens.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from frugal_lsp.context.linefacts import Words


@dataclass(frozen=True)
class Weights:
    """How names and lines are valued (fitted on code outside the benchmark's files)."""

    near: float = 0.15  # likelihood of a name whose nearest use is on the adjacent line
    decay: float = 1.15  # ... falling as distance ** -decay
    below: float = 1.3  # a use below the cursor counts as this many lines above it
    reach: int = 300  # lines each side of the cursor that may be chosen and scored
    far: int = 10_000  # distance assumed for a name seen only outside the reach
    gap_tokens: int = 1  # a "..." marker (its line break merges with it)
    soft_tokens: int = 400  # below this size, fill the budget without a value threshold
    min_value: float = 0.0001  # past it, stop when a line adds less than this per token


@dataclass
class Selection:
    """The rows chosen for one prompt, and what they cost and cover so far."""

    rows: set[int]
    covered: set[str]
    spent: int


class Selector:
    """Greedy identifier coverage over one file's lines around one cursor row."""

    def __init__(
        self,
        words: Sequence[Words],
        cost: Callable[[int], int],
        row: int,
        weights: Weights,
    ) -> None:
        self.words, self.cost, self.row, self.w = words, cost, row, weights
        self.lo = max(0, row - weights.reach)
        self.hi = min(len(words), row + weights.reach + 1)
        self._distance = self._nearest_uses()
        self._value: dict[str, float] = {}

    def select(
        self, start: Selection, forced: Iterable[int], extra: Iterable[int], budget: int
    ) -> Selection:
        """``start`` plus the forced rows that fit, then the best-valued rows that fit."""
        sel = start
        for r in forced:
            self._take(sel, r, budget)
        extra = [r for r in extra if 0 <= r < len(self.words)]
        for r in extra:
            for n in self.words[r]:
                self._distance.setdefault(n, float(abs(r - self.row)))
        pool = set(range(self.lo, self.hi)).union(extra) - sel.rows
        heap = [(-self._ratio(sel, r), r) for r in pool if self.words[r]]
        heapq.heapify(heap)
        while heap:
            _, r = heapq.heappop(heap)
            ratio = self._ratio(sel, r)
            if heap and ratio < -heap[0][0] - 1e-12:
                heapq.heappush(heap, (-ratio, r))  # its value fell: re-rank it
                continue
            if ratio <= 0 or (sel.spent >= self.w.soft_tokens and ratio < self.w.min_value):
                break
            self._take(sel, r, budget)
        return sel

    def pad(self, sel: Selection, rows: Iterable[int], budget: int) -> Selection:
        """Add ``rows`` that still fit below the soft size: names the scope uses are then
        shown where they are defined, even when nearby lines already hold them."""
        for r in rows:
            self._take(sel, r, min(budget, self.w.soft_tokens))
        return sel

    def _take(self, sel: Selection, r: int, budget: int) -> None:
        if r in sel.rows or not 0 <= r < len(self.words):
            return
        cost = self._cost(sel, r)
        if sel.spent + cost <= budget:
            sel.rows.add(r)
            sel.spent += cost
            sel.covered.update(self.words[r])

    def _cost(self, sel: Selection, r: int) -> int:
        """Tokens of the line (break included), with the gap markers it adds or removes."""
        above, below = r - 1 in sel.rows, r + 1 in sel.rows
        gaps = -1 if above and below else 0 if above or below else 1
        return max(1, self.cost(r) + gaps * self.w.gap_tokens)

    def _ratio(self, sel: Selection, r: int) -> float:
        gain = sum(self.value(n) for n in self.words[r] if n not in sel.covered)
        return gain / self._cost(sel, r) if gain else 0.0

    def value(self, name: str) -> float:
        """How likely the line at the cursor uses ``name``, from its nearest use."""
        v = self._value.get(name)
        if v is None:
            d = self._distance.get(name, self.w.far)
            v = self.w.near * max(d, 1.0) ** -self.w.decay
            self._value[name] = v
        return v

    def _nearest_uses(self) -> dict[str, float]:
        """Distance in lines from the cursor to each name's nearest use within reach."""
        found: dict[str, float] = {}
        for r in range(self.hi - 1, self.row, -1):  # below first, so nearer wins below
            d = (r - self.row) * self.w.below
            for n in self.words[r]:
                found[n] = d
        for r in range(self.lo, self.row):
            d = float(self.row - r)
            for n in self.words[r]:
                if d < found.get(n, self.w.far):
                    found[n] = d
        return found
