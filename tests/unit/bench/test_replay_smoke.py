"""The replay harness on a tiny trace (a few seconds): what a user of the server would notice."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from pathlib import Path

from tests.bench import baselines
from tests.bench.corpus import Piece
from tests.bench.replay import replay
from tests.bench.trace import Session, session_for

HEAD = "import math\n\n\n"
BODY = "def area(radius):\n    return math.pi * radius ** 2\n"
TAIL = "\n\ndef ring(outer, inner):\n    return area(outer) - area(inner)\n"


def tiny_session(pause_after: int) -> Session:
    """``BODY`` typed with 40 ms between keystrokes and one 1.5 s pause after keystroke
    ``pause_after``; the rest is typed quickly again."""
    piece = Piece(Path("geometry.py"), "python", HEAD, BODY, TAIL)
    session = session_for(piece, 0, random.Random(1))
    keys = [
        replace(key, gap_ms=1500.0 if i == pause_after else 40.0)
        for i, key in enumerate(session.keystrokes)
    ]
    return replace(session, keystrokes=keys)


async def test_rapid_typing_costs_one_request_and_the_pause_gets_a_suggestion() -> None:
    session = tiny_session(pause_after=16)  # "def area(radius):" typed, then a pause
    assert len(session.keystrokes) > 10

    result = await asyncio.wait_for(replay([session], ask_after=(0,)), timeout=30)

    # seventeen quick keystrokes, then a pause: at most one call reaches the provider for them
    assert result.pauses == 1 and result.served == 1
    assert 1 <= result.completion.requests <= 2  # the pause, and at most the final keystroke
    assert result.completion.requests < len(session.keystrokes) // 5
    # asking the same question twice: the second answer comes from the cache, for free
    assert result.ask_cached == [False, True]
    assert result.asks.requests == 1


def test_the_naive_baseline_pays_for_every_keystroke() -> None:
    session = tiny_session(pause_after=16)
    naive = baselines.naive([session], (), False)
    assert naive.completion.requests == len(session.keystrokes)
    cont = baselines.continue_like([session], (), False)
    assert cont.completion.requests <= 2  # only the long gaps pass its 350 ms debounce
