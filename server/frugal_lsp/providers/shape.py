"""Typed reads of decoded JSON: every wrong shape becomes one ``ShapeError``.

Providers read responses through these helpers inside ``HttpBoundary.shape()``, which turns
a ``ShapeError`` into ``BadResponse`` naming the URL. Absent and null values read as None.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]


class ShapeError(Exception):
    """A decoded JSON value is not what the wire format documents."""


def obj(value: Any, what: str) -> JsonObject:
    if not isinstance(value, dict):
        raise ShapeError(f"{what} should be an object, got {_name(value)}")
    return value


def opt_obj(value: Any, what: str) -> JsonObject | None:
    return None if value is None else obj(value, what)


def items(value: Any, what: str) -> list[Any]:
    """A list; null reads as empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ShapeError(f"{what} should be a list, got {_name(value)}")
    return value


def opt_str(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ShapeError(f"{what} should be a string, got {_name(value)}")


def opt_int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise ShapeError(f"{what} should be a whole number, got {value!r}")
    return int(value)


def _name(value: Any) -> str:
    return "null" if value is None else type(value).__name__
