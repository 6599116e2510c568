"""The workspace index: what it holds, what it leaves out, how it stays current and restarts."""

from __future__ import annotations

import json
import os
from pathlib import Path

from frugal_lsp.context.exclude import Exclusions
from frugal_lsp.context.workspace import WorkspaceIndex
from frugal_lsp.context.workspace.imports import Import, parse_imports
from frugal_lsp.context.workspace.store import load, save

UTILS = '''"""Helpers."""
import re

DATE_FORMAT = "%Y-%m-%d"


def parse_date(text: str, *, strict: bool = True) -> "Date":
    """Parse an ISO date; raise ValueError when strict."""
    body_line_that_must_not_be_indexed = 1
    return body_line_that_must_not_be_indexed


class Date:
    """A calendar day."""

    def __init__(self, year: int, month: int, day: int) -> None:
        self.year = year

    def shifted(self, days: int) -> "Date":
        return self
'''


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_signatures_and_docstring_first_lines_are_indexed_never_bodies(tmp_path: Path) -> None:
    write(tmp_path, "pkg/utils.py", UTILS)
    index = WorkspaceIndex(tmp_path)
    index.build()
    entry = index.file("pkg/utils.py")
    assert entry is not None
    by_name = {s.name: s for s in entry.symbols}
    sig = by_name["parse_date"].signature
    assert sig.startswith("def parse_date(text: str, *, strict: bool = True)")
    assert '"""Parse an ISO date; raise ValueError when strict."""' in sig
    assert "body_line_that_must_not_be_indexed" not in json.dumps(
        [s.signature for s in entry.symbols]
    )
    assert by_name["shifted"].container == "Date" and by_name["shifted"].kind == "method"
    assert by_name["DATE_FORMAT"].kind == "name"
    assert by_name["parse_date"].line == 6  # 0-based row of the def line
    assert Import("re", "re") in entry.imports


def test_secrets_in_signatures_are_redacted_before_they_are_stored(tmp_path: Path) -> None:
    key = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4"
    write(tmp_path, "conf.py", f'API_KEY = "{key}"\n\n\ndef call(token="{key}"):\n    pass\n')
    index = WorkspaceIndex(tmp_path, state=tmp_path / "state" / "index.json")
    index.build()
    stored = (tmp_path / "state" / "index.json").read_text(encoding="utf-8")
    assert key not in stored
    assert "<redacted:" in stored


def test_excluded_ignored_binary_oversized_and_vendor_folders_are_not_indexed(
    tmp_path: Path,
) -> None:
    write(tmp_path, ".gitignore", "generated/\n")
    write(tmp_path, "app.py", "def ok():\n    pass\n")
    write(tmp_path, "generated/out.py", "def ignored():\n    pass\n")
    write(tmp_path, "secrets/keys.py", "def hidden():\n    pass\n")
    write(tmp_path, "node_modules/lib/index.js", "function vendored() {}\n")
    write(tmp_path, "big.py", "x = 1\n" * 300_000)
    (tmp_path / "blob.py").write_bytes(b"def f():\x00\x01\x02 pass\n")
    exclusions = Exclusions(("secrets/**",), tmp_path, True)
    index = WorkspaceIndex(tmp_path, exclusions.is_excluded, max_file_bytes=1_000_000)
    index.build()
    assert sorted(e.path for e in index.entries()) == ["app.py"]


def test_the_file_count_is_bounded(tmp_path: Path) -> None:
    for n in range(12):
        write(tmp_path, f"m{n:02}.py", f"def f{n}():\n    pass\n")
    index = WorkspaceIndex(tmp_path, max_files=5)
    index.build()
    assert len(index) == 5 and index.truncated


def test_editor_text_disk_changes_and_deletions_update_the_index(tmp_path: Path) -> None:
    path = write(tmp_path, "utils.py", "def old_name():\n    pass\n")
    index = WorkspaceIndex(tmp_path)
    index.build()
    generation = index.generation
    index.update(path, "def typed_name(a, b):\n    pass\n")  # didChange, unsaved
    assert [t.symbol.name for t in index.defined("typed_name")] == ["typed_name"]
    assert index.defined("old_name") == []
    assert index.generation > generation
    path.write_text("def saved_name():\n    pass\n", encoding="utf-8")
    index.refresh(path)  # didSave / watched file changed
    assert index.defined("typed_name") == [] and len(index.defined("saved_name")) == 1
    path.unlink()
    index.remove(path)  # watched file deleted
    assert len(index) == 0 and index.defined("saved_name") == []


def test_a_restart_reuses_unchanged_entries_and_reparses_changed_ones(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    a = write(root, "a.py", "def a():\n    pass\n")
    write(root, "b.py", "def b():\n    pass\n")
    state = tmp_path / "state.json"
    assert WorkspaceIndex(root, state=state).build() == 2  # parsed both
    again = WorkspaceIndex(root, state=state)
    assert again.build() == 0  # size + mtime match: nothing parsed
    assert {e.path for e in again.entries()} == {"a.py", "b.py"}
    os.utime(a, ns=(1, 1))  # touched, same bytes: the digest decides, no re-parse
    assert WorkspaceIndex(root, state=state).build() == 0
    a.write_text("def a_changed():\n    pass\n", encoding="utf-8")
    third = WorkspaceIndex(root, state=state)
    assert third.build() == 1
    assert third.defined("a_changed") and not third.defined("a")


def test_a_corrupt_or_foreign_state_file_is_ignored(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json", encoding="utf-8")
    assert load(state, tmp_path) == {}
    save(state, tmp_path / "other-root", [])
    assert load(state, tmp_path) == {}


def test_python_imports_are_read_with_aliases_levels_and_parentheses() -> None:
    text = (
        "import os.path as op, sys\n"
        "from . import errors, themes\n"
        "from ..core.segment import (\n    Segment,\n    Segments as Segs,  # comment\n)\n"
        "from .style import *\n"
    )
    found = parse_imports("python", text)
    assert Import("op", "os.path") in found and Import("sys", "sys") in found
    assert Import("errors", "", "errors", 1) in found
    assert Import("Segs", "core.segment", "Segments", 2) in found
    assert Import("Segment", "core.segment", "Segment", 2) in found
    assert Import("*", "style", "*", 1) in found


def test_javascript_imports_and_requires_are_read() -> None:
    text = (
        "import Foo, { bar as baz, qux } from './lib/foo'\n"
        "import * as ns from '../ns.js'\n"
        "const Base = require('./base-cmd.js')\n"
        "const { log, time: clock } = require('proc-log')\n"
        "const getUrl = require('./utils/url').getUrl\n"
    )
    found = parse_imports("javascript", text)
    assert Import("Foo", "./lib/foo") in found
    assert Import("baz", "./lib/foo", "bar") in found
    assert Import("ns", "../ns.js") in found
    assert Import("Base", "./base-cmd.js") in found
    assert Import("clock", "proc-log", "time") in found
    assert Import("getUrl", "./utils/url", "getUrl") in found


def test_files_excluded_later_leave_the_index(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "def ok():\n    pass\n")
    write(tmp_path, "private/keys.py", "def hidden():\n    pass\n")
    patterns: list[str] = []
    index = WorkspaceIndex(tmp_path, lambda p: Exclusions(tuple(patterns), tmp_path, True)
                           .is_excluded(p))  # fmt: skip
    index.build()
    assert len(index) == 2
    patterns.append("private/**")  # the user adds an exclusion (settings or frugal.toml)
    assert index.prune() == 1
    assert [e.path for e in index.entries()] == ["app.py"] and index.defined("hidden") == []
