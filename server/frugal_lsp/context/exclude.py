"""Which files may never leave the machine: ``context.exclude`` globs and git-ignored files.

Both use git's pattern rules through ``pathspec``. ``.gitignore`` files are read once per
directory and cached by modification time, so the hot path never shells out to git.
"""

from __future__ import annotations

from pathlib import Path

import pathspec

_Spec = pathspec.GitIgnoreSpec


class Exclusions:
    """Answers "may anything from this file be sent?" for one workspace."""

    def __init__(self, globs: tuple[str, ...], workspace: Path | None, gitignore: bool) -> None:
        self._globs = pathspec.GitIgnoreSpec.from_lines(globs)
        self._workspace = workspace.resolve() if workspace else None
        self._gitignore = gitignore
        self._cache: dict[Path, tuple[float, _Spec | None]] = {}

    def is_excluded(self, path: Path) -> bool:
        if path.is_absolute():
            path = path.resolve()
        rel = self._relative(path)
        if self._globs.match_file(rel) or self._globs.match_file(path.name):
            return True
        return self._gitignore and self._git_ignored(path)

    def _relative(self, path: Path) -> str:
        if self._workspace is not None:
            if not path.is_absolute():
                return path.as_posix()
            try:
                return path.relative_to(self._workspace).as_posix()
            except ValueError:
                pass
        return path.name

    def _git_ignored(self, path: Path) -> bool:
        """Apply every ``.gitignore`` from the workspace root down to the file's folder."""
        root = self._workspace
        if root is None or not path.is_absolute():
            return False
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            return False
        folder = root
        for depth in range(len(parts)):
            spec = self._spec_for(folder)
            rest = "/".join(parts[depth:])
            if spec is not None and spec.match_file(rest):
                return True
            folder = folder / parts[depth]
        return False

    def _spec_for(self, folder: Path) -> _Spec | None:
        file = folder / ".gitignore"
        try:
            mtime = file.stat().st_mtime
        except OSError:
            return None
        cached = self._cache.get(folder)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self._cache[folder] = (mtime, spec)
        return spec
