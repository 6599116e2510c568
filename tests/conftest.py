"""Shared fixtures: every test runs with its own FRUGAL_HOME and no real API keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

KEY_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "FRUGAL_CONFIG", "FRUGAL_HOME")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for var in KEY_VARS:
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "frugal-home"
    monkeypatch.setenv("FRUGAL_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    yield home


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests (tests/e2e) are marked and run last."""
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: "/e2e/" in str(item.path))
