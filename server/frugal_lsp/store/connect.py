"""Connecting to the team's Redis: the client, the member name, messages without secrets.

The password comes from the environment variable named by ``[store] password_env`` at
connect time; a URL carrying credentials is refused by the config reader, and every URL
shown to the user goes through ``redact_url`` anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from frugal_lsp.secrets import read_secret, redact_url

if TYPE_CHECKING:
    import redis

    from frugal_lsp.config import StoreConfig


def key_prefix(namespace: str) -> str:
    """Every key of a namespace starts with this; nothing else is shared between teams."""
    return f"frugal:{namespace}:"


def member_name(config: StoreConfig) -> str:
    from frugal_lsp.store.ledger_reads import local_member

    return config.member or local_member()


def make_client(config: StoreConfig) -> redis.Redis:
    """A client that fails fast (no silent retries: a retried script could run twice)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    password = read_secret(config.password_env)
    return redis.Redis.from_url(
        config.url,
        password=password or None,
        decode_responses=True,
        socket_timeout=3.0,
        socket_connect_timeout=2.0,
        retry=Retry(NoBackoff(), 0),
    )


def unreachable(config: StoreConfig, reason: object) -> str:
    """What failed, where, and the fix — naming the URL, never the password."""
    where = f"team store {redact_url(config.url)} (namespace `{config.namespace}`)"
    fix = "start Redis there or correct [store] url"
    if config.password_env and not read_secret(config.password_env):
        fix = f"set {config.password_env} (named by [store] password_env) or correct [store] url"
    if config.fallback == "local":
        then = "using this machine's local store until it returns (the team cap is not enforced)"
    else:
        then = (
            "completions are paused, nothing is spent, until it returns —"
            ' or set [store] fallback = "local"'
        )
    return f"{where} is unreachable ({_short(reason)}) — {fix}; {then}"


def _short(reason: object) -> str:
    text = redact_url(str(reason)).strip() or type(reason).__name__
    return text if len(text) <= 160 else text[:157] + "..."
