"""The server's copy of a document stays identical to the editor's, edit after edit.

The reference below applies an edit the way the LSP defines positions (lines end at
\\r\\n, \\r or \\n; columns count UTF-16 code units), independently of the server's code.
"""

from __future__ import annotations

import random
import re

import pytest
from lsprotocol import types as lsp

from frugal_lsp.lsp.textsync import FrugalTextDocument

LINE_BREAK = re.compile(r"\r\n|\r|\n")
PIECES = ["x", "😀", "漢", "\n", "\r\n", "\x0c", "\u2028", "    ", "def f():\n", ""]


def reference_apply(text: str, start: lsp.Position, end: lsp.Position, new: str) -> str:
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]

    def offset(pos: lsp.Position) -> int:
        if pos.line >= len(starts):
            return len(text)
        begin = starts[pos.line]
        stop = m.start() if (m := LINE_BREAK.search(text, begin)) else len(text)
        units, index = 0, begin
        while index < stop and units < pos.character:
            units += 2 if ord(text[index]) > 0xFFFF else 1
            index += 1
        return index

    return text[: offset(start)] + new + text[offset(end) :]


def edit(doc: FrugalTextDocument, start: lsp.Position, end: lsp.Position, text: str) -> None:
    change = lsp.TextDocumentContentChangePartial(range=lsp.Range(start, end), text=text)
    doc.apply_change(change)


def document(text: str) -> FrugalTextDocument:
    return FrugalTextDocument(
        "file:///w/m.py", text, sync_kind=lsp.TextDocumentSyncKind.Incremental
    )


@pytest.mark.parametrize(
    "text",
    ["a = 1\x0c\nb = 2\n", 'x = "\u2028"\nb = 2\n', "a = 1\r\nb = 2\r\n", "a = 1\rb = 2\r"],
    ids=["form feed", "U+2028", "CRLF", "lone CR"],
)
def test_typing_at_the_start_of_the_second_line_lands_there(text: str) -> None:
    doc = document(text)
    at = lsp.Position(1, 0)
    edit(doc, at, at, "X")
    assert doc.source == reference_apply(text, at, at, "X")
    assert "Xb = 2" in doc.source


def test_columns_count_utf16_units_after_an_emoji() -> None:
    doc = document("s = '😀漢'\n")
    at = lsp.Position(0, len("s = '") + 2 + 1)  # after the emoji (2 units) and 漢 (1)
    edit(doc, at, at, "!")
    assert doc.source == "s = '😀漢!'\n"


def test_random_edits_keep_the_copy_identical_to_the_reference() -> None:
    rng = random.Random(5)
    text = "".join(f"def f{n}(a):\n    return '漢😀' + a\n\n" for n in range(60))
    doc = document(text)
    for _ in range(500):
        lines = len(LINE_BREAK.findall(text)) + 1
        start = lsp.Position(rng.randrange(lines + 1), rng.randrange(30))
        end_line = min(start.line + rng.choice([0, 0, 0, 1, 3]), lines)
        column = rng.randrange(30) if end_line > start.line else start.character + rng.randrange(5)
        end = lsp.Position(end_line, column)
        new = rng.choice(PIECES)
        text = reference_apply(text, start, end, new)
        edit(doc, start, end, new)
        assert doc.source == text
