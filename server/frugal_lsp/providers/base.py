"""The provider contract: one request in, text + reported usage + rate-limit state out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from frugal_lsp.prompt import Fim, Message


@dataclass(frozen=True)
class ProviderRequest:
    model: str
    messages: tuple[Message, ...]
    max_tokens: int
    temperature: float = 0.0
    stop: tuple[str, ...] = ()
    fim: Fim | None = None  # set only when the model supports fill-in-the-middle
    fim_template: str = "suffix"  # how ``fim`` is laid out (providers/fim.py)


@dataclass(frozen=True)
class Usage:
    """What the provider says it counted (None when it did not say)."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0  # prompt tokens read from the platform's prompt cache
    cache_write_tokens: int = 0  # prompt tokens written to it (Anthropic bills them 1.25x)


@dataclass(frozen=True)
class RateLimitState:
    """Rate-limit headers of the last response; None where the provider sent none."""

    remaining_requests: int | None = None
    remaining_tokens: int | None = None
    reset_requests_s: float | None = None
    reset_tokens_s: float | None = None
    retry_after_s: float | None = None
    limit_requests: int | None = None  # the window's capacity (``x-ratelimit-limit-*``)
    limit_tokens: int | None = None


@dataclass(frozen=True)
class ProviderResponse:
    text: str
    usage: Usage | None
    rate_limits: RateLimitState = field(default_factory=RateLimitState)
    finish_reason: str | None = None


@dataclass(frozen=True)
class TextDelta:
    """One streamed piece of the answer."""

    text: str


StreamEvent = TextDelta | ProviderResponse  # the last event is always the ProviderResponse


class Provider(Protocol):
    """A model platform. Errors raised are always ``frugal_lsp.errors.ProviderError``s."""

    name: str

    async def complete(self, request: ProviderRequest) -> ProviderResponse: ...

    def stream(self, request: ProviderRequest) -> AsyncIterator[StreamEvent]:
        """Yield TextDelta events, then exactly one final ProviderResponse.

        Cancelling the consumer closes the HTTP stream."""
        ...

    async def aclose(self) -> None: ...
