"""Servers nobody here wrote, through the whole engine: the fake taught LiteLLM's habits.

Headers that say "remaining 0" and never when it resets, Retry-After under a proxy's
prefix or absurdly long, usage a proxy estimated, cache hits and failures across several
platforms — each a number the engine must not trust forever or blindly.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.errors import ProviderUnavailable, RateLimited
from frugal_lsp.paths import StatePaths
from frugal_lsp.providers.ratelimits import MAX_WAIT_S
from frugal_lsp.report.usage import gather
from frugal_lsp.tasks import Task
from tests.fakes.fake_provider import FakeProvider, Fault
from tests.unit.quota.helpers import FakeClock

SOURCE = "def area(radius):\n    return 3.14159 * radius ** 2\n"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeProvider, FakeProvider]]:
    with FakeProvider(tokens_per_minute=20_000) as first, FakeProvider() as second:
        yield first, second


@pytest.fixture
async def engines() -> AsyncIterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        await engine.aclose()


def config(first: FakeProvider, second: FakeProvider | None = None, **extra: Any) -> Any:
    data: dict[str, Any] = {
        "providers": [{"name": "proxy", "base_url": first.url + "/v1"}],
        "models": [{"name": "small", "provider": "proxy", "tier": "basic"}],
        "cache": {"enabled": False},
    }
    if second is not None:
        data["providers"].append({"name": "other", "base_url": second.url + "/v1"})
        data["models"].append(
            {"name": "other-small", "provider": "other", "tier": "basic", "coefficient": 1.5}
        )
    data.update(extra)
    return parse_config(data)


def engine_for(tmp_path: Path, cfg: Any, made: list[Engine], clock: FakeClock) -> Engine:
    engine = Engine(cfg, StatePaths.resolve(tmp_path / "home"), tmp_path)
    engine.account.clock = engine.account.buckets.clock = clock  # before any bucket exists
    made.append(engine)
    return engine


def ask(tmp_path: Path, question: str = "What does area return?") -> ContextRequest:
    path = tmp_path / "shapes.py"
    path.write_text(SOURCE)
    doc = Document.from_file(path)
    return ContextRequest(doc, Task.ASK, Position(0, 0), Position(1, 30), question=question)


async def test_remaining_minus_one_without_a_reset_holds_a_provider_back_for_a_window_only(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, _ = fakes
    first.proxy_headers = True  # `x-ratelimit-remaining-requests: -1`, no reset header
    clock = FakeClock(time.time())
    engine = engine_for(tmp_path, config(first), engines, clock)
    await engine.answer(ask(tmp_path))
    why = engine.account.buckets.why_not("proxy", 100)
    assert why == "rate limit: requests bucket has 0, room in 60s"  # not "no room reported"
    clock.advance(60)
    await engine.answer(ask(tmp_path, "and for radius 2?"))
    assert len(first.requests) == 2


async def test_a_proxied_retry_after_is_honoured(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    first.proxy_headers = True  # the 429 carries only `llm_provider-retry-after: 60`
    first.inject(Fault("429", retry_after=60))
    clock = FakeClock(time.time())
    engine = engine_for(tmp_path, config(first, second), engines, clock)
    answer = await engine.answer(ask(tmp_path))
    assert answer.candidate.model.provider == "other"
    assert engine.account.cooling("proxy") == pytest.approx(60)  # not the 30 s default


async def test_an_absurd_retry_after_is_capped_and_says_so(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, _ = fakes
    first.inject(Fault("429", retry_after=99_999_999))
    clock = FakeClock(time.time())
    engine = engine_for(tmp_path, config(first), engines, clock)
    with pytest.raises(RateLimited, match="asked for 1e\\+08s; frugal-lsp waits at most 600s"):
        await engine.answer(ask(tmp_path))
    assert engine.account.cooling("proxy") == pytest.approx(MAX_WAIT_S)
    (platform,) = engine.status().platforms  # status says how long, and why only that long
    assert platform.cooling_s == pytest.approx(MAX_WAIT_S)
    assert "waits at most 600s" in (platform.cooling_reason or "")
    clock.advance(MAX_WAIT_S)
    await engine.answer(ask(tmp_path, "again?"))  # used again ten minutes later, not in 2029
    assert len(first.requests) == 2


async def test_the_provider_count_has_the_last_word_over_returned_tokens(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, _ = fakes
    first.reply = "A short answer."
    clock = FakeClock(time.time())
    cfg = config(first, context={"ask_max_output_tokens": 4000})  # reserved >> used
    engine = engine_for(tmp_path, cfg, engines, clock)
    await engine.answer(ask(tmp_path))
    used = first.requests[0].prompt_tokens + 4  # "A short answer." is 4 tokens
    _, tokens = engine.account.buckets.levels("proxy")
    assert tokens == 20_000 - used  # what the provider said remains, never above its limit


async def test_implausibly_low_streamed_usage_is_replaced_by_our_count_and_flagged(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, _ = fakes
    first.usage_scale = 0.4  # the proxy estimated 60 % low and reported it as usage
    engine = engine_for(tmp_path, config(first), engines, FakeClock(time.time()))
    answer = await engine.answer(ask(tmp_path), on_text=lambda _: None)
    real = first.requests[0].prompt_tokens
    ((prompt, source),) = engine.ledger.query("SELECT prompt_tokens, usage_source FROM calls")
    assert source == "estimated" and prompt >= 0.9 * real and answer.prompt_tokens == prompt
    usage = gather(engine.account, days=1)
    assert usage.estimated == 1
    assert any("1 call(s) estimated" in note for note in usage.caveats)


async def test_plausible_usage_is_recorded_as_reported(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, _ = fakes
    engine = engine_for(tmp_path, config(first), engines, FakeClock(time.time()))
    await engine.answer(ask(tmp_path), on_text=lambda _: None)
    ((prompt, source),) = engine.ledger.query("SELECT prompt_tokens, usage_source FROM calls")
    assert (prompt, source) == (first.requests[0].prompt_tokens, "reported")


async def test_a_cache_hit_saves_what_the_cached_call_cost_not_its_reservation(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, _ = fakes
    cfg = config(first, cache={"enabled": True}, context={"ask_max_output_tokens": 2000})
    engine = engine_for(tmp_path, cfg, engines, FakeClock(time.time()))
    await engine.answer(ask(tmp_path))
    hit = await engine.answer(ask(tmp_path))
    assert hit.cached and len(first.requests) == 1
    (me,) = engine.ledger.members(0)
    cost = me.units
    assert me.calls == 1  # one call row: the one that was cached (the hit is not a call)
    (saved,) = [units for kind, _, units in engine.ledger.savings_by_kind(0) if kind == "cache"]
    assert saved == cost  # not prompt + 2,000 output tokens


async def test_when_every_candidate_fails_the_message_names_each_not_the_last_one_first(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Engine]
) -> None:
    first, second = fakes
    first.inject(Fault("500"))
    second.inject(Fault("503"))
    engine = engine_for(tmp_path, config(first, second), engines, FakeClock(time.time()))
    with pytest.raises(ProviderUnavailable) as caught:
        await engine.answer(ask(tmp_path))
    message = str(caught.value)
    assert message.startswith("every candidate failed — provider `proxy`: 500")
    assert "provider `other`: 503" in message
