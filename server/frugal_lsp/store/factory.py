"""Open the store the config names: embedded (no ``[store] url``) or the team's Redis."""

from __future__ import annotations

from dataclasses import dataclass

from frugal_lsp.config import Config
from frugal_lsp.paths import StatePaths
from frugal_lsp.store.base import AnswerStore, LedgerStore
from frugal_lsp.store.ledger import Ledger


@dataclass(frozen=True)
class Stores:
    ledger: LedgerStore
    answers: AnswerStore | None  # None: the embedded diskcache under FRUGAL_HOME


def open_stores(config: Config, paths: StatePaths) -> Stores:
    """The ledger and answer store; a team store that cannot reach Redis still opens
    (its ``problem`` says why, and it pauses or falls back as configured)."""
    if not config.store.team:
        return Stores(Ledger(paths.ledger), None)
    from frugal_lsp.store.outbox import Outbox
    from frugal_lsp.store.redis_shared import RedisAnswers
    from frugal_lsp.store.team import TeamStore

    namespace = config.store.namespace
    local = Ledger(paths.ledger.with_name(f"team-{namespace}.sqlite3"))
    outbox = Outbox(paths.ledger.with_name("team-outbox.sqlite3"), namespace)
    team = TeamStore(config.store, local, outbox)
    return Stores(team, RedisAnswers(team.client, team.prefix))


def open_ledger(config: Config, paths: StatePaths) -> LedgerStore:
    """The ledger alone (``status``, ``report``, ``credits`` without an engine)."""
    return open_stores(config, paths).ledger
