"""`doctor`'s checks beyond the providers: the local model file, the team store, the alert
channels. Each returns ``(ok, line)``; nothing here spends quota or posts an alert."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

from frugal_lsp.config import Config, ProviderConfig
from frugal_lsp.kinds import KINDS

Check = tuple[bool, str]


def local_model(provider: ProviderConfig) -> Check | None:
    """A llama-cpp provider that frugal-lsp starts itself needs its GGUF file and the wheel."""
    if not KINDS[provider.kind].local or provider.base_url:
        return None
    from frugal_lsp.local_model import default_model_path, llama_cpp_installed

    where = f"providers `{provider.name}`"
    if provider.model_path:
        path: Path | None = Path(provider.model_path).expanduser()
        if path is not None and not path.is_file():
            return False, f"✗ {where}.model_path = {provider.model_path!r}: no such file"
    else:
        path = default_model_path()
        if path is None:
            return False, f"✗ {where}: no local model — set model_path to a GGUF file"
    if not llama_cpp_installed():
        fix = "pip install 'frugal-lsp[local]'"
        return False, f"✗ {where}: llama-cpp-python is not installed — {fix}"
    return True, f"✓ {where}: local model {path}"


def store(config: Config) -> Check | None:
    """The team store: reachable, and its password variable set when one is named."""
    settings = config.store
    if not settings.team:
        return None
    from frugal_lsp.secrets import redact_url
    from frugal_lsp.store.connect import make_client, unreachable

    if settings.password_env and not os.environ.get(settings.password_env):
        return False, f"✗ store: {unreachable(settings, f'${settings.password_env} is not set')}"
    client = make_client(settings)
    try:
        client.ping()
    except Exception as exc:  # redis raises its own tree; any failure means "not usable"
        return False, f"✗ store: {unreachable(settings, exc)}"
    finally:
        client.close()
    where = f"{redact_url(settings.url)} (namespace `{settings.namespace}`)"
    return True, f"✓ store: team store {where} answers"


def webhook(config: Config, timeout_s: float = 3.0) -> Check | None:
    """The alert webhook's host accepts connections (nothing is POSTed: that would post)."""
    url = config.budget.webhook
    if not url:
        return None
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = f"{parts.scheme}://{parts.hostname}:{port}"  # never the path: it may hold a token
    problem = _connect(parts.hostname or "", port, timeout_s)
    if problem:
        return False, f"✗ alerts: webhook {where}: cannot connect ({problem}) — alerts are lost"
    return True, f"✓ alerts: webhook {where} accepts connections (nothing posted)"


def _connect(host: str, port: int, timeout_s: float) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def email(config: Config, timeout_s: float = 3.0) -> Check | None:
    """The alert e-mail: its password variable set, its SMTP server accepting connections."""
    settings = config.budget.email
    if settings is None:
        return None
    target = f"{settings.host}:{settings.port}"
    if settings.password_env and not os.environ.get(settings.password_env):
        return False, (
            f"✗ alerts: e-mail via {target}: ${settings.password_env} (budget.email."
            "password_env) is not set — export it, or alerts cannot log in"
        )
    if problem := _connect(settings.host, settings.port, timeout_s):
        return False, f"✗ alerts: e-mail via {target}: cannot connect ({problem})"
    return True, f"✓ alerts: e-mail to {', '.join(settings.to)} via {target}"


def all_checks(config: Config) -> list[Check]:
    found = [local_model(p) for p in config.providers]
    found += [store(config), webhook(config), email(config)]
    return [c for c in found if c is not None]
