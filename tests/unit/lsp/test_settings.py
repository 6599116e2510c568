"""Editor settings: camelCase in, laid over frugal.toml, bad values ignored with a reason."""

from __future__ import annotations

from frugal_lsp.config import Config
from frugal_lsp.lsp.settings import DEFAULT_TEMPLATES, Template, apply_settings, parse_settings
from frugal_lsp.tasks import Tier


def test_settings_override_the_file() -> None:
    settings, problems = parse_settings(
        {"tier": "advanced", "debounceMs": 80, "answerMaxWords": 50, "exclude": ["*.sql"]}
    )
    config = apply_settings(Config(), settings)
    assert problems == []
    assert settings.tier_override is Tier.ADVANCED
    assert config.completion.debounce_ms == 80
    assert config.context.answer_max_words == 50
    assert "*.sql" in config.context.exclude and ".env" in config.context.exclude


def test_pushed_settings_may_be_wrapped_in_their_section() -> None:
    settings, _ = parse_settings({"frugal": {"enableCompletions": False}})
    assert settings.enable_completions is False


def test_bad_values_are_named_and_ignored() -> None:
    settings, problems = parse_settings(
        {"tier": "huge", "debounceMs": -1, "templates": "Explain", "enableCompletions": "yes"}
    )
    assert settings.tier == "auto" and settings.debounce_ms is None
    assert settings.templates == DEFAULT_TEMPLATES and settings.enable_completions is True
    assert len(problems) == 4 and any("frugal.tier" in p for p in problems)


def test_templates_are_configurable() -> None:
    settings, _ = parse_settings({"templates": [{"title": "Review", "prompt": "Review it."}]})
    assert settings.templates == (Template("Review", "Review it."),)
