from __future__ import annotations

import os
from pathlib import Path

import pytest

from frugal_lsp.config import find_config_file, load_config, parse_config
from frugal_lsp.errors import ConfigError
from frugal_lsp.local_model import local_tier_available
from frugal_lsp.starter import starter_text, write_starter
from frugal_lsp.tasks import Tier


def problems_of(data: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    return info.value.problems


def test_every_bad_value_is_named_with_its_key_path_and_what_is_allowed() -> None:
    problems = problems_of(
        {
            "providers": [{"name": "p", "kind": "opena", "base_url": "ftp://x"}],
            "models": [{"name": "m", "provider": "nope", "tier": "mega"}],
            "budget": {"tokens": -5, "alert_at": [0.9, 0.7]},
            "routing": {"basic_max_words": "many"},
        }
    )
    text = "\n".join(problems)
    assert "providers[0].kind = 'opena': expected one of openai | anthropic | llama-cpp" in text
    assert "providers[0].base_url = 'ftp://x': expected an http:// or https:// URL" in text
    assert "models[0].provider = 'nope': expected one of the providers' names: p" in text
    assert "models[0].tier = 'mega': expected one of basic | advanced | specialized" in text
    assert "budget.tokens = -5: expected at least 0" in text
    assert "budget.alert_at = [0.9, 0.7]: expected increasing thresholds" in text
    assert "routing.basic_max_words = 'many': expected a whole number" in text


def test_unknown_key_suggests_the_nearest_known_one() -> None:
    (problem,) = problems_of({"budget": {"tokns": 5}})
    assert problem == "budget.tokns: unknown key — did you mean `tokens`?"


def test_a_key_pasted_into_api_key_env_is_never_echoed() -> None:
    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
    with pytest.raises(ConfigError) as info:
        parse_config({"providers": [{"name": "p", "api_key_env": secret}]})
    assert secret not in str(info.value)
    assert "providers[0].api_key_env" in str(info.value)


def test_known_models_take_their_defaults_from_the_catalog() -> None:
    config = parse_config(
        {
            "providers": [{"name": "oa", "kind": "openai"}],
            "models": [{"name": "gpt-4.1", "provider": "oa"}],
        }
    )
    (model,) = config.models
    assert (model.tier, model.coefficient, model.context_window) == (Tier.ADVANCED, 3.5, 1047576)
    assert model.input_price == 2.0


def test_unknown_models_get_the_tier_coefficient() -> None:
    config = parse_config(
        {
            "providers": [{"name": "x", "base_url": "http://127.0.0.1:1/v1"}],
            "models": [{"name": "my-model", "provider": "x", "tier": "specialized"}],
        }
    )
    assert config.models[0].coefficient == 2.0


def test_a_provider_without_models_gets_the_catalog_defaults_for_its_kind() -> None:
    config = parse_config({"providers": [{"name": "claude", "kind": "anthropic"}]})
    tiers = {m.tier for m in config.models}
    assert tiers == {Tier.BASIC, Tier.ADVANCED}
    assert all(m.provider == "claude" for m in config.models)


def test_no_config_and_only_an_openai_key_gives_a_working_setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-000000000000")
    config = load_config(tmp_path)
    local = ["local"] if local_tier_available() else []
    assert [p.name for p in config.providers] == ["openai", *local]
    assert {m.tier for m in config.models} == {Tier.BASIC, Tier.ADVANCED}
    assert "sk-test" not in repr(config)


def test_no_config_and_no_keys_runs_on_the_local_tier_alone_and_says_so(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    if not local_tier_available():
        assert config.providers == ()
        assert "set OPENAI_API_KEY" in config.source
        return
    assert [(p.name, p.kind) for p in config.providers] == [("local", "llama-cpp")]
    assert [(m.name, m.coefficient) for m in config.models] == [("smollm2-135m-instruct", 0.0)]
    assert "local only" in config.source


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "ws"
    user = write(tmp_path / "xdg-config" / "frugal-lsp" / "frugal.toml", "[budget]\ntokens = 1\n")
    assert find_config_file(workspace) == user
    env = write(tmp_path / "env.toml", "[budget]\ntokens = 2\n")
    monkeypatch.setenv("FRUGAL_CONFIG", str(env))
    assert find_config_file(workspace) == env
    local = write(workspace / "frugal.toml", "[budget]\ntokens = 3\n")
    assert find_config_file(workspace) == local
    explicit = write(tmp_path / "explicit.toml", "[budget]\ntokens = 4\n")
    assert load_config(workspace, str(explicit)).budget.tokens == 4


def test_missing_explicit_files_are_errors_not_silently_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="--config"):
        find_config_file(tmp_path, str(tmp_path / "nope.toml"))
    monkeypatch.setenv("FRUGAL_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match="FRUGAL_CONFIG"):
        find_config_file(tmp_path)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "frugal.toml", "[budget\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(path) in str(info.value) and "not valid TOML" in str(info.value)


def test_the_starter_config_is_valid_and_init_never_overwrites(tmp_path: Path) -> None:
    parse_config(__import__("tomllib").loads(starter_text()))
    path = write_starter(tmp_path / "frugal.toml")
    with pytest.raises(Exception, match="--force"):
        write_starter(path)
    assert os.path.getsize(path) > 500


def test_a_provider_deadline_defaults_by_kind_and_can_be_set() -> None:
    config = parse_config(
        {
            "providers": [
                {"name": "a", "kind": "openai"},
                {"name": "b", "kind": "llama-cpp", "base_url": "http://127.0.0.1:9/v1"},
                {"name": "c", "kind": "anthropic", "deadline": 30},
            ]
        }
    )
    assert [p.deadline_s for p in config.providers] == [120.0, 600.0, 30.0]
