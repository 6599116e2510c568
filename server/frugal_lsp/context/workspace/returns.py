"""What a call gives back, read from the callee's indexed signature.

``conn = self._get_conn()`` with ``def _get_conn(self, timeout=None) -> BaseHTTPConnection:``
makes ``conn.`` a ``BaseHTTPConnection``: the class whose members the line needs. Only
written-down return annotations count (Python ``-> X``); nothing is guessed from bodies.
"""

from __future__ import annotations

import re

# `x = self.m(`, `x = await mod.f(`, `x = f(`: the variable, the receiver, the callee
_CALL_RESULT = re.compile(
    r"(?<![\w$.])([a-z_$][\w$]*)\s*=\s*(?:await\s+)?"
    r"(?:([A-Za-z_$][\w$]*)\s*\.\s*)?([A-Za-z_$][\w$]*)\s*\("
)
_ARROW = re.compile(r"->\s*(.+?)\s*:\s*(?:#.*)?$")
_WRAPPERS = ("Optional[", "typing.Optional[", "t.Optional[", "Type[", "type[")
_CLASS_NAME = re.compile(r"[A-Z][\w]*")


def call_results(line: str) -> list[tuple[str, str, str]]:
    """(variable, receiver or "", callee) for each ``x = [recv.]f(...)`` on ``line``."""
    return [(m.group(1), m.group(2) or "", m.group(3)) for m in _CALL_RESULT.finditer(line)]


def return_class(signature: str) -> str:
    """The class a signature's return annotation names (``-> "X | None"`` -> ``X``);
    "" when it names none, or a container (``List[X]``), or a builtin."""
    for line in signature.split("\n"):
        m = _ARROW.search(line.strip())
        if m is None:
            continue
        written = m.group(1).strip().strip("\"'")
        for wrapper in _WRAPPERS:
            if written.startswith(wrapper) and written.endswith("]"):
                written = written[len(wrapper) : -1].strip().strip("\"'")
        parts = [p.strip().strip("\"'") for p in written.split("|")]
        named = [p for p in parts if p not in {"None", "NoneType"}]
        if len(named) != 1:
            return ""
        name = named[0].rsplit(".", 1)[-1]
        return name if _CLASS_NAME.fullmatch(name) and name != "Self" else ""
    return ""
