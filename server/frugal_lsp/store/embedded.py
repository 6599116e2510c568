"""The embedded store's answer side: a diskcache folder under FRUGAL_HOME (owner-only).

The embedded ledger is ``store/ledger.py`` (SQLite); together they are the default
store, shared by the processes of one machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import diskcache


class DiskAnswers:
    """Answers by key in a diskcache folder, opened on first use."""

    def __init__(self, folder: Path, size_limit_mb: int) -> None:
        self.folder = folder
        self.size_limit_mb = size_limit_mb
        self._cache: diskcache.Cache | None = None

    def _open(self) -> diskcache.Cache:
        if self._cache is None:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.folder, 0o700)
            limit = self.size_limit_mb * 1024 * 1024
            self._cache = diskcache.Cache(str(self.folder), size_limit=limit)
            for item in self.folder.iterdir():
                if item.is_file():
                    os.chmod(item, 0o600)
        return self._cache

    def get(self, key: str) -> dict[str, Any] | None:
        raw = self._open().get(key)
        return raw if isinstance(raw, dict) else None

    def set(self, key: str, value: dict[str, Any], ttl_s: int | None) -> None:
        self._open().set(key, value, expire=ttl_s or None)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
