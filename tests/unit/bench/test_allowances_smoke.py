"""The allowance bench's day, shortened: free allowances pay first and nothing overshoots."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.bench.allowances_bench import replay_day


def test_a_short_day_draws_free_first_and_overshoots_nothing(tmp_path: Path) -> None:
    result = asyncio.run(replay_day(30, tmp_path))
    assert result["refused"] == 0 and len(result["calls"]) == 30
    for name, (used, limit, _) in result["standing"].items():
        assert used <= limit + 1e-6, name
    first = result["calls"][0]["draws"]
    assert [key for key, *_ in first] == ["general:day:tokens:free"]  # free, whole
    free = {n: u for n, (u, _, f) in result["standing"].items() if f}
    assert free["free day allowance of `general`"] == 2000  # used up before paid ones
