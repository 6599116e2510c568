"""Test doubles that speak real protocols: the loopback fake model provider.

``from tests.fakes import FakeProvider, Fault`` works; the module is imported lazily so
``python -m tests.fakes.fake_provider`` runs it without a double import.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FakeProvider", "Fault", "LoggedRequest"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tests.fakes import fake_provider

        return getattr(fake_provider, name)
    raise AttributeError(name)
