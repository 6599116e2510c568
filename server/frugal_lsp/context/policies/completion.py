"""Completion: the lines around the cursor that hold the names the next line will need.

The cursor's neighbourhood (two code lines above, one below) and the scope's frame (its
signature, its class header) always come first; the rest of the budget goes to the lines
that add the most likely-needed identifiers per token (see ``context/select.py``):
nearby lines, and the cheapest line naming each name used around the cursor, such as an
import, a signature or a class attribute defined far away. The chosen lines are shown in
file order with ``...`` where code was left out; the instruction is one short sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from frugal_lsp.context.budget import GAP, Line, render
from frugal_lsp.context.policies.base import Draft, Gathered, finish, word_count
from frugal_lsp.context.prompt import Fim, Prompt
from frugal_lsp.context.select import Selection, Selector, Weights

CURSOR = "<CURSOR>"
MAX_OUTPUT_TOKENS = 128
_SYSTEM = "Reply with only the {language} code that replaces {cursor}."
MAX_OUTLINE_ROWS = 200


@dataclass(frozen=True)
class Ranks:
    """Which lines are always kept, and how the rest are valued."""

    keep_above: int = 2  # code lines directly above the cursor that always stay
    keep_below: int = 1  # ... and below it
    weights: Weights = field(default_factory=Weights)


_LINE_COMMENT = {"python": "#", "ruby": "#", "shellscript": "#"}


def fim_gaps(code: str, language: str) -> str:
    """Gap markers as comments, indented like the code after them, for FIM models: they
    continue raw code, and a bare "..." line teaches them to answer "..."."""
    comment = _LINE_COMMENT.get(language, "//")
    lines = code.split("\n")
    for n, line in enumerate(lines):
        if line == GAP:
            after = next((x for x in lines[n + 1 :] if x.strip() and x != GAP), "")
            lines[n] = after[: len(after) - len(after.lstrip())] + f"{comment} ..."
    return "\n".join(lines)


class CompletionPolicy:
    """Fills the completion budget with the lines a model most needs to continue the code."""

    def __init__(self, ranks: Ranks | None = None) -> None:
        self.ranks = ranks or Ranks()

    def build(self, gathered: Gathered) -> Prompt:
        g = gathered
        stable = _SYSTEM.format(language=g.document.language, cursor=CURSOR)
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
                fim=Fim(
                    fim_gaps(prefix, g.document.language), fim_gaps(suffix, g.document.language)
                ),
            ),
        )

    def _volatile(self, g: Gathered, code: str) -> str:
        return f"{g.display_path()}\n{code}"

    def _frame_cost(self, g: Gathered) -> int:
        return g.counter.count(self._volatile(g, CURSOR)) + 1  # +1: the join between messages

    def _code(self, g: Gathered, budget: int) -> str:
        for _ in range(4):
            code = render(self._fit(g, budget), blank=g.is_blank)
            over = g.counter.count(code) - budget
            if over <= 0:
                return code
            budget -= over + 2
        return render([self._cursor_line(g)])

    def _fit(self, g: Gathered, budget: int) -> list[Line]:
        cursor = self._cursor_line(g)
        words = g.words
        covered = set(words[g.row]) if g.row < len(words) else set()
        start = Selection({g.row}, covered, g.facts.tokens(cursor.text))
        source, tokens = g.source, g.facts.tokens  # raw text: only chosen lines get redacted
        selector = Selector(words, lambda r: tokens(source[r]), g.row, self.ranks.weights)
        chosen = selector.select(start, self._forced(g), self._extra(g), budget)
        chosen = selector.pad(chosen, [*g.found.header, *g.found.signatures], budget)
        return [cursor if r == g.row else g.line(r) for r in sorted(chosen.rows)]

    def _forced(self, g: Gathered) -> list[int]:
        r = self.ranks
        above = _code_rows(g, range(g.row - 1, -1, -1), r.keep_above)
        below = _code_rows(g, range(g.row + 1, len(g.lines)), r.keep_below)
        return [*above, *below, *g.found.outer]

    def _extra(self, g: Gathered) -> list[int]:
        f = g.found
        return [
            *f.header,
            *f.signatures,
            *f.members,
            *f.imports,
            *f.outline[:MAX_OUTLINE_ROWS],
        ]

    def _cursor_line(self, g: Gathered) -> Line:
        text = g.lines.get(g.row)
        return Line(g.row, text[: g.column] + CURSOR + text[g.column :])


def _code_rows(g: Gathered, rows: range, n: int) -> list[int]:
    out: list[int] = []
    for r in rows:
        if len(out) >= n:
            break
        if not g.is_blank(r):
            out.append(r)
    return out


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
