"""Build the client for a configured provider."""

from __future__ import annotations

from pathlib import Path

import httpx

from frugal_lsp.config import ProviderConfig
from frugal_lsp.providers.anthropic import AnthropicProvider
from frugal_lsp.providers.base import Provider
from frugal_lsp.providers.openai import OpenAIProvider


def make_provider(
    cfg: ProviderConfig,
    transport: httpx.AsyncBaseTransport | None = None,
    log_dir: Path | None = None,
    models: tuple[str, ...] = (),
) -> Provider:
    """The provider client for ``cfg``; ``transport`` replaces the network (tests).

    A ``llama-cpp`` provider with a ``base_url`` talks to that running server (llama.cpp,
    Ollama); without one, frugal-lsp starts and supervises its own (logs in ``log_dir``),
    serving ``model_path`` or else the installed local model that ``models`` names.
    """
    if cfg.kind == "anthropic":
        return AnthropicProvider(cfg, transport)
    if cfg.kind == "llama-cpp":
        if cfg.base_url:
            return OpenAIProvider(cfg, transport, use_key=False)
        from frugal_lsp.providers.local import LlamaCppProvider

        return LlamaCppProvider(cfg, transport, log_dir or Path.cwd(), models)
    return OpenAIProvider(cfg, transport)
