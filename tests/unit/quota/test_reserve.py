"""Reserve-then-settle through the real engine: processes racing a hard cap, a crash mid-call."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.store.ledger import Ledger
from frugal_lsp.tasks import Task
from tests.fakes.fake_provider import FakeProvider, Fault
from tests.processes import run_together

SOURCE = "def area(radius):\n    return 3.14159 * radius ** 2\n"

ASKER = textwrap.dedent("""
    import asyncio, json, sys, time
    from pathlib import Path
    from frugal_lsp.config import parse_config
    from frugal_lsp.context import ContextRequest
    from frugal_lsp.context.document import Document, Position
    from frugal_lsp.engine import Engine
    from frugal_lsp.errors import QuotaExhausted
    from frugal_lsp.paths import StatePaths
    from frugal_lsp.tasks import Task

    home, source, config, count, start = sys.argv[1:6]
    async def main():
        engine = Engine(parse_config(json.loads(config)), StatePaths.resolve(home), None)
        doc = Document.from_file(source)
        admitted = refused = 0
        time.sleep(max(float(start) - time.time(), 0))
        for i in range(int(count)):
            request = ContextRequest(doc, Task.ASK, Position(0, 0), Position(1, 30),
                                     question=f"question {i} from {sys.argv[6]}")
            try:
                await engine.answer(request)
                admitted += 1
            except QuotaExhausted:
                refused += 1
        await engine.aclose()
        print(json.dumps([int(count), admitted, refused]))
    asyncio.run(main())
""")


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider(reply="It returns the area of a circle.") as provider:
        yield provider


def config(fake: FakeProvider, tokens: int) -> dict[str, Any]:
    return {
        "providers": [{"name": "fake", "base_url": fake.url + "/v1"}],
        "models": [{"name": "fake-basic", "provider": "fake", "tier": "basic"}],
        "budget": {"tokens": tokens, "hard_stop": True},
        "context": {"ask_max_output_tokens": 64},
        "cache": {"enabled": False},
    }


def test_four_engines_racing_a_hard_budget_never_exceed_it(
    tmp_path: Path, fake: FakeProvider, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "shapes.py"
    source.write_text(SOURCE)
    home, cap = tmp_path / "home", 3000
    start = time.time() + 3.0
    data = json.dumps(config(fake, cap))
    commands = [
        [sys.executable, "-c", ASKER, str(home), str(source), data, "12", str(start), str(n)]
        for n in range(4)
    ]
    figures = [json.loads(out) for out in run_together(commands)]
    attempted, admitted, refused = (sum(f[i] for f in figures) for i in range(3))
    ledger = Ledger(StatePaths.resolve(home).ledger)
    spent = ledger.used(0)
    assert spent <= cap
    assert refused > 0 and admitted + refused == attempted == 48
    assert len(fake.requests) == admitted  # nothing refused ever reached the provider
    with capsys.disabled():
        print(
            f"\nengine race: 4 processes, {attempted} asks attempted, {admitted} admitted,"
            f" {refused} refused, spend {spent:,.0f} of cap {cap:,}"
        )


async def test_a_crash_after_the_request_left_is_charged_on_next_start(
    tmp_path: Path, fake: FakeProvider
) -> None:
    """The provider holds the request when the process is killed: it may bill it whole, so
    the next start charges the reservation (a killed call must not be free)."""
    source = tmp_path / "shapes.py"
    source.write_text(SOURCE)
    home = tmp_path / "home"
    fake.inject(Fault("slow", delay=30))
    data = json.dumps(config(fake, 100_000))
    proc = subprocess.Popen(
        [sys.executable, "-c", ASKER, str(home), str(source), data, "1", "0", "x"],
        stdout=subprocess.PIPE,
    )
    ledger_path = StatePaths.resolve(home).ledger
    for _ in range(200):  # until the request is reserved and sent
        if fake.requests and ledger_path.exists():
            break
        await asyncio.sleep(0.05)
    held = Ledger(ledger_path)
    assert held.query("SELECT outcome FROM calls") == [("reserved",)]
    assert held.used(0) > 0
    held.close()
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    engine = Engine(parse_config(config(fake, 100_000)), StatePaths.resolve(home), tmp_path)
    try:
        rows = engine.ledger.query("SELECT outcome, cost_units, reserved_units FROM calls")
        assert rows == [("released", rows[0][1], 0.0)] and rows[0][1] > 0
        assert engine.status().used == rows[0][1]
        reserved = engine.ledger.query("SELECT (est_prompt_tokens + est_output_tokens) FROM calls")
        assert rows[0][1] == reserved[0][0]  # coefficient 1: the whole reservation
    finally:
        await engine.aclose()


async def test_a_cancelled_request_releases_its_reservation(
    tmp_path: Path, fake: FakeProvider
) -> None:
    source = tmp_path / "shapes.py"
    source.write_text(SOURCE)
    fake.inject(Fault("slow", delay=30))
    engine = Engine(parse_config(config(fake, 100_000)), StatePaths.resolve(tmp_path / "h"), None)
    request = ContextRequest(
        Document.from_file(source), Task.ASK, Position(0, 0), Position(1, 30), question="?"
    )
    task = asyncio.ensure_future(engine.answer(request))
    while not fake.requests:
        await asyncio.sleep(0.02)
    assert engine.status().used > 0  # reserved while in flight
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert engine.ledger.query("SELECT outcome, cost_units FROM calls") == [("cancelled", 0.0)]
    assert engine.status().used == 0
    await engine.aclose()
