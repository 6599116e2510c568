"""Reported usage, checked against our own count before the ledger records it.

A proxy in front of a backend that streams no usage may *estimate* it and report the
estimate as if it were counted (LiteLLM: 13-50 % low). A reported count far below what
we counted ourselves (or a prompt of 0 tokens, or a negative count) is not trusted: the
ledger records the larger of the two counts and flags the row ``usage_source =
"estimated"``, so neither the budget nor the report runs on a number the server made up.
"""

from __future__ import annotations

from dataclasses import dataclass

from frugal_lsp.providers.base import Usage

PLAUSIBLE = 0.7  # reported >= 70 % of our count (tokenizers differ by less than that)
SLACK = 3  # tokens: a two-token answer counted as one is not a lie


@dataclass(frozen=True)
class Counted:
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    source: str  # "reported" | "estimated" | "counted"
    cache_write_tokens: int = 0


def checked(usage: Usage | None, our_prompt: int, our_completion: int) -> Counted:
    """The token counts to record for a call, and where they come from."""
    if usage is None:
        return Counted(our_prompt, our_completion, 0, "counted")
    if _plausible(usage.prompt_tokens, our_prompt) and _plausible(
        usage.completion_tokens, our_completion
    ):
        cached = min(max(usage.cached_tokens, 0), usage.prompt_tokens)
        written = min(max(usage.cache_write_tokens, 0), usage.prompt_tokens - cached)
        return Counted(usage.prompt_tokens, usage.completion_tokens, cached, "reported", written)
    return Counted(
        max(usage.prompt_tokens, our_prompt),
        max(usage.completion_tokens, our_completion),
        min(max(usage.cached_tokens, 0), max(usage.prompt_tokens, our_prompt)),
        "estimated",
    )


def _plausible(reported: int, ours: int) -> bool:
    if reported < 0 or (ours > 0 and reported == 0):
        return False
    return reported >= PLAUSIBLE * ours - SLACK
