"""Secret redaction: one precompiled regex pass over the text that would be sent.

A single alternation (one named group per kind) scans the text once; detect-secrets was
measured at ~1 s per 5,000 lines, far too slow for the completion path, and it has no
rules for ``sk-proj-``/``sk-ant-`` keys. Replacements keep line breaks, so line numbers
of the redacted text still match the file.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

_KINDS: tuple[tuple[str, str], ...] = (
    ("private_key", r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?"
                    r"-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s]*)"),
    ("anthropic_key", r"\bsk-ant-[A-Za-z0-9_\-]{20,}"),
    ("openai_key", r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}"),
    ("stripe_key", r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}"),
    ("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    ("slack_token", r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
    ("slack_webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]{20,}"),
    ("google_key", r"\bAIza[0-9A-Za-z_\-]{35}"),
    ("aws_key_id", r"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[0-9A-Z]{16}\b"),
    ("aws_secret", r"(?i:aws.{0,24}?(?:secret|private).{0,24}?[=:]\s*['\"]?)"
                   r"(?P<aws_secret_v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
    ("jwt", r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
    ("bearer", r"(?i:\b(?:bearer|token)\s+)(?P<bearer_v>[A-Za-z0-9\-._~+/]{20,}=*)"),
    ("url_password", r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@'\"]{1,64}:"
                     r"(?P<url_password_v>[^\s@/'\"]{1,128})@"),
    ("assigned_secret", r"(?i:\b[\w.]*(?:password|passwd|pwd|secret|api_?key|access_?token)"
                        r"['\"]?\s*(?:=|:|=>)\s*['\"])(?P<assigned_secret_v>[^'\"\s]{8,})(?=['\"])"),
    ("key_material", r"(?m:^[ \t]*[A-Za-z0-9+/]{56,}={0,2}[ \t]*$)"),  # a PEM body line
    ("entropy", r"(?<=['\"`])[A-Za-z0-9+/=_\-]{20,}(?=['\"`])"),
)  # fmt: skip

_PATTERN = re.compile("|".join(f"(?P<{name}>{body})" for name, body in _KINDS))
_PLACEHOLDER = "<redacted:{}>"


@dataclass(frozen=True)
class Redacted:
    text: str
    count: int


def redact(text: str) -> Redacted:
    """``text`` with every secret replaced by ``<redacted:kind>``; line breaks are kept."""
    count = 0

    def replace(m: re.Match[str]) -> str:
        nonlocal count
        kind = m.lastgroup or "secret"
        inner = m.group(kind + "_v") if kind + "_v" in _PATTERN.groupindex else None
        secret = inner if inner is not None else m.group(0)
        if kind == "entropy" and not looks_random(secret):
            return m.group(0)
        count += 1
        placeholder = _PLACEHOLDER.format(kind.replace("_", "-")) + "\n" * secret.count("\n")
        if inner is None:
            return placeholder
        start, end = m.start(kind + "_v") - m.start(), m.end(kind + "_v") - m.start()
        whole = m.group(0)
        return whole[:start] + placeholder + whole[end:]

    if not _maybe_secret(text):
        return Redacted(text, 0)
    out = _PATTERN.sub(replace, text)
    return Redacted(out, count)


def _maybe_secret(text: str) -> bool:
    """Cheap gate: no run of 16+ token characters and no key marker means nothing to find."""
    return _GATE.search(text) is not None


_GATE = re.compile(r"[A-Za-z0-9+/=_\-]{16}|PRIVATE KEY|://[^\s/]*:|(?i:token|bearer)\s")


def looks_random(s: str) -> bool:
    """High-entropy, mixed-class strings: API keys and tokens, not words or identifiers."""
    classes = sum(
        (any(c.islower() for c in s), any(c.isupper() for c in s), any(c.isdigit() for c in s))
    )
    if classes < 2 or not any(c.isdigit() for c in s):
        return False
    if _is_hex(s):
        return len(s) >= 32 and entropy(s) >= 3.0
    return entropy(s) >= (4.0 if len(s) < 32 else 4.3)


def _is_hex(s: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in s)


def entropy(s: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(s)
    return -sum(k / n * math.log2(k / n) for k in Counter(s).values())


def redact_lines(lines: list[str], wanted: set[int]) -> dict[int, str]:
    """Redacted text of the ``wanted`` lines, each contiguous run redacted as one text."""
    out: dict[int, str] = {}
    for start, end in _runs(sorted(n for n in wanted if 0 <= n < len(lines))):
        text = redact("\n".join(lines[start : end + 1])).text
        for i, line in enumerate(text.split("\n")):
            out[start + i] = line
    return out


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in rows:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs
