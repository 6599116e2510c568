"""The workspace: an index of every file's definitions, cross-file context from it, and
the windows of recently edited files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from frugal_lsp.context.workspace.crossfile import CrossFile
from frugal_lsp.context.workspace.index import WorkspaceIndex
from frugal_lsp.context.workspace.outline import CrossSnippet
from frugal_lsp.context.workspace.recent import RecentEdits
from frugal_lsp.context.workspace.store import state_file
from frugal_lsp.paths import StatePaths


def open_index(
    root: Path | None, paths: StatePaths, is_excluded: Callable[[Path], bool]
) -> WorkspaceIndex | None:
    """The index of ``root`` (not built yet: ``start()`` or ``build()``), persisted under
    the state dir; None without a workspace root (nothing on disk may be read then)."""
    if root is None:
        return None
    return WorkspaceIndex(root, is_excluded, state=state_file(paths, root))


def open_recent(root: Path | None, is_excluded: Callable[[Path], bool]) -> RecentEdits | None:
    """The record of recently edited documents under ``root``; None without a root (a path
    outside any workspace would be shown to the model as written)."""
    return RecentEdits(root, is_excluded) if root is not None else None


__all__ = [
    "CrossFile",
    "CrossSnippet",
    "RecentEdits",
    "WorkspaceIndex",
    "open_index",
    "open_recent",
]
