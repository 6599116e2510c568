"""Smoke test of `make bench-quality`: the harness end to end on a small real model.

The benchmark itself runs Qwen2.5-Coder for minutes; here two tasks go through the same
code with SmolLM2 (fast, prefix-only), so a broken harness fails `make test`.
"""

from __future__ import annotations

import argparse

import pytest

from frugal_lsp.local_model import SMOLLM2, installed, llama_cpp_installed
from tests.bench.quality import run
from tests.bench.quality_report import write_report
from tests.bench.quality_score import passes, score, similarity
from tests.bench.quality_tasks import humaneval_tasks, sample

pytestmark = pytest.mark.skipif(
    not (llama_cpp_installed() and installed(SMOLLM2)), reason="the local tier is not installed"
)


def test_humaneval_gives_the_published_1033_single_line_tasks() -> None:
    tasks = humaneval_tasks()
    assert len(tasks) == 1033
    for t in tasks:  # each is its problem's file with one line taken out
        assert t.problem is not None and "\n" not in t.truth
        whole = t.problem["prompt"] + t.problem["canonical_solution"]
        assert (t.prefix + t.truth + t.suffix).rstrip() == whole.rstrip()


def test_pass_at_1_runs_the_tests_and_tells_a_wrong_line_from_the_right_one() -> None:
    task = next(t for t in humaneval_tasks() if t.truth.startswith("return"))
    assert passes(task, task.truth)
    assert not passes(task, "return None")
    assert not passes(task, "while True: pass")  # a hang ends at the timeout, as a failure
    assert score(task, task.truth + "\nextra()").exact  # only the first line counts
    assert similarity("abc", "abd") == pytest.approx(2 / 3)


async def test_the_harness_scores_ours_and_a_baseline_on_the_same_tasks() -> None:
    tasks = sample({"humaneval-line": 1, "stdlib-line": 1})
    rows, speed = await run(tasks, ["continue"], 512, SMOLLM2.name, log=False)
    assert [r.variant for r in rows] == ["ours", "continue", "ours", "continue"]
    assert all(0.0 <= r.similarity <= 1.0 and r.tokens > 0 for r in rows)
    assert [r.passed is not None for r in rows] == [True, True, False, False]
    assert speed.cores >= 1 and speed.prompt_tps > 0 and speed.generate_tps > 0
    args = argparse.Namespace(all=False, scale=1.0, model=SMOLLM2.name, ceiling=512)
    text = write_report(rows, speed, args, 1.0)
    assert "| frugal-lsp (Engine.complete) |" in text and "Continue-like" in text
