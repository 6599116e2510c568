"""What a file uses from elsewhere (kept per index entry, read beyond the rows around
the cursor), the measured order snippets are taken in, and outlines that show the
best-ranked members by signature and the rest by name."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.context.workspace import WorkspaceIndex
from frugal_lsp.context.workspace.imports import parse_imports
from frugal_lsp.context.workspace.outline import CrossSnippet
from frugal_lsp.context.workspace.store import load, save
from frugal_lsp.context.workspace.uses import file_uses
from frugal_lsp.context.workspace.values import by_value, value_per_ktoken
from tests.unit.context.conftest import build, doc_at
from tests.unit.context.test_cross_file import builder_for, segment_outline

BODY = '''"""A module.

Args and Returns in prose are not uses.
"""
from .segment import Segment
from . import helpers


def render(width: int) -> list:
    """Render It."""
    rows = helpers.split(width)
    out = Segment.apply(rows)
    size = Measurement(1, 2)
    raise ValueError(size)
'''


def test_file_uses_keep_imported_and_unbound_class_names_with_their_rows() -> None:
    lines = BODY.split("\n")
    uses = file_uses(lines, {"render"}, parse_imports("python", BODY))
    found = {(u.name, u.attr): (u.rows, u.bound) for u in uses}
    assert found[("helpers", "split")] == ((10,), True)
    assert found[("Segment", "apply")] == ((11,), True)
    assert found[("Measurement", "")] == ((12,), False)  # used, neither imported nor defined
    names = {u.name for u in uses}
    assert not names & {"Args", "Returns", "It"}  # prose in docstrings
    assert "ValueError" not in names  # a builtin
    assert "rows" not in names and "width" not in names  # locals


def test_the_saved_index_keeps_the_uses(tmp_path: Path) -> None:
    doc_at(tmp_path, "pkg/mod.py", BODY)
    index = WorkspaceIndex(tmp_path)
    index.build()
    state = tmp_path / "state.json"
    save(state, tmp_path, index.entries())
    entry = load(state, tmp_path)["pkg/mod.py"]
    assert {u.name for u in entry.uses} == {"helpers", "Segment", "Measurement"}


def test_a_class_used_far_from_the_cursor_and_an_unbound_name_are_looked_up(
    workspace: Path,
) -> None:
    doc_at(workspace, "seg.py", "class Segment:\n    def apply_style(self, style): ...\n")
    doc_at(workspace, "measure.py", "class Measurement:\n    def clamp(self): ...\n")
    far = "\n".join(f"x{i} = {i}" for i in range(200))
    text = f"from seg import Segment\n\n{far}\n\nwidth = Measurement()\nSegment.apply_style(1)\n"
    app = doc_at(workspace, "app.py", text)
    builder, index = builder_for(workspace, completion_max_tokens=1024)
    index.update(app.path, text)
    prompt = build(builder, app, 100, 0)  # 100 rows from the import and from the uses
    origins = " ".join(prompt.origins)
    assert "cross-file: seg.py:1 Segment" in origins
    assert "cross-file: measure.py:1 Measurement" in origins  # its import is what is missing


def test_snippets_are_taken_by_measured_value_per_token() -> None:
    def snip(name: str, source: str) -> CrossSnippet:
        return CrossSnippet("m.py", 0, name, f"def {name}(): ...", source=source)

    found = [snip("far0", "file"), snip("near0", "near"), snip("near1", "near")]
    found += [snip("far1", "file"), snip("call0", "call"), snip("recent0", "recent")]
    order = [s.name for s in by_value(found)]
    assert order[0] == "call0"  # the definition the cursor is inside a call of
    assert order.index("near0") < order.index("near1") < order.index("far0")
    assert order.index("far0") < order.index("far1")
    assert value_per_ktoken("near", 0) > value_per_ktoken("near", 99) > 0
    assert value_per_ktoken("unknown-source", 0) > 0


def test_outlines_show_two_members_by_signature_and_the_rest_by_name(workspace: Path) -> None:
    members = "\n".join(f"    def member_{i}(self, a: int) -> None: ..." for i in range(20))
    doc_at(workspace, "seg.py", f"class Segment:\n{members}\n")
    body = segment_outline(workspace, "s.member_3(1)")
    assert body[0] == "class Segment:"
    assert body[1].startswith("    def member_") and body[2].startswith("    def member_")
    assert body[3].startswith("    # also: member_")
    assert len(body) == 3 + 3  # 18 more names, 8 to a line
    named = " ".join(body[3:])
    assert all(f"member_{i}" in " ".join(body) for i in range(20))
    assert "(self" not in named


def test_names_the_file_already_uses_leave_an_outline(workspace: Path) -> None:
    members = "\n".join(f"    def member_{i}(self) -> None: ..." for i in range(12))
    doc_at(workspace, "seg.py", f"class Segment:\n{members}\n")
    text = "from seg import Segment\n\ns = Segment()\ns.member_7()\ns.member_11()\n\n"
    app = doc_at(workspace, "app.py", text)
    builder, index = builder_for(workspace, completion_max_tokens=1024)
    index.update(app.path, text)
    code = build(builder, app, 6, 0).messages[-1].content
    also = [ln for ln in code.split("\n") if "# also:" in ln]
    assert also, code
    assert "member_7" not in " ".join(also) and "member_11" not in " ".join(also)
    assert "member_8" in " ".join(also)
