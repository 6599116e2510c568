"""Import resolution: which indexed file an import statement names.

Python: absolute imports by the module's full dotted name (the package chain of
``__init__.py`` folders above a file counts, so ``pip._vendor.rich.console`` resolves when
the workspace is ``rich/`` itself), then by the longest dotted suffix; relative imports
from the importing file's package. JavaScript/TypeScript: relative specifiers
(``./util``, ``../lib/x``) with the usual extensions and ``index`` files; bare package
names (``node_modules``) are not indexed and resolve to nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from frugal_lsp.context.workspace.imports import JS_LANGUAGES, Import

JS_EXTENSIONS = (".js", ".ts", ".tsx", ".jsx", ".mjs", ".cjs", ".d.ts")


class ModuleMap:
    """Dotted Python module names and file paths of the indexed files."""

    def __init__(self) -> None:
        self.by_dotted: dict[str, str] = {}  # "pkg.mod" -> "pkg/mod.py"
        self.by_tail: dict[str, list[str]] = {}  # "mod" -> every dotted name ending so
        self.paths: set[str] = set()

    def add(self, path: str, dotted: str) -> None:
        self.paths.add(path)
        if dotted:
            self.by_dotted[dotted] = path
            self.by_tail.setdefault(dotted.rsplit(".", 1)[-1], []).append(dotted)

    def remove(self, path: str) -> None:
        self.paths.discard(path)
        for dotted in [d for d, p in self.by_dotted.items() if p == path]:
            del self.by_dotted[dotted]
            tails = self.by_tail.get(dotted.rsplit(".", 1)[-1], [])
            if dotted in tails:
                tails.remove(dotted)

    def python(self, module: str) -> str | None:
        """The file of an absolute module name: exact, else the longest suffix match."""
        if not module:
            return None
        if module in self.by_dotted:
            return self.by_dotted[module]
        best: tuple[int, str] | None = None
        for dotted in self.by_tail.get(module.rsplit(".", 1)[-1], ()):
            common = _common_suffix(dotted.split("."), module.split("."))
            if common and (best is None or common > best[0]):
                best = (common, dotted)
        return self.by_dotted[best[1]] if best else None


def dotted_name(path: str, package_prefix: str = "") -> str:
    """``pkg/sub/mod.py`` -> ``pkg.sub.mod``; ``pkg/__init__.py`` -> ``pkg``."""
    p = PurePosixPath(path)
    if p.suffix not in {".py", ".pyi"}:
        return ""
    parts = list(p.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    name = ".".join(parts)
    return ".".join(x for x in (package_prefix, name) if x)


def target_of(imp: Import, importer: str, language: str, modules: ModuleMap) -> str | None:
    """The indexed file ``imp`` (made in file ``importer``) refers to; None if unindexed."""
    if language == "python":
        return _python_target(imp, importer, modules)
    if language in JS_LANGUAGES:
        return _js_target(imp.module, importer, modules.paths)
    return None


def submodule_of(imp: Import, importer: str, modules: ModuleMap) -> str | None:
    """``from pkg import mod``: the file of ``pkg.mod`` when ``mod`` is a module."""
    if not imp.symbol or imp.symbol == "*":
        return None
    base = _python_target(Import(imp.local, imp.module, "", imp.level), importer, modules)
    if base is None or not base.endswith("__init__.py"):
        if imp.level and not imp.module:  # `from . import mod`
            folder = PurePosixPath(importer).parent
            return _first(modules.paths, _py_candidates(folder, imp.symbol))
        return None
    folder = PurePosixPath(base).parent
    return _first(modules.paths, _py_candidates(folder, imp.symbol))


def _python_target(imp: Import, importer: str, modules: ModuleMap) -> str | None:
    if imp.level == 0:
        return modules.python(imp.module)
    folder = PurePosixPath(importer).parent
    for _ in range(imp.level - 1):
        folder = folder.parent
    if not imp.module:
        return _first(modules.paths, [(folder / "__init__.py").as_posix()])
    return _first(modules.paths, _py_candidates(folder, imp.module))


def _py_candidates(folder: PurePosixPath, module: str) -> list[str]:
    base = folder.joinpath(*module.split("."))
    return [f"{base}.py", f"{base}.pyi", f"{base}/__init__.py"]


def _js_target(specifier: str, importer: str, paths: set[str]) -> str | None:
    if not specifier.startswith("."):
        return None
    joined = PurePosixPath(importer).parent / specifier
    base = _normalise(joined)
    if base is None:
        return None
    candidates = [base, *(base + ext for ext in JS_EXTENSIONS)]
    candidates += [f"{base}/index{ext}" for ext in JS_EXTENSIONS]
    if base.endswith(".js"):  # TypeScript sources imported by their compiled name
        candidates += [base[:-3] + ".ts", base[:-3] + ".tsx"]
    return _first(paths, candidates)


def _normalise(path: PurePosixPath) -> str | None:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None  # outside the workspace
            parts.pop()
        elif part not in {".", ""}:
            parts.append(part)
    return "/".join(parts)


def _first(paths: set[str], candidates: Iterable[str]) -> str | None:
    for c in candidates:
        c = c.removeprefix("./")
        if c in paths:
            return c
    return None


def _common_suffix(a: list[str], b: list[str]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n
