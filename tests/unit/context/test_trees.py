"""Re-parsing after edits: the tree of an edited document is the one a fresh parse gives.

The parser is not told about the editor's edits; it finds what changed between two
versions itself. A wrong span would leave stale nodes behind, so every edit here is
checked against a from-scratch parse of the same text.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from frugal_lsp.context.diff import CHUNK
from frugal_lsp.context.document import Document
from frugal_lsp.context.trees import Trees, changed_span

BASE = (
    "import os\n\n\n"
    + "".join(f"def f{n}(a, b='漢字😀'):\n    return a + {n}\n\n\n" for n in range(400))
    + "class Shape:\n    def area(self):\n        return 0\n"
)
PIECES = ["x", "😀", "😁", "漢", "漣", "\n", "    ", "):\n    pass\n", "def g(", "'", '"""', ""]


def sexp(trees: Trees, doc: Document) -> str:
    parsed = trees.get(doc)
    assert parsed is not None
    return str(parsed.tree.root_node)


def test_the_span_rebuilds_the_new_text_from_the_old_one() -> None:
    rng = random.Random(7)
    old = BASE.encode()
    for _ in range(300):
        text = old.decode() if len(old) > 3 * CHUNK else BASE  # long cuts shrink it
        at, cut = rng.randrange(len(text)), rng.choice([0, 0, 1, 3, 40, CHUNK + 5])
        new = (text[:at] + rng.choice(PIECES) + text[at + cut :]).encode()
        span = changed_span(old, new)
        assert (
            old[: span.start_byte]
            + new[span.start_byte : span.new_end_byte]
            + old[span.old_end_byte :]
            == new
        )
        new[span.start_byte : span.new_end_byte].decode()  # whole characters only
        row, col = span.start_point
        assert new.split(b"\n")[row][:col] == new[span.start_byte - col : span.start_byte]
        old = new


def test_a_span_never_splits_a_character() -> None:
    old, new = "a = '😀 漢'\n".encode(), "a = '😁 漣'\n".encode()  # same leading bytes
    span = changed_span(old, new)
    assert new[span.start_byte : span.new_end_byte].decode() == "😁 漣"
    assert old[span.start_byte : span.old_end_byte].decode() == "😀 漢"


@pytest.mark.parametrize("edits_between_parses", [1, 5])
def test_incremental_parses_match_fresh_parses(tmp_path: Path, edits_between_parses: int) -> None:
    rng, trees = random.Random(11), Trees()
    doc = Document(tmp_path / "m.py", BASE, "python", 1)
    sexp(trees, doc)
    for step in range(120):
        text = doc.text
        at, cut = rng.randrange(len(text)), rng.choice([0, 1, 2, 25])
        doc = Document(doc.path, text[:at] + rng.choice(PIECES) + text[at + cut :], "python", step)
        if step % edits_between_parses:
            continue  # keystrokes answered without a parse: the next parse covers them all
        assert sexp(trees, doc) == sexp(Trees(), doc)


def test_an_unchanged_text_keeps_its_tree(tmp_path: Path) -> None:
    trees = Trees()
    doc = Document(tmp_path / "m.py", BASE, "python", 1)
    first = trees.get(doc)
    assert trees.get(Document(doc.path, BASE, "python", 2)) is first
