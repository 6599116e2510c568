"""Per-line code words, kept across edits: always what a fresh look at the text gives.

The completion selector ranks lines by the identifiers their code holds; prose inside
docstrings must not count. Words are reused across versions for the unchanged head and
tail of the text, so each edited version is checked against a from-scratch computation.
"""

from __future__ import annotations

import random
from pathlib import Path

from frugal_lsp.context.diff import unchanged_lines
from frugal_lsp.context.linefacts import LineFacts, code_words
from frugal_lsp.tokens import counter

PATH = Path("/w/m.py")
BASE = "".join(
    f'def f{n}(alpha, beta):\n    """Docstring {n}\n    mentions gamma.\n    """\n'
    f"    return alpha + beta_{n}\n\n"
    for n in range(40)
)
PIECES = ['"""', "'''", "x", "\n", "gamma ", "# note\n", ""]


def fresh(text: str) -> tuple[frozenset[str], ...]:
    """Words line by line, blanking every line inside or closing a triple-quoted string."""
    out, inside = [], False
    for line in text.split("\n"):
        out.append(frozenset() if inside else code_words(line))
        if (line.count('"""') + line.count("'''")) % 2:
            inside = not inside
    return tuple(out)


def test_docstring_prose_has_no_words_and_code_keeps_its_own() -> None:
    words = LineFacts(counter()).words_of(PATH, BASE, BASE.split("\n"))
    assert words[0] == {"def", "f0", "alpha", "beta"}
    assert words[2] == frozenset() and words[3] == frozenset()  # "mentions gamma.", closing
    assert words[4] == {"return", "alpha", "beta_0"}


def test_words_after_random_edits_match_a_fresh_look() -> None:
    rng, facts, text = random.Random(3), LineFacts(counter()), BASE
    facts.words_of(PATH, text, text.split("\n"))
    for _ in range(300):
        at, cut = rng.randrange(len(text) + 1), rng.choice([0, 0, 1, 5, 60])
        text = text[:at] + rng.choice(PIECES) + text[at + cut :]
        assert facts.words_of(PATH, text, text.split("\n")) == fresh(text)


def test_unchanged_lines_never_overlap_and_cover_the_same_text() -> None:
    rng, old = random.Random(9), BASE
    for _ in range(300):
        at, cut = rng.randrange(len(old) + 1), rng.choice([0, 1, 7, 300])
        new = old[:at] + rng.choice(PIECES) + old[at + cut :]
        head, tail = unchanged_lines(old, new)
        a, b = old.split("\n"), new.split("\n")
        assert head + tail <= min(len(a), len(b))
        assert a[:head] == b[:head] and a[len(a) - tail :] == b[len(b) - tail :]
        old = new


def test_file_words_follow_edits_exactly(tmp_path: Path) -> None:
    facts = LineFacts(counter())
    path = tmp_path / "a.py"
    first = "x = Segment.line()\ny = 2\n"
    assert "line" in facts.file_words(path, first, first.split("\n"))
    second = "x = 1\ny = 2\n"  # the line using `line` is gone: the word goes with it
    words = facts.file_words(path, second, second.split("\n"))
    assert "line" not in words and "Segment" not in words
    third = "x = 1\ny = 2\nz = Segment\n"
    assert "Segment" in facts.file_words(path, third, third.split("\n"))
