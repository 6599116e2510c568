"""Finding and loading the config in force.

Discovery order (first found wins): an explicit ``--config`` path, ``frugal.toml`` at
the workspace root, ``$FRUGAL_CONFIG``, the user config dir. With none of them, the
built-in defaults use whatever API keys the environment holds (see ``catalog.py``).
Every invalid value is reported with its key path, the bad value and what is allowed;
all problems of a file are reported at once.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from frugal_lsp.config import catalog
from frugal_lsp.config.reader import Reader
from frugal_lsp.config.schema import Config
from frugal_lsp.config.sections import read_config
from frugal_lsp.errors import ConfigError
from frugal_lsp.paths import user_config_file


def find_config_file(workspace: Path | None = None, explicit: str | None = None) -> Path | None:
    """The config file to use, in discovery order; None means built-in defaults."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError([f"--config {explicit}: no such file — pass an existing file"])
        return path
    candidates: list[Path] = []
    if workspace is not None:
        candidates.append(workspace / "frugal.toml")
    if env := os.environ.get("FRUGAL_CONFIG"):
        env_path = Path(env).expanduser()
        if not env_path.is_file():
            raise ConfigError([f"FRUGAL_CONFIG={env}: no such file — unset it or fix the path"])
        candidates.append(env_path)
    candidates.append(user_config_file())
    return next((c for c in candidates if c.is_file()), None)


def load_config(workspace: Path | None = None, explicit: str | None = None) -> Config:
    """Discover and parse the config; raise ConfigError listing every problem."""
    path = find_config_file(workspace, explicit)
    if path is None:
        return catalog.default_config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], str(path)) from exc
    return parse_config(data, source=str(path))


def parse_config(data: dict[str, Any], source: str = "<config>") -> Config:
    reader = Reader(data, "")
    config = read_config(reader)
    if reader.problems:
        raise ConfigError(reader.problems, source)
    return _with_source(config, source)


def _with_source(config: Config, source: str) -> Config:
    return replace(config, source=source)
