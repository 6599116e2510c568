"""Baselines computed on the same keystroke trace, with the same model answers.

* **naive**: a request after every keystroke, the whole file as the prompt, the
  strongest tier (coefficient 3.5), no cache, no cancellation;
* **Continue-like**: Continue's autocomplete defaults (debounce 350 ms, a 1024-token
  prompt: suffix at most 20 % of it, the prefix the rest), one basic model (1.0), and its
  prefix LRU cache (1000 entries; a hit when a cached prefix plus the start of its
  completion equals what is typed now). Its asks send the selection and the question.

Token counts use the tokenizer the fake provider counts with. The whole-file count per
keystroke is the sum of three exact counts (the text before the function, what has been
typed, the rest): a BPE merge across the two seams can differ by a token or two.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from frugal_lsp.tokens import TokenCounter, counter
from tests.bench.replay import ASK_QUESTION, ASK_REPLY, Usage
from tests.bench.trace import Session

STRONGEST = 3.5
BASIC = 1.0
CONTINUE_DEBOUNCE_MS = 350
CONTINUE_PROMPT_TOKENS = 1024
CONTINUE_SUFFIX_SHARE = 0.2
CONTINUE_CACHE_ENTRIES = 1000


@dataclass
class BaselineResult:
    completion: Usage
    asks: Usage
    pauses: int
    served: int

    @property
    def total(self) -> Usage:
        out = Usage()
        out += self.completion
        out += self.asks
        return out


def _texts(session: Session) -> list[tuple[str, str]]:
    """(prefix, suffix) of the document after each keystroke."""
    doc = session.opened
    out = []
    for key in session.keystrokes:
        doc = doc[: key.offset] + key.text + doc[key.offset :]
        cursor = key.offset + len(key.text)
        out.append((doc[:cursor], doc[cursor:]))
    return out


def naive(sessions: list[Session], ask_after: tuple[int, ...], repeat_ask: bool) -> BaselineResult:
    count = counter()
    completion, asks = Usage(), Usage()
    pauses = 0
    for session in sessions:
        head, body = session.piece.head, session.piece.body
        fixed = count.count(head) + count.count("\n" + session.piece.tail)
        for key in session.keystrokes:
            typed = body[: key.offset + len(key.text) - len(head)]
            completion.add(fixed + count.count(typed), count.count(key.reply), STRONGEST)
            pauses += key.pause
        if session.index in ask_after:
            whole = count.count(session.final) + count.count(ASK_QUESTION)
            for _ in range(_asks(session, ask_after, repeat_ask)):
                asks.add(whole, count.count(ASK_REPLY), STRONGEST)
    return BaselineResult(completion, asks, pauses, pauses)


def _asks(session: Session, ask_after: tuple[int, ...], repeat_ask: bool) -> int:
    return 2 if repeat_ask and session.index == ask_after[0] else 1


def _window(count: TokenCounter, prefix: str, suffix: str) -> int:
    suffix_budget = int(CONTINUE_PROMPT_TOKENS * CONTINUE_SUFFIX_SHARE)
    suffix_tokens = min(count.count(suffix[:4000]), suffix_budget)
    prefix_tokens = min(count.count(prefix[-8000:]), CONTINUE_PROMPT_TOKENS - suffix_tokens)
    return prefix_tokens + suffix_tokens


class PrefixCache:
    """Continue's autocomplete cache: prefix -> completion, least recently used dropped."""

    def __init__(self, size: int = CONTINUE_CACHE_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[str, str] = OrderedDict()

    def get(self, prefix: str) -> str | None:
        for key in sorted(self._entries, key=len, reverse=True):
            if prefix.startswith(key):
                typed = prefix[len(key) :]
                value = self._entries[key]
                if value.startswith(typed) and len(value) > len(typed):
                    self._entries.move_to_end(key)
                    return value[len(typed) :]
        return None

    def put(self, prefix: str, completion: str) -> None:
        self._entries[prefix] = completion
        self._entries.move_to_end(prefix)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


def continue_like(
    sessions: list[Session], ask_after: tuple[int, ...], repeat_ask: bool
) -> BaselineResult:
    count = counter()
    completion, asks = Usage(), Usage()
    pauses = served = 0
    cache = PrefixCache()
    for session in sessions:
        for key, (prefix, suffix) in zip(session.keystrokes, _texts(session), strict=True):
            pauses += key.pause
            if key.gap_ms < CONTINUE_DEBOUNCE_MS:
                continue  # the next keystroke came before the debounce ended
            served += key.pause
            if cache.get(prefix) is not None:
                continue
            completion.add(_window(count, prefix, suffix), count.count(key.reply), BASIC)
            cache.put(prefix, key.reply)
        if session.index in ask_after:
            selection = count.count(session.piece.body) + count.count(ASK_QUESTION)
            for _ in range(_asks(session, ask_after, repeat_ask)):
                asks.add(selection, count.count(ASK_REPLY), BASIC)
    return BaselineResult(completion, asks, pauses, served)
