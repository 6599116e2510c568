"""`frugal-lsp init`: a commented starter frugal.toml."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from frugal_lsp.errors import FrugalError


def starter_text() -> str:
    return resources.files("frugal_lsp").joinpath("data/starter.toml").read_text("utf-8")


def write_starter(path: Path, force: bool = False) -> Path:
    if path.exists() and not force:
        raise FrugalError(f"{path} exists — pass --force to overwrite it")
    path.write_text(starter_text(), encoding="utf-8")
    return path
