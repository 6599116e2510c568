"""Build the client for a configured provider."""

from __future__ import annotations

import httpx

from frugal_lsp.config import ProviderConfig
from frugal_lsp.errors import ConfigError
from frugal_lsp.providers.anthropic import AnthropicProvider
from frugal_lsp.providers.base import Provider
from frugal_lsp.providers.openai import OpenAIProvider


def make_provider(
    cfg: ProviderConfig, transport: httpx.AsyncBaseTransport | None = None
) -> Provider:
    """The provider client for ``cfg``; ``transport`` replaces the network (tests)."""
    if cfg.kind == "anthropic":
        return AnthropicProvider(cfg, transport)
    if cfg.kind == "llama-cpp":
        if not cfg.base_url:
            raise ConfigError(
                [
                    f"providers.{cfg.name}.base_url: (empty) — a llama-cpp provider needs the "
                    "URL of a running llama.cpp server, e.g. http://127.0.0.1:8080/v1 "
                    "(starting one for you is not supported yet)"
                ]
            )
        return OpenAIProvider(cfg, transport, use_key=False)
    return OpenAIProvider(cfg, transport)
