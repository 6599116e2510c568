"""The completion pipeline with a real engine over the loopback fake provider (no mocks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.completion import CompletionPipeline, Query
from frugal_lsp.config import parse_config
from frugal_lsp.context import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from tests.fakes.fake_provider import FakeProvider, Fault

SOURCE = "import math\n\n\ndef area(radius):\n    return \n"
CURSOR = Position(4, 11)  # after "return "


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider(reply="math.pi * radius ** 2") as provider:
        yield provider


def config(fake: FakeProvider, **completion: Any) -> dict[str, Any]:
    return {
        "providers": [{"name": "fake", "base_url": fake.url + "/v1"}],
        "models": [{"name": "fake-small", "provider": "fake", "tier": "basic"}],
        "completion": {"debounce_ms": 30, **completion},
        "cache": {"enabled": False},
    }


@pytest.fixture
async def engine(fake: FakeProvider, tmp_path: Path) -> AsyncIterator[Engine]:
    made = Engine(parse_config(config(fake)), StatePaths.resolve(tmp_path / "home"), tmp_path)
    yield made
    await made.aclose()


def query(text: str = SOURCE, position: Position = CURSOR, version: int = 1) -> Query:
    document = Document(Path("/ws/geometry.py"), text, "python", version)
    return Query("file:///ws/geometry.py", document, position, version)


def savings(engine: Engine) -> dict[str, int]:
    rows = engine.ledger.query("SELECT kind, COUNT(*) FROM savings GROUP BY kind")
    return {kind: count for kind, count in rows}


async def test_a_suggestion_costs_one_provider_call(engine: Engine, fake: FakeProvider) -> None:
    suggestion = await CompletionPipeline(engine).suggest(query())
    assert suggestion is not None
    assert suggestion.text.startswith("math.pi")
    assert suggestion.source == "provider"
    assert len(fake.requests) == 1


async def test_rapid_requests_reach_the_provider_once(engine: Engine, fake: FakeProvider) -> None:
    pipeline = CompletionPipeline(engine)
    results = await asyncio.gather(*(pipeline.suggest(query(version=v)) for v in range(1, 11)))
    assert len(fake.requests) == 1
    assert [r is not None for r in results] == [False] * 9 + [True]
    assert savings(engine)["debounced"] == 9


async def test_a_newer_edit_stops_a_waiting_request(engine: Engine, fake: FakeProvider) -> None:
    pipeline = CompletionPipeline(engine)
    pending = asyncio.ensure_future(pipeline.suggest(query(version=1)))
    await asyncio.sleep(0)
    pipeline.edited(query().key, 2)
    assert await pending is None
    assert fake.requests == []


async def test_a_cancelled_request_costs_nothing(engine: Engine, fake: FakeProvider) -> None:
    pending = asyncio.ensure_future(CompletionPipeline(engine).suggest(query()))
    await asyncio.sleep(0.005)
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending
    assert fake.requests == []


async def test_a_newer_request_cancels_the_call_in_flight(
    engine: Engine, fake: FakeProvider
) -> None:
    fake.inject(Fault("slow", delay=1.0))
    pipeline = CompletionPipeline(engine)
    first = asyncio.ensure_future(pipeline.suggest(query(version=1)))
    while not fake.requests:
        await asyncio.sleep(0.01)
    second = await pipeline.suggest(query(version=2))
    assert await first is None  # ended quietly, not with an error
    assert second is not None
    outcomes = engine.ledger.query("SELECT outcome FROM calls ORDER BY id")
    assert [o for (o,) in outcomes] == ["cancelled", "ok"]


async def test_typing_through_a_suggestion_costs_no_call(
    engine: Engine, fake: FakeProvider
) -> None:
    pipeline = CompletionPipeline(engine)
    shown = await pipeline.suggest(query())
    assert shown is not None
    typed = SOURCE.replace("return \n", "return math.\n")
    rest = await pipeline.suggest(query(typed, Position(4, 16), version=2))
    assert rest is not None and rest.text == shown.text[len("math.") :]
    assert rest.id == shown.id and rest.source == "typing-through"
    assert len(fake.requests) == 1
    assert savings(engine)["typing-through"] == 1


async def test_typing_something_else_asks_again(engine: Engine, fake: FakeProvider) -> None:
    pipeline = CompletionPipeline(engine)
    await pipeline.suggest(query())
    typed = SOURCE.replace("return \n", "return 2\n")
    await pipeline.suggest(query(typed, Position(4, 12), version=2))
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    ("text", "position", "kind"),
    [
        ("def area(radius):\n    return rad", Position(1, 12), "skip-mid-word"),
        ("x = 1\x00\x00\x00\n", Position(0, 5), "skip-binary"),
        ("x = 1\n" * 400_000, Position(3, 0), "skip-too-large"),
    ],
)
async def test_requests_that_cannot_help_are_skipped_and_counted(
    engine: Engine, fake: FakeProvider, text: str, position: Position, kind: str
) -> None:
    assert await CompletionPipeline(engine).suggest(query(text, position)) is None
    assert fake.requests == []
    assert savings(engine) == {kind: 1}


async def test_excluded_files_never_leave_the_machine(engine: Engine, fake: FakeProvider) -> None:
    pipeline = CompletionPipeline(engine)
    document = Document(Path("/ws/.env"), "API_KEY=", "plaintext", 1)
    assert await pipeline.suggest(Query("file:///ws/.env", document, Position(0, 8), 1)) is None
    assert fake.requests == []
    assert savings(engine) == {"skip-excluded": 1}


async def test_an_exclusion_added_later_applies_to_a_pipeline_made_before(
    engine: Engine, fake: FakeProvider
) -> None:
    pipeline = CompletionPipeline(engine)  # before the config changes: no stale copy kept
    engine.reconfigure(parse_config(config(fake) | {"context": {"exclude": ["geometry.py"]}}))
    assert await pipeline.suggest(query()) is None
    assert fake.requests == []
    assert savings(engine) == {"skip-excluded": 1}


async def test_accepting_a_suggestion_counts_once(engine: Engine) -> None:
    pipeline = CompletionPipeline(engine)
    shown = await pipeline.suggest(query())
    assert shown is not None
    assert pipeline.accept(shown.id) is True
    assert pipeline.accept(shown.id) is False
    assert engine.status().accepted == 1
