"""LSP positions count UTF-16 code units; emoji and CJK before the cursor must not shift it."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.context import ContextBuilder
from frugal_lsp.context.document import utf16_to_index
from frugal_lsp.context.trees import byte_column
from tests.unit.context.conftest import build, doc_at

LINE = 'x = "😀漢字" + tail'  # the emoji is 2 UTF-16 units, each CJK character 1


def test_utf16_column_maps_to_code_point_and_utf8_byte() -> None:
    utf16 = LINE.index("+") + 1  # one more unit than code points: the emoji is a pair
    index = utf16_to_index(LINE, utf16)
    assert LINE[index] == "+"
    assert byte_column(LINE, index) == len(LINE[:index].encode("utf-8"))


def test_cursor_lands_after_emoji_and_cjk(builder: ContextBuilder, workspace: Path) -> None:
    text = f"def f(tail):\n    {LINE}\n    return x\n"
    utf16 = 4 + len('x = "') + 2 + 2 + len('" ')  # up to the "+" sign
    prompt = build(builder, doc_at(workspace, "u.py", text), 1, utf16)
    assert prompt.fim is not None
    assert prompt.fim.prefix.endswith('x = "😀漢字" ')
    assert prompt.fim.suffix.startswith("+ tail")
    assert prompt.scope.name == "f"


def test_scope_found_from_a_non_ascii_line_in_javascript(
    builder: ContextBuilder, workspace: Path
) -> None:
    text = "function greet(n) {\n  const s = '👋 こんにちは ' + n;\n  return s;\n}\n"
    prompt = build(builder, doc_at(workspace, "g.js", text), 1, 22)
    assert prompt.scope.name == "greet"


def test_incremental_edit_matches_a_full_parse(builder: ContextBuilder, workspace: Path) -> None:
    text = "def f():\n    a = '漢'\n    return a\n\n\ndef g():\n    return 1\n"
    doc = doc_at(workspace, "e.py", text)
    build(builder, doc, 1, 4)
    new_text = text.replace("    a = '漢'", "    a = '漢😀'\n    b = a")
    edited = doc_at(workspace, "e.py", new_text)
    edited.version = 2
    prompt = build(builder, edited, 2, 8)
    assert prompt.scope.name == "f" and prompt.scope.end_line == 3
    assert "b = <CURSOR>a" in prompt.text
    fresh = ContextBuilder(builder.config, builder.counter, workspace)
    assert build(fresh, edited, 2, 8) == prompt
