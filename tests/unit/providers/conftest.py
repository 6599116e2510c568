"""Fixtures for provider tests: a running fake provider and clients that get closed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from frugal_lsp.config import ProviderConfig
from frugal_lsp.prompt import Message
from frugal_lsp.providers.base import Provider, ProviderRequest
from frugal_lsp.providers.factory import make_provider
from tests.fakes.fake_provider import FakeProvider

KINDS = ("openai", "anthropic")
REQUEST = ProviderRequest(
    model="fake-model",
    messages=(
        Message("system", "You answer questions about Python code.", cache_breakpoint=True),
        Message("user", "What does ring(outer, inner) return?"),
    ),
    max_tokens=64,
)


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as running:
        yield running


class Clients:
    """Makes provider clients for the fake and closes them all at the end of the test."""

    def __init__(self) -> None:
        self.made: list[Provider] = []

    def make(self, kind: str, fake: FakeProvider, **cfg: Any) -> Provider:
        base_url = fake.url if kind == "anthropic" else fake.url + "/v1"
        cfg.setdefault(
            "api_key_env", "ANTHROPIC_API_KEY" if kind == "anthropic" else "OPENAI_API_KEY"
        )
        provider = make_provider(ProviderConfig(name=kind, kind=kind, base_url=base_url, **cfg))  # type: ignore[arg-type]
        self.made.append(provider)
        return provider


@pytest.fixture
async def clients() -> AsyncIterator[Clients]:
    made = Clients()
    yield made
    for provider in made.made:
        await provider.aclose()
