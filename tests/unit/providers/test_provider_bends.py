"""Providers against servers that bend the format, over real HTTP to the loopback fake:
string-only backends, dripping or huge replies, and what `doctor`'s probe says of them."""

from __future__ import annotations

import time

import pytest

from frugal_lsp.config import ProviderConfig
from frugal_lsp.errors import ProviderUnavailable, StreamEndedEarly
from frugal_lsp.prompt import Message
from frugal_lsp.providers.base import ProviderRequest, TextDelta
from frugal_lsp.providers.http import response_cap
from frugal_lsp.providers.probe import probe
from tests.fakes.fake_provider import FakeProvider, Fault
from tests.unit.providers.conftest import KINDS, REQUEST, Clients

PLAIN = ProviderRequest(
    model="fake-model",
    messages=(Message("system", "Answer briefly."), Message("user", "What is 2 + 2?")),
    max_tokens=64,
)


@pytest.mark.parametrize("stream", [False, True])
async def test_anthropic_sends_plain_strings_to_a_string_only_backend(
    stream: bool, fake: FakeProvider, clients: Clients
) -> None:
    fake.strings_only = True  # a proxy passing lists on to llama-cpp-python: 500
    provider = clients.make("anthropic", fake)
    if stream:
        events = [e async for e in provider.stream(PLAIN)]
        text = "".join(e.text for e in events if isinstance(e, TextDelta))
    else:
        text = (await provider.complete(PLAIN)).text
    assert text.startswith("fake answer")
    body = fake.requests[-1].body
    assert body["system"] == "Answer briefly."
    assert body["messages"] == [{"role": "user", "content": "What is 2 + 2?"}]


async def test_anthropic_keeps_blocks_where_a_cache_breakpoint_needs_them(
    fake: FakeProvider, clients: Clients
) -> None:
    await clients.make("anthropic", fake).complete(REQUEST)
    body = fake.requests[-1].body
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert body["messages"][0]["content"] == REQUEST.messages[1].content


@pytest.mark.parametrize("kind", KINDS)
async def test_a_dripping_stream_is_cut_at_the_deadline(
    kind: str, fake: FakeProvider, clients: Clients
) -> None:
    fake.reply, fake.chunk_delay = " ".join(["word"] * 200), 0.2  # never silent for 2 s
    provider = clients.make(kind, fake, timeout_s=2.0, deadline_s=1.0)
    started = time.monotonic()
    pieces: list[str] = []
    with pytest.raises(StreamEndedEarly, match="within 1s — raise `deadline`") as caught:
        async for event in provider.stream(REQUEST):
            if isinstance(event, TextDelta):
                pieces.append(event.text)
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 1.5
    assert caught.value.partial_text == "".join(pieces) and pieces


@pytest.mark.parametrize("kind", KINDS)
async def test_a_slow_plain_answer_is_cut_at_the_deadline(
    kind: str, fake: FakeProvider, clients: Clients
) -> None:
    fake.inject(Fault("slow", delay=3.0))
    provider = clients.make(kind, fake, timeout_s=5.0, deadline_s=0.5)
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match=r"within 0\.5s — raise `deadline`"):
        await provider.complete(REQUEST)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("stream", [False, True])
async def test_a_huge_reply_to_a_small_request_is_not_read_whole(
    kind: str, stream: bool, fake: FakeProvider, clients: Clients
) -> None:
    fake.reply = "x" * 1_000_000  # 1 MB for a 64-token request (its cap: 128 KB)
    provider = clients.make(kind, fake)
    cap = response_cap(REQUEST.max_tokens)
    with pytest.raises(ProviderUnavailable, match=f"passed {cap:,} bytes"):
        if stream:
            async for _ in provider.stream(REQUEST):
                pass
        else:
            await provider.complete(REQUEST)


def cfg(kind: str, fake: FakeProvider, base_url: str) -> ProviderConfig:
    return ProviderConfig(name=kind, kind=kind, base_url=base_url)  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", ["", "/v1", "/v1/"])
async def test_probe_finds_anthropic_models_with_or_without_v1(
    suffix: str, fake: FakeProvider
) -> None:
    fake.models = ["fake-model"]
    verdict = await probe(cfg("anthropic", fake, fake.url + suffix), models=["fake-model"])
    assert verdict == "reachable (1 models listed)"


async def test_probe_flags_a_configured_model_the_listing_lacks(fake: FakeProvider) -> None:
    fake.models = ["fake-model"]
    verdict = await probe(cfg("openai", fake, fake.url + "/v1"), models=["fake-model", "gpt-9"])
    assert "NOT LISTED: `gpt-9`; check the model name" in verdict


async def test_probe_says_a_400_is_a_rejection_with_the_model_hint(fake: FakeProvider) -> None:
    fake.models = ["fake-model"]
    fake.inject(Fault("400", message="Invalid model name passed in model=gpt-9"))
    verdict = await probe(cfg("openai", fake, fake.url + "/v1"))
    assert verdict.startswith("REJECTED")
    assert "Invalid model name" in verdict and "check the model name" in verdict


async def test_probe_shows_why_a_500_failed_even_at_the_end_of_a_long_message(
    fake: FakeProvider,
) -> None:
    fake.models = ["fake-model"]
    cause = "Missing OPENAI_API_KEY for deployment `smol`"
    fake.inject(Fault("500", message="litellm.APIConnectionError: " + "trace " * 80 + cause))
    verdict = await probe(cfg("openai", fake, fake.url + "/v1"))
    assert verdict.startswith("SERVER ERROR") and cause in verdict
    assert "see the server's message" in verdict and "server trouble" not in verdict


async def test_probe_accepts_a_server_without_a_listing(fake: FakeProvider) -> None:
    verdict = await probe(cfg("openai", fake, fake.url + "/v1"))  # fake.models None: 404
    assert verdict == "reachable (it does not list models)"


@pytest.mark.parametrize("stream", [False, True])
async def test_blocks_refused_by_a_string_only_backend_are_sent_again_as_strings(
    stream: bool, fake: FakeProvider, clients: Clients
) -> None:
    fake.strings_only = True  # REQUEST's system prompt carries a cache breakpoint
    provider = clients.make("anthropic", fake)

    async def ask() -> str:
        if not stream:
            return (await provider.complete(REQUEST)).text
        events = [e async for e in provider.stream(REQUEST)]
        return "".join(e.text for e in events if isinstance(e, TextDelta))

    assert (await ask()).startswith("fake answer")
    sent = [r.body["system"] for r in fake.requests]
    assert isinstance(sent[0], list) and sent[1] == REQUEST.messages[0].content
    assert (await ask()).startswith("fake answer")
    assert len(fake.requests) == 3  # learnt: straight to strings, no second refusal


async def test_a_server_error_without_blocks_is_not_retried(
    fake: FakeProvider, clients: Clients
) -> None:
    fake.inject(Fault("500"))
    with pytest.raises(ProviderUnavailable, match="500"):
        await clients.make("anthropic", fake).complete(PLAIN)
    assert len(fake.requests) == 1


async def test_anthropic_s_own_server_error_keeps_the_cache_blocks(
    fake: FakeProvider, clients: Clients
) -> None:
    fake.inject(Fault("500"))  # Anthropic's error shape: a real 500, not a refusal of blocks
    provider = clients.make("anthropic", fake)
    with pytest.raises(ProviderUnavailable, match="500"):
        await provider.complete(REQUEST)
    await provider.complete(REQUEST)
    assert [isinstance(r.body["system"], list) for r in fake.requests] == [True, True]
