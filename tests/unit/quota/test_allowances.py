"""Several allowances per platform: draw order, splits, caps, and the boundaries of each
period kind (DST, month end, a rolling window's edge)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frugal_lsp.config import QuotaConfig
from frugal_lsp.errors import QuotaExhausted
from frugal_lsp.quota.allowances import (
    Standing,
    allowance_key,
    order,
    parse_window,
    plan_draws,
    project_id,
    resets_at,
    settle_all,
    settled,
    window_start,
)

BERLIN = "Europe/Berlin"


def ts(text: str, tz: str = BERLIN) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp()


def pool(key: str, limit: float, used: float = 0, need: float = 100, **kw: object) -> Standing:
    return Standing(key, key, "tokens", limit, used, need, **kw)  # type: ignore[arg-type]


def test_free_pool_pays_first_even_when_the_paid_one_resets_sooner() -> None:
    free = pool("free", 2000, resets_in=86400 * 6, free=True)
    paid = pool("paid", 10**6, resets_in=3600)
    draws = plan_draws([paid, free])
    assert [(d.key, d.fraction) for d in draws] == [("free", 1.0)]


def test_among_paid_pools_the_one_losing_most_by_waiting_goes_first() -> None:
    # 1,000 calls left that all vanish tonight beat 50 calls left in a month-long pool
    tonight = pool("day", 100_000, resets_in=3 * 3600)
    month = pool("month", 5_000, resets_in=20 * 86400)
    never = pool("credits", 10**9)
    assert [s.key for s in order([never, month, tonight])] == ["day", "month", "credits"]


def test_a_call_larger_than_the_free_rest_is_split_and_the_rest_paid() -> None:
    free = pool("free", 2000, used=1960, free=True, resets_in=3600)
    paid = pool("paid", 10**6, resets_in=86400 * 20)
    draws = plan_draws([paid, free])
    assert [(d.key, round(d.amount, 6)) for d in draws] == [("free", 40.0), ("paid", 60.0)]
    assert sum(d.fraction for d in draws) == pytest.approx(1.0)


def test_refused_when_all_pools_together_cannot_pay_and_the_message_lists_them() -> None:
    free = pool("free", 2000, used=1990, free=True, resets_in=3600)
    paid = pool("paid", 1000, used=950, resets_in=86400)
    with pytest.raises(QuotaExhausted) as info:
        plan_draws([free, paid])
    assert "free: 10 of 2,000 tokens left, resets in 60 min" in str(info.value)
    assert "paid: 50 of 1,000 tokens left" in str(info.value)


def test_a_cap_counts_every_call_and_refuses_when_it_is_full() -> None:
    free = pool("free", 2000, free=True, resets_in=3600)
    window = Standing("5h", "5-hour window", "tokens", 1000, 950, 100, cap=True)
    with pytest.raises(QuotaExhausted, match="5-hour window: 50 of 1,000 tokens left"):
        plan_draws([free, window])
    roomy = Standing("5h", "5-hour window", "tokens", 1000, 0, 100, cap=True)
    draws = plan_draws([free, roomy])
    assert {(d.key, d.cap, d.amount) for d in draws} == {("free", False, 100), ("5h", True, 100)}


def test_request_pool_and_token_pool_split_by_fraction_of_the_call() -> None:
    requests = Standing("premium", "premium", "premium requests", 300, 299.5, 1.0, resets_in=600)
    tokens = pool("tokens", 10**6, need=800, resets_in=86400 * 30)
    draws = plan_draws([requests, tokens])
    assert [(d.key, round(d.amount, 6)) for d in draws] == [("premium", 0.5), ("tokens", 400.0)]


def test_zero_multiplier_model_costs_no_premium_request() -> None:
    requests = Standing("premium", "premium", "premium requests", 300, 300, 0.0)
    assert [(d.key, d.amount) for d in plan_draws([requests])] == [("premium", 0.0)]


def test_only_caps_means_pay_as_you_go() -> None:
    assert plan_draws([]) == []


def test_settled_token_draw_follows_real_cost_request_draw_stays() -> None:
    tokens = plan_draws([pool("t", 1000, need=500)])[0]
    assert settled(tokens, 500, 120).amount == pytest.approx(120)
    req = plan_draws([Standing("r", "r", "premium requests", 300, 0, 3.0)])[0]
    assert settled(req, 500, 120).amount == 3.0
    assert settled(req, 500, 0.0).amount == 0.0  # never sent: no request counted


def test_day_across_the_spring_dst_change_is_23_hours() -> None:
    day = QuotaConfig(tokens=2000, period="day", free=True)
    now = ts("2026-03-29T12:00")
    start, end = window_start(day, now, BERLIN), resets_at(day, now, BERLIN)
    assert start == ts("2026-03-29T00:00")
    assert end is not None and end - start == 23 * 3600


def test_month_end_and_reset_day() -> None:
    month = QuotaConfig(tokens=10**6, period="month", reset_day=1)
    now = ts("2026-01-31T23:59:59")
    assert window_start(month, now, BERLIN) == ts("2026-01-01T00:00")
    assert resets_at(month, now, BERLIN) == ts("2026-02-01T00:00")
    assert window_start(month, ts("2026-02-01T00:00"), BERLIN) == ts("2026-02-01T00:00")


def test_rolling_window_edge_and_oldest_spend_dropping_out() -> None:
    rolling = QuotaConfig(tokens=50_000, period="rolling", window="5h", cap=True)
    now = ts("2026-06-01T12:00")
    assert window_start(rolling, now) == now - 5 * 3600
    oldest = now - 4 * 3600  # spent 4 h ago: back in one hour
    assert resets_at(rolling, now, oldest=oldest) == now + 3600
    assert parse_window("7d") == 7 * 86400 and parse_window("90m") == 5400


@pytest.mark.parametrize("bad", ["", "5", "h", "-5h", "0h", "5 hours"])
def test_bad_windows_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="s, m, h, d or w"):
        parse_window(bad)


def test_never_resetting_kinds_count_from_the_start() -> None:
    for period in ("total", "credits", "project"):
        quota = QuotaConfig(tokens=5000, period=period)  # type: ignore[arg-type]
        assert window_start(quota, 1e9) == 0.0 and resets_at(quota, 1e9) is None


def test_keys_are_stable_under_reordering_and_distinct_by_kind() -> None:
    free = QuotaConfig(tokens=2000, period="day", free=True)
    paid = QuotaConfig(tokens=2000, period="day")
    assert allowance_key("g", free) == "g:day:tokens:free"
    assert allowance_key("g", free) != allowance_key("g", paid)
    assert allowance_key("g", QuotaConfig(requests=300, name="premium")) == "g:premium"


def test_project_id_comes_from_the_git_remote_without_its_credentials(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for root, url in (
        (a, "https://me:s3cret@github.com/Org/Repo.git"),
        (b, "git@github.com:org/repo"),
    ):
        (root / ".git").mkdir(parents=True)
        (root / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {url}\n')
    assert project_id(str(a))[0] == project_id(str(b))[0]  # two clones, one project
    assert "s3cret" not in project_id(str(a))[0]
    plain = tmp_path / "plain"
    plain.mkdir()
    assert project_id(str(plain)) != project_id(str(a)) and project_id(str(plain))[1] == "plain"


def test_settling_refills_pools_in_draw_order_up_to_what_each_reserved() -> None:
    free = pool("free", 2000, used=1950, free=True, resets_in=3600, need=500)
    paid = pool("paid", 10**6, resets_in=86400 * 20, need=500)
    window = Standing("5h", "5h", "tokens", 10**5, 0, 500, cap=True)
    draws = plan_draws([paid, free, window])  # free 50, paid 450, the window all 500
    final = {d.key: round(d.amount, 9) for d in settle_all(draws, 500, 120)}
    assert final == {"free": 50, "paid": 70, "5h": 120}  # the free 50 still paid first
    over = {
        d.key: round(d.amount, 9) for d in settle_all(draws, 500, 650)
    }  # billed beyond the estimate
    assert over == {"free": 50, "paid": 600, "5h": 650}
    never = {d.key: d.amount for d in settle_all(draws, 500, 0)}
    assert never == {"free": 0, "paid": 0, "5h": 0}
