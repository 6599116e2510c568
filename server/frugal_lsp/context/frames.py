"""Stack frames named in a traceback or diagnostic: Python, Node, Java, Go, Rust, compilers."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Frame:
    """One frame: the file as written in the text, its 1-based line, the function if named."""

    path: str
    line: int
    name: str = ""


_PATTERNS = (
    # Python:   File "/ws/app.py", line 12, in handler
    re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)(?:, in (?P<name>[\w.<>]+))?'),
    # Node:     at Foo.bar (/ws/src/a.js:10:5)   |   at /ws/src/a.js:10:5
    re.compile(
        r"\bat (?:(?:async )?(?P<name>[\w$.<>\[\] ]+?) \()?(?:file://)?"
        r"(?P<path>[^\s()]+?):(?P<line>\d+):\d+\)?"
    ),
    # Java:     at com.acme.Foo.bar(Foo.java:42)
    re.compile(r"\bat (?P<name>[\w$.]+)\((?P<path>[\w$.-]+\.\w+):(?P<line>\d+)\)"),
    # Go / Rust / gcc / clang / tsc-like:   /ws/main.go:12 +0x1d   src/lib.rs:3:9   a.c:7:5: error
    re.compile(r"(?P<path>(?:[A-Za-z]:)?[\w./\\-]+\.\w{1,5})[:(](?P<line>\d+)"),
)
_CALLEE = re.compile(r"[\w:.()*$<>]+")


def parse_frames(text: str) -> list[Frame]:
    """Every distinct frame in ``text``, in the order written."""
    frames: list[Frame] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        frame = _frame_on(line, lines[i - 1] if i else "")
        if frame is not None and frame not in frames:
            frames.append(frame)
    return frames


def _frame_on(line: str, previous: str) -> Frame | None:
    for pattern in _PATTERNS:
        m = pattern.search(line)
        if m is None:
            continue
        name = (m.groupdict().get("name") or "").strip()
        if not name:
            name = _name_above(previous)
        return Frame(m.group("path"), int(m.group("line")), short_name(name))
    return None


def _name_above(previous: str) -> str:
    """Go and Rust print the function on the line above its file:line."""
    s = re.sub(r"^\d+:\s*", "", previous.strip())
    s = re.sub(r"\([^()]*\)\s*$", "", s)  # Go prints the call's arguments
    return s if _CALLEE.fullmatch(s) else ""


def short_name(name: str) -> str:
    """The function's own name: ``pkg.(*T).Method`` → ``Method``, ``Foo.bar`` → ``bar``."""
    name = re.sub(r"\(.*?\)", "", name).replace("::", ".").strip(". ")
    tail = name.rsplit(".", 1)[-1] if name else ""
    return "" if tail in {"<module>", "<anonymous>"} else tail
