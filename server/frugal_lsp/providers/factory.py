"""Build the client for a configured provider: its kind's client module makes it."""

from __future__ import annotations

from pathlib import Path

import httpx

from frugal_lsp.config import ProviderConfig
from frugal_lsp.providers.base import Provider
from frugal_lsp.providers.kinds import client_module


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
    return client_module(cfg.kind).make(cfg, transport, log_dir, models)
