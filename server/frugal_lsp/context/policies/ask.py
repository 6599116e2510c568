"""Ask (and design): the selection, its frame, the signatures it uses, the imports, the question.

The prompt is structured Markdown with an explicit bound on the answer's length. The
system text and the module header come first (stable), the selection and question last.
"""

from __future__ import annotations

from dataclasses import dataclass

from frugal_lsp.context.budget import Line, fit, render
from frugal_lsp.context.policies.base import (
    Draft,
    Gathered,
    cross_file_section,
    fence,
    finish,
    word_count,
)
from frugal_lsp.prompt import Prompt

_SYSTEM = (
    "You are a senior {language} engineer. {framing} Answer in at most {words} words, "
    "in Markdown; include code only where it is the answer. The context below is an "
    "excerpt: `...` marks lines left out."
)
ASK_FRAMING = "Answer the user's question about the selected code."
DESIGN_FRAMING = (
    "The user asks for a design decision about the selected code: weigh the options, "
    "name the trade-offs, and recommend one."
)
_DEFAULT_QUESTION = "Explain what this code does and point out any problem."


@dataclass(frozen=True)
class AskPolicy:
    """Answers a question about a selection; ``framing`` turns it into a design request."""

    framing: str = ASK_FRAMING

    def build(self, gathered: Gathered) -> Prompt:
        g = gathered
        start, end = selection_rows(g)
        question = g.request.question.strip() or _DEFAULT_QUESTION
        system = _SYSTEM.format(
            language=g.document.language, framing=self.framing, words=g.config.answer_max_words
        )
        budget = g.config.ask_max_tokens - g.counter.count(system) - 80  # 80: headings
        question = g.counter.truncate(question, max(budget // 4, 16))
        budget -= g.counter.count(question)
        others, origins = cross_file_section(g, int(budget * g.config.cross_file_share))
        budget -= g.counter.count(others)
        chosen = {x.number: x for x in fit(self.ranked(g, start, end), budget, g.counter.count)}
        header = _section(g, "Module header", [chosen[n] for n in g.found.header if n in chosen])
        selection_text = render(
            [chosen[n] for n in range(start, end + 1) if n in chosen], blank=g.is_blank
        )
        volatile = "\n\n".join(
            part
            for part in (
                f"## File\n`{g.display_path()}` ({g.document.language})",
                _section(g, "Enclosing scope", _pick(chosen, g.found.outer, start, end)),
                _section(
                    g, "Referenced definitions", _pick(chosen, g.found.signatures, start, end)
                ),
                others,
                f"## Selection (lines {start + 1}-{end + 1})\n"
                + fence(g.document.language, selection_text),
                f"## Question\n{question}",
            )
            if part
        )
        stable = system + ("\n\n" + header if header else "")
        return finish(
            g,
            Draft(
                stable=stable,
                volatile=volatile,
                max_output_tokens=g.config.ask_max_output_tokens,
                words=word_count(selection_text, question),
                origins=origins,
            ),
        )

    def ranked(self, g: Gathered, start: int, end: int) -> list[Line]:
        rows = [*range(start, end + 1), *g.found.outer, *g.found.header, *g.found.signatures]
        return [g.line(n) for n in rows]


def selection_rows(g: Gathered) -> tuple[int, int]:
    """The selected lines; without a selection, the whole scope at the cursor."""
    end = g.request.end
    if end is None:
        return g.found.scope.start_line, g.found.scope.end_line
    start_row = g.request.position.line
    end_row = end.line - 1 if end.character == 0 and end.line > start_row else end.line
    last = max(len(g.lines) - 1, 0)
    return max(start_row, 0), min(max(end_row, start_row), last)


def _pick(chosen: dict[int, Line], rows: tuple[int, ...], start: int, end: int) -> list[Line]:
    return [chosen[n] for n in sorted(set(rows)) if n in chosen and not start <= n <= end]


def _section(g: Gathered, title: str, lines: list[Line]) -> str:
    if not lines:
        return ""
    return f"## {title}\n" + fence(g.document.language, render(lines, blank=g.is_blank))
