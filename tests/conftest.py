"""Shared fixtures: every test runs with its own FRUGAL_HOME and no real API keys.

Fast tests serve SmolLM2-135M when they need the local tier (about 0.7 s an answer);
tests of the code model itself ask for Qwen2.5-Coder explicitly (``FRUGAL_LOCAL_MODEL``).
"""

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
    monkeypatch.setenv("FRUGAL_LOCAL_MODEL", "smollm2-135m-instruct")
    yield home


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests (tests/e2e) are marked and run last."""
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: "/e2e/" in str(item.path))
