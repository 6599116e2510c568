"""The acceptance replay's accounting on a tiny trace, with the loopback fake as the model.

The benchmark itself runs Qwen2.5-Coder for minutes (``make bench-accept``); here a fake
model that is always right must give 100 % acceptance to every system, one that is always
wrong 0 %, through the same code: the real server, the proxy, the baselines' prompts.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from dataclasses import replace
from pathlib import Path

from tests.bench import acceptance
from tests.bench.acceptance_report import section, target_line
from tests.bench.corpus import Piece
from tests.bench.model_proxy import Call, ModelProxy
from tests.bench.quality import Speed
from tests.bench.trace import Session, session_for
from tests.fakes.fake_provider import FakeProvider

HEAD = "import math\n\n\n"
BODY = "def area(radius):\n    return math.pi * radius ** 2\n"
TAIL = "\n\ndef ring(outer, inner):\n    return area(outer) - area(inner)\n"
PAUSES = (16, 33)  # after "def area(radius):" and after "    return math.pi * "
WRONG = "__wrong_guess()"
# Long pauses: the replay moves on as soon as the request reaches the model, so a long one
# costs nothing on an idle machine and still leaves a busy one time to get past the debounce.
PAUSE_MS = 5000.0


def tiny_session() -> Session:
    session = session_for(Piece(Path("geometry.py"), "python", HEAD, BODY, TAIL), 0,
                          random.Random(1))  # fmt: skip
    keys = [
        replace(key, gap_ms=PAUSE_MS if i in PAUSES else 40.0)
        for i, key in enumerate(session.keystrokes)
    ]
    return replace(session, keystrokes=keys)


def right_answer(session: Session, i: int) -> str:
    """What a perfect model says after keystroke ``i``: the rest of the line being typed,
    or at a line's end the next line."""
    key = session.keystrokes[i]
    rest = session.piece.body[key.offset + len(key.text) - len(session.piece.head) :]
    line, _, more = rest.partition("\n")
    return line if line.strip() else "\n" + more.split("\n", 1)[0]


def run(
    tmp: Path, fake: FakeProvider, right: bool, cache: Path | None = None
) -> list[acceptance.SystemResult]:
    return run_and_time(tmp, fake, right, cache)[0]


def run_and_time(
    tmp: Path, fake: FakeProvider, right: bool, cache: Path | None = None
) -> tuple[list[acceptance.SystemResult], list[Call]]:
    session = tiny_session()

    def hook(s: Session, i: int) -> None:
        fake.reply = right_answer(s, i) if right else WRONG

    with ModelProxy(fake.url, cache, "fake") as proxy:
        results = asyncio.run(
            asyncio.wait_for(acceptance.run_systems([session], proxy, tmp, hook=hook), 60)
        )
        return results, acceptance.single_line_latency(proxy, results[0].calls)


def test_the_targets_are_what_is_typed_next() -> None:
    session = tiny_session()
    assert acceptance.typed_next(session, PAUSES[0]) == "return math.pi * radius ** 2"
    assert acceptance.typed_next(session, PAUSES[1]) == "radius ** 2"
    assert acceptance.typed_next(session, len(session.keystrokes) - 1) == ""
    shown = acceptance.Shown(0, 0, "radius ** 2", "  radius ** 2  \nmore()")
    assert shown.accepted  # the first line counts, spaces at its ends do not
    assert not replace(shown, suggestion="radius ** 3").accepted
    assert not replace(shown, target="", suggestion="").accepted  # nothing left to type


def test_a_model_that_is_always_right_is_accepted_at_every_pause(tmp_path: Path) -> None:
    with FakeProvider() as fake:
        results, single = run_and_time(tmp_path / "a", fake, right=True)
    assert [r.name for r in results] == ["ours", "continue", "naive"]
    for r in results:
        assert r.pauses == 2 and r.accepted == 2 and r.rate == 1.0, r.name
        assert r.units > 0 and r.units_per_accepted == r.units / 2
    ours, cont, naive = results
    assert 1 <= ours.requests <= 4  # the pause after "def area(radius):"; typing-through after
    assert cont.requests == len(cont.calls) <= 2  # its cache may serve the second pause
    assert naive.requests == len(tiny_session().keystrokes) and len(naive.calls) == 2
    assert naive.coefficient == 3.5 and ours.coefficient == cont.coefficient == 1.0
    # the report: every system's row, the target verdict, the single-line latency line
    assert single and all(c.tag == "single-line" and "\n" in c.request["stop"] for c in single)
    found = {"results": results, "speed": Speed(2, 50.0, 10.0), "single_line": single}
    args = argparse.Namespace(model="fake", naive_ceiling=2048)
    lines, data = section([tiny_session()], found, 1.0, args)
    text = "\n".join(lines)
    assert text.count("| 2 | 100.0% |") == 3 and "single-line completion" in text
    share = ours.units / cont.units
    assert data["ours_vs_continue_units_per_accepted"] == share
    assert ("**NOT met**" in text) == (share > 0.5)


def test_a_model_that_is_always_wrong_is_never_accepted(tmp_path: Path) -> None:
    with FakeProvider() as fake:
        results = run(tmp_path / "w", fake, right=False)
    for r in results:
        assert r.suggested == 2 and r.accepted == 0 and r.units_per_accepted is None, r.name
    verdict, share = target_line(results[0], results[1])
    assert share is None and "NOT met" in verdict


def test_a_rerun_is_answered_from_the_cache(tmp_path: Path) -> None:
    with FakeProvider() as fake:
        first = run(tmp_path / "1", fake, right=True, cache=tmp_path / "cache")
        asked = len(fake.requests)
        again = run(tmp_path / "2", fake, right=False, cache=tmp_path / "cache")
        new = [c for r in again for c in r.calls if not c.cached]
        assert len(fake.requests) == asked + len(new)  # a cached answer never reaches the model
    seen = [c.request for r in first for c in r.calls]
    assert all(c.cached for r in again for c in r.calls if c.request in seen)
    # the baselines do not depend on timing: the same requests, all cached, the same answers
    # (the right ones, though the model would now be wrong)
    for before, after in zip(first[1:], again[1:], strict=True):
        assert all(c.cached for c in after.calls) and after.units == before.units
        assert after.accepted == before.accepted == 2
