"""Where measured quality lives: the scorecard rows of `frugal-lsp eval`, and escalations.

A scorecard row is one model × task × language, dated: how many tasks were scored, exact
match and edit similarity, latency, units per task and per correct completion
(``evaluation/scorecard.py`` computes it). A new measurement of the same key replaces the
old one. Two backends, as for the ledger:

- **embedded**: ``scorecards.sqlite3`` beside the ledger under ``FRUGAL_HOME`` (owner-only);
- **team**: one Redis hash per namespace (``<prefix>scorecard``, field
  ``model|task|language`` -> the row as JSON), so every member routes on the same
  measurements; the embedded file keeps a copy and answers while Redis is away.

``escalations`` is the cascade's record (``routing/cascade.py``): one row per escalated
answer, with the call ids of both answers, the models, the check that failed and what the
escalation cost. It lives with the scorecards (embedded file, or a Redis list).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from frugal_lsp.store.sqlite import open_private

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)
SCORECARD_FILE = "scorecards.sqlite3"
AWAY_S = 60.0  # after a Redis failure, read the local copy this long


@dataclass(frozen=True)
class ScoreRow:
    """One model's measured quality on one task and language."""

    model: str  # provider/name
    task: str  # e.g. "completion"
    language: str
    tasks: int  # tasks scored (errors left out)
    exact: float  # fraction exactly right
    similarity: float  # mean edit similarity, 0..1
    p50_ms: float
    p90_ms: float
    units_per_task: float
    units_per_correct: float | None  # None: nothing was exactly right
    errors: int  # tasks the model failed to answer (provider error, quota)
    measured_at: float  # epoch seconds

    @property
    def key(self) -> str:
        return f"{self.model}|{self.task}|{self.language}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScoreRow:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Escalation:
    """A cheap answer that failed a check and was asked again of a stronger model."""

    ts: float
    task: str
    from_model: str
    to_model: str
    reason: str
    first_call: int | None
    second_call: int | None
    first_units: float
    second_units: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class ScorecardStore(Protocol):
    @property
    def label(self) -> str: ...

    def save(self, rows: list[ScoreRow]) -> None: ...

    def rows(self) -> list[ScoreRow]: ...

    def record_escalation(self, escalation: Escalation) -> None: ...

    def escalations(self, since: float) -> list[Escalation]: ...

    def add_acceptance(self, counts: dict[tuple[str, str], tuple[int, int]]) -> None:
        """Add (shown, accepted) suggestions per (model, language)."""
        ...

    def acceptance(self) -> list[tuple[str, str, int, int]]:
        """(model, language, shown, accepted), every pair seen so far."""
        ...

    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS scorecard (
    key TEXT PRIMARY KEY,
    row TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS acceptance (
    model TEXT NOT NULL,
    language TEXT NOT NULL,
    shown INTEGER NOT NULL DEFAULT 0,
    accepted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (model, language)
);
CREATE TABLE IF NOT EXISTS escalations (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    row TEXT NOT NULL
);
"""


class SqliteScorecards:
    """The embedded scorecard: one small SQLite file, shared by the machine's processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_private(path)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        return str(self.path)

    def save(self, rows: list[ScoreRow]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO scorecard (key, row) VALUES (?, ?)",
                [(r.key, json.dumps(r.to_json())) for r in rows],
            )
            self._db.execute("COMMIT")

    def rows(self) -> list[ScoreRow]:
        with self._lock:
            found = self._db.execute("SELECT row FROM scorecard ORDER BY key").fetchall()
        return [ScoreRow.from_json(json.loads(raw)) for (raw,) in found]

    def record_escalation(self, escalation: Escalation) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO escalations (ts, row) VALUES (?, ?)",
                (escalation.ts, json.dumps(escalation.to_json())),
            )

    def escalations(self, since: float) -> list[Escalation]:
        with self._lock:
            found = self._db.execute(
                "SELECT row FROM escalations WHERE ts >= ? ORDER BY id", (since,)
            ).fetchall()
        return [Escalation(**json.loads(raw)) for (raw,) in found]

    def add_acceptance(self, counts: dict[tuple[str, str], tuple[int, int]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT INTO acceptance (model, language, shown, accepted) VALUES (?,?,?,?)"
                " ON CONFLICT (model, language) DO UPDATE SET shown = shown + excluded.shown,"
                " accepted = accepted + excluded.accepted",
                [(m, lang, shown, took) for (m, lang), (shown, took) in counts.items()],
            )
            self._db.execute("COMMIT")

    def acceptance(self) -> list[tuple[str, str, int, int]]:
        with self._lock:
            found = self._db.execute(
                "SELECT model, language, shown, accepted FROM acceptance ORDER BY model, language"
            ).fetchall()
        return [(str(m), str(lang), int(s), int(a)) for m, lang, s, a in found]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class RedisScorecards:
    """The team's scorecard in Redis, with the embedded file as copy and fallback."""

    def __init__(
        self, client: redis.Redis, prefix: str, local: SqliteScorecards, owns_client: bool = False
    ) -> None:
        self.client = client
        self._owns_client = owns_client
        self.prefix = prefix
        self.local = local
        self._warned = False
        self._away_until = 0.0

    @property
    def label(self) -> str:
        return f"redis {self.prefix}scorecard"

    def save(self, rows: list[ScoreRow]) -> None:
        import redis

        self.local.save(rows)
        if not rows:
            return
        try:
            self.client.hset(
                self.prefix + "scorecard",
                mapping={r.key: json.dumps(r.to_json()) for r in rows},
            )
        except redis.RedisError as exc:
            self._warn(exc)

    def rows(self) -> list[ScoreRow]:
        """The team's rows; this machine's copy for a minute after Redis failed (routing
        reads this on the completion path: a dead Redis must not cost a timeout each time)."""
        import redis

        if time.monotonic() < self._away_until:
            return self.local.rows()
        try:
            found: dict[str, str] = self.client.hgetall(self.prefix + "scorecard")  # type: ignore[assignment]
        except redis.RedisError as exc:
            self._warn(exc)
            return self.local.rows()
        rows = [ScoreRow.from_json(json.loads(raw)) for _, raw in sorted(found.items())]
        return rows

    def record_escalation(self, escalation: Escalation) -> None:
        import redis

        self.local.record_escalation(escalation)
        try:
            self.client.rpush(self.prefix + "escalations", json.dumps(escalation.to_json()))
        except redis.RedisError as exc:
            self._warn(exc)

    def escalations(self, since: float) -> list[Escalation]:
        import redis

        try:
            raw: list[str] = self.client.lrange(self.prefix + "escalations", 0, -1)  # type: ignore[assignment]
        except redis.RedisError as exc:
            self._warn(exc)
            return self.local.escalations(since)
        found = [Escalation(**json.loads(item)) for item in raw]
        return [e for e in found if e.ts >= since]

    def add_acceptance(self, counts: dict[tuple[str, str], tuple[int, int]]) -> None:
        import redis

        self.local.add_acceptance(counts)
        try:
            pipe = self.client.pipeline(transaction=True)
            for (model, language), (shown, took) in counts.items():
                pipe.hincrby(self.prefix + "acceptance", f"{model}|{language}|shown", shown)
                pipe.hincrby(self.prefix + "acceptance", f"{model}|{language}|accepted", took)
            pipe.execute()
        except redis.RedisError as exc:
            self._warn(exc)

    def acceptance(self) -> list[tuple[str, str, int, int]]:
        import redis

        try:
            raw: dict[str, str] = self.client.hgetall(self.prefix + "acceptance")  # type: ignore[assignment]
        except redis.RedisError as exc:
            self._warn(exc)
            return self.local.acceptance()
        pairs: dict[tuple[str, str], list[int]] = {}
        for field, value in raw.items():
            model, language, kind = field.rsplit("|", 2)
            pairs.setdefault((model, language), [0, 0])[kind == "accepted"] = int(value)
        return [(m, lang, s, a) for (m, lang), (s, a) in sorted(pairs.items())]

    def _warn(self, exc: Exception) -> None:
        self._away_until = time.monotonic() + AWAY_S
        if not self._warned:
            self._warned = True
            log.warning("team scorecard unavailable, using this machine's copy: %s", exc)

    def close(self) -> None:
        self.local.close()
        if self._owns_client:
            self.client.close()
