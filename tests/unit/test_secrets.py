"""One secrets module: every configured secret variable is known, and masked in logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.logs import setup_logging
from frugal_lsp.secrets import redact_url, scrub_keys, secret_variables

CONFIG = {
    "providers": [{"name": "o", "kind": "openai", "api_key_env": "MY_OPENAI_KEY"}],
    "models": [{"name": "gpt-4o-mini", "provider": "o"}],
    "store": {"url": "redis://team.example:6379/0", "password_env": "TEAM_REDIS_PASSWORD"},
    "budget": {"email": {"host": "smtp.example", "to": ["a@example.com"],
                         "password_env": "ALERT_SMTP_PASSWORD"}},
}  # fmt: skip


def test_every_configured_secret_variable_is_known() -> None:
    names = secret_variables(parse_config(CONFIG))
    assert {"MY_OPENAI_KEY", "TEAM_REDIS_PASSWORD", "ALERT_SMTP_PASSWORD"} <= names
    assert {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"} <= names  # even when the config omits them


def test_store_and_email_passwords_never_reach_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_REDIS_PASSWORD", "redis-pass-0123456789")
    monkeypatch.setenv("ALERT_SMTP_PASSWORD", "smtp-pass-0123456789")
    path = setup_logging(parse_config(CONFIG), tmp_path)
    try:
        logging.getLogger("foreign").warning("auth redis-pass-0123456789 smtp-pass-0123456789")
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
    text = path.read_text(encoding="utf-8")
    assert "auth *** ***" in text and "pass-0123456789" not in text


def test_urls_and_messages_lose_their_credentials() -> None:
    assert redact_url("redis://user:hunter2@host:6379/0") == "redis://***@host:6379/0"
    assert scrub_keys("bad key sk-abcdef123456 or KEY1234", "KEY1234") == "bad key sk-*** or ***"
