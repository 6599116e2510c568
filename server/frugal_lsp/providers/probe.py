"""`frugal-lsp doctor`'s reachability check: list the platform's models, spend nothing.

A verdict is one line. It starts with "reachable" only when the listing worked (or the
server plainly has no listing: 404); a rejected request (400, 401/403), a server error and
a configured model the listing does not hold are failures, and say what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from frugal_lsp.config import ProviderConfig
from frugal_lsp.errors import AuthFailed, BadResponse, ProviderError, ProviderUnavailable
from frugal_lsp.kinds import KINDS
from frugal_lsp.providers.http import HttpBoundary
from frugal_lsp.providers.kinds import client_module
from frugal_lsp.providers.shape import JsonObject

FAILURE_MARKS = ("UNREACHABLE", "REJECTED", "SERVER ERROR", "NOT LISTED")


async def probe(
    cfg: ProviderConfig,
    transport: httpx.AsyncBaseTransport | None = None,
    models: Sequence[str] = (),
) -> str:
    """A one-line verdict on ``cfg``'s endpoint and its configured ``models``."""
    kind = KINDS[cfg.kind]
    if kind.local and not cfg.base_url:
        return "local: frugal-lsp starts the llama.cpp server on first use"
    http = HttpBoundary(cfg, transport, use_key=kind.sends_key)
    client = client_module(cfg.kind)
    path, headers = client.listing_path(cfg), client.auth_headers(http.api_key())
    try:
        reply = await http.get_json(path, headers)
    except AuthFailed as exc:
        return f"REJECTED: reachable, but the key was rejected — {exc}"
    except BadResponse as exc:
        if exc.status == 404:
            return "reachable (it does not list models)"
        return f"REJECTED: reachable, but it refused the listing request — {exc}"
    except ProviderUnavailable as exc:
        if exc.status is not None:
            return f"SERVER ERROR — {exc}"
        return f"UNREACHABLE — {exc}"
    except ProviderError as exc:
        return f"UNREACHABLE — {exc}"
    finally:
        await http.aclose()
    return _listed(reply.data, models)


def _listed(data: JsonObject, models: Sequence[str]) -> str:
    listed = data.get("data")
    if not isinstance(listed, list):
        return "reachable"
    names = {str(m.get("id")) for m in listed if isinstance(m, dict)}
    verdict = f"reachable ({len(listed)} models listed)"
    missing = [m for m in models if m not in names]
    if missing and names:
        shown = ", ".join(f"`{m}`" for m in missing)
        verdict += f" — NOT LISTED: {shown}; check the model name in [[models]]"
    return verdict
