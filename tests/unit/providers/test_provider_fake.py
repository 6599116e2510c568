"""Both wire formats over real HTTP against the loopback fake: answers, streaming, usage."""

from __future__ import annotations

import pytest

from frugal_lsp.prompt import Fim
from frugal_lsp.providers.base import ProviderRequest, ProviderResponse, TextDelta
from frugal_lsp.tokens import counter
from tests.fakes.fake_provider import FakeProvider
from tests.unit.providers.conftest import KINDS, REQUEST, Clients

REPLY = "The ring's area: the outer circle minus the inner one."


@pytest.mark.parametrize("kind", KINDS)
async def test_stream_yields_deltas_then_one_final_response_with_usage(
    kind: str, fake: FakeProvider, clients: Clients
) -> None:
    fake.reply = REPLY
    events = [e async for e in clients.make(kind, fake).stream(REQUEST)]

    deltas, final = events[:-1], events[-1]
    assert len(deltas) > 3 and all(isinstance(d, TextDelta) for d in deltas)
    assert isinstance(final, ProviderResponse)
    assert "".join(d.text for d in deltas) == final.text == REPLY  # type: ignore[union-attr]
    sent = fake.requests[-1]
    assert sent.stream and sent.prompt_tokens > 0
    assert final.usage is not None
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (
        sent.prompt_tokens,
        counter().count(REPLY),
    )


@pytest.mark.parametrize("kind", KINDS)
async def test_complete_reads_text_usage_and_rate_limits(
    kind: str, fake: FakeProvider, clients: Clients
) -> None:
    response = await clients.make(kind, fake).complete(REQUEST)

    tokens = fake.requests[-1].prompt_tokens
    assert response.text == f"fake answer to {tokens} tokens"
    assert response.usage is not None and response.usage.prompt_tokens == tokens
    assert response.rate_limits.remaining_requests == 999
    assert response.rate_limits.reset_requests_s is not None
    assert 0 < response.rate_limits.reset_requests_s <= 60


@pytest.mark.parametrize("kind", KINDS)
async def test_prompt_cache_hits_are_reported_as_cached_tokens(
    kind: str, fake: FakeProvider, clients: Clients
) -> None:
    fake.cached_tokens = 5
    provider = clients.make(kind, fake)
    streamed = [e async for e in provider.stream(REQUEST)][-1]
    plain = await provider.complete(REQUEST)
    for response in (streamed, plain):
        assert isinstance(response, ProviderResponse) and response.usage is not None
        assert response.usage.cached_tokens == 5
        assert response.usage.prompt_tokens == fake.requests[-1].prompt_tokens


async def test_fake_counts_prompt_tokens_over_the_message_texts(
    fake: FakeProvider, clients: Clients
) -> None:
    await clients.make("anthropic", fake).complete(REQUEST)
    expected = sum(counter().count(m.content) for m in REQUEST.messages)
    assert fake.requests[-1].prompt_tokens == expected
    assert fake.requests[-1].body["system"][0]["cache_control"] == {"type": "ephemeral"}


async def test_reply_fn_sees_the_request_body(fake: FakeProvider, clients: Clients) -> None:
    fake.reply_fn = lambda body: f"you asked {body['model']}"
    assert (await clients.make("openai", fake).complete(REQUEST)).text == "you asked fake-model"


@pytest.mark.parametrize("stream", [False, True])
async def test_fim_uses_completions_with_prefix_and_suffix(
    stream: bool, fake: FakeProvider, clients: Clients
) -> None:
    fake.reply = "a * b"
    request = ProviderRequest(
        "coder", (), max_tokens=8, fim=Fim("def mul(a, b):\n    return ", "\n")
    )
    provider = clients.make("openai", fake)
    if stream:
        final = [e async for e in provider.stream(request)][-1]
    else:
        final = await provider.complete(request)
    assert isinstance(final, ProviderResponse) and final.text == "a * b"
    sent = fake.requests[-1]
    assert sent.path == "/v1/completions"
    assert (sent.body["prompt"], sent.body["suffix"]) == ("def mul(a, b):\n    return ", "\n")
    assert final.usage is not None and final.usage.prompt_tokens == sent.prompt_tokens


async def test_logged_requests_keep_headers_but_not_credentials(
    fake: FakeProvider, clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-logged-key-0000")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-logged-key-0000")
    for kind in KINDS:
        await clients.make(kind, fake).complete(REQUEST)
    for sent in fake.requests:
        assert "authorization" not in sent.headers and "x-api-key" not in sent.headers
        assert "logged-key" not in repr(sent.to_json())
    assert fake.requests[-1].headers["anthropic-version"] == "2023-06-01"


async def test_anthropic_cache_writes_are_reported_beside_cache_reads(
    fake: FakeProvider, clients: Clients
) -> None:
    fake.cached_tokens, fake.cache_write_tokens = 4, 3
    provider = clients.make("anthropic", fake)
    for response in (
        [e async for e in provider.stream(REQUEST)][-1],
        await provider.complete(REQUEST),
    ):
        assert isinstance(response, ProviderResponse) and response.usage is not None
        assert (response.usage.cached_tokens, response.usage.cache_write_tokens) == (4, 3)
        assert response.usage.prompt_tokens == fake.requests[-1].prompt_tokens
