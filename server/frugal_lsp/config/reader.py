"""A validating reader over one TOML table: typed getters that collect problems.

Each getter returns a usable value even when the input is bad (the default), and records
a problem naming the full key path, the bad value and what is allowed, so one run reports
everything that is wrong with a file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

_MISSING = object()


class Reader:
    def __init__(self, table: dict[str, Any], path: str, problems: list[str] | None = None):
        self.data = table
        self.path = path
        self.problems: list[str] = [] if problems is None else problems

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, value: object, allowed: str) -> None:
        self.problems.append(f"{self.key_path(key)} = {value!r}: expected {allowed}")

    def allow(self, *keys: str) -> None:
        """Report keys this table does not know, with the nearest known one."""
        for key in self.data:
            if key not in keys:
                near = difflib.get_close_matches(key, keys, n=1)
                hint = f"did you mean `{near[0]}`?" if near else f"known keys: {', '.join(keys)}"
                self.problems.append(f"{self.key_path(key)}: unknown key — {hint}")

    def _get(self, key: str, required: bool) -> Any:
        if key in self.data:
            return self.data[key]
        if required:
            self.problems.append(f"{self.key_path(key)}: missing — this key is required")
        return _MISSING

    # -- tables -----------------------------------------------------------------------

    def table(self, key: str) -> Reader | None:
        value = self._get(key, False)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.problem(key, value, f"a table, e.g. [{self.key_path(key)}]")
            return None
        return Reader(value, self.key_path(key), self.problems)

    def array_of_tables(self, key: str) -> list[Reader]:
        value = self._get(key, False)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(key, value, f"an array of tables, e.g. [[{self.key_path(key)}]]")
            return []
        return [Reader(v, f"{self.key_path(key)}[{i}]", self.problems) for i, v in enumerate(value)]

    # -- scalars ----------------------------------------------------------------------

    def string(self, key: str, required: bool = False) -> str | None:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or (required and not value):
            self.problem(key, value, "a non-empty string" if required else "a string")
            return None
        return value

    def choice(self, key: str, allowed: Sequence[str], default: str | None) -> str | None:
        value = self._get(key, default is None)
        if value is _MISSING:
            return default
        if value not in allowed:
            self.problem(key, value, "one of " + " | ".join(allowed))
            return default or allowed[0]
        return str(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.problem(key, value, "true or false")
            return default
        return value

    def integer(
        self,
        key: str,
        default: int,
        minimum: int | None = None,
        maximum: int | None = None,
        required: bool = False,
    ) -> int:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(key, value, "a whole number")
            return default
        return value if self._in_range(key, value, minimum, maximum) else default

    def optional_int(self, key: str, minimum: int | None = None) -> int | None:
        if key not in self.data:
            return None
        return self.integer(key, 0, minimum=minimum) if self.data[key] is not None else None

    def number(self, key: str, default: float, minimum: float | None = None) -> float:
        value = self._get(key, False)
        if value is _MISSING:
            return default
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.problem(key, value, "a number")
            return default
        return float(value) if self._in_range(key, value, minimum, None) else default

    def optional_number(self, key: str, default: float | None) -> float | None:
        if key not in self.data:
            return default
        return self.number(key, default or 0.0, minimum=0.0)

    def _in_range(self, key: str, value: float, low: float | None, high: float | None) -> bool:
        if low is not None and value < low:
            self.problem(key, value, f"at least {low}" + (f" and at most {high}" if high else ""))
            return False
        if high is not None and value > high:
            self.problem(key, value, f"at most {high}")
            return False
        return True

    # -- lists ------------------------------------------------------------------------

    def strings(self, key: str, default: Iterable[str]) -> list[str]:
        value = self._get(key, False)
        if value is _MISSING:
            return list(default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, value, 'a list of strings, e.g. ["a", "b"]')
            return list(default)
        return list(value)

    def numbers(self, key: str, default: Iterable[float]) -> list[float]:
        value = self._get(key, False)
        if value is _MISSING:
            return list(default)
        ok = isinstance(value, list) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value
        )
        if not ok:
            self.problem(key, value, "a list of numbers, e.g. [0.7, 0.9, 1.0]")
            return list(default)
        return [float(v) for v in value]
