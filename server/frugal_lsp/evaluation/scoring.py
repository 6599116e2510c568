"""Scores for one suggestion against the line that was masked: exact match and edit
similarity (1 - Levenshtein distance / the longer length)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    exact: bool
    similarity: float


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def similarity(a: str, b: str) -> float:
    """1 - edit distance / the longer length (1.0 for two empty strings)."""
    if not a and not b:
        return 1.0
    return 1.0 - levenshtein(a, b) / max(len(a), len(b))


def score_line(truth: str, suggestion: str) -> Score:
    """A masked line: the suggestion's first line, inserted at the cursor (after the
    indentation), so a leading space is a wrong character; trailing spaces don't count."""
    got = suggestion.split("\n")[0].rstrip()
    want = truth.strip()
    return Score(got == want, similarity(got, want))
