"""Routing by measured quality: the cheapest model within `quality_tolerance` of the best
measured goes first, the reason says so in `plan --json`; without a scorecard nothing
changes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.routing.quality import MIN_SHOWN, clearly_below
from frugal_lsp.store.scorecards import ScoreRow
from frugal_lsp.tasks import Task, Tier

SOURCE = "def area(r):\n    return 3.14159 * r * r\n\n\ndef ring(a, b):\n    \n"


def config(tolerance: float | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "providers": [{"name": "p", "base_url": "http://127.0.0.1:9/v1"}],
        "models": [
            {"name": "small", "provider": "p", "tier": "basic"},
            {"name": "large", "provider": "p", "tier": "advanced"},  # coefficient 3.5
        ],
    }
    if tolerance is not None:
        data["routing"] = {"quality_tolerance": tolerance}
    return data


@pytest.fixture
async def made() -> AsyncIterator[list[Engine]]:
    engines: list[Engine] = []
    yield engines
    for engine in engines:
        await engine.aclose()


def engine_with(tmp_path: Path, made: list[Engine], scores: dict[str, float], **kw: Any) -> Engine:
    engine = Engine(parse_config(config(**kw)), StatePaths.resolve(tmp_path / "home"), tmp_path)
    made.append(engine)
    now = time.time()
    engine.scorecards.save(
        [
            ScoreRow(f"p/{m}", "completion", "python", 20, es / 2, es, 1, 2, 3, 4, 0, now)
            for m, es in scores.items()
        ]
    )
    return engine


def plan(engine: Engine, tmp_path: Path, tier: Tier | None = None) -> dict[str, Any]:
    path = tmp_path / "shapes.py"
    path.write_text(SOURCE)
    request = ContextRequest(Document.from_file(path), Task.COMPLETION, Position(5, 4))
    return engine.plan(request, tier).to_json()


async def test_a_cheap_model_within_tolerance_stays_first_and_says_why(
    tmp_path: Path, made: list[Engine]
) -> None:
    out = plan(engine_with(tmp_path, made, {"small": 0.66, "large": 0.70}), tmp_path)
    assert out["model"]["name"] == "small"
    assert "quality: small ES 0.66 vs best 0.70 (large), 1/4 the units" in out["routing"]["reason"]


async def test_a_cheap_model_below_tolerance_gives_way_to_the_best(
    tmp_path: Path, made: list[Engine]
) -> None:
    out = plan(engine_with(tmp_path, made, {"small": 0.40, "large": 0.70}), tmp_path)
    assert out["model"]["name"] == "large"
    assert out["routing"]["candidates"] == ["p/large (advanced)", "p/small (basic)"]
    reason = out["routing"]["reason"]
    assert "quality: large ES 0.70, the best measured; below tolerance: small ES 0.40" in reason


async def test_the_tolerance_is_the_users(tmp_path: Path, made: list[Engine]) -> None:
    engine = engine_with(tmp_path, made, {"small": 0.40, "large": 0.70}, tolerance=0.5)
    assert plan(engine, tmp_path)["model"]["name"] == "small"


async def test_without_a_scorecard_or_with_a_forced_tier_the_old_rules_hold(
    tmp_path: Path, made: list[Engine]
) -> None:
    out = plan(engine_with(tmp_path, made, {}), tmp_path)
    assert out["model"]["name"] == "small" and "quality" not in out["routing"]["reason"]
    other = tmp_path / "b"
    other.mkdir()
    engine = engine_with(other, made, {"small": 0.10, "large": 0.70})
    assert plan(engine, other, Tier.BASIC)["model"]["name"] == "small"  # the user's choice
    javascript = engine.router.quality
    assert javascript is not None
    assert javascript.lookup("completion", "javascript")("p/small") is None  # per language


async def count(
    tmp_path: Path, model: str, shown: int, accepted: int, language: str = "python"
) -> None:
    """Suggestions shown and accepted in an earlier session, through the engine's own
    counters (what the completion pipeline calls), written to the store at close."""
    engine = Engine(parse_config(config()), StatePaths.resolve(tmp_path / "home"), tmp_path)
    for i in range(shown):
        engine.count_suggestion(model, language, False)
        if i < accepted:
            engine.count_suggestion(model, language, True)
    await engine.aclose()


async def test_live_acceptance_clearly_below_the_scorecard_demotes_the_model(
    tmp_path: Path, made: list[Engine]
) -> None:
    await count(tmp_path, "p/small", shown=40, accepted=2)  # 5% against a scorecard EM of 33%
    engine = engine_with(tmp_path, made, {"small": 0.66, "large": 0.70})
    out = plan(engine, tmp_path)
    assert out["model"]["name"] == "large"
    assert out["routing"]["candidates"] == ["p/large (advanced)", "p/small (basic)"]
    reason = out["routing"]["reason"]
    assert "quality: large ES 0.70, the best measured" in reason
    assert "demoted by live acceptance: small accepted 2/40 (5%), scorecard EM 33%" in reason


@pytest.mark.parametrize(
    ("shown", "accepted", "language"),
    [(19, 0, "python"), (40, 12, "python"), (40, 0, "javascript")],
    ids=["too-few-shown", "accepted-as-predicted", "other-language"],
)
async def test_live_acceptance_does_not_demote_without_clear_evidence(
    tmp_path: Path, made: list[Engine], shown: int, accepted: int, language: str
) -> None:
    await count(tmp_path, "p/small", shown, accepted, language)
    out = plan(engine_with(tmp_path, made, {"small": 0.66, "large": 0.70}), tmp_path)
    assert out["model"]["name"] == "small"
    assert "demoted" not in out["routing"]["reason"]


def test_clearly_below_needs_the_sample_half_the_rate_and_two_deviations() -> None:
    row = ScoreRow("p/m", "completion", "python", 20, 0.5, 0.7, 1, 2, 3, 4, 0, time.time())
    assert not clearly_below(row, MIN_SHOWN - 1, 0)  # too few shown, however bad
    assert clearly_below(row, 20, 4)  # 4 < 5 (half of 10) and < 10 - 2*2.24
    assert not clearly_below(row, 20, 5)  # not under half the predicted rate
    sure = replace(row, exact=1.0)
    assert clearly_below(sure, 20, 9) and not clearly_below(sure, 20, 10)
    rare = replace(row, exact=0.05)
    assert not clearly_below(rare, 20, 0)  # 1 expected: 0 of 20 can be chance
    assert clearly_below(rare, 200, 0)  # 10 expected: 0 < 5 and < 10 - 6.2


async def test_the_status_payload_names_a_configured_model_without_a_scorecard(
    tmp_path: Path, made: list[Engine]
) -> None:
    from frugal_lsp.lsp.convert import status_json

    engine = engine_with(tmp_path, made, {"small": 0.66})
    payload = status_json(engine.status())
    assert payload["scorecard"] == [
        "no scorecard for p/large — run `frugal-lsp eval --models p/large`"
    ]
    other = tmp_path / "b"
    other.mkdir()
    complete = engine_with(other, made, {"small": 0.66, "large": 0.70})
    assert status_json(complete.status())["scorecard"] == []


async def test_a_demoted_model_gives_way_to_an_unmeasured_one(
    tmp_path: Path, made: list[Engine]
) -> None:
    await count(tmp_path, "p/small", shown=40, accepted=2)
    out = plan(engine_with(tmp_path, made, {"small": 0.66}), tmp_path)  # large: no scorecard
    assert out["routing"]["candidates"] == ["p/large (advanced)", "p/small (basic)"]
    assert "demoted by live acceptance: small accepted 2/40 (5%)" in out["routing"]["reason"]
