"""Secrets: the environment variables that hold them, and keeping their values out of text.

A secret is never a value in a config file: the config names the environment variable
(``api_key_env`` per provider, ``[store] password_env``, ``[budget.email] password_env``)
and the value is read from the environment when it is needed. ``secret_variables``
knows every such name; ``mask`` replaces their values in any text (the log filter);
``scrub_keys`` removes a provider's key and anything shaped like one from an error
message; ``redact_url`` hides the user:password part of a URL. Secrets *inside code*
that would be sent to a model are a different job: ``context/redact.py``.

Imports only ``kinds`` at run time, so every layer (config readers included) may use it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from frugal_lsp.kinds import KINDS

if TYPE_CHECKING:
    from frugal_lsp.config.schema import Config

MIN_MASKED = 8  # shorter values are not masked in logs: they would blank common words

_USERINFO = re.compile(r"^(\w+://)[^@/]*@")
_KEY_LIKE = re.compile(r"\b(sk|key|token)[-_][A-Za-z0-9_\-*.]{6,}", re.IGNORECASE)


def secret_variables(config: Config) -> set[str]:
    """Every environment variable that holds a secret under ``config``: the well-known API
    key variables, each provider's ``api_key_env`` and both ``password_env`` settings."""
    names = {k.key_env for k in KINDS.values() if k.key_env}
    names |= {p.api_key_env for p in config.providers if p.api_key_env}
    if config.store.password_env:
        names.add(config.store.password_env)
    if config.budget.email is not None and config.budget.email.password_env:
        names.add(config.budget.email.password_env)
    return names


def read_secret(variable: str | None) -> str | None:
    """The value of ``variable`` now (None when unnamed or unset); never stored by us."""
    return os.environ.get(variable) if variable else None


def secret_values(variables: Iterable[str]) -> list[str]:
    """The current values of ``variables`` long enough to be masked."""
    values = (os.environ.get(name, "") for name in variables)
    return [v for v in values if len(v) >= MIN_MASKED]


def mask(text: str, values: Iterable[str]) -> str:
    """``text`` with every one of ``values`` replaced by ``***``."""
    for value in values:
        text = text.replace(value, "***")
    return text


def scrub_keys(text: str, key: str | None) -> str:
    """``text`` without ``key`` (when at least 4 characters) and anything that looks like
    an API key (``sk-…``, ``key_…``, ``token-…``)."""
    if key and len(key) >= 4:
        text = text.replace(key, "***")
    return _KEY_LIKE.sub(lambda m: m.group(1) + "-***", text)


def redact_url(url: str) -> str:
    """``url`` with any user:password part replaced by ``***``."""
    return _USERINFO.sub(r"\1***@", url)
