"""Routing by measured quality: the cheapest model within `quality_tolerance` of the best
measured goes first, the reason says so in `plan --json`; without a scorecard nothing
changes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
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
