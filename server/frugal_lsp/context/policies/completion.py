"""Completion: the code around the cursor, whole, then what its names need from elsewhere.

Judged by completions on a real code model (``make bench-quality``), not by a proxy: a
contiguous stretch of the file around the cursor comes first — most of it above the
cursor, ``[context] completion_suffix_share`` of it below — because that is what code
models are trained to fill. Up to ``completion_header_share`` of the budget goes to a
compact header, in file order above the stretch: the lines framing the scope (its class
and signature), then the lines that define a name the stretch uses (imports,
module-level names, same-file signatures, class attributes); what the header does not
use, the stretch gets. A gap between header and stretch is one comment line. FIM models
get prefix and suffix laid out by their template; chat models the same code with the
cursor marked, under a one-sentence instruction.
"""

from __future__ import annotations

from frugal_lsp.context.budget import GAP, Line, render
from frugal_lsp.context.policies.base import (
    Draft,
    Gathered,
    by_file,
    finish,
    take_cross_file,
    word_count,
)
from frugal_lsp.prompt import Fim, Prompt, Snippet

CURSOR = "<CURSOR>"
MAX_OUTPUT_TOKENS = 128
_SYSTEM = "Reply with only the {language} code that replaces {cursor}."
_LINE_COMMENT = {"python": "#", "ruby": "#", "shellscript": "#"}


def comment_for(language: str) -> str:
    return _LINE_COMMENT.get(language, "//")


def fim_gaps(code: str, language: str) -> str:
    """Gap markers as comments, indented like the code after them, for FIM models: they
    continue raw code, and a bare "..." line teaches them to answer "..."."""
    comment = comment_for(language)
    lines = code.split("\n")
    for n, line in enumerate(lines):
        if line == GAP:
            after = next((x for x in lines[n + 1 :] if x.strip() and x != GAP), "")
            lines[n] = after[: len(after) - len(after.lstrip())] + f"{comment} ..."
    return "\n".join(lines)


class CompletionPolicy:
    """Fills the completion budget with the code a model needs to continue at the cursor."""

    def build(self, gathered: Gathered) -> Prompt:
        g = gathered
        stable = _SYSTEM.format(language=g.document.language, cursor=CURSOR)
        budget = g.config.completion_max_tokens - g.counter.count(stable) - self._frame_cost(g)
        language = g.document.language
        cross = take_cross_file(g, int(budget * g.config.completion_cross_file_share))
        files = by_file(cross)
        other = "".join(f"{comment_for(language)} {path}\n{text}\n\n" for path, text in files)
        code = self._code(g, budget - (g.counter.count(other) if other else 0))
        prefix, _, suffix = code.partition(CURSOR)
        scope_text = "\n".join(g.lines.get(n) for n in _scope_rows(g))
        return finish(
            g,
            Draft(
                stable=stable,
                volatile=f"{other}{g.display_path()}\n{code}",
                max_output_tokens=min(g.config.completion_max_output_tokens, MAX_OUTPUT_TOKENS),
                words=word_count(scope_text),
                stop=stops(g),
                fim=Fim(
                    fim_gaps(prefix, language),
                    fim_gaps(suffix, language),
                    g.display_path(),
                    snippets=tuple(Snippet(path, text) for path, text in files),
                    comment=comment_for(language),
                ),
                origins=tuple(s.origin for s in cross),
            ),
        )

    def _frame_cost(self, g: Gathered) -> int:
        return g.counter.count(f"{g.display_path()}\n{CURSOR}") + 1  # +1: the message join

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
        reserve = int(budget * g.config.completion_header_share)
        own = g.facts.tokens(cursor.text)
        first, last, spent = self._stretch(g, budget - reserve, own)
        header, used = self._header(g, first, last, budget - spent)
        if budget - spent - used > 0:  # the header needed less: the stretch grows
            first, last, _ = self._stretch(g, budget - used, own)
            header = [r for r in header if r < first]
        rows = [*header, *range(first, last + 1)]
        return [cursor if r == g.row else g.line(r) for r in rows]

    def _stretch(self, g: Gathered, budget: int, spent: int) -> tuple[int, int, int]:
        """The widest run of lines around the cursor within ``budget``: the suffix takes
        its share first, the prefix the rest (and what the suffix could not use)."""

        def cost(r: int) -> int:
            return g.facts.tokens(g.source[r])

        n_lines = len(g.lines)
        first = last = g.row
        room_below = int((budget - spent) * g.config.completion_suffix_share)
        while last + 1 < n_lines and cost(last + 1) <= room_below:
            room_below -= cost(last + 1)
            spent += cost(last + 1)
            last += 1
        while first > 0 and spent + cost(first - 1) <= budget:
            spent += cost(first - 1)
            first -= 1
        while last + 1 < n_lines and spent + cost(last + 1) <= budget:  # near the file's start
            spent += cost(last + 1)
            last += 1
        return first, last, spent

    def _header(self, g: Gathered, first: int, last: int, budget: int) -> tuple[list[int], int]:
        """Rows above the stretch that frame the scope or define a name the stretch uses."""
        f = g.found
        words = g.words
        needed = set().union(*(words[r] for r in range(first, last + 1) if r < len(words)))
        covered: set[str] = set()
        chosen: dict[int, None] = {}
        spent = 0
        for r in [*f.outer, *f.header, *f.signatures, *f.members, *f.imports]:
            if r >= first or r in chosen or not 0 <= r < len(words):
                continue
            adds = (words[r] & needed) - covered
            if r not in f.outer and not adds:
                continue
            cost = g.facts.tokens(g.source[r]) + 1  # +1: a gap comment it may bring
            if spent + cost > budget:
                continue
            chosen[r] = None
            covered |= adds
            spent += cost
        return sorted(chosen), spent

    def _cursor_line(self, g: Gathered) -> Line:
        text = g.lines.get(g.row)
        return Line(g.row, text[: g.column] + CURSOR + text[g.column :])


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
