"""`frugal-lsp doctor`: is the config valid, are the keys set, what will be used?"""

from __future__ import annotations

from pathlib import Path

from frugal_lsp import catalog
from frugal_lsp.config import find_config_file, load_config
from frugal_lsp.errors import ConfigError
from frugal_lsp.paths import StatePaths
from frugal_lsp.tokens import counter


def run_doctor(explicit: str | None, workspace: Path) -> int:
    problems = 0
    try:
        path = find_config_file(workspace, explicit)
        config = load_config(workspace, explicit)
    except ConfigError as exc:
        print(f"✗ config: {exc}")
        return 2
    print(f"✓ config: {path or config.source}")
    if not config.providers:
        print(
            "✗ providers: none — set OPENAI_API_KEY or ANTHROPIC_API_KEY, or run `frugal-lsp init`"
        )
        problems += 1
    for provider in config.providers:
        models = [m.name for m in config.models if m.provider == provider.name]
        key = "no key needed"
        if provider.api_key_env:
            key = f"${provider.api_key_env} " + ("set" if provider.api_key() else "NOT SET")
            if not provider.api_key():
                problems += 1
        mark = "✗" if "NOT SET" in key else "✓"
        print(
            f"{mark} provider {provider.name} ({provider.kind}, {provider.base_url}): {key};"
            f" models: {', '.join(models) or 'none'}"
        )
    paths = StatePaths.resolve()
    print(f"✓ state: ledger {paths.ledger}, cache {paths.cache}, logs {paths.logs}")
    tokens = counter()
    tokens.count("probe")
    print(f"✓ tokenizer: {tokens.encoding_name}; model catalog as of {catalog.as_of()}")
    return 1 if problems else 0
