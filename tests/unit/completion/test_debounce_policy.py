"""How long a completion request waits before it may reach a provider."""

from __future__ import annotations

from frugal_lsp.completion.pipeline import debounce_s
from frugal_lsp.config import CompletionConfig


def test_typing_an_identifier_waits_longer_than_after_punctuation() -> None:
    config = CompletionConfig(debounce_ms=150, word_debounce_ms=350)
    assert debounce_s(config, "total = compute_to") == 0.35  # keys come in bursts here
    assert debounce_s(config, "total = compute(") == 0.15
    assert debounce_s(config, "total = \n    ") == 0.15


def test_a_longer_debounce_is_never_shortened_inside_a_word() -> None:
    config = CompletionConfig(debounce_ms=600, word_debounce_ms=350)  # e.g. after pacing
    assert debounce_s(config, "value") == 0.6
