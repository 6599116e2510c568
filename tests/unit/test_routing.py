from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from frugal_lsp.config import Config, parse_config
from frugal_lsp.prompt import Message, Prompt, Scope
from frugal_lsp.providers.base import RateLimitState
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.routing.router import Router
from frugal_lsp.store.ledger import CallRequest, Ledger, Settlement
from frugal_lsp.tasks import Task, Tier

TWO_PLATFORMS = {
    "providers": [
        {"name": "cheap", "base_url": "http://127.0.0.1:9/v1", "quota": {"tokens": 10_000}},
        {"name": "strong", "base_url": "http://127.0.0.1:9/v1"},
    ],
    "models": [
        {"name": "small", "provider": "cheap", "tier": "basic", "context_window": 4096},
        {"name": "big", "provider": "strong", "tier": "advanced"},
        {"name": "small2", "provider": "strong", "tier": "basic", "coefficient": 1.2},
        {
            "name": "djangoist",
            "provider": "strong",
            "tier": "specialized",
            "frameworks": ["django"],
        },
    ],
}


def prompt(
    task: Task = Task.ASK,
    words: int = 50,
    tokens: int = 300,
    frameworks: frozenset[str] = frozenset(),
) -> Prompt:
    return Prompt(
        task=task,
        language="python",
        scope=Scope("function", "f", 0, 9),
        messages=(Message("user", "x"),),
        max_output_tokens=100,
        prompt_tokens=tokens,
        full_file_tokens=tokens * 10,
        words=words,
        frameworks=frameworks,
    )


@pytest.fixture
def router(tmp_path: Path) -> Router:
    config: Config = parse_config(TWO_PLATFORMS)
    return Router(config, QuotaAccount(config, Ledger(tmp_path / "l.sqlite3")))


def labels(router: Router, p: Prompt, tier: Tier | None = None) -> list[str]:
    return [c.model.key for c in router.route(p, tier).candidates]


def test_a_short_question_goes_to_the_cheapest_basic_model_first(router: Router) -> None:
    route = router.route(prompt(words=120))
    assert route.required_tier is Tier.BASIC
    assert [c.model.key for c in route.candidates] == ["cheap/small", "strong/small2", "strong/big"]
    assert route.candidates[0].estimated_units == 400.0  # (300 + 100) tokens x 1.0
    assert "120 words < 500" in route.reason


def test_word_thresholds_follow_the_seed_table(router: Router) -> None:
    assert router.route(prompt(words=499)).required_tier is Tier.BASIC
    assert router.route(prompt(words=500)).required_tier is Tier.ADVANCED
    assert labels(router, prompt(words=1999)) == ["strong/big"]
    assert router.route(prompt(words=2500)).required_tier is Tier.ADVANCED


def test_design_questions_need_the_advanced_tier(router: Router) -> None:
    assert labels(router, prompt(Task.DESIGN, words=10)) == ["strong/big"]


def test_files_using_a_configured_framework_go_to_its_specialized_model(router: Router) -> None:
    chain = labels(router, prompt(words=10, frameworks=frozenset({"django"})))
    assert chain[0] == "strong/djangoist"
    assert "strong/djangoist" not in labels(router, prompt(words=10))


def test_a_prompt_larger_than_a_context_window_skips_that_model(router: Router) -> None:
    route = router.route(prompt(tokens=5000))
    assert "cheap/small" not in [c.model.key for c in route.candidates]
    assert any("context window is 4096" in s for s in route.skipped)


def test_a_cooling_platform_is_skipped_until_retry_after(router: Router) -> None:
    router.account.cool_down("cheap", 30)
    route = router.route(prompt())
    assert route.candidates[0].model.key == "strong/small2"
    assert any("cooling down" in s for s in route.skipped)


def test_rate_limit_headers_with_no_room_skip_the_platform(router: Router) -> None:
    router.account.observe("cheap", RateLimitState(remaining_tokens=50, reset_tokens_s=20))
    assert labels(router, prompt())[0] == "strong/small2"


def test_a_platform_out_of_quota_falls_to_the_next(router: Router) -> None:
    ledger = router.account.ledger
    r = ledger.reserve(CallRequest("cheap", "small", "basic", "ask", 9800, 0, 1.0))
    ledger.settle(r, Settlement(9800, 0, 0, True, 9800.0, None, "ok"))
    route = router.route(prompt())
    assert route.candidates[0].model.key == "strong/small2"
    assert any("quota: 200 units left" in s for s in route.skipped)


def test_completions_prefer_models_that_answer_within_the_deadline(router: Router) -> None:
    ledger = router.account.ledger
    for _ in range(3):  # measured: too slow (each call settled 4 s after it was reserved)
        r = ledger.reserve(CallRequest("cheap", "small", "basic", "completion", 10, 0, 1.0))
        ledger.settle(
            replace(r, started=r.started - 4.0), Settlement(10, 0, 0, True, 10.0, None, "ok")
        )
    assert labels(router, prompt(Task.COMPLETION))[0] == "strong/small2"


def test_a_free_local_model_goes_first_where_adequate_and_last_elsewhere(tmp_path: Path) -> None:
    data = {
        **TWO_PLATFORMS,
        "providers": [*TWO_PLATFORMS["providers"], {"name": "local", "kind": "llama-cpp"}],
        "models": [
            *TWO_PLATFORMS["models"],
            {"name": "tiny", "provider": "local", "tier": "basic", "coefficient": 0.0,
             "tasks": ["completion", "ask"]},
        ],
    }  # fmt: skip
    config = parse_config(data)
    router = Router(config, QuotaAccount(config, Ledger(tmp_path / "l.sqlite3")))
    assert labels(router, prompt(Task.COMPLETION))[0] == "local/tiny"
    assert labels(router, prompt(Task.ASK, words=20))[0] == "local/tiny"
    # not made for design questions, nor strong enough: only a last resort there
    assert labels(router, prompt(Task.DESIGN)) == ["strong/big", "local/tiny"]
    assert labels(router, prompt(Task.EXPLAIN_ERROR))[-1] == "local/tiny"


def test_a_requested_tier_is_honoured(router: Router) -> None:
    assert labels(router, prompt(words=10), Tier.ADVANCED) == ["strong/big"]
