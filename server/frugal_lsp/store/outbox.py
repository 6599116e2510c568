"""Writes the team store owes Redis: kept on disk until Redis has taken them, once each.

Every entry has a record id (``rid``, a random hex); pushing it again is a no-op on the
Redis side (settle applies once per call, local calls and savings are guarded by their
rid), so an entry whose push succeeded but whose reply was lost is simply pushed again.
The file lives beside the embedded ledger, owner-only.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from frugal_lsp.store.sqlite import open_private

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY,
    rid TEXT UNIQUE NOT NULL,
    namespace TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    ts REAL NOT NULL,
    pushed_ts REAL
);
"""


class Outbox:
    def __init__(self, path: Path, namespace: str) -> None:
        self.namespace = namespace
        self._lock = threading.Lock()
        self._db = open_private(path)
        self._db.executescript(SCHEMA)

    def add(self, kind: str, payload: dict[str, Any]) -> str:
        rid = uuid.uuid4().hex
        with self._lock:
            self._db.execute(
                "INSERT INTO outbox (rid, namespace, kind, payload, ts) VALUES (?,?,?,?,?)",
                (rid, self.namespace, kind, json.dumps(payload), time.time()),
            )
        return rid

    def pending(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(rid, kind, payload) not yet taken by Redis, oldest first."""
        return self._entries("AND pushed_ts IS NULL")

    def history(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Every entry of the namespace, pushed or not (for audits and tests)."""
        return self._entries("")

    def _entries(self, where: str) -> list[tuple[str, str, dict[str, Any]]]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT rid, kind, payload FROM outbox WHERE namespace=? {where} ORDER BY seq",
                (self.namespace,),
            ).fetchall()
        return [(str(rid), str(kind), json.loads(payload)) for rid, kind, payload in rows]

    def done(self, rid: str) -> None:
        with self._lock:
            self._db.execute("UPDATE outbox SET pushed_ts=? WHERE rid=?", (time.time(), rid))

    def count(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM outbox WHERE namespace=? AND pushed_ts IS NULL",
                (self.namespace,),
            ).fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
