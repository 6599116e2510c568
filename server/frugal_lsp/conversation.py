"""Ask threads: follow-up questions on one selection, history trimmed to a token budget.

A thread is keyed by document and selected lines. Each follow-up is sent with the fresh
context of the selection plus as many earlier questions and answers as fit in
``history_tokens`` (newest first); older turns are dropped, never truncated mid-way.
"Ask again stronger" re-asks the last question of a thread on a stronger tier.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from frugal_lsp.context import ContextRequest, Message, Prompt
from frugal_lsp.tasks import Tier
from frugal_lsp.tokens import TokenCounter

DEFAULT_HISTORY_TOKENS = 1500
MAX_THREADS = 64


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str
    tier: str
    model: str


@dataclass
class Thread:
    """One conversation about one selection."""

    id: str
    key: str  # document URI (or path)
    start_line: int
    end_line: int
    request: ContextRequest  # the latest request: document snapshot, selection, question
    turns: list[Turn] = field(default_factory=list)
    document: Path | None = None  # the Markdown file the answers are written to

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None


class Conversations:
    """Every open thread of a session, at most ``MAX_THREADS`` (oldest dropped first)."""

    def __init__(self, history_tokens: int = DEFAULT_HISTORY_TOKENS) -> None:
        self.history_tokens = history_tokens
        self._threads: dict[str, Thread] = {}

    def get(self, thread_id: str) -> Thread | None:
        return self._threads.get(thread_id)

    def find(self, key: str, start_line: int, end_line: int) -> Thread | None:
        for thread in reversed(self._threads.values()):
            if (thread.key, thread.start_line, thread.end_line) == (key, start_line, end_line):
                return thread
        return None

    def latest_for(self, key: str, line: int) -> Thread | None:
        """The newest thread on ``key`` whose selection holds ``line``."""
        for thread in reversed(self._threads.values()):
            if thread.key == key and thread.start_line <= line <= thread.end_line:
                return thread
        return None

    def open(self, key: str, request: ContextRequest, start_line: int, end_line: int) -> Thread:
        """The thread for this selection, continued with ``request``, or a new one."""
        thread = self.find(key, start_line, end_line)
        if thread is None:
            thread = Thread(uuid.uuid4().hex[:10], key, start_line, end_line, request)
            self._threads[thread.id] = thread
            while len(self._threads) > MAX_THREADS:
                self._threads.pop(next(iter(self._threads)))
        thread.request = request
        return thread

    def record(self, thread: Thread, turn: Turn) -> None:
        if thread.last != turn:  # a repeated question answered alike adds nothing new
            thread.turns.append(turn)

    def clear(self, thread_id: str | None = None) -> int:
        """Forget one thread (or all of them); returns how many were dropped."""
        if thread_id is None:
            count = len(self._threads)
            self._threads.clear()
            return count
        return 1 if self._threads.pop(thread_id, None) else 0

    def with_history(
        self, prompt: Prompt, turns: list[Turn], counter: TokenCounter, budget: int | None = None
    ) -> Prompt:
        """``prompt`` with earlier turns inserted before its last message, newest kept first."""
        kept = trim_history(turns, counter, self.history_tokens if budget is None else budget)
        if not kept:
            return prompt
        history: list[Message] = []
        tokens = 0
        words = 0
        for turn in kept:
            history += [Message("user", turn.question), Message("assistant", turn.answer)]
            tokens += counter.count(turn.question) + counter.count(turn.answer)
            words += len(turn.question.split()) + len(turn.answer.split())
        *head, last = prompt.messages
        return replace(
            prompt,
            messages=(*head, *history, last),
            prompt_tokens=prompt.prompt_tokens + tokens,
            words=prompt.words + words,
        )


def history_for(turns: list[Turn], question: str) -> list[Turn]:
    """The turns to send with ``question``. Asking the last question again repeats that
    request exactly, so an unchanged selection is answered from the cache for free."""
    if turns and turns[-1].question == question:
        return turns[:-1]
    return turns


def trim_history(turns: list[Turn], counter: TokenCounter, budget: int) -> list[Turn]:
    """The newest turns whose questions and answers fit in ``budget`` tokens, oldest first."""
    kept: list[Turn] = []
    left = budget
    for turn in reversed(turns):
        cost = counter.count(turn.question) + counter.count(turn.answer)
        if cost > left:
            break
        kept.append(turn)
        left -= cost
    return list(reversed(kept))


def stronger(tier: str | None) -> Tier:
    """The tier to ask again with: the advanced tier is the top of the adequacy order."""
    del tier  # basic and specialized both escalate to advanced; advanced stays there
    return Tier.ADVANCED
