"""Completion: header + scope up to the cursor as prefix, the rest of the scope as suffix.

Lines compete for the token budget by rank, expressed as a distance in lines from the
cursor: the cursor's neighbourhood first (lines above weigh more than lines below), the
scope's frame (its signature, its class header), the imports and module names it uses,
the signatures it calls; then, only up to a soft limit, cheaper filler: the class's
attributes, the other imports, the file's outline, and the lines around the scope.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from frugal_lsp.context.budget import Line, fit, render
from frugal_lsp.context.policies.base import Draft, Gathered, fence, finish, word_count
from frugal_lsp.context.prompt import Fim, Prompt

CURSOR = "<CURSOR>"
MAX_OUTPUT_TOKENS = 128
_SYSTEM = (
    "You complete {language} code. Reply with only the code that replaces {cursor}: "
    "no explanation, no code fences, no repeated lines. Stop at the end of the {kind}."
)
Ranked = Iterator[tuple[float, int, bool]]  # (rank, row, is_filler)


@dataclass(frozen=True)
class Ranks:
    """What each kind of line is worth, as a distance in lines from the cursor."""

    outer: float = 1.0
    header: float = 4.0
    signatures: float = 8.0
    members: float = 12.0
    imports: float = 14.0
    outline: float = 16.0
    outline_step: float = 0.5  # each further outline row ranks this much lower
    below: float = 1.5  # a line below the cursor counts as this many lines above it
    outside: float = 1.0  # a line outside the scope counts as this many lines inside it
    soft_tokens: int = 480  # filler stops here: the full budget is for scopes that need it


class CompletionPolicy:
    """Fills the completion budget with the lines a model most needs to continue the code."""

    def __init__(self, ranks: Ranks | None = None) -> None:
        self.ranks = ranks or Ranks()

    def build(self, gathered: Gathered) -> Prompt:
        g = gathered
        stable = _SYSTEM.format(
            language=g.document.language, cursor=CURSOR, kind=g.found.scope.kind
        )
        budget = g.config.completion_max_tokens - g.counter.count(stable) - self._frame_cost(g)
        code = self._code(g, budget)
        prefix, _, suffix = code.partition(CURSOR)
        scope_text = "\n".join(g.lines.get(n) for n in _scope_rows(g))
        return finish(
            g,
            Draft(
                stable=stable,
                volatile=self._volatile(g, code),
                max_output_tokens=min(g.config.completion_max_output_tokens, MAX_OUTPUT_TOKENS),
                words=word_count(scope_text),
                stop=stops(g),
                fim=Fim(prefix, suffix),
            ),
        )

    def _volatile(self, g: Gathered, code: str) -> str:
        return f"{g.display_path()}\n{fence(g.document.language, code)}"

    def _frame_cost(self, g: Gathered) -> int:
        return g.counter.count(self._volatile(g, CURSOR)) + 2  # +2: joins between messages

    def _code(self, g: Gathered, budget: int) -> str:
        soft = min(self.ranks.soft_tokens, budget)
        for _ in range(4):
            code = render(self._fit(g, budget, soft), blank=g.is_blank)
            over = g.counter.count(code) - budget
            if over <= 0:
                return code
            budget, soft = budget - over - 2, soft - over - 2
        return render([self._cursor_line(g)])

    def _fit(self, g: Gathered, budget: int, soft: int) -> list[Line]:
        core = fit(self._lines(g, filler=False), budget, g.counter.count)
        spent = sum(g.counter.count(x.text) + 2 for x in core)
        if spent >= soft:
            return core
        taken = {x.number for x in core}
        extra = fit(
            (x for x in self._lines(g, filler=True) if x.number not in taken),
            min(soft, budget) - spent,
            g.counter.count,
        )
        return sorted(core + extra, key=lambda x: x.number)

    def _lines(self, g: Gathered, filler: bool) -> Iterator[Line]:
        seen: set[int] = set()
        if not filler:
            seen.add(g.row)
            yield self._cursor_line(g)
        for _, row, is_filler in heapq.merge(*self.streams(g)):
            if is_filler == filler and row not in seen and g.lines.get(row).strip():
                seen.add(row)
                yield g.line(row)

    def _cursor_line(self, g: Gathered) -> Line:
        text = g.lines.get(g.row)
        return Line(g.row, text[: g.column] + CURSOR + text[g.column :])

    def streams(self, g: Gathered) -> list[Ranked]:
        """Candidate rows, each stream sorted by rank; merged lazily."""
        r, f, s = self.ranks, g.found, g.found.scope
        near = g.row - s.start_line, s.end_line - g.row
        return [
            ((d, g.row - d, d > 60) for d in range(1, near[0] + 1)),
            ((d * r.below, g.row + d, d > 30) for d in range(1, near[1] + 1)),
            _fixed(r.outer, f.outer, False, 0.01),
            _fixed(r.header, f.header, False),
            _fixed(r.signatures, f.signatures, False, 0.01),
            _fixed(r.members, f.members, True, 0.05),
            _fixed(r.imports, f.imports, True),
            _fixed(r.outline, f.outline, True, r.outline_step),
            (
                (r.outside * (d + near[0]), s.start_line - d, True)
                for d in range(1, s.start_line + 1)
            ),
            (
                (r.outside * r.below * (d + near[1]), s.end_line + d, True)
                for d in range(1, len(g.lines) - s.end_line)
            ),
        ]


def _fixed(rank: float, rows: tuple[int, ...], filler: bool, step: float = 0.0) -> Ranked:
    return ((rank + i * step, row, filler) for i, row in zip(itertools.count(), rows, strict=False))


def _scope_rows(g: Gathered) -> range:
    return range(g.found.scope.start_line, g.found.scope.end_line + 1)


def stops(g: Gathered) -> tuple[str, ...]:
    """Stop sequences at the end of the scope (at most 4: OpenAI's limit)."""
    scope = g.found.scope
    first = g.lines.get(scope.start_line)
    indent = first[: len(first) - len(first.lstrip())]
    language = g.document.language
    if language == "python":
        return (f"\n{indent}def ", f"\n{indent}class ", f"\n{indent}@", "```")
    if language == "ruby":
        return (f"\n{indent}end", f"\n{indent}def ", "```")
    if language == "shellscript" or scope.kind in {"window", "block", "module"}:
        return ("\n\n\n", "```")
    return (f"\n{indent}}}", "\n\n\n", "```")
