"""How a cross-file definition is shown to the model: a function's signature, a method
under its class line, a class or module as an outline of its members — those sharing
name parts with the code around the cursor first. ``crossfile.py`` finds the
definitions; this module renders them."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from frugal_lsp.context.workspace.index import Target, WorkspaceIndex
from frugal_lsp.context.workspace.symbols import Symbol
from frugal_lsp.context.workspace.uses import code_of

OUTLINE_WIDTH = 72


@dataclass(frozen=True)
class CrossSnippet:
    """One definition from another file, as it will be shown to the model."""

    path: str  # workspace-relative
    line: int  # 0-based row of the signature
    name: str
    text: str  # the signature (with its class line for a method), redacted at index time
    outline: bool = False  # a class's or module's member list
    names: tuple[str, ...] = ()  # an outline's member name per line ("": always kept)
    # what found it: the index through the cursor's open "call", the class's "base",
    # a name "near" the cursor, elsewhere in the "file", "unbound" there; or "recent" edits
    source: str = "near"

    @property
    def origin(self) -> str:
        """How ``plan`` names it: ``cross-file: utils.py:12 parse_date``, or for a window of
        a recently edited file ``recent: utils.py:40``."""
        if self.source == "recent":
            return f"recent: {self.path}:{self.line + 1}"
        if self.line < 0:
            return f"cross-file: {self.path} (module {self.name})"
        return f"cross-file: {self.path}:{self.line + 1} {self.name}"


def snippet_for(index: WorkspaceIndex, target: Target, near: frozenset[str]) -> CrossSnippet:
    """A function's signature; a method's under its class line; a class as an outline:
    its signature, the member the code uses in full, then the first line of each other
    member's (public ones first); a module as the first lines of its top-level names."""
    s: Symbol = target.symbol
    entry = index.file(target.path)
    if s.kind == "module" and entry is not None:
        top = _ranked([x for x in entry.symbols if not x.container], near)
        lines, names = _outline(top, "", entry.language)
        return CrossSnippet(target.path, -1, s.name, "\n".join(lines), True, names)
    if s.kind == "class" and entry is not None:
        members = entry.members(s.name)
        head = [*s.signature.split("\n"), *(m.signature for m in members if m.name == target.focus)]
        head = "\n".join(head).split("\n")
        rest = _ranked([m for m in members if m.name != target.focus], near)
        body, names = _outline(rest, _indent(rest[0].signature) if rest else "", entry.language)
        lines = [*head, *body]
        names = ("",) * len(head) + names
        return CrossSnippet(target.path, s.line, s.name, "\n".join(lines), True, names)
    text = s.signature
    if s.container and entry is not None:
        owner = next((c for c in entry.named(s.container) if c.kind == "class"), None)
        if owner is not None:
            text = owner.signature.split("\n", 1)[0] + "\n" + text
    label = f"{s.container}.{s.name}" if s.container else s.name
    return CrossSnippet(target.path, s.line, label, text)


FULL_MEMBERS = 2  # members shown by signature; the rest by name, CHUNK to a line
CHUNK = 8
_ALSO = {"python": "# also: "}


def _outline(ranked: list[Symbol], indent: str, language: str) -> tuple[list[str], tuple[str, ...]]:
    """Outline lines and the member names per line: the best-ranked members by the first
    line of their signature, the rest as comma-separated names (a signature line costs
    ~15 tokens, a name ~2, and which member the line needs is rarely the first guess)."""
    full = ranked[:FULL_MEMBERS]
    lines = [_clip(m.signature.split("\n", 1)[0]) for m in full]
    names = [m.name for m in full]
    rest = [m.name for m in ranked[FULL_MEMBERS:]]
    lead = indent + _ALSO.get(language, "// also: ")
    for at in range(0, len(rest), CHUNK):
        chunk = rest[at : at + CHUNK]
        lines.append(lead + ", ".join(chunk))
        names.append(" ".join(chunk))
    return lines, tuple(names)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def without_names(line: str, names: str, drop: Callable[[str], bool]) -> str:
    """A names line (``# also: a, b``) without the names ``drop`` picks; "" if none stay."""
    kept = [n for n in names.split(" ") if not drop(n)]
    if not kept:
        return ""
    lead = line[: line.index(": ") + 2]
    return lead + ", ".join(kept)


_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@functools.lru_cache(maxsize=8192)
def _parts(name: str) -> frozenset[str]:
    """``pad_right`` -> {pad, right}, ``getRenderable`` -> {get, renderable}."""
    return frozenset(p.lower() for p in _PART.findall(name) if len(p) > 2)


def near_parts(lines: list[str] | tuple[str, ...], rows: range) -> frozenset[str]:
    """The name parts of the code around the cursor (what the members are ranked by)."""
    words: set[str] = set()
    for r in rows:
        if 0 <= r < len(lines):
            words.update(_REF_WORD.findall(code_of(lines[r])))
    return frozenset(p for w in words for p in _parts(w))


_REF_WORD = re.compile(r"[A-Za-z_$][\w$]*")


def _ranked(members: list[Symbol], near: frozenset[str]) -> list[Symbol]:
    """Members sharing the most name parts with the code around the cursor first (its
    ``pad_left`` makes ``pad_right`` likely), then constructors, public, private."""
    return sorted(members, key=lambda m: (-len(_parts(m.name) & near), *_member_order(m)))


def _member_order(s: Symbol) -> tuple[int, int]:
    """Constructors first, then public members, then private ones, then other dunders."""
    if s.name in {"__init__", "constructor", "__new__"}:
        rank = 0
    elif s.name.startswith("__"):
        rank = 3
    elif s.name.startswith(("_", "#")):
        rank = 2
    else:
        rank = 1
    return rank, s.line


def _clip(line: str, width: int = OUTLINE_WIDTH) -> str:
    """One outline line: enough of a signature to show the name and the first parameters."""
    return line if len(line) <= width else line[: width - 2].rstrip() + " …"
