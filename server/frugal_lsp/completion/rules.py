"""Don't ask when it can't help: requests a model cannot usefully answer are skipped."""

from __future__ import annotations

BINARY_SAMPLE = 8192
_REPLACEMENT = "\ufffd"


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def mid_word(text: str, offset: int) -> bool:
    """The cursor sits inside a word that goes on after it (``fo|o``): nothing to add."""
    if offset <= 0 or offset >= len(text):
        return False
    return is_word_char(text[offset - 1]) and is_word_char(text[offset])


def looks_binary(text: str) -> bool:
    """NUL characters or many replacement characters: not source code."""
    sample = text[:BINARY_SAMPLE]
    if "\x00" in sample:
        return True
    return sample.count(_REPLACEMENT) > max(8, len(sample) // 100)


def too_large(text: str, max_bytes: int) -> bool:
    if len(text) > max_bytes:  # a character is at least one byte
        return True
    return len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes


def document_skip(text: str, max_bytes: int) -> str | None:
    """Why no completion should be requested anywhere in this document, or None."""
    if too_large(text, max_bytes):
        return "too-large"
    if looks_binary(text):
        return "binary"
    return None


def skip_reason(text: str, offset: int, max_bytes: int) -> str | None:
    """Why a completion at ``offset`` should not be requested, or None to go ahead."""
    return document_skip(text, max_bytes) or ("mid-word" if mid_word(text, offset) else None)
