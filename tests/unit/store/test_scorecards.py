"""The scorecard store: it survives a restart, is shared by a team on Redis, and keeps
answering from the machine's copy while Redis is away."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from frugal_lsp.config import Config, StoreConfig
from frugal_lsp.paths import StatePaths
from frugal_lsp.store.factory import open_scorecards, open_stores
from frugal_lsp.store.scorecards import Escalation, ScoreRow, SqliteScorecards
from tests.unit.store.conftest import RedisServer, needs_redis


def row(model: str, similarity: float, at: float | None = None) -> ScoreRow:
    return ScoreRow(
        model,
        "completion",
        "python",
        10,
        0.3,
        similarity,
        900.0,
        1500.0,
        600.0,
        2000.0,
        0,
        at if at is not None else time.time(),
    )


def test_embedded_scorecard_survives_a_restart(tmp_path: Path) -> None:
    first = SqliteScorecards(tmp_path / "s.sqlite3")
    first.save([row("a/basic", 0.5), row("a/big", 0.7)])
    first.save([row("a/basic", 0.6)])  # a new measurement replaces the old one
    first.record_escalation(Escalation(time.time(), "ask", "a/basic", "a/big", "empty", 1, 2, 5, 9))
    first.add_acceptance({("a/basic", "python"): (4, 1)})
    first.add_acceptance({("a/basic", "python"): (1, 1)})
    first.close()
    again = SqliteScorecards(tmp_path / "s.sqlite3")
    assert again.acceptance() == [("a/basic", "python", 5, 2)]
    assert [(r.model, r.similarity) for r in again.rows()] == [("a/basic", 0.6), ("a/big", 0.7)]
    assert [e.reason for e in again.escalations(0)] == ["empty"]
    again.close()
    assert (tmp_path / "s.sqlite3").stat().st_mode & 0o777 == 0o600


@needs_redis
def test_team_scorecard_is_shared_and_falls_back_while_redis_is_away(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    ns = uuid.uuid4().hex[:8]
    config = Config(store=StoreConfig(url=redis_server.url, namespace=ns))
    alice = open_stores(config, StatePaths.resolve(tmp_path / "alice"))
    bob = open_scorecards(config, StatePaths.resolve(tmp_path / "bob"))
    alice.scorecards.save([row("t/basic", 0.55)])
    alice.scorecards.record_escalation(
        Escalation(time.time(), "ask", "t/basic", "t/big", "cut at max tokens", 3, 4, 10, 40)
    )
    assert [r.similarity for r in bob.rows()] == [0.55]  # another machine sees it
    assert [e.reason for e in bob.escalations(0)] == ["cut at max tokens"]
    alice.scorecards.add_acceptance({("t/basic", "python"): (3, 1)})
    bob.add_acceptance({("t/basic", "python"): (2, 2), ("t/basic", "go"): (1, 0)})
    assert bob.acceptance() == [("t/basic", "go", 1, 0), ("t/basic", "python", 5, 3)]
    redis_server.kill()
    try:
        assert [r.similarity for r in alice.scorecards.rows()] == [0.55]  # the local copy
        assert bob.rows() == []  # bob never saved one: nothing local, and no crash
    finally:
        redis_server.start()
        alice.scorecards.close()
        alice.ledger.close()
        bob.close()
