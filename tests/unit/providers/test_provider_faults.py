"""Every failure the fake can inject lands in our error tree; streams close when abandoned."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from contextlib import aclosing
from typing import Any

import httpx
import pytest

from frugal_lsp.errors import (
    AuthFailed,
    BadResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    StreamEndedEarly,
)
from frugal_lsp.providers.base import Provider, ProviderResponse
from tests.fakes.fake_provider import FAULT_KINDS, FakeProvider, Fault
from tests.unit.providers.conftest import KINDS, REQUEST, Clients

EXPECTED: dict[str, type[ProviderError]] = {
    "400": BadResponse,
    "429": RateLimited,
    "500": ProviderUnavailable,
    "503": ProviderUnavailable,
    "401": AuthFailed,
    "slow": ProviderUnavailable,
    "reset": ProviderUnavailable,
    "truncate": ProviderUnavailable,
    "cut": ProviderUnavailable,
    "garbage": BadResponse,
}
FOREIGN = (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL, json.JSONDecodeError)
PLANTED_KEY = "sk-proj-PLANTED-0123456789abcdefXYZ"


async def run(provider: Provider, stream: bool) -> Any:
    if stream:
        return [event async for event in provider.stream(REQUEST)]
    return await provider.complete(REQUEST)


async def failure(provider: Provider, stream: bool) -> Exception:
    """The exception the call raised, whatever it is (the test decides if it is allowed)."""
    try:
        await run(provider, stream)
    except Exception as exc:
        return exc
    pytest.fail("the call succeeded but a failure was expected")


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def test_every_fault_kind_has_an_expectation() -> None:
    assert set(EXPECTED) == set(FAULT_KINDS)


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", sorted(EXPECTED))
async def test_no_foreign_exception_escapes_for_any_fault(
    fault: str, kind: str, stream: bool, fake: FakeProvider, clients: Clients
) -> None:
    fake.inject(Fault(fault, delay=1.0))  # type: ignore[arg-type]
    provider = clients.make(kind, fake, timeout_s=0.3)

    error = await failure(provider, stream)

    assert isinstance(error, EXPECTED[fault]), repr(error)
    assert not isinstance(error, FOREIGN)
    assert str(error).startswith(f"provider `{kind}`: ")
    assert fake.requests[-1].fault == fault  # faulted requests are logged too
    # the fault is used up and the same client recovers
    assert isinstance(await provider.complete(REQUEST), ProviderResponse)


@pytest.mark.parametrize("kind", KINDS)
async def test_rate_limited_carries_retry_after(
    kind: str, fake: FakeProvider, clients: Clients
) -> None:
    fake.inject(Fault("429", retry_after=7))
    error = await failure(clients.make(kind, fake), stream=False)
    assert isinstance(error, RateLimited) and error.retry_after == 7.0
    assert "retry after 7s" in str(error)


@pytest.mark.parametrize("fault", ["truncate", "cut"])
@pytest.mark.parametrize("kind", KINDS)
async def test_cut_stream_keeps_the_partial_answer(
    kind: str, fault: str, fake: FakeProvider, clients: Clients
) -> None:
    fake.reply = "one two three four five six seven eight nine ten"
    fake.inject(Fault(fault))  # type: ignore[arg-type]
    error = await failure(clients.make(kind, fake), stream=True)
    assert isinstance(error, StreamEndedEarly), repr(error)
    assert "ended early" in str(error)
    assert error.partial_text and fake.reply.startswith(error.partial_text)
    assert error.partial_text != fake.reply


@pytest.mark.parametrize("kind", KINDS)
async def test_cancelling_the_consumer_closes_the_http_stream(
    kind: str, fake: FakeProvider, clients: Clients
) -> None:
    fake.reply, fake.chunk_delay = " ".join(["word"] * 500), 0.01
    provider = clients.make(kind, fake)
    started = asyncio.Event()

    async def consume() -> None:
        async for _ in provider.stream(REQUEST):
            started.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_until(lambda: fake.requests[-1].disconnected)


async def test_leaving_a_stream_early_with_aclosing_closes_it(
    fake: FakeProvider, clients: Clients
) -> None:
    fake.reply, fake.chunk_delay = " ".join(["word"] * 500), 0.01
    async with aclosing(clients.make("openai", fake).stream(REQUEST)) as events:
        async for _ in events:
            break
    await wait_until(lambda: fake.requests[-1].disconnected)


@pytest.mark.parametrize("kind", KINDS)
async def test_missing_key_says_which_variable_to_set(
    kind: str, fake: FakeProvider, clients: Clients
) -> None:
    fake.require_key = "the-right-key"
    error = await failure(clients.make(kind, fake), stream=False)
    env = "ANTHROPIC_API_KEY" if kind == "anthropic" else "OPENAI_API_KEY"
    assert isinstance(error, AuthFailed) and f"set {env}" in str(error)


@pytest.mark.parametrize("kind", KINDS)
async def test_api_keys_never_reach_errors_or_logs(
    kind: str,
    fake: FakeProvider,
    clients: Clients,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", PLANTED_KEY)
    caplog.set_level(logging.DEBUG)
    provider = clients.make(kind, fake, timeout_s=0.3)
    errors: list[Exception] = []
    fake.require_key = "a-different-key"  # the fake echoes the wrong key back in its 401
    for stream in (False, True):
        errors.append(await failure(provider, stream))
    fake.require_key = None
    for fault in sorted(EXPECTED):
        for stream in (False, True):
            fake.inject(Fault(fault, delay=1.0))  # type: ignore[arg-type]
            errors.append(await failure(provider, stream))
    await run(provider, stream=True)

    env = "ANTHROPIC_API_KEY" if kind == "anthropic" else "OPENAI_API_KEY"
    assert f"check {env}" in str(errors[0])
    formatter = logging.Formatter()
    texts = [f"{e}\n{e!r}\n{e.__cause__}\n{e.__cause__!r}" for e in errors]
    texts += [formatter.format(record) for record in caplog.records]
    leaks = [text for text in texts if PLANTED_KEY in text or "PLANTED" in text]
    assert leaks == []
    assert caplog.records, "the provider calls should have been logged at debug level"
