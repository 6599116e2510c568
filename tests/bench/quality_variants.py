"""The contexts frugal-lsp's prompt is compared with, built from the same masked file.

* ``window-same`` — llm-ls-like: whole lines alternately above and below the cursor until
  as many tokens as frugal-lsp sent for that task;
* ``continue`` — Continue-like: a 1,024-token budget, prefix 30 % of it and suffix 20 %
  (its ``prefixPercentage`` / ``maxSuffixPercentage`` defaults), no snippets;
* ``window-1024`` — the alternating window at 1,024 tokens;
* ``whole`` — the whole file, or the alternating window at the ceiling (the model's
  window less the output) when the file is longer: the most context this model can read.

All budgets count cl100k tokens of the code, as frugal-lsp's own budget does.
"""

from __future__ import annotations

from frugal_lsp.tokens import TokenCounter
from tests.bench.quality_tasks import QualityTask

CONTINUE_BUDGET = 1024
CONTINUE_PREFIX, CONTINUE_SUFFIX = 0.3, 0.2


def _sides(task: QualityTask) -> tuple[list[str], list[str]]:
    """Lines above (the last one is the cursor line's head) and below (the first is its tail)."""
    return task.prefix.split("\n"), task.suffix.split("\n")


def alternating(task: QualityTask, budget: int, tc: TokenCounter) -> tuple[str, str]:
    above, below = _sides(task)
    head, tail = [above.pop()], [below.pop(0)]
    spent = tc.count(head[0] + tail[0])
    turn = 0
    while above or below:
        take_above = (turn % 2 == 0 and bool(above)) or not below
        line = above[-1] if take_above else below[0]
        cost = tc.count(line) + 1
        if spent + cost > budget:
            break
        if take_above:
            head.insert(0, above.pop())
        else:
            tail.append(below.pop(0))
        spent += cost
        turn += 1
    return "\n".join(head), "\n".join(tail)


def _take(lines: list[str], budget: int, tc: TokenCounter, from_end: bool) -> list[str]:
    kept: list[str] = []
    spent = 0
    for line in reversed(lines) if from_end else lines:
        spent += tc.count(line) + 1
        if spent > budget:
            break
        kept.append(line)
    return kept[::-1] if from_end else kept


def continue_like(task: QualityTask, tc: TokenCounter) -> tuple[str, str]:
    above, below = _sides(task)
    head = above.pop()
    tail = below.pop(0)
    prefix = _take(above, int(CONTINUE_BUDGET * CONTINUE_PREFIX), tc, from_end=True)
    suffix = _take(below, int(CONTINUE_BUDGET * CONTINUE_SUFFIX), tc, from_end=False)
    return "\n".join([*prefix, head]), "\n".join([tail, *suffix])


def build(
    name: str, task: QualityTask, tc: TokenCounter, ours: int, ceiling: int
) -> tuple[str, str]:
    """(prefix, suffix) of variant ``name``; ``ours`` is frugal-lsp's token count for it."""
    if name == "window-same":
        return alternating(task, ours, tc)
    if name == "continue":
        return continue_like(task, tc)
    if name == "window-1024":
        return alternating(task, 1024, tc)
    if name == "whole":
        if tc.count(task.text) <= ceiling:
            return task.prefix, task.suffix
        return alternating(task, ceiling, tc)
    raise ValueError(f"unknown variant {name!r}")


BASELINES = ("window-same", "continue", "window-1024", "whole")
