"""`frugal-lsp doctor`'s reachability check: list the platform's models, spend nothing."""

from __future__ import annotations

import httpx

from frugal_lsp.config import ProviderConfig
from frugal_lsp.errors import AuthFailed, BadResponse, ProviderError
from frugal_lsp.providers.anthropic import API_VERSION
from frugal_lsp.providers.http import HttpBoundary


async def probe(cfg: ProviderConfig, transport: httpx.AsyncBaseTransport | None = None) -> str:
    """A one-line verdict on ``cfg``'s endpoint; a listing request costs no quota."""
    if cfg.kind == "llama-cpp" and not cfg.base_url:
        return "local: frugal-lsp starts the llama.cpp server on first use"
    http = HttpBoundary(cfg, transport, use_key=cfg.kind != "llama-cpp")
    key = http.api_key()
    if cfg.kind == "anthropic":
        path, headers = "v1/models", {"anthropic-version": API_VERSION}
        if key:
            headers["x-api-key"] = key
    else:
        path, headers = "models", {"authorization": f"Bearer {key}"} if key else {}
    try:
        reply = await http.get_json(path, headers)
    except AuthFailed as exc:
        return f"reachable, but the key was rejected — {exc}"
    except BadResponse:
        return "reachable (it does not list models)"
    except ProviderError as exc:
        return f"UNREACHABLE — {exc}"
    finally:
        await http.aclose()
    listed = reply.data.get("data")
    return f"reachable ({len(listed)} models listed)" if isinstance(listed, list) else "reachable"
