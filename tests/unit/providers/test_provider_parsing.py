"""What providers read from responses and send in requests, with httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from frugal_lsp.config import ProviderConfig
from frugal_lsp.errors import (
    AuthFailed,
    BadResponse,
    ConfigError,
    ProviderUnavailable,
    RateLimited,
)
from frugal_lsp.prompt import Fim, Message
from frugal_lsp.providers.anthropic import AnthropicProvider
from frugal_lsp.providers.base import Provider, ProviderRequest, Usage
from frugal_lsp.providers.factory import make_provider
from frugal_lsp.providers.openai import OpenAIProvider
from tests.unit.providers.conftest import REQUEST

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that records requests and answers with a canned response."""

    def __init__(self, response: httpx.Response | Callable[[], httpx.Response]) -> None:
        self.response = response
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.response() if callable(self.response) else self.response

    def body(self) -> dict[str, Any]:
        return json.loads(self.requests[-1].content)


@pytest.fixture
async def made() -> AsyncIterator[list[Provider]]:
    providers: list[Provider] = []
    yield providers
    for provider in providers:
        await provider.aclose()


def openai(made: list[Provider], handler: Handler, **cfg: Any) -> Provider:
    cfg = {
        "name": "openai",
        "kind": "openai",
        "base_url": "https://api.test/v1",
        "api_key_env": "OPENAI_API_KEY",
        **cfg,
    }
    provider = make_provider(ProviderConfig(**cfg), httpx.MockTransport(handler))
    made.append(provider)
    return provider


def anthropic(
    made: list[Provider], handler: Handler, base_url: str = "https://api.test"
) -> Provider:
    cfg = ProviderConfig(
        name="claude", kind="anthropic", base_url=base_url, api_key_env="ANTHROPIC_API_KEY"
    )
    provider = make_provider(cfg, httpx.MockTransport(handler))
    made.append(provider)
    return provider


def chat_json(text: str = "ok", usage: dict[str, Any] | None = None) -> httpx.Response:
    body: dict[str, Any] = {
        "choices": [{"index": 0, "message": {"content": text}, "finish_reason": "stop"}]
    }
    if usage is not None:
        body["usage"] = usage
    return httpx.Response(200, json=body)


# -- OpenAI-compatible -------------------------------------------------------------------


async def test_openai_usage_includes_cached_prompt_tokens(made: list[Provider]) -> None:
    usage = {
        "prompt_tokens": 120,
        "completion_tokens": 7,
        "prompt_tokens_details": {"cached_tokens": 96},
    }
    provider = openai(made, Recorder(chat_json("four", usage)))
    response = await provider.complete(REQUEST)
    assert (response.text, response.usage, response.finish_reason) == (
        "four",
        Usage(120, 7, 96),
        "stop",
    )


async def test_openai_without_usage_reports_none(made: list[Provider]) -> None:
    assert (await openai(made, Recorder(chat_json())).complete(REQUEST)).usage is None


async def test_openai_request_passes_generation_parameters(
    made: list[Provider], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unit-test")
    recorder = Recorder(chat_json())
    request = ProviderRequest(
        "m", (Message("user", "hi"),), max_tokens=9, temperature=0.2, stop=("\n\n",)
    )
    await openai(made, recorder).complete(request)
    sent = recorder.requests[-1]
    assert str(sent.url) == "https://api.test/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-unit-test"
    assert recorder.body() == {
        "model": "m",
        "max_tokens": 9,
        "temperature": 0.2,
        "stop": ["\n\n"],
        "messages": [{"role": "user", "content": "hi"}],
    }


async def test_no_key_configured_sends_no_authorization(made: list[Provider]) -> None:
    recorder = Recorder(chat_json())
    await openai(made, recorder, api_key_env=None).complete(REQUEST)
    assert "authorization" not in recorder.requests[-1].headers


async def test_fim_goes_to_completions_with_prefix_and_suffix(made: list[Provider]) -> None:
    recorder = Recorder(
        httpx.Response(200, json={"choices": [{"text": "a * b", "finish_reason": "stop"}]})
    )
    request = ProviderRequest(
        "coder", (), max_tokens=16, fim=Fim("def mul(a, b):\n    return ", "\n")
    )
    response = await openai(made, recorder).complete(request)
    assert recorder.requests[-1].url.path == "/v1/completions"
    assert recorder.body()["prompt"] == "def mul(a, b):\n    return "
    assert recorder.body()["suffix"] == "\n"
    assert response.text == "a * b"


async def test_streaming_asks_for_usage_in_the_last_chunk(made: list[Provider]) -> None:
    chunks = [
        {"choices": [{"index": 0, "delta": {"content": "hi"}}]},
        {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 1}},
    ]
    sse = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    recorder = Recorder(
        httpx.Response(200, text=sse, headers={"content-type": "text/event-stream"})
    )
    events = [e async for e in openai(made, recorder).stream(REQUEST)]
    assert recorder.body()["stream_options"] == {"include_usage": True}
    assert events[-1].usage == Usage(3, 1, 0)  # type: ignore[union-attr]


