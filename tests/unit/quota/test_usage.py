"""Reported usage is checked against our own count before the ledger records it."""

from __future__ import annotations

import pytest

from frugal_lsp.providers.base import Usage
from frugal_lsp.quota.usage import Counted, checked


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        (None, Counted(100, 20, 0, "counted")),
        (Usage(130, 22, 64), Counted(130, 22, 64, "reported")),  # templates add tokens
        (Usage(80, 18), Counted(80, 18, 0, "reported")),  # another tokenizer, within 70 %
        (Usage(50, 20), Counted(100, 20, 0, "estimated")),  # a proxy's estimate, 50 % low
        (Usage(0, 20), Counted(100, 20, 0, "estimated")),  # input 0
        (Usage(100, 2), Counted(100, 20, 0, "estimated")),  # output far below the text
        (Usage(100, -5), Counted(100, 20, 0, "estimated")),  # a negative count
        (Usage(100, 20, 400), Counted(100, 20, 100, "reported")),  # cached > prompt: capped
    ],
)
def test_usage_is_trusted_only_when_plausible(usage: Usage | None, expected: Counted) -> None:
    assert checked(usage, our_prompt=100, our_completion=20) == expected


def test_a_negative_count_is_never_recorded() -> None:
    counted = checked(Usage(100, -2), our_prompt=100, our_completion=0)  # an empty answer
    assert (counted.completion_tokens, counted.source) == (0, "estimated")


def test_a_one_token_answer_counted_differently_is_not_a_lie() -> None:
    assert checked(Usage(100, 1), our_prompt=100, our_completion=3).source == "reported"
    assert checked(Usage(0, 0), our_prompt=0, our_completion=0).source == "reported"
