"""Each provider kind's client module, found by the name its row in ``kinds.py`` gives.

A client module provides three functions, the only kind-specific code outside it:
``make`` builds the ``Provider``, ``auth_headers`` the headers that carry the key (the
probe sends the same ones), ``listing_path`` the model-listing path the probe GETs.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from frugal_lsp.kinds import KINDS

if TYPE_CHECKING:
    import httpx

    from frugal_lsp.config import ProviderConfig
    from frugal_lsp.providers.base import Provider


class ClientModule(Protocol):
    def make(
        self,
        cfg: ProviderConfig,
        transport: httpx.AsyncBaseTransport | None,
        log_dir: Path | None,
        models: tuple[str, ...],
    ) -> Provider: ...

    def auth_headers(self, key: str | None) -> dict[str, str]: ...

    def listing_path(self, cfg: ProviderConfig) -> str: ...


def client_module(kind: str) -> ClientModule:
    """The module that speaks ``kind``'s API (imported on first use: httpx stays out of
    start-up until a provider is needed)."""
    return cast(ClientModule, importlib.import_module(f"frugal_lsp.providers.{KINDS[kind].client}"))
