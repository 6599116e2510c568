"""The workspace index on disk, so a restart re-parses only the files that changed.

One JSON file per workspace root under the state dir (``<cache parent>/workspace-index/``,
owner-only), named by a hash of the root's path. It holds signatures (already redacted)
and import lists, never bodies. A file of another format version, or one that does not
parse, is ignored and rebuilt: it is a cache, nothing depends on it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from frugal_lsp.context.workspace.imports import Import
from frugal_lsp.context.workspace.symbols import FileSymbols, Symbol
from frugal_lsp.context.workspace.uses import Use
from frugal_lsp.paths import StatePaths

log = logging.getLogger(__name__)

FORMAT = 3  # 2: definitions in module-level `if TYPE_CHECKING:`; 3: uses


def state_file(paths: StatePaths, root: Path) -> Path:
    digest = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:20]
    return paths.cache.parent / "workspace-index" / f"{digest}.json"


def save(path: Path, root: Path, entries: list[FileSymbols]) -> None:
    """Write atomically (a crash mid-write leaves the previous file)."""
    data = {"format": FORMAT, "root": str(root), "files": [_entry(e) for e in entries]}
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("workspace index: could not save %s: %s", path, exc)
        Path(tmp).unlink(missing_ok=True)


def load(path: Path, root: Path) -> dict[str, FileSymbols]:
    """The saved entries of ``root``; {} when there are none or they cannot be used."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("root") != str(root):
            return {}
        entries = [_read(e) for e in data["files"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if path.exists():
            log.warning("workspace index: ignoring %s (%s); rebuilding", path, exc)
        return {}
    return {e.path: e for e in entries}


def _entry(e: FileSymbols) -> dict[str, Any]:
    return {
        "p": e.path,
        "l": e.language,
        "s": e.size,
        "m": e.mtime_ns,
        "d": e.digest,
        "y": [[s.name, s.kind, s.line, s.signature, s.container] for s in e.symbols],
        "i": [[i.local, i.module, i.symbol, i.level] for i in e.imports],
        "u": [[u.name, u.attr, list(u.rows), u.bound] for u in e.uses],
    }


def _read(d: dict[str, Any]) -> FileSymbols:
    symbols = tuple(
        Symbol(str(n), str(k), int(ln), str(sig), str(c)) for n, k, ln, sig, c in d["y"]
    )
    imports = tuple(Import(str(a), str(m), str(s), int(lv)) for a, m, s, lv in d["i"])
    uses = tuple(Use(str(n), str(a), tuple(int(r) for r in rs), bool(b)) for n, a, rs, b in d["u"])
    return FileSymbols(
        str(d["p"]), str(d["l"]), int(d["s"]), int(d["m"]), str(d["d"]), symbols, imports, uses
    )