# -- Anthropic -----------------------------------------------------------------------------


async def test_anthropic_system_goes_to_system_blocks_with_cache_control(
    made: list[Provider], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-unit")
    reply = {
        "content": [{"type": "text", "text": "ok"}],
        "stop_reason": "end_turn",
        "usage": {
            "input_tokens": 10,
            "cache_read_input_tokens": 90,
            "cache_creation_input_tokens": 5,
            "output_tokens": 3,
        },
    }
    recorder = Recorder(httpx.Response(200, json=reply))
    response = await anthropic(made, recorder).complete(REQUEST)
    sent, body = recorder.requests[-1], recorder.body()
    assert str(sent.url) == "https://api.test/v1/messages"
    assert (sent.headers["x-api-key"], sent.headers["anthropic-version"]) == (
        "sk-ant-unit",
        "2023-06-01",
    )
    assert body["system"] == [
        {
            "type": "text",
            "text": REQUEST.messages[0].content,
            "cache_control": {"type": "ephemeral"},
        }
    ]
    assert body["messages"] == [{"role": "user", "content": REQUEST.messages[1].content}]
    assert response.usage == Usage(
        prompt_tokens=105, completion_tokens=3, cached_tokens=90, cache_write_tokens=5
    )


async def test_anthropic_base_url_may_end_in_v1(made: list[Provider]) -> None:
    recorder = Recorder(httpx.Response(200, json={"content": []}))
    await anthropic(made, recorder, base_url="https://api.test/v1").complete(REQUEST)
    assert recorder.requests[-1].url.path == "/v1/messages"


@pytest.mark.parametrize(
    ("error_type", "expected"),
    [
        ("overloaded_error", ProviderUnavailable),
        ("rate_limit_error", RateLimited),
        ("invalid_request_error", BadResponse),
    ],
)
async def test_anthropic_error_event_mid_stream_is_mapped(
    made: list[Provider], error_type: str, expected: type[Exception]
) -> None:
    start = {"type": "message_start", "message": {"usage": {"input_tokens": 4}}}
    error = {"type": "error", "error": {"type": error_type, "message": "busy"}}
    sse = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in (start, error))
    recorder = Recorder(
        httpx.Response(200, text=sse, headers={"content-type": "text/event-stream"})
    )
    with pytest.raises(expected, match=error_type):
        [e async for e in anthropic(made, recorder).stream(REQUEST)]


