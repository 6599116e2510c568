"""The provider-kind table: one row per kind of platform frugal-lsp can talk to.

A row holds what the config readers, the no-config defaults, the secrets module and the
doctor need (default URL, the key variable, default deadline, whether a key is sent,
whether frugal-lsp can start the server itself), and ``client``: the module under
``frugal_lsp/providers/`` that speaks the kind's API. That module provides
``make(cfg, transport, log_dir, models)``, ``auth_headers(key)`` and ``listing_path(cfg)``
(``providers/kinds.py`` loads it by this name). Adding a kind is one row here plus that
module (docs/ARCHITECTURE.md, "add a provider kind").

Imports nothing of ours: the config schema, ``secrets`` and every layer may read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProviderKindSpec:
    name: str  # `kind = "..."` in [[providers]]
    default_url: str  # base_url when none is given ("": frugal-lsp starts its own server)
    key_env: str | None  # the variable that alone sets the platform up (no config file)
    deadline_s: float  # the default `deadline` of a request, streaming included
    client: str  # the module of frugal_lsp.providers that builds its client and probes it
    sends_key: bool = True  # False: never sends an API key (a local server)
    local: bool = False  # without base_url, frugal-lsp starts and supervises the server


KINDS: dict[str, ProviderKindSpec] = {
    k.name: k
    for k in (
        ProviderKindSpec("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", 120.0, "openai"),
        ProviderKindSpec(
            "anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY", 120.0, "anthropic"
        ),
        # a CPU model may need minutes for one answer
        ProviderKindSpec("llama-cpp", "", None, 600.0, "local", sends_key=False, local=True),
    )
}
