"""What changed between two versions of a text, found by comparing C-speed slices.

Editors send one keystroke at a time, so two versions of a document share almost all of
their text. Per-document caches (parse trees, per-line facts, token counts) keep what the
unchanged head and tail of the text already gave them and redo only the middle.
"""

from __future__ import annotations

from typing import AnyStr

CHUNK = 4096  # characters (or bytes) compared per step


def common_prefix(a: AnyStr, b: AnyStr) -> int:
    """Length of the common start of ``a`` and ``b``."""
    n, i = min(len(a), len(b)), 0
    while i < n and a[i : i + CHUNK] == b[i : i + CHUNK]:
        i += CHUNK
    while i < n and a[i] == b[i]:
        i += 1
    return min(i, n)


def common_suffix(a: AnyStr, b: AnyStr, limit: int) -> int:
    """Length of the common end of ``a`` and ``b``, at most ``limit``."""
    i, la, lb = 0, len(a), len(b)
    while i + CHUNK <= limit and a[la - i - CHUNK : la - i] == b[lb - i - CHUNK : lb - i]:
        i += CHUNK
    while i < limit and a[la - i - 1] == b[lb - i - 1]:
        i += 1
    return i


def unchanged_lines(old: str, new: str) -> tuple[int, int]:
    """(head, tail): how many whole lines at the start and at the end of ``old`` (split at
    ``\\n``) are also the first and last lines of ``new``; they never overlap."""
    start = common_prefix(old, new)
    end = common_suffix(old, new, min(len(old), len(new)) - start)
    return old.count("\n", 0, start), old.count("\n", len(old) - end)
