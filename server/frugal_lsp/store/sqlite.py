"""The one way this project opens its SQLite files: owner-only, WAL, shared across threads.

The ledger and the team outbox hold usage records; other users on the machine must not
read them (folder 0700, file 0600), and several processes write them at once (WAL; a
writer waits up to 30 s for another's transaction instead of failing).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from frugal_lsp.errors import StateUnusable


def open_private(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (callers run BEGIN IMMEDIATE themselves)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    os.chmod(path, 0o600)
    try:
        db.execute("PRAGMA journal_mode=WAL")
    except sqlite3.DatabaseError as exc:  # not SQLite at all: say which file, and the fix
        db.close()
        raise StateUnusable(
            f"{path} cannot be used ({exc}) — move it aside and frugal-lsp starts a new one"
            " (`frugal-lsp paths` lists every state file)"
        ) from exc
    return db
