"""What every task policy gets, and the shared steps that turn messages into a Prompt."""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from frugal_lsp.config import ContextConfig
from frugal_lsp.context.budget import Line
from frugal_lsp.context.document import Document
from frugal_lsp.context.found import Found
from frugal_lsp.context.linefacts import LineFacts, Words
from frugal_lsp.context.redact import RedactedLines, redact
from frugal_lsp.context.request import ContextRequest
from frugal_lsp.context.workspace.outline import CrossSnippet, without_names
from frugal_lsp.context.workspace.values import by_value
from frugal_lsp.prompt import Fim, Message, Prompt
from frugal_lsp.tokens import TokenCounter

CACHE_MIN_TOKENS = 1024  # OpenAI caches prefixes from 1024 tokens; Anthropic's minimum is alike
_PLACEHOLDER = re.compile(r"<redacted:[a-z0-9-]+>")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Excerpt:
    """A function from a traceback frame: where it is and its (redacted) lines."""

    label: str  # e.g. "app/views.py: handler (line 12)"
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Gathered:
    """One request's inputs, already scoped and redacted, ready for a policy."""

    request: ContextRequest
    found: Found
    lines: RedactedLines  # the file's lines, redacted on first use
    row: int  # cursor (or selection start) line
    column: int  # cursor column as a code-point index into the line
    config: ContextConfig
    counter: TokenCounter
    full_file_tokens: int
    frameworks: frozenset[str]
    facts: LineFacts  # cached code words and token counts of lines
    words: tuple[Words, ...]  # the code words of every line of the document
    workspace: Path | None = None
    excerpts: tuple[Excerpt, ...] = ()  # EXPLAIN_ERROR: the functions its frames name
    source: tuple[str, ...] | list[str] = ()  # the raw lines, only to tell blank lines apart
    cross_file: tuple[CrossSnippet, ...] = ()  # other files' definitions, best first

    @property
    def document(self) -> Document:
        return self.request.document

    def is_blank(self, number: int) -> bool:
        return 0 <= number < len(self.source) and not self.source[number].strip()

    def line(self, number: int) -> Line:
        return Line(number, self.lines.get(number))

    def display_path(self) -> str:
        path = self.document.path
        if self.workspace is not None:
            try:
                return path.relative_to(self.workspace).as_posix()
            except ValueError:
                pass
        return path.name


class Policy(Protocol):
    """Turns gathered context into the prompt for one kind of task."""

    def build(self, gathered: Gathered) -> Prompt: ...


@dataclass(frozen=True)
class Draft:
    """A policy's output before the shared finishing steps."""

    stable: str  # system text + stable context: goes first so prompt caches stay warm
    volatile: str  # what changes per request: goes last
    max_output_tokens: int
    words: int
    stop: tuple[str, ...] = ()
    fim: Fim | None = None
    origins: tuple[str, ...] = ()


def finish(gathered: Gathered, draft: Draft) -> Prompt:
    """Redact one last time, lay out the messages, count tokens, and fill in the Prompt."""
    stable, volatile = redact(draft.stable).text, redact(draft.volatile).text
    count = gathered.counter.count
    stable_tokens = count(stable)
    messages = (
        Message("system", stable, cache_breakpoint=stable_tokens >= CACHE_MIN_TOKENS),
        Message("user", volatile),
    )
    fim = draft.fim
    if fim is not None:
        fim = replace(
            fim,
            prefix=redact(fim.prefix).text,
            suffix=redact(fim.suffix).text,
            snippets=tuple(replace(s, text=redact(s.text).text) for s in fim.snippets),
        )
    return Prompt(
        task=gathered.request.task,
        language=gathered.document.language,
        scope=gathered.found.scope,
        messages=messages,
        max_output_tokens=draft.max_output_tokens,
        prompt_tokens=stable_tokens + count(volatile),
        full_file_tokens=gathered.full_file_tokens,
        stop=draft.stop,
        fim=fim,
        redactions=len(_PLACEHOLDER.findall(stable + "\n" + volatile)),
        words=draft.words,
        frameworks=gathered.frameworks,
        origins=draft.origins,
    )


