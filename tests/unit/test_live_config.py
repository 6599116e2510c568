"""The config in force lives in one place: a change reaches every collaborator at once."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.config import parse_config
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths


async def test_reconfigure_and_pacing_reach_every_collaborator(tmp_path: Path) -> None:
    engine = Engine(parse_config({}), StatePaths.resolve(tmp_path / "home"), tmp_path)
    try:
        changed = parse_config(
            {"cache": {"enabled": False}, "routing": {"basic_max_words": 7},
             "context": {"ask_max_tokens": 1000}, "budget": {"tokens": 500}}
        )  # fmt: skip
        engine.reconfigure(changed)
        readers = (engine.account, engine.account.buckets, engine.alerts, engine.pacer)
        assert all(r.config is changed for r in readers)
        assert engine.router.config.routing.basic_max_words == 7
        assert engine.cache.config.enabled is False
        assert engine.context.config.ask_max_tokens == 1000

        engine.account.pacing_step = 2  # the pacer's verdict: smaller context
        engine._apply_pacing()
        assert engine.config is not changed and engine.config.context.ask_max_tokens == 500
        assert engine.context.config.ask_max_tokens == 500  # the builder reads the paced one
        assert engine.router.config is engine.config
        assert engine.account.config is changed  # quota reads what was configured, unpaced
    finally:
        await engine.aclose()
