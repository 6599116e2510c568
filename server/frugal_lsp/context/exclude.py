"""Which files may never leave the machine: ``context.exclude`` globs and git-ignored files.

Both use git's pattern rules through ``pathspec``. ``.gitignore`` files are read once per
directory and cached by modification time, so the hot path never shells out to git.
Credential files (``CREDENTIAL_FILES``: ``.netrc``, ``.aws/credentials``, ``.npmrc``,
``.pypirc`` …) are excluded whatever the configuration says — a user's ``exclude`` list
replaces the defaults, it must not let those out. A path is judged as written *and* as
resolved, and a link inside the workspace to a file outside it is excluded: no pattern can
vouch for a target nobody listed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pathspec

_Spec = pathspec.GitIgnoreSpec
CREDENTIAL_FILES: tuple[str, ...] = (
    ".netrc",
    "_netrc",
    ".npmrc",
    ".pypirc",
    ".pgpass",
    ".git-credentials",
    ".htpasswd",
    "credentials",  # ~/.aws/credentials, gcloud, …
    "**/.aws/**",
    "**/.ssh/**",
    "**/.docker/config.json",
    "**/.kube/config",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
)
_CREDENTIALS = pathspec.GitIgnoreSpec.from_lines(CREDENTIAL_FILES)


class Exclusions:
    """Answers "may anything from this file be sent?" for one workspace."""

    def __init__(self, globs: tuple[str, ...], workspace: Path | None, gitignore: bool) -> None:
        self._globs = pathspec.GitIgnoreSpec.from_lines(globs)
        self._workspace = workspace.resolve() if workspace else None
        self._gitignore = gitignore
        self._cache: dict[Path, tuple[float, _Spec | None]] = {}

    def is_excluded(self, path: Path) -> bool:
        if not path.is_absolute():
            return self._matches(path)
        written = Path(os.path.abspath(path))
        resolved = path.resolve()
        return (
            self._matches(written)
            or (resolved != written and self._matches(resolved))
            or self._escapes(written, resolved)
        )

    def _matches(self, path: Path) -> bool:
        rel = self._relative(path)
        if self._globs.match_file(rel) or self._globs.match_file(path.name):
            return True
        if _CREDENTIALS.match_file(path.as_posix().lstrip("/")):
            return True
        return self._gitignore and self._git_ignored(path)

    def _escapes(self, written: Path, resolved: Path) -> bool:
        """A link inside the workspace whose target lies outside it."""
        root = self._workspace
        return (
            root is not None and written.is_relative_to(root) and not resolved.is_relative_to(root)
        )

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
