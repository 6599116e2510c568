"""Scores for one suggestion: exact match and edit similarity of the first line (or the
block; the product's `frugal_lsp.evaluation.scoring`, which `frugal-lsp eval` uses too),
and pass@1 of a completed HumanEval function, run in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from frugal_lsp.evaluation.scoring import similarity
from tests.bench.quality_tasks import QualityTask

PASS_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Score:
    exact: bool
    similarity: float
    passed: bool | None  # None: no tests for this task


def _block(text: str) -> str:
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def guess(task: QualityTask, suggestion: str) -> str:
    """What the suggestion puts in the gap: its first line, or as many lines as the block."""
    lines = suggestion.split("\n")
    if task.kind == "line":
        return lines[0]
    return "\n".join(lines[: task.truth.count("\n") + 1])


def score(task: QualityTask, suggestion: str) -> Score:
    filled = guess(task, suggestion)
    if task.kind == "line":  # inserted at the cursor: a leading space is a wrong character
        want, got = task.truth.strip(), filled.rstrip()
    else:
        want, got = _block(task.truth), _block(filled)
    passed = passes(task, filled) if task.problem is not None else None
    return Score(got == want, similarity(got, want), passed)


def program(task: QualityTask, filled: str) -> str:
    assert task.problem is not None
    entry = task.problem["entry_point"]
    return f"{task.prefix}{filled}{task.suffix}\n\n{task.problem['test']}\n\ncheck({entry})\n"


def passes(task: QualityTask, filled: str) -> bool:
    """Run the completed function against its tests in a fresh interpreter, never in-process."""
    with tempfile.TemporaryDirectory(prefix="frugal-pass-") as folder:
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-c", program(task, filled)],
                cwd=folder,
                env={"PATH": os.environ.get("PATH", ""), "PYTHONHASHSEED": "0"},
                capture_output=True,
                timeout=PASS_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False
    return done.returncode == 0
