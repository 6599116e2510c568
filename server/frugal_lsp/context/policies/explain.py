"""Explain an error: the diagnostic or traceback, plus only the workspace functions it names.

The call chain is not pasted whole: a frame contributes the one function it points at,
and only when that file is inside the workspace (library frames stay out). Deeper frames
(written last in a Python traceback) are closer to the error and are kept first.
"""

from __future__ import annotations

from frugal_lsp.context.budget import fit, render
from frugal_lsp.context.policies.base import (
    Draft,
    Excerpt,
    Gathered,
    cross_file_section,
    fence,
    finish,
    word_count,
)
from frugal_lsp.prompt import Prompt

_SYSTEM = (
    "You explain {language} errors. Say what went wrong, why, and the smallest fix, in at "
    "most {words} words of Markdown. The code below is an excerpt: `...` marks lines left out."
)


class ExplainErrorPolicy:
    """The error text first in importance, then the functions its frames name."""

    def build(self, gathered: Gathered) -> Prompt:
        g = gathered
        system = _SYSTEM.format(language=g.document.language, words=g.config.answer_max_words)
        budget = g.config.ask_max_tokens - g.counter.count(system) - 40
        diagnostic = _head_and_tail(g, g.request.diagnostic.strip(), budget // 3)
        budget -= g.counter.count(diagnostic)
        others, origins = cross_file_section(g, int(budget * g.config.cross_file_share))
        budget -= g.counter.count(others)
        excerpts = g.excerpts or (self._at_cursor(g),)
        sections = self._sections(g, excerpts, budget)
        if others:
            sections.append(others)
        volatile = "## Error\n" + fence("text", diagnostic) + "\n\n" + "\n\n".join(sections)
        return finish(
            g,
            Draft(
                stable=system,
                volatile=volatile,
                max_output_tokens=g.config.ask_max_output_tokens,
                words=word_count(diagnostic, *sections),
                origins=origins,
            ),
        )

    def _at_cursor(self, g: Gathered) -> Excerpt:
        scope = g.found.scope
        rows = range(scope.start_line, scope.end_line + 1)
        label = f"{g.display_path()}: {scope.name or scope.kind} (line {g.row + 1})"
        return Excerpt(label, tuple(g.line(n) for n in rows))

    def _sections(self, g: Gathered, excerpts: tuple[Excerpt, ...], budget: int) -> list[str]:
        """Each excerpt trimmed to its share; the deepest frame (last) is served first."""
        sections: list[str] = []
        remaining = budget
        for i, excerpt in enumerate(reversed(excerpts)):
            share = remaining // (len(excerpts) - i)
            chosen = fit(list(excerpt.lines), share - 20, g.counter.count)
            if not chosen:
                continue
            text = f"### {excerpt.label}\n" + fence(g.document.language, render(chosen))
            remaining -= g.counter.count(text) + 2
            sections.append(text)
        return sections[::-1]


def _head_and_tail(g: Gathered, text: str, budget: int) -> str:
    """The start and the end of a long traceback: where it began and what finally failed."""
    if g.counter.count(text) <= budget:
        return text
    head = g.counter.truncate(text, budget // 3)
    tail = g.counter.truncate(text, budget - budget // 3 - 4, keep_end=True)
    return f"{head}\n...\n{tail}"
