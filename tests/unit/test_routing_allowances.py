"""Routing across platforms with several allowances: among equals, free or about to expire
wins over paid, and the reason says which allowance pays."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from frugal_lsp.config import parse_config
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.routing.router import Router
from frugal_lsp.store.ledger import CallRequest, Ledger, Settlement
from tests.unit.test_routing import prompt


def two(paid: list[dict[str, Any]], other: list[dict[str, Any]], **model: Any) -> dict[str, Any]:
    return {
        "providers": [
            {"name": "general", "base_url": "http://127.0.0.1:9/v1", "quota": paid},
            {"name": "community", "base_url": "http://127.0.0.1:9/v1", "quota": other},
        ],
        "models": [
            {"name": "g-small", "provider": "general", "tier": "basic", **model},
            {"name": "c-small", "provider": "community", "tier": "basic"},
        ],
    }


def router(tmp_path: Path, data: dict[str, Any]) -> tuple[Router, Ledger]:
    config = parse_config(data)
    ledger = Ledger(tmp_path / "l.sqlite3")
    return Router(config, QuotaAccount(config, ledger)), ledger


MONTH = [{"tokens": 1_000_000, "period": "month"}]
FREE_WEEK = [
    {"tokens": 1_000, "period": "week", "free": True},
    {"tokens": 50_000, "name": "credits", "period": "credits"},
]


def test_a_free_allowance_wins_over_paid_of_equal_quality_and_says_so(tmp_path: Path) -> None:
    r, _ = router(tmp_path, two(MONTH, FREE_WEEK))
    route = r.route(prompt())
    assert [c.model.name for c in route.candidates] == ["c-small", "g-small"]
    assert (
        "free week allowance of `community`: 1,000 of 1,000 tokens left, resets in" in route.reason
    )


def test_when_the_free_one_is_spent_the_cheaper_one_wins_again(tmp_path: Path) -> None:
    r, ledger = router(tmp_path, two(MONTH, FREE_WEEK, coefficient=0.9))
    assert r.route(prompt()).chosen.model.name == "c-small"  # type: ignore[union-attr]
    allowances = r.account.allowances("community")
    reservation = ledger.reserve(
        CallRequest("community", "c-small", "basic", "ask", 900, 100, 1.0), allowances
    )
    ledger.settle(reservation, Settlement(900, 100, 0, True, 1000.0, None, "ok"))
    route = r.route(prompt())
    assert route.chosen.model.name == "g-small"  # type: ignore[union-attr]
    assert "free" not in route.reason


def test_quality_still_comes_first(tmp_path: Path) -> None:
    data = two(MONTH, FREE_WEEK)
    data["models"][1]["tier"] = "advanced"  # the free one is stronger than needed
    r, _ = router(tmp_path, data)
    assert r.route(prompt()).chosen.model.name == "g-small"  # type: ignore[union-attr]


def test_a_full_window_cap_leaves_the_platform_out_with_the_reason(tmp_path: Path) -> None:
    window = [*MONTH, {"tokens": 300, "period": "rolling", "window": "5h"}]
    r, _ = router(tmp_path, two(window, MONTH))
    route = r.route(prompt())  # 300 prompt + 100 output tokens do not fit 300
    assert [c.model.name for c in route.candidates] == ["c-small"]
    assert any("5h rolling window of `general`: 300 of 300 tokens left" in s for s in route.skipped)


def test_a_paid_pool_expiring_tonight_beats_one_that_lasts(tmp_path: Path) -> None:
    day = [{"tokens": 100_000, "period": "day"}]
    r, _ = router(tmp_path, two(MONTH, day))
    route = r.route(prompt())
    # a day ends within 24 h: use it or lose it (unless the clock sits exactly on midnight)
    assert (
        route.chosen.model.name == "c-small"
        and "provider `community` quota: 100,000 of 100,000 tokens left" in route.reason
    )  # type: ignore[union-attr]
    assert time.time() > 0
