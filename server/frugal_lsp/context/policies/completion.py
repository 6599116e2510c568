"""Completion: header + scope up to the cursor as prefix, the rest of the scope as suffix.

Lines compete for the token budget by rank: the cursor's neighbourhood first (lines
above weigh more than lines below), then the scope's frame (its signature, its class
header), the imports and module names it uses, the signatures it calls, and far lines last.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Ranks:
    """How much each kind of line is worth, as a distance in lines from the cursor."""

    outer: float = 1.0
    header: float = 6.0
    members: float = 8.0
    signatures: float = 10.0
    below: float = 1.5  # a line below the cursor counts as this many lines above it


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
        scope_text = "\n".join(g.lines.get(n, "") for n in _scope_rows(g))
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
        ranked = self.ranked(g)
        for _ in range(4):
            code = render(fit(ranked, budget, g.counter.count), blank=g.is_blank)
            over = g.counter.count(code) - budget
            if over <= 0:
                return code
            budget -= over + 2
        return render(ranked[:1])

    def ranked(self, g: Gathered) -> list[Line]:
        """Candidate lines, best first; the cursor line (with the marker) always leads."""
        text = g.lines.get(g.row, "")
        cursor = Line(g.row, text[: g.column] + CURSOR + text[g.column :])
        scored = [(d, n) for n in _scope_rows(g) if n != g.row and (d := self._distance(g, n))]
        r = self.ranks
        scored += [(r.outer + i * 0.01, n) for i, n in enumerate(g.found.outer)]
        scored += [(r.header, n) for n in g.found.header]
        scored += [(r.members, n) for n in g.found.members]
        scored += [(r.signatures, n) for n in g.found.signatures]
        scored.sort()
        rest = [g.line(n) for _, n in scored if n != g.row and g.lines.get(n, "").strip()]
        return [cursor, *rest]

    def _distance(self, g: Gathered, n: int) -> float:
        return float(g.row - n) if n < g.row else (n - g.row) * self.ranks.below


def _scope_rows(g: Gathered) -> range:
    return range(g.found.scope.start_line, g.found.scope.end_line + 1)


def stops(g: Gathered) -> tuple[str, ...]:
    """Stop sequences at the end of the scope (at most 4: OpenAI's limit)."""
    scope = g.found.scope
    first = g.lines.get(scope.start_line, "")
    indent = first[: len(first) - len(first.lstrip())]
    language = g.document.language
    if language == "python":
        return (f"\n{indent}def ", f"\n{indent}class ", f"\n{indent}@", "```")
    if language == "ruby":
        return (f"\n{indent}end", f"\n{indent}def ", "```")
    if language == "shellscript" or scope.kind in {"window", "block", "module"}:
        return ("\n\n\n", "```")
    return (f"\n{indent}}}", "\n\n\n", "```")
