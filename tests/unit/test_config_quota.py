"""``[[providers.quota]]``: several allowances per platform, and the one-table form."""

from __future__ import annotations

import tomllib

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.errors import ConfigError

BASE = '[[providers]]\nname = "general"\nkind = "openai"\nbase_url = "http://127.0.0.1:1/v1"\n'


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_config(tomllib.loads(BASE + text))


def problems(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse(text)
    return "\n".join(info.value.problems)


def test_one_table_stays_valid() -> None:
    config = parse('[providers.quota]\ntokens = 2000\nperiod = "day"\n')
    quota = config.provider("general").quota
    assert quota is not None and quota.tokens == 2000 and quota.legacy
    assert config.provider("general").quotas == (quota,)


def test_an_array_gives_every_allowance() -> None:
    config = parse(
        '[[providers.quota]]\ntokens = 2000\nperiod = "day"\nfree = true\n'
        '[[providers.quota]]\ntokens = 1000000\nperiod = "month"\n'
        '[[providers.quota]]\ntokens = 50000\nperiod = "rolling"\nwindow = "5h"\n'
    )
    free, month, rolling = config.provider("general").quotas
    assert free.free and not free.cap and not free.legacy
    assert month.period == "month" and not month.free
    assert rolling.cap and rolling.window == "5h"  # a rolling window always counts every call


def test_rolling_without_window_names_the_key_and_the_fix() -> None:
    text = problems('[[providers.quota]]\ntokens = 5\nperiod = "rolling"\n')
    assert "providers[0].quota[0].window: missing" in text and 'window = "5h"' in text


def test_requests_and_tokens_both_set() -> None:
    text = problems("[[providers.quota]]\ntokens = 5\nrequests = 300\n")
    assert "providers[0].quota[0].requests: `tokens` and `requests` are both set" in text
    assert "keep `tokens`" in text


def test_unknown_period_lists_the_known_ones() -> None:
    text = problems('[[providers.quota]]\ntokens = 5\nperiod = "fortnight"\n')
    assert "providers[0].quota[0].period = 'fortnight'" in text
    assert "rolling" in text and "project" in text


def test_neither_tokens_nor_requests_and_a_bad_window() -> None:
    text = problems('[[providers.quota]]\nperiod = "rolling"\nwindow = "5 hours"\n')
    assert "quota[0].tokens: missing — set `tokens = N`" in text
    assert "quota[0].window = '5 hours': expected a duration" in text


def test_two_identical_allowances_need_names() -> None:
    text = problems("[[providers.quota]]\ntokens = 5\n[[providers.quota]]\ntokens = 7\n")
    assert "quota[1]: a second allowance like [0]" in text and "`name`" in text


def test_request_plan_and_model_multiplier() -> None:
    config = parse(
        '[[providers.quota]]\nrequests = 300\nname = "premium"\n'
        '[[models]]\nname = "big"\nprovider = "general"\ntier = "advanced"\nmultiplier = 3\n'
        "cached_input_price = 0.25\n"
    )
    quota = config.provider("general").quotas[0]
    assert quota.requests == 300 and quota.tokens is None and quota.limit == 300
    model = config.models[0]
    assert model.multiplier == 3 and model.cached_input_price == 0.25


def test_a_request_plan_gives_the_catalog_multipliers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from frugal_lsp.config import catalog
    from frugal_lsp.quota.account import QuotaAccount
    from frugal_lsp.store.ledger import Ledger

    config = parse_config(
        tomllib.loads(
            '[[providers]]\nname = "copilot"\nbase_url = "http://127.0.0.1:1/v1"\n'
            'request_plan = "github-copilot"\n'
            '[[providers.quota]]\nrequests = 300\nname = "premium"\n'
            '[[models]]\nname = "gpt-4o-mini"\nprovider = "copilot"\n'
            '[[models]]\nname = "claude-sonnet-4-5"\nprovider = "copilot"\nmultiplier = 2\n'
        )
    )
    mini, sonnet = config.models
    assert catalog.multiplier(mini, "github-copilot") == 0.33  # from the catalog
    assert catalog.multiplier(sonnet, "github-copilot") == 2  # the config wins
    account = QuotaAccount(config, Ledger(tmp_path / "l.sqlite3"))
    (premium,) = account.allowances("copilot", mini)
    assert premium.need == 0.33 and premium.unit == "premium requests"


def test_an_unknown_request_plan_lists_the_known_ones() -> None:
    text = problems('request_plan = "copilot"\n')
    assert "providers[0].request_plan = 'copilot'" in text and "github-copilot" in text


def test_the_readme_allowance_examples_are_valid_config() -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```toml\n(.*?)```", readme, re.S) if 'name = "general"' in b]
    assert blocks, "README lost its [[providers.quota]] examples"
    config = parse_config(tomllib.loads(blocks[0]))
    kinds = {p.name: [(q.period, q.free, q.cap) for q in p.quotas] for p in config.providers}
    assert kinds["general"] == [("day", True, False), ("month", False, False)]
    assert kinds["vertical"] == [("project", False, False)]
    assert kinds["community"] == [("week", True, False), ("credits", False, False)]
    assert kinds["copilot"] == [("month", False, False), ("rolling", False, True)]
    assert config.provider("copilot").quotas[0].requests == 300
