"""The checks that need no model: each flags what it names, and passes a usable answer."""

from __future__ import annotations

from typing import Any

import pytest

from frugal_lsp.routing.checks import answer_problem, completion_problem

SELECTION = "def ring(outer, inner):\n    return area(outer) - area(inner)\n"
BROKEN = "Use this:\n```python\ndef ring(outer, inner:\n    return\n```"
VAGUE = "This is a function that computes something about values and gives a number back."
FAR = "The subtraction on line 42 is where ring can go negative when inner is larger."
GOOD = "It returns the area between two circles: area(outer) minus area(inner), a float."


def check(text: str, **kw: Any) -> str | None:
    args: dict[str, Any] = {
        "completion_tokens": 20,
        "max_tokens": 512,
        "language": "python",
        "selection": SELECTION,
        "first_line": 8,
        "last_line": 9,
    }
    return answer_problem(text, **{**args, **kw})


@pytest.mark.parametrize(
    ("text", "kw", "reason"),
    [
        ("   \n", {}, "empty"),
        ("I'm sorry, but I can't help with that request.", {}, "refusal"),
        (GOOD, {"completion_tokens": 512}, "cut at max tokens"),
        (BROKEN, {}, "code that does not parse (python)"),
        (VAGUE, {}, "names none of the selection's identifiers"),
        (FAR, {"question": "Which line can go wrong?"}, "line outside the selection"),
    ],
)  # fmt: skip
def test_a_failing_answer_says_why(text: str, kw: dict[str, Any], reason: str) -> None:
    assert check(text, **kw) == reason


def test_usable_answers_pass() -> None:
    assert check(GOOD) is None
    assert check("Line 10 subtracts area(inner).", question="which line subtracts?") is None
    assert check("```python\ndef ring(outer, inner):\n    return 0\n```\nring is fine.") is None
    assert check("Yes.") is None  # short: not judged on identifiers


FILE = "def f(x):\n    y = x * 2\n    \n    return y\n"
CURSOR = FILE.index("\n    \n") + 5


def test_a_suggestion_that_repeats_the_suffix_or_breaks_the_parse_is_dropped() -> None:
    assert completion_problem(FILE, CURSOR, "return y", "python") == "repeats the suffix"
    assert completion_problem(FILE, CURSOR, "y = (x +", "python") == "parse worse at the cursor"
    assert completion_problem(FILE, CURSOR, "y += 1", "python") is None
    assert completion_problem("a b c\n", 0, "anything", "plaintext") is None  # no grammar


def test_a_suggestion_that_starts_with_the_word_being_typed_replaces_it() -> None:
    """Typing `ret` and getting `return x` (the editor shows `urn x`): not "retreturn x"."""
    text = "def f(x):\n    ret\n"
    cursor = text.index("ret") + 3
    assert completion_problem(text, cursor, "return x * 2", "python") is None
    assert completion_problem(text, cursor, "urn x * 2", "python") is None  # appended
    assert completion_problem(text, cursor, "return (x *", "python") == "parse worse at the cursor"
