"""The workspace index: every indexable file's symbols and imports, kept current.

Built off the request path (``start()`` runs the first build in a thread; queries read
whatever is there, never wait). Files the context may not send (``context.exclude``,
``.gitignore``, credential files) are not indexed at all; nor are binary or oversized
files, folders such as ``node_modules`` or ``.git``, or more than ``max_files`` files.
An entry is trusted again after a restart when its size and mtime match; when only the
mtime moved, the content digest decides (``store.py`` persists the entries).

Thread-safety: one lock guards the maps; each update replaces whole entries, so a reader
sees either the old or the new entry of a file, never half of one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from frugal_lsp.context.document import language_for
from frugal_lsp.context.workspace import store
from frugal_lsp.context.workspace.imports import Import
from frugal_lsp.context.workspace.resolve import ModuleMap, dotted_name, submodule_of, target_of
from frugal_lsp.context.workspace.symbols import FileSymbols, Symbol, extract

log = logging.getLogger(__name__)

MAX_FILES = 5000
MAX_FILE_BYTES = 1_000_000
MAX_WALKED = 200_000  # directory entries looked at, indexable or not
INDEXED = frozenset({"python", "javascript", "javascriptreact", "typescript", "typescriptreact"})
INDEXED_SUFFIXES = (".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx")
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache",
     ".ruff_cache", ".pytest_cache", "dist", "build", ".next", "site-packages"}
)  # fmt: skip
Progress = Callable[[int, int], None]  # (files done, files found)


@dataclass(frozen=True)
class Target:
    """Where a name used in one file is defined in another."""

    path: str
    symbol: Symbol
    focus: str = ""  # for a class: the member the code uses, shown first and in full


class WorkspaceIndex:
    """Symbols of the workspace's files, by file and by name."""

    def __init__(
        self,
        root: Path,
        is_excluded: Callable[[Path], bool] = lambda _: False,
        max_files: int = MAX_FILES,
        max_file_bytes: int = MAX_FILE_BYTES,
        state: Path | None = None,
    ) -> None:
        self.root = root.resolve()
        self.state = state  # where the index is persisted (store.py); None: not at all
        self.is_excluded = is_excluded
        self.max_files = max_files
        self.max_file_bytes = max_file_bytes
        self.generation = 0  # bumped on every change: prompt memos key on it
        self.ready = False
        self.truncated = False  # more files than max_files: the rest is not indexed
        self.build_seconds = 0.0
        self._files: dict[str, FileSymbols] = {}
        self._modules = ModuleMap()
        self._by_name: dict[str, set[str]] = {}  # symbol name -> files defining it
        self._prefix = _package_prefix(self.root)
        self._rels: dict[Path, str | None] = {}  # resolving costs syscalls: once per path
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # -- building --------------------------------------------------------------------

    def start(
        self, progress: Progress | None = None, done: Callable[[], None] | None = None
    ) -> None:
        """The first build in a background thread; queries meanwhile see what is indexed."""
        if self._thread is not None:
            return

        def run() -> None:
            try:
                self.build(progress)
            except Exception:  # a background build must never take the server down
                log.exception("workspace index: build failed")
            finally:
                if done is not None:
                    done()

        self._thread = threading.Thread(target=run, name="workspace-index", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.ready

    def build(
        self, progress: Progress | None = None, known: dict[str, FileSymbols] | None = None
    ) -> int:
        """Index every file under the root; ``known`` entries are reused when still current.
        Returns how many files were parsed (the rest came from ``known``, by default the
        index saved by the previous session)."""
        t0 = time.perf_counter()
        if known is None and self.state is not None:
            known = store.load(self.state, self.root)
        paths = list(self._walk())
        parsed = 0
        for n, path in enumerate(paths):
            rel = self._rel(path)
            if rel is None:
                continue
            reused = known.get(rel) if known else None
            if reused is None or not self._still_current(path, reused):
                parsed += self.refresh(path) is not None
            else:
                self._put(reused)
            if progress is not None and (n % 50 == 0 or n == len(paths) - 1):
                progress(n + 1, len(paths))
        self.build_seconds = time.perf_counter() - t0
        self.ready = True
        self.save()
        return parsed

    def save(self) -> None:
        if self.state is not None:
            store.save(self.state, self.root, self.entries())

    def _walk(self) -> Iterator[Path]:
        count = seen = 0
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            base = Path(folder)
            seen += len(files)
            if seen > MAX_WALKED:  # a home folder opened as a workspace: stop looking
                self.truncated = True
                return
            for name in sorted(files):
                path = base / name
                if language_for(path) not in INDEXED or self.is_excluded(path):
                    continue
                if count >= self.max_files:
                    self.truncated = True
                    return
                count += 1
                yield path

    # -- keeping it current ----------------------------------------------------------

    def refresh(self, path: Path) -> FileSymbols | None:
        """Re-read ``path`` from disk (saved, created, changed outside the editor)."""
        rel = self._rel(path)
        if rel is None or language_for(path) not in INDEXED or self.is_excluded(path):
            return None
        try:
            stat = path.stat()
            if stat.st_size > self.max_file_bytes:
                self.remove(path)
                return None
            data = path.read_bytes()
        except OSError:
            self.remove(path)
            return None
        if b"\x00" in data[:8192]:
            return None
        old = self._files.get(rel)
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if old is not None and old.digest == digest:
            entry = replace(old, size=stat.st_size, mtime_ns=stat.st_mtime_ns)
            self._put(entry, bump=False)
            return entry
        text = data.decode("utf-8", "replace")
        return self._index_text(
            rel, language_for(path), text, stat.st_size, stat.st_mtime_ns, digest
        )

    def update(self, path: Path, text: str) -> FileSymbols | None:
        """The editor's unsaved text of ``path`` (didOpen/didChange)."""
        rel = self._rel(path)
        if rel is None or language_for(path) not in INDEXED or self.is_excluded(path):
            return None
        data = text.encode("utf-8", "replace")
        if len(data) > self.max_file_bytes:
            return None
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        old = self._files.get(rel)
        if old is not None and old.digest == digest:
            return old
        return self._index_text(rel, language_for(path), text, len(data), 0, digest)

    def prune(self) -> int:
        """Drop the entries of files that are excluded now (the exclusions changed);
        returns how many went."""
        gone = [e.path for e in self.entries() if self.is_excluded(self.root / e.path)]
        for rel in gone:
            self.remove(self.root / rel)
        return len(gone)

    def remove(self, path: Path) -> None:
        rel = self._rel(path)
        if rel is None:
            return
        with self._lock:
            old = self._files.pop(rel, None)
            if old is not None:
                self._modules.remove(rel)
                self._unname(old)
                self.generation += 1

    def _index_text(
        self, rel: str, language: str, text: str, size: int, mtime_ns: int, digest: str
    ) -> FileSymbols:
        symbols, imports, uses = extract(language, text)
        entry = FileSymbols(rel, language, size, mtime_ns, digest, symbols, imports, uses)
        self._put(entry)
        return entry

    def _put(self, entry: FileSymbols, bump: bool = True) -> None:
        with self._lock:
            if entry.path not in self._files and len(self._files) >= self.max_files:
                self.truncated = True
                return
            old = self._files.get(entry.path)
            if old is not None:
                self._unname(old)
            self._files[entry.path] = entry
            self._modules.add(entry.path, dotted_name(entry.path, self._prefix))
            for s in entry.symbols:
                self._by_name.setdefault(s.name, set()).add(entry.path)
            if bump:
                self.generation += 1

    def _unname(self, entry: FileSymbols) -> None:
        for s in entry.symbols:
            files = self._by_name.get(s.name)
            if files is not None:
                files.discard(entry.path)
                if not files:
                    del self._by_name[s.name]

    def _still_current(self, path: Path, entry: FileSymbols) -> bool:
        try:
            stat = path.stat()
        except OSError:
            return False
        if stat.st_size != entry.size:
            return False
        if stat.st_mtime_ns == entry.mtime_ns:
            return True
        try:
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        except OSError:
            return False
        return digest == entry.digest

    # -- queries ---------------------------------------------------------------------

    def entries(self) -> list[FileSymbols]:
        with self._lock:
            return list(self._files.values())

    def file(self, path: Path | str) -> FileSymbols | None:
        rel = path if isinstance(path, str) else self._rel(path)
        return self._files.get(rel) if rel is not None else None

    def __len__(self) -> int:
        return len(self._files)

    def resolve(self, importer: Path, imp: Import, language: str) -> list[Target]:
        """The definitions ``imp`` (in file ``importer``) binds, in other indexed files."""
        rel = self._rel(importer)
        if rel is None:
            return []
        with self._lock:
            if language == "python":
                sub = submodule_of(imp, rel, self._modules)
                if sub is not None:
                    return [Target(sub, Symbol(imp.local, "module", -1, "", ""))]
            path = target_of(imp, rel, language, self._modules)
            entry = self._files.get(path) if path else None
        if entry is None or path == rel:
            return []
        if not imp.symbol or imp.symbol == "default":
            return [Target(entry.path, Symbol(imp.local, "module", -1, "", ""))]
        return [Target(entry.path, s) for s in entry.named(imp.symbol)]

    def defined(self, name: str, methods: bool = False, limit: int = 2) -> list[Target]:
        """Where ``name`` is defined at module level (or, with ``methods``, as a method)
        anywhere in the workspace: a last resort, so a name that more than ``limit``
        files define means nothing and gives nothing."""
        with self._lock:
            files = self._by_name.get(name, set())
            if not files or len(files) > limit:
                return []
            found = [(p, s) for p in sorted(files) for s in self._files[p].named(name)]
        return [Target(p, s) for p, s in found if bool(s.container) == methods]

    def file_key(self, path: Path) -> str | None:
        """``path`` as the index names it (workspace-relative); None outside the root."""
        return self._rel(path)

    def _rel(self, path: Path) -> str | None:
        cached = self._rels.get(path)
        if cached is not None or path in self._rels:
            return cached
        try:
            rel: str | None = path.resolve().relative_to(self.root).as_posix()
        except (ValueError, OSError, RuntimeError):
            rel = None
        if len(self._rels) > 4 * self.max_files:
            self._rels.clear()
        self._rels[path] = rel
        return rel


def _package_prefix(root: Path) -> str:
    """The dotted package name of ``root`` itself when it sits inside Python packages."""
    parts: list[str] = []
    folder = root
    while (folder / "__init__.py").is_file() and folder.name:
        parts.append(folder.name)
        folder = folder.parent
    return ".".join(reversed(parts))
