"""`frugal-lsp doctor`: is the config valid, are the keys set, can each platform be reached,
is the local model there, does the team store answer, can alerts go out?"""

from __future__ import annotations

import asyncio
from pathlib import Path

from frugal_lsp.config import Config, ProviderConfig, catalog, find_config_file, load_config
from frugal_lsp.doctor_checks import all_checks
from frugal_lsp.errors import ConfigError
from frugal_lsp.paths import StatePaths
from frugal_lsp.tokens import counter


def run_doctor(explicit: str | None, workspace: Path) -> int:
    """Print one line per check; exit 0 when all is well, 1 with problems, 2 on bad config."""
    try:
        path = find_config_file(workspace, explicit)
        config = load_config(workspace, explicit)
    except ConfigError as exc:
        print(f"✗ config: {exc}")
        return 2
    print(f"✓ config: {path or config.source}")
    problems = 0 if config.providers else 1
    if not config.providers:
        print(
            "✗ providers: none — set OPENAI_API_KEY or ANTHROPIC_API_KEY, or run `frugal-lsp init`"
        )
    reachability = asyncio.run(_probe_all(config))
    for provider, reached in zip(config.providers, reachability, strict=True):
        ok, line = _provider_line(config, provider, reached)
        problems += 0 if ok else 1
        print(line)
    for ok, line in all_checks(config):  # local model file, team store, alert channels
        problems += 0 if ok else 1
        print(line)
    paths = StatePaths.resolve()
    print(f"✓ state: ledger {paths.ledger}, cache {paths.cache}, logs {paths.logs}")
    tokens = counter()
    tokens.count("probe")
    print(f"✓ tokenizer: {tokens.encoding_name}; model catalog as of {catalog.as_of()}")
    return 1 if problems else 0


async def _probe_all(config: Config) -> list[str]:
    from frugal_lsp.providers.probe import probe

    def models(provider: str) -> list[str]:
        return [m.name for m in config.models if m.provider == provider]

    return list(await asyncio.gather(*(probe(p, models=models(p.name)) for p in config.providers)))


def _provider_line(config: Config, provider: ProviderConfig, reached: str) -> tuple[bool, str]:
    models = ", ".join(m.name for m in config.models if m.provider == provider.name) or "none"
    key = "no key needed"
    if provider.api_key_env:
        key = f"${provider.api_key_env} " + ("set" if provider.api_key() else "NOT SET")
    from frugal_lsp.providers.probe import FAILURE_MARKS

    ok = "NOT SET" not in key and not any(mark in reached for mark in FAILURE_MARKS)
    mark = "✓" if ok else "✗"
    where = provider.base_url or "local"
    line = f"{mark} provider {provider.name} ({provider.kind}, {where}): {key}; {reached}"
    return ok, f"{line}; models: {models}"
