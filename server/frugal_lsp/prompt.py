"""What the context layer hands to routing and providers: a scoped, budgeted prompt."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from frugal_lsp.tasks import Task

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Scope:
    """The region of the file the prompt is built around (0-based, inclusive lines)."""

    kind: str  # "function", "method", "class", "module", "block", "window", "selection"
    name: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Message:
    role: Role
    content: str
    # True on the last stable message: providers with prompt caches may mark a breakpoint.
    cache_breakpoint: bool = False


@dataclass(frozen=True)
class Snippet:
    """Code from elsewhere (this file or another) that the model should see before the gap."""

    path: str
    text: str


@dataclass(frozen=True)
class Fim:
    """Fill-in-the-middle parts for models that take a prefix and a suffix.

    How they are laid out for a model is its FIM template's job (``providers/fim.py``).
    """

    prefix: str
    suffix: str
    path: str = ""  # the file's path as the model sees it (workspace-relative)
    snippets: tuple[Snippet, ...] = ()
    comment: str = "#"  # the language's line comment, for templates that comment snippets


@dataclass(frozen=True)
class Prompt:
    """Everything that would be sent for one request, before routing picks a model."""

    task: Task
    language: str
    scope: Scope
    messages: tuple[Message, ...]
    max_output_tokens: int
    prompt_tokens: int
    full_file_tokens: int
    stop: tuple[str, ...] = ()
    fim: Fim | None = None
    redactions: int = 0
    words: int = 0  # words of input, the seed's routing measure
    frameworks: frozenset[str] = field(default_factory=frozenset)
    origins: tuple[str, ...] = ()  # context from elsewhere: "cross-file: utils.py:12 parse_date"

    @property
    def text(self) -> str:
        """The exact text of every message that would be sent, concatenated."""
        return "\n".join(m.content for m in self.messages)
