"""Explain-error sends the traceback and only the workspace functions its frames name."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.context import ContextBuilder
from frugal_lsp.tasks import Task
from tests.unit.context.conftest import build, doc_at

VIEWS = """from app.models import load


def unrelated_view():
    return "not in the traceback"


def handler(request):
    item = load(request.id)
    return item.name
"""
MODELS = """def untouched():
    return 0


def load(key):
    row = DB[key]
    return row
"""


def test_only_named_frames_functions_are_included(builder: ContextBuilder, workspace: Path) -> None:
    views = doc_at(workspace, "app/views.py", VIEWS)
    doc_at(workspace, "app/models.py", MODELS)
    traceback = f"""Traceback (most recent call last):
  File "{workspace}/app/views.py", line 9, in handler
    item = load(request.id)
  File "app/models.py", line 6, in load
    row = DB[key]
  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads
KeyError: 42
"""
    prompt = build(builder, views, 8, 4, Task.EXPLAIN_ERROR, diagnostic=traceback)
    text = prompt.text
    assert "KeyError: 42" in text
    assert "def handler(request):" in text and "def load(key):" in text
    assert "unrelated_view" not in text and "untouched" not in text
    assert "app/models.py: load (line 6)" in text
    assert text.index("def handler") < text.index("def load(key)")  # frame order kept


def test_ignored_frame_files_are_not_read(builder: ContextBuilder, workspace: Path) -> None:
    views = doc_at(workspace, "app/views.py", VIEWS)
    doc_at(workspace, "secrets/models.py", MODELS)
    traceback = 'File "secrets/models.py", line 6, in load\nKeyError: 1\n'
    prompt = build(builder, views, 8, 4, Task.EXPLAIN_ERROR, diagnostic=traceback)
    assert "row = DB[key]" not in prompt.text


def test_plain_diagnostic_uses_the_scope_at_the_cursor(
    builder: ContextBuilder, workspace: Path
) -> None:
    views = doc_at(workspace, "app/views.py", VIEWS)
    prompt = build(builder, views, 9, 4, Task.EXPLAIN_ERROR, diagnostic="'Item' has no 'name'")
    assert "def handler(request):" in prompt.text and "unrelated_view" not in prompt.text
