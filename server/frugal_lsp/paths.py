"""Where frugal-lsp keeps state. ``FRUGAL_HOME`` moves all of it to one folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "frugal-lsp"


@dataclass(frozen=True)
class StatePaths:
    ledger: Path  # SQLite file
    cache: Path  # diskcache folder
    logs: Path  # folder
    answers: Path  # folder of Markdown answer documents

    @classmethod
    def resolve(cls, home: str | Path | None = None) -> StatePaths:
        """Under ``home`` or ``$FRUGAL_HOME`` when set, else the user's data/cache dirs."""
        root = home or os.environ.get("FRUGAL_HOME")
        if root:
            base = Path(root).expanduser()
            return cls(base / "ledger.sqlite3", base / "cache", base / "logs", base / "answers")
        data = Path(platformdirs.user_data_dir(APP))
        cache = Path(platformdirs.user_cache_dir(APP))
        logs = Path(platformdirs.user_log_dir(APP))
        return cls(data / "ledger.sqlite3", cache / "answers-cache", logs, data / "answers")

    def ensure(self) -> None:
        """Create the folders, readable by the owner only (they may hold code)."""
        for folder in (self.ledger.parent, self.cache, self.logs, self.answers):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def user_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "frugal.toml"
