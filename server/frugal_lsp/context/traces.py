"""Resolve a traceback's frames to the workspace functions they name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from frugal_lsp.context.budget import Line
from frugal_lsp.context.document import Document
from frugal_lsp.context.found import Found
from frugal_lsp.context.frames import Frame, parse_frames
from frugal_lsp.context.policies.base import Excerpt
from frugal_lsp.context.redact import redact_lines
from frugal_lsp.context.request import ContextRequest

MAX_EXCERPTS = 8


class FindsScopes(Protocol):
    def find(self, doc: Document, row: int, column: int) -> Found: ...

    def find_named(self, doc: Document, name: str) -> Found | None: ...


def excerpts_for(
    request: ContextRequest,
    workspace: Path | None,
    is_excluded: Callable[[Path], bool],
    scoper: FindsScopes,
) -> tuple[Excerpt, ...]:
    """One excerpt per workspace function named in the diagnostic's frames, in frame order."""
    root = workspace or request.document.path.parent
    excerpts: list[Excerpt] = []
    seen: set[tuple[Path, int]] = set()
    for frame in parse_frames(request.diagnostic):
        path = resolve(frame.path, root, request.document.path)
        if path is None or is_excluded(path):
            continue
        doc = _document(path, request.document)
        found = _function_of(doc, frame, scoper)
        if found is None or (path, found.scope.start_line) in seen:
            continue
        seen.add((path, found.scope.start_line))
        excerpts.append(_excerpt(doc, found, frame, root))
    return tuple(excerpts[-MAX_EXCERPTS:])


def resolve(written: str, root: Path, current: Path) -> Path | None:
    """The frame's file inside ``root``, or None (library code, missing files)."""
    raw = Path(written.removeprefix("file://"))
    candidates = [raw] if raw.is_absolute() else [root / raw, current.parent / raw]
    for candidate in candidates:
        try:
            path = candidate.resolve()
        except OSError:
            continue
        if (path == current or path.is_file()) and path.is_relative_to(root):
            return path
    return None


def _document(path: Path, current: Document) -> Document:
    return current if path == current.path else Document.from_file(path)


def _function_of(doc: Document, frame: Frame, scoper: FindsScopes) -> Found | None:
    row = frame.line - 1
    if not 0 <= row < len(doc.lines):
        return scoper.find_named(doc, frame.name) if frame.name else None
    found = scoper.find(doc, row, 0)
    if frame.name and found.scope.name != frame.name:
        return scoper.find_named(doc, frame.name) or found
    return found


def _excerpt(doc: Document, found: Found, frame: Frame, root: Path) -> Excerpt:
    scope = found.scope
    rows = set(range(scope.start_line, scope.end_line + 1)) | set(found.outer)
    text = redact_lines(doc.lines, rows)
    try:
        shown = doc.path.relative_to(root).as_posix()
    except ValueError:
        shown = doc.path.name
    label = f"{shown}: {scope.name or frame.name or scope.kind} (line {frame.line})"
    return Excerpt(label, tuple(Line(n, text[n]) for n in sorted(text)))
