"""The whole request path over real HTTP: context -> route -> provider -> ledger -> cache."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.errors import AuthFailed, ProviderUnavailable, QuotaExhausted, Unconfigured
from frugal_lsp.logs import setup_logging
from frugal_lsp.paths import StatePaths
from frugal_lsp.tasks import Task, Tier
from tests.fakes.fake_provider import FakeProvider, Fault

SOURCE = '''import math


def area(radius):
    """Area of a circle."""
    return math.pi * radius ** 2


def ring(outer, inner):
    return area(outer) - area(inner)
'''


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeProvider, FakeProvider]]:
    monkeypatch.setenv("ALPHA_KEY", "sk-test-alpha")  # alpha names it; nothing is sent without
    with FakeProvider() as first, FakeProvider() as second:
        yield first, second


def config_for(first: FakeProvider, second: FakeProvider, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "providers": [
            {"name": "alpha", "base_url": first.url + "/v1", "api_key_env": "ALPHA_KEY"},
            {"name": "beta", "kind": "anthropic", "base_url": second.url},
        ],
        "models": [
            {"name": "alpha-small", "provider": "alpha", "tier": "basic"},
            {"name": "beta-small", "provider": "beta", "tier": "basic", "coefficient": 1.5},
            {"name": "beta-large", "provider": "beta", "tier": "advanced"},
        ],
    }
    data.update(extra)
    return data


@pytest.fixture
async def engines() -> AsyncIterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        await engine.aclose()


def make_engine(tmp_path: Path, data: dict[str, Any], made: list[Engine]) -> Engine:
    engine = Engine(parse_config(data), StatePaths.resolve(tmp_path / "home"), tmp_path)
    made.append(engine)
    return engine


def ask(tmp_path: Path, question: str = "What does ring return?") -> ContextRequest:
    path = tmp_path / "shapes.py"
    path.write_text(SOURCE)
    doc = Document.from_file(path)
    return ContextRequest(doc, Task.ASK, Position(8, 0), Position(9, 40), question=question)


def calls(engine: Engine) -> list[tuple[Any, ...]]:
    return engine.ledger.query("SELECT provider, model, outcome, cost_units FROM calls")


async def test_a_question_goes_to_the_cheapest_adequate_model_and_settles_reported_usage(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    first.reply = "It returns the area between two circles."
    engine = make_engine(tmp_path, config_for(first, second), engines)
    answer = await engine.answer(ask(tmp_path))
    assert answer.text == "It returns the area between two circles."
    assert [r.model for r in first.requests] == ["alpha-small"] and second.requests == []
    reported = first.requests[0].prompt_tokens
    assert answer.prompt_tokens == reported  # settled with the provider's usage
    ((provider, model, outcome, cost),) = calls(engine)
    assert (provider, model, outcome) == ("alpha", "alpha-small", "ok")
    assert cost == reported + answer.completion_tokens  # coefficient 1.0


async def test_a_429_falls_over_to_the_next_platform_and_each_call_has_one_record(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    first.inject(Fault("429", retry_after=30))
    engine = make_engine(tmp_path, config_for(first, second), engines)
    answer = await engine.answer(ask(tmp_path))
    assert answer.candidate.model.name == "beta-small"
    assert len(first.requests) == 1 and len(second.requests) == 1
    rows = calls(engine)
    assert [(r[0], r[2]) for r in rows] == [("alpha", "error"), ("beta", "ok")]
    assert rows[0][3] == 0  # the refused call cost nothing
    # the platform that said 429 cools down: the next question goes straight to beta
    await engine.answer(ask(tmp_path, "and for equal radii?"))
    assert len(first.requests) == 1 and len(second.requests) == 2


async def test_streaming_delivers_text_as_it_arrives(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    first.reply = "one two three four"
    engine = make_engine(tmp_path, config_for(first, second), engines)
    pieces: list[str] = []
    answer = await engine.answer(ask(tmp_path), on_text=pieces.append)
    assert len(pieces) > 1 and "".join(pieces) == answer.text == "one two three four"
    assert first.requests[0].stream


async def test_no_quota_left_is_a_clean_outcome_with_no_provider_call(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    engine = make_engine(tmp_path, config_for(first, second, budget={"tokens": 50}), engines)
    with pytest.raises(QuotaExhausted, match="quota: 50 units left"):
        await engine.answer(ask(tmp_path))
    assert first.requests == [] and second.requests == [] and calls(engine) == []


async def test_a_cut_stream_still_leaves_exactly_one_settled_record(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    first.reply = "a long answer " * 20
    first.inject(Fault("truncate"))
    engine = make_engine(tmp_path, config_for(first, second), engines)
    shown: list[str] = []
    with pytest.raises(ProviderUnavailable, match="ended early"):
        await engine.answer(ask(tmp_path), on_text=shown.append)
    # the user saw part of the answer: no other model's text is mixed into it
    assert shown and second.requests == []
    ((_, _, outcome, cost),) = calls(engine)
    assert outcome == "error" and cost > 0  # the generated part is charged, not lost
    assert engine.ledger.used(0) == cost  # and no reservation is left open


async def test_when_every_platform_fails_the_error_says_so_and_nothing_is_charged(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    first.inject(Fault("500"))
    second.inject(Fault("reset"))
    engine = make_engine(tmp_path, config_for(first, second), engines)
    with pytest.raises(ProviderUnavailable, match="every candidate failed"):
        await engine.answer(ask(tmp_path))
    rows = calls(engine)
    # alpha 500, beta reset; beta-large is skipped: its platform is cooling down
    assert [(r[0], r[2], r[3]) for r in rows] == [("alpha", "error", 0), ("beta", "error", 0)]


async def test_a_repeated_question_is_answered_from_the_cache_with_no_call(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    engine = make_engine(tmp_path, config_for(first, second), engines)
    one = await engine.answer(ask(tmp_path))
    two = await engine.answer(ask(tmp_path))
    assert len(first.requests) == 1
    assert two.cached and two.cost == 0 and two.text == one.text
    assert engine.status().tokens_saved == one.prompt_tokens + one.completion_tokens


async def test_cancelling_a_request_settles_it_and_releases_the_reservation(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    first.inject(Fault("slow", delay=5))
    engine = make_engine(tmp_path, config_for(first, second), engines)
    task = asyncio.create_task(engine.answer(ask(tmp_path), on_text=lambda _: None))
    await asyncio.sleep(0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    ((_, _, outcome, cost),) = calls(engine)
    assert outcome == "cancelled" and cost == 0 and engine.ledger.used(0) == 0


async def test_api_keys_never_reach_logs_ledger_or_cache(
    tmp_path: Path,
    fakes: tuple[FakeProvider, FakeProvider],
    monkeypatch: pytest.MonkeyPatch,
    engines: list[Engine],
) -> None:
    first, second = fakes
    key = "sk-proj-THISKEYMUSTNEVERAPPEAR0123456789"
    monkeypatch.setenv("ALPHA_KEY", key)
    first.require_key = "a-different-key"
    data = config_for(first, second)
    data["models"], data["providers"] = data["models"][:1], data["providers"][:1]
    engine = make_engine(tmp_path, data, engines)
    log_file = setup_logging(engine.config, engine.paths.logs, verbose=True)
    with pytest.raises(AuthFailed) as info:
        await engine.answer(ask(tmp_path))
    logging.getLogger("test").warning("header was Bearer %s", key)  # even if someone logs it
    for engine_ in engines:
        await engine_.aclose()
    engines.clear()
    logging.shutdown()
    assert "ALPHA_KEY" in str(info.value) and key not in str(info.value)
    state = b"".join(f.read_bytes() for f in (tmp_path / "home").rglob("*") if f.is_file())
    assert key.encode() not in state
    assert "Bearer ***" in log_file.read_text()


async def test_asking_again_stronger_gets_a_fresh_answer_from_another_model(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    engine = make_engine(tmp_path, config_for(first, second), engines)
    await engine.answer(ask(tmp_path))
    stronger = engine.plan(ask(tmp_path), Tier.ADVANCED)
    again = await engine.execute(stronger, fresh=True, avoid=frozenset({"alpha/alpha-small"}))
    assert again.candidate.model.name == "beta-large" and not again.cached
    with pytest.raises(Unconfigured, match="no other model than beta/beta-large"):
        await engine.execute(stronger, fresh=True, avoid=frozenset({"beta/beta-large"}))