def take_cross_file(g: Gathered, budget: int) -> list[CrossSnippet]:
    """The cross-file snippets worth most per token (measured: ``workspace/values.py``)
    whose rendering fits ``budget`` tokens; a long outline may be cut short."""
    chosen: list[CrossSnippet] = []
    spent = 0
    shown: dict[str, set[str]] = {}  # path -> lines already chosen
    used: Container[str] = (
        g.facts.file_words(g.document.path, g.document.text, g.source) if g.cross_file else {}
    )
    for snippet in by_value(g.cross_file):
        heading = g.counter.count(snippet.path) + 2 if snippet.path not in shown else 0
        snippet = _unseen_members(snippet, used)
        if not snippet.outline and _nothing_new(snippet.text, used):
            continue  # every name in it is in this file already: it would only repeat
        lines = snippet.text.split("\n")
        if set(lines) <= shown.get(snippet.path, set()):
            continue  # a method whose class outline is in already
        costs = [g.facts.tokens(line) + 1 for line in lines]
        room = budget - spent - heading
        keep = 0
        while keep < len(lines) and costs[keep] <= room:  # an outline may be cut short
            room -= costs[keep]
            keep += 1
        if keep == 0 or (keep < len(lines) and keep < 2):
            continue
        if keep < len(lines):
            snippet = replace(snippet, text="\n".join(lines[:keep]))
        chosen.append(snippet)
        shown.setdefault(snippet.path, set()).update(lines[:keep])
        spent += heading + sum(costs[:keep])
    return chosen


_NAME = re.compile(r"[A-Za-z_$][\w$]*")


def _nothing_new(snippet: str, used: Container[str]) -> bool:
    return all(name in used for name in set(_NAME.findall(snippet)))


def _unseen_members(snippet: CrossSnippet, used: Container[str]) -> CrossSnippet:
    """An outline without the members the file already uses: those it shows itself, and
    the budget goes to the ones it does not (measured: ``make bench-context``)."""
    if not snippet.outline or not snippet.names:
        return snippet
    kept = []
    for line, name in zip(snippet.text.split("\n"), snippet.names, strict=False):
        if " " in name:  # a line of member names
            line = without_names(line, name, used.__contains__)
        elif name and name in used:
            continue
        if line:
            kept.append(line)
    return replace(snippet, text="\n".join(kept), names=())


def cross_file_section(g: Gathered, budget: int) -> tuple[str, tuple[str, ...]]:
    """A Markdown section of other files' signatures within ``budget``, and its origins."""
    cross = take_cross_file(g, budget - 12)  # 12: the heading
    if not cross:
        return "", ()
    parts = [f"`{path}`\n" + fence(g.document.language, text) for path, text in by_file(cross)]
    return "## Definitions in other files\n" + "\n".join(parts), tuple(s.origin for s in cross)


def by_file(snippets: list[CrossSnippet]) -> list[tuple[str, str]]:
    """(path, signatures in file order) per file, files in the order they were ranked;
    methods of one class that follow each other share one class line."""
    grouped: dict[str, list[CrossSnippet]] = {}
    for s in snippets:
        grouped.setdefault(s.path, []).append(s)
    out = []
    for path, group in grouped.items():
        lines: list[str] = []
        header = ""
        for s in sorted(group, key=lambda s: s.line):
            first, _, rest = s.text.partition("\n")
            if first == header and rest:
                lines.append(rest)
                continue
            lines.append(s.text)
            header = first if first.lstrip().startswith("class ") else ""
        out.append((path, "\n".join(lines)))
    return out


def word_count(*texts: str) -> int:
    return sum(len(_WORD.findall(t)) for t in texts)


def fence(language: str, code: str) -> str:
    """A Markdown code block whose fence cannot be closed by the code inside it."""
    ticks = "```"
    while ticks in code:
        ticks += "`"
    return f"{ticks}{_fence_tag(language)}\n{code}\n{ticks}"


def _fence_tag(language: str) -> str:
    return {"typescriptreact": "tsx", "shellscript": "bash", "plaintext": ""}.get(
        language, language
    )
