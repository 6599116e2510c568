"""Through the engine and the loopback fake: several allowances per platform and
prompt-cache prices settle what a user would see in `status` and `report`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.engine import Engine
from frugal_lsp.errors import QuotaExhausted
from frugal_lsp.store.records import Allowance, CallRequest
from tests.fakes.fake_provider import FakeProvider
from tests.unit.test_engine import ask, config_for, make_engine


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeProvider, FakeProvider]]:
    monkeypatch.setenv("ALPHA_KEY", "sk-test-alpha")
    with FakeProvider() as first, FakeProvider() as second:
        yield first, second


@pytest.fixture
async def engines() -> AsyncIterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        await engine.aclose()


def with_quotas(
    first: FakeProvider, second: FakeProvider, quotas: list[dict[str, Any]]
) -> dict[str, Any]:
    data = config_for(first, second)
    data["providers"][0]["quota"] = quotas
    return data


async def test_the_free_daily_allowance_pays_before_the_paid_month(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Any]
) -> None:
    first, second = fakes
    quotas = [
        {"tokens": 100_000, "period": "month"},
        {"tokens": 2_000, "period": "day", "free": True},
    ]
    engine = make_engine(tmp_path, with_quotas(first, second, quotas), engines)
    answer = await engine.answer(ask(tmp_path))
    free, month = (
        next(a for a in engine.account.allowances("alpha") if a.key.endswith(kind))
        for kind in ("day:tokens:free", "month:tokens:paid")
    )
    assert engine.account.used(free) == pytest.approx(answer.cost) and answer.cost > 0
    assert engine.account.used(month) == 0
    assert free.name == "free day allowance of `alpha`" and free.resets_at is not None


async def test_a_premium_request_plan_counts_requests_times_the_multiplier(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Any]
) -> None:
    first, second = fakes
    data = with_quotas(first, second, [{"requests": 4, "name": "premium"}])
    data["models"][0]["multiplier"] = 3
    engine = make_engine(tmp_path, data, engines)
    await engine.answer(ask(tmp_path, "one?"))
    (premium,) = (a for a in engine.account.allowances("alpha", engine.config.models[0]) if a.key)
    assert engine.account.used(premium) == 3 and premium.unit == "premium requests"
    model = engine.config.models[0]
    with pytest.raises(QuotaExhausted, match="1 of 4 premium requests left"):
        engine.ledger.reserve(
            CallRequest("alpha", model.name, "basic", "ask", 10, 10, 1.0),
            engine.account.allowances("alpha", model),
        )


async def test_prompt_cache_reads_cost_their_price_and_report_what_they_saved(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Any]
) -> None:
    first, second = fakes
    data = config_for(first, second)
    data["models"][0].update(input_price=2.0, output_price=8.0, cached_input_price=0.5)
    first.cached_tokens = 40
    engine = make_engine(tmp_path, data, engines)
    answer = await engine.answer(ask(tmp_path))
    prompt, completion = answer.prompt_tokens, answer.completion_tokens
    # 40 cached tokens at a quarter of the input price: units and dollars both
    assert answer.cost == pytest.approx(prompt + completion - 40 * 0.75)
    assert answer.cost_usd == pytest.approx(((prompt - 40) * 2 + 40 * 0.5 + completion * 8) / 1e6)
    read, written, units, usd = engine.ledger.cache_savings(0)
    assert (read, written) == (40, 0)
    assert units == pytest.approx(30) and usd == pytest.approx(40 * 1.5 / 1e6)


async def test_anthropic_cache_writes_cost_more_and_reads_less(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Any]
) -> None:
    first, second = fakes
    data = config_for(first, second)
    data["providers"] = data["providers"][1:]  # only the Anthropic-wire platform
    data["models"] = [
        {"name": "beta-small", "provider": "beta", "tier": "basic", "input_price": 1.0,
         "output_price": 5.0, "cached_input_price": 0.1, "cache_write_price": 1.25},
    ]  # fmt: skip
    second.cached_tokens, second.cache_write_tokens = 30, 10
    engine = make_engine(tmp_path, data, engines)
    answer = await engine.answer(ask(tmp_path))
    k = engine.config.models[0].coefficient
    expected = (answer.prompt_tokens - 40 + answer.completion_tokens) * k + 30 * 0.1 * k
    assert answer.cost == pytest.approx(expected + 10 * 1.25 * k)
    read, written, units, _ = engine.ledger.cache_savings(0)
    assert (read, written) == (30, 10) and units == pytest.approx((30 * 0.9 - 10 * 0.25) * k)


def test_allowance_record_defaults_keep_the_old_single_quota() -> None:
    assert Allowance("x", 1, 0).key == ""  # counted from calls, as before


async def test_status_speaks_each_allowance_in_its_unit(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Any]
) -> None:
    from frugal_lsp.lsp.convert import platform_json
    from frugal_lsp.quota.status import compute_status
    from frugal_lsp.report.console import status_text

    first, second = fakes
    quotas = [
        {"requests": 300, "name": "premium"},
        {"tokens": 700, "period": "rolling", "window": "5h"},
    ]
    data = with_quotas(first, second, quotas)
    data["context"] = {"ask_max_output_tokens": 64}
    data["models"][0]["multiplier"] = 0.33
    engine = make_engine(tmp_path, data, engines)
    answer = await engine.answer(ask(tmp_path))
    status = compute_status(engine.config, engine.account)
    text = status_text(status)
    assert "allowance premium allowance of `alpha`: 0.33 of 300 premium requests used" in text
    window = f"5h rolling window of `alpha`: {answer.cost:,.0f} of 700 tokens used"
    assert f"allowance {window}, oldest spend drops out in 5 h" in text
    assert "runs out in" in text  # at the last hour's burn, before the window turns over
    (alpha,) = (p for p in status.platforms if p.name == "alpha")
    premium, rolling = platform_json(alpha)["allowances"]
    assert premium["used"] == 0.33 and premium["unit"] == "premium requests"
    assert rolling["cap"] is True and rolling["resetsAt"] is not None


async def test_report_shows_which_allowance_paid_per_project_and_cache_savings(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Any]
) -> None:
    from rich.console import Console

    from frugal_lsp.report import terminal
    from frugal_lsp.report.usage import gather

    first, second = fakes
    quotas = [
        {"tokens": 100_000, "period": "project"},
        {"tokens": 50, "period": "day", "free": True},
    ]
    data = with_quotas(first, second, quotas)
    data["models"][0].update(input_price=2.0, output_price=8.0, cached_input_price=1.0)
    first.cached_tokens = 20
    engine = make_engine(tmp_path, data, engines)
    await engine.answer(ask(tmp_path))
    usage = gather(engine.account, 1)
    keys = {row[0]: row for row in usage.per_allowance}
    assert keys["alpha:day:tokens:free"][3] == pytest.approx(50)  # free first, up to its 50
    project = keys["alpha:project:tokens:paid"]
    assert project[1] == engine.project and project[3] > 0
    console = Console(record=True, width=140)
    terminal.render(usage, console)
    text = console.export_text()
    assert "Prompt caching: 20 tokens read from cache, 0 written; saved 10 units" in text
    assert "Paid by allowance" in text and f"{tmp_path.name} (this project)" in text


async def test_pacing_steps_down_when_a_rolling_window_would_run_out(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Any]
) -> None:
    from frugal_lsp.quota.forecast import forecast
    from frugal_lsp.quota.pacing import Pacer, tightest

    first, second = fakes
    data = with_quotas(first, second, [{"tokens": 600, "period": "rolling", "window": "5h"}])
    data["context"] = {"ask_max_output_tokens": 64}
    data["pacing"] = {"min_step_interval": 0}
    engine = make_engine(tmp_path, data, engines)
    await engine.answer(ask(tmp_path, "first?"))
    await engine.answer(ask(tmp_path, "second?"))
    outlook = forecast(engine.config, engine.account)
    (window,) = outlook.allowances
    assert window.name == "5h rolling window of `alpha`" and window.period == "window"
    value, tight = tightest(outlook)
    assert tight is window and value > 1.0  # at the last hour's burn it is gone long before
    state = Pacer(engine.config, engine.account).update(outlook)
    assert state.step >= 1 and "5h rolling window of `alpha` runs out in" in state.reason


async def test_alerts_speak_the_allowance_unit_once_per_period(
    tmp_path: Path, fakes: tuple[FakeProvider, FakeProvider], engines: list[Any]
) -> None:
    from frugal_lsp.quota.forecast import forecast

    first, second = fakes
    data = with_quotas(first, second, [{"requests": 2, "name": "premium"}])
    engine = make_engine(tmp_path, data, engines)
    await engine.answer(ask(tmp_path, "one?"))
    await engine.answer(ask(tmp_path, "two?"))
    fired = engine.alerts.check(forecast(engine.config, engine.account)) or engine.alerts.drain()
    texts = [e.text for e in fired]
    assert any(
        "premium allowance of `alpha` 100% used (2 of 2 premium requests" in t for t in texts
    )
    assert engine.alerts.check(forecast(engine.config, engine.account)) == []  # once
