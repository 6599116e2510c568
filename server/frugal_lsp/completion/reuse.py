"""Typing-through: while the user types what the last suggestion said, serve its remainder."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frugal_lsp.completion.pipeline import Suggestion


@dataclass(frozen=True)
class _Shown:
    before: str  # the document text before the cursor when the suggestion was made
    suggestion: Suggestion


class TypingThrough:
    """Remembers the last suggestion per document and answers from it while it still fits."""

    def __init__(self) -> None:
        self._shown: dict[str, _Shown] = {}

    def remember(self, key: str, before: str, suggestion: Suggestion) -> None:
        self._shown[key] = _Shown(before, suggestion)

    def forget(self, key: str) -> None:
        self._shown.pop(key, None)

    def take(self, key: str, before: str) -> Suggestion | None:
        """The rest of the remembered suggestion if ``before`` only adds a prefix of it."""
        shown = self._shown.get(key)
        if shown is None:
            return None
        typed = _typed(shown.before, before)
        text = shown.suggestion.text
        if typed is None or not text.startswith(typed) or len(typed) >= len(text):
            self._shown.pop(key, None)
            return None
        return replace(shown.suggestion, text=text[len(typed) :], source="typing-through")


def _typed(old: str, new: str) -> str | None:
    """What was typed since ``old``, when ``new`` is ``old`` plus more; else None."""
    if len(new) < len(old) or not new.startswith(old):
        return None
    return new[len(old) :]
