"""`[store]`: key paths and fixes for every mistake, and no password ever echoed."""

from __future__ import annotations

import pytest

from frugal_lsp.config import StoreConfig, parse_config
from frugal_lsp.errors import ConfigError


def problems(store: dict[str, object]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config({"store": store})
    return str(caught.value)


def test_a_team_store_is_read_with_its_defaults() -> None:
    config = parse_config({"store": {"url": "rediss://redis.example:6380/2", "namespace": "a-1"}})
    assert config.store == StoreConfig(url="rediss://redis.example:6380/2", namespace="a-1")
    assert config.store.team and config.store.fallback == "pause"
    assert not parse_config({}).store.team  # no [store]: the embedded store


def test_mistakes_name_the_key_path_and_the_fix() -> None:
    text = problems({"url": "http://x:6379", "namespace": "team a", "fallback": "yes", "ttl": 1})
    assert "store.url = 'http://x:6379': expected a redis:// or rediss:// (TLS) URL" in text
    assert "store.namespace = 'team a'" in text
    assert "store.fallback = 'yes': expected one of local | pause" in text
    assert "store.ttl: unknown key" in text


def test_a_password_in_the_url_or_in_password_env_is_never_echoed() -> None:
    text = problems({"url": "redis://:hunter2@redis.example:6379/0"})
    assert "hunter2" not in text and "password_env" in text
    text = problems({"url": "redis://redis.example:6379/0", "password_env": "hunter2 secret"})
    assert "hunter2" not in text and "NAME of an environment variable" in text
