"""Resolve a traceback's frames to the workspace functions they name.

Diagnostic text is untrusted input (any tool, or anyone who can write a log line, can
put a path in it): a frame is read from disk only when it resolves to a file inside a
real workspace root, passes the exclusions both as written and as resolved, and is a
plain text file of reasonable size. Without a workspace root (``rootUri: null``) nothing
is read from disk: only the open document, already in memory, can be quoted.
"""

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


MAX_FILE_BYTES = 2_000_000


def excerpts_for(
    request: ContextRequest,
    workspace: Path | None,
    is_excluded: Callable[[Path], bool],
    scoper: FindsScopes,
) -> tuple[Excerpt, ...]:
    """One excerpt per workspace function named in the diagnostic's frames, in frame order."""
    current = request.document.path
    shown_from = workspace or current.parent
    excerpts: list[Excerpt] = []
    seen: set[tuple[Path, int]] = set()
    for frame in parse_frames(request.diagnostic):
        path = resolve(frame.path, workspace, current, is_excluded)
        if path is None:
            continue
        doc = _document(path, request.document)
        if doc is None:
            continue
        found = _function_of(doc, frame, scoper)
        if found is None or (path, found.scope.start_line) in seen:
            continue
        seen.add((path, found.scope.start_line))
        excerpts.append(_excerpt(doc, found, frame, shown_from))
    return tuple(excerpts[-MAX_EXCERPTS:])


def resolve(
    written: str,
    root: Path | None,
    current: Path,
    is_excluded: Callable[[Path], bool] = lambda _: False,
) -> Path | None:
    """The frame's file: the open document, or a file inside ``root``; else None (library
    code, missing or excluded files, anything at all when there is no root)."""
    raw = Path(written.removeprefix("file://"))
    bases = [current.parent] if root is None else [root, current.parent]
    candidates = [raw] if raw.is_absolute() else [base / raw for base in bases]
    for candidate in candidates:
        try:
            path = candidate.resolve()
        except (OSError, RuntimeError, ValueError):
            continue
        if is_excluded(candidate) or is_excluded(path):
            continue
        if path == current or path == _resolved(current):
            return current
        if root is not None and path.is_relative_to(root) and path.is_file():
            return path
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path


def _document(path: Path, current: Document) -> Document | None:
    """The frame's document; None for files too large or not text (never read whole)."""
    if path == current.path:
        return current
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        doc = Document.from_file(path)
    except (OSError, ValueError):
        return None
    return None if "\x00" in doc.text else doc


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
