"""Open the store the config names: embedded (no ``[store] url``) or the team's Redis."""

from __future__ import annotations

from dataclasses import dataclass

from frugal_lsp.config import Config
from frugal_lsp.paths import StatePaths
from frugal_lsp.store.base import AnswerStore, LedgerStore
from frugal_lsp.store.ledger import Ledger
from frugal_lsp.store.scorecards import SCORECARD_FILE, ScorecardStore, SqliteScorecards


@dataclass(frozen=True)
class Stores:
    ledger: LedgerStore
    answers: AnswerStore | None  # None: the embedded diskcache under FRUGAL_HOME
    scorecards: ScorecardStore  # `frugal-lsp eval`'s measurements (store/scorecards.py)


def open_stores(config: Config, paths: StatePaths) -> Stores:
    """The ledger and answer store; a team store that cannot reach Redis still opens
    (its ``problem`` says why, and it pauses or falls back as configured)."""
    if not config.store.team:
        return Stores(Ledger(paths.ledger), None, open_scorecards(config, paths))
    from frugal_lsp.store.outbox import Outbox
    from frugal_lsp.store.redis_shared import RedisAnswers
    from frugal_lsp.store.team import TeamStore

    namespace = config.store.namespace
    local = Ledger(paths.ledger.with_name(f"team-{namespace}.sqlite3"))
    outbox = Outbox(paths.ledger.with_name("team-outbox.sqlite3"), namespace)
    team = TeamStore(config.store, local, outbox)
    from frugal_lsp.store.scorecards import RedisScorecards

    local_cards = SqliteScorecards(paths.ledger.with_name(f"team-{namespace}-{SCORECARD_FILE}"))
    cards = RedisScorecards(team.client, team.prefix, local_cards)
    return Stores(team, RedisAnswers(team.client, team.prefix), cards)


def open_ledger(config: Config, paths: StatePaths) -> LedgerStore:
    """The ledger alone (``status``, ``report``, ``credits`` without an engine)."""
    return open_stores(config, paths).ledger


def open_scorecards(config: Config, paths: StatePaths) -> ScorecardStore:
    """The scorecard alone (``status``, ``report``, ``doctor``): embedded, or the team's."""
    if not config.store.team:
        return SqliteScorecards(paths.ledger.with_name(SCORECARD_FILE))
    from frugal_lsp.store.connect import key_prefix, make_client
    from frugal_lsp.store.scorecards import RedisScorecards

    namespace = config.store.namespace
    local = SqliteScorecards(paths.ledger.with_name(f"team-{namespace}-{SCORECARD_FILE}"))
    return RedisScorecards(make_client(config.store), key_prefix(namespace), local, True)