# -- statuses and transport failures -------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected", "says"),
    [
        (
            httpx.Response(401, json={"error": {"message": "bad key"}}),
            AuthFailed,
            "set OPENAI_API_KEY",
        ),
        (httpx.Response(403), AuthFailed, "403 from https://api.test/v1/chat/completions"),
        (
            httpx.Response(429, headers={"retry-after": "Thu, 01 Jan 2099 00:00:00 GMT"}),
            RateLimited,
            "retry after",
        ),
        (httpx.Response(408), ProviderUnavailable, "408"),
        (httpx.Response(409), ProviderUnavailable, "409"),
        (httpx.Response(502, text="<html>bad gateway</html>"), ProviderUnavailable, "bad gateway"),
        (
            httpx.Response(404, json={"error": {"message": "no such model"}}),
            BadResponse,
            "check the model name",
        ),
        (httpx.Response(400), BadResponse, "rejected the request"),
        (httpx.Response(200, text="{nope"), BadResponse, "invalid JSON"),
        (httpx.Response(200, json=[1, 2]), BadResponse, "expected a JSON object"),
        (httpx.Response(200, json={"choices": "many"}), BadResponse, "choices should be a list"),
        (
            httpx.Response(200, json={"choices": [{"message": {"content": 5}}]}),
            BadResponse,
            "string",
        ),
    ],
)
async def test_statuses_and_bodies_map_to_our_errors(
    made: list[Provider], response: httpx.Response, expected: type[Exception], says: str
) -> None:
    with pytest.raises(expected, match=says) as caught:
        await openai(made, Recorder(response)).complete(REQUEST)
    assert str(caught.value).startswith("provider `openai`: ")


async def test_rate_limited_without_retry_after_uses_the_reset_header(made: list[Provider]) -> None:
    headers = {
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "20s",
        "x-ratelimit-remaining-tokens": "500",
        "x-ratelimit-reset-tokens": "1m0s",
    }
    with pytest.raises(RateLimited) as caught:
        await openai(made, Recorder(httpx.Response(429, headers=headers))).complete(REQUEST)
    assert caught.value.retry_after == 20.0


def raising(exc: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


@pytest.mark.parametrize(
    ("exc", "says"),
    [
        (httpx.ConnectError("refused"), "cannot connect"),
        (httpx.ConnectTimeout("slow"), "within 2s — raise `connect_timeout`"),
        (httpx.ReadTimeout("slow"), "within 9s — raise `timeout`"),
        (httpx.RemoteProtocolError("eof"), "dropped"),
        (httpx.ReadError("reset"), "network error"),
    ],
)
async def test_transport_failures_are_unavailable_with_a_fix(
    made: list[Provider], exc: Exception, says: str
) -> None:
    provider = openai(made, raising(exc), timeout_s=9.0, connect_timeout_s=2.0)
    with pytest.raises(ProviderUnavailable, match=says) as caught:
        await provider.complete(REQUEST)
    assert caught.value.__cause__ is exc


async def test_stream_that_is_not_an_event_stream_is_a_bad_response(made: list[Provider]) -> None:
    with pytest.raises(BadResponse, match="expected an event stream"):
        [e async for e in openai(made, Recorder(chat_json())).stream(REQUEST)]


# -- factory -------------------------------------------------------------------------------


async def test_factory_picks_the_client_by_kind(made: list[Provider]) -> None:
    assert isinstance(openai(made, Recorder(chat_json())), OpenAIProvider)
    assert isinstance(anthropic(made, Recorder(chat_json())), AnthropicProvider)


async def test_llama_cpp_is_openai_compatible_and_keyless(
    made: list[Provider], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-not-be-sent")
    recorder = Recorder(chat_json())
    await openai(made, recorder, kind="llama-cpp", base_url="http://127.0.0.1:8080/v1").complete(
        REQUEST
    )
    assert "authorization" not in recorder.requests[-1].headers


def test_llama_cpp_with_a_missing_model_file_says_what_to_set() -> None:
    cfg = ProviderConfig(name="local", kind="llama-cpp", base_url="", model_path="/no/such.gguf")
    with pytest.raises(ConfigError, match=r"model_path = '/no/such.gguf': no such file"):
        make_provider(cfg)


async def test_error_object_in_a_200_body_is_not_an_empty_answer(made: list[Provider]) -> None:
    body = {"error": {"message": "model overloaded", "code": "server_busy"}}
    with pytest.raises(ProviderUnavailable, match="model overloaded"):
        await openai(made, Recorder(httpx.Response(200, json=body))).complete(REQUEST)
