"""Secret redaction: precompiled patterns over the text that would be sent.

Each kind of secret has a pattern and the literal needles it cannot match without; a
pattern runs only when one of its needles is in the text (a substring check), so ordinary
code costs a few substring scans. detect-secrets was measured at ~1 s per 5,000 lines,
far too slow for the completion path, and it has no rules for ``sk-proj-``/``sk-ant-``
keys. Replacements keep line breaks, so line numbers of the redacted text still match.
"""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

_B64 = "A-Za-z0-9+/"
_PEM_LABEL = r"-----(?:BEGIN|END)[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
_SECRET_NAME = r"(?:password|passwd|pwd|secret|token|api_?key|access_?key|private_?key)"
_NAME_TAIL = r"(?:[_.-]?(?:key|value|str|string))?\b"  # secret_key, not token_type
_SECRET_NEEDLES = ("passw", "pwd", "secret", "token", "apikey", "api_key", "access_key",
                   "accesskey", "private_key", "privatekey")  # fmt: skip
_CODE_WORDS = frozenset({"true", "false", "null", "none", "nil", "required", "optional"})
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class Kind:
    """One kind of secret: where it hides and how to recognise it."""

    name: str
    pattern: re.Pattern[str]
    needles: tuple[str, ...] = ()  # the text must hold one of these ...
    lower_needles: tuple[str, ...] = ()  # ... or one of these once lower-cased
    word_start: bool = False  # the match may not continue a longer word
    accept: Callable[[str], bool] | None = None  # a last check on the secret itself
    per_line: bool = False  # run only on the lines holding a needle (a one-line pattern)

    def present(self, text: str, lower: str) -> bool:
        if not self.needles and not self.lower_needles:
            return True
        return any(n in text for n in self.needles) or any(n in lower for n in self.lower_needles)


def _k(name: str, pattern: str, *needles: str, lower: tuple[str, ...] = (), **kw: object) -> Kind:
    return Kind(name, re.compile(pattern), needles, lower, **kw)  # type: ignore[arg-type]


KINDS: tuple[Kind, ...] = (
    _k("private-key", _PEM_LABEL.replace("(?:BEGIN|END)", "BEGIN")
       + r"(?:[\s\S]*?" + _PEM_LABEL.replace("(?:BEGIN|END)", "END") + rf"|[{_B64}=\s]*)",
       "PRIVATE KEY"),
    _k("private-key", rf"(?m:(?:^[ \t]*[{_B64}=]+[ \t]*\n)+[ \t]*)"
       + _PEM_LABEL.replace("(?:BEGIN|END)", "END"), "PRIVATE KEY"),
    _k("anthropic-key", r"sk-ant-[A-Za-z0-9_\-]{20,}", "sk-ant-", word_start=True),
    _k("openai-key", r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}", "sk-", word_start=True),
    _k("stripe-key", r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}", "_live_", "_test_"),
    _k("github-token", r"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}",
       "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    _k("slack-token", r"xox[abposr]-[A-Za-z0-9\-]{10,}", "xox", word_start=True),
    _k("slack-webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]{20,}", "hooks.slack"),
    _k("google-key", r"AIza[0-9A-Za-z_\-]{35}", "AIza"),
    _k("aws-key-id", r"A(?:KIA|SIA|BIA|CCA|IDA|ROA)[0-9A-Z]{16}(?![0-9A-Z])",
       "AKIA", "ASIA", "ABIA", "ACCA", "AIDA", "AROA", word_start=True),
    _k("aws-secret", r"(?i:aws.{0,24}?(?:secret|private).{0,24}?[=:]\s*['\"]?)"
       r"(?P<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])", lower=("aws",)),
    _k("jwt", r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}", "eyJ"),
    _k("bearer", r"(?i:(?:bearer|token)\s+)(?P<v>[A-Za-z0-9\-._~+/]{20,}=*)",
       lower=("bearer", "token")),
    _k("url-password", r"://[^\s:/@'\"]{1,64}:(?P<v>[^\s@/'\"]{1,128})@", "://"),
    _k("assigned-secret", r"(?i:(?:password|passwd|pwd|secret|api_?key|access_?token)\w*"
       r"['\"]?\s*(?:=|:|=>)\s*['\"])(?P<v>[^'\"\s]{8,})(?=['\"])",
       lower=("passw", "pwd", "secret", "apikey", "api_key", "access_token", "accesstoken")),
    _k("assigned-secret", rf"(?i:{_SECRET_NAME}{_NAME_TAIL}['\"]?[ \t]*(?:=|:|=>)[^\n]*?"
       r"(?:\bor|,|\?\?|\|\||default[ \t]*=)[ \t]*['\"])(?P<v>[^'\"\s]{8,})(?=['\"])",
       lower=_SECRET_NEEDLES, per_line=True, accept=lambda s: not looks_like_code(s)),
    # `x = getenv("X") or "…"`, `getenv("X", "…")`
    _k("assigned-secret", rf"(?im)^[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?[\w.-]*{_SECRET_NAME}"
       rf"{_NAME_TAIL}['\"]?[ \t]*[:=][ \t]*(?P<v>[^\s'\"#,;()\[\]{{}}<>]{{6,}})[ \t]*(?:#.*)?$",
       lower=_SECRET_NEEDLES, per_line=True, accept=lambda s: not looks_like_code(s)),
    # YAML, INI, .env: `password: …`, `API_TOKEN=…`
    _k("netrc-password", r"(?m)^[ \t]*password[ \t]+(?P<v>\S{4,})[ \t]*$"
       r"|\blogin[ \t]+\S+[ \t]+password[ \t]+(?P<w>\S+)", "password",
       accept=lambda s: s[:1] not in "{$%<"),  # .netrc; not a template's placeholder
    _k("key-material", rf"(?m:^[ \t]*[{_B64}]{{56,}}={{0,2}}[ \t]*$)"),
    _k("high-entropy-string", r"(?<=['\"`])[A-Za-z0-9+/=_\-]{20,}(?=['\"`])",
       accept=lambda s: looks_random(s)),
)  # fmt: skip

PLACEHOLDER = "<redacted:{}>"


@dataclass(frozen=True)
class Redacted:
    text: str
    count: int


def redact(text: str) -> Redacted:
    """``text`` with every secret replaced by ``<redacted:kind>``; line breaks are kept."""
    total = 0
    lower = text.lower()
    for kind in KINDS:
        if kind.present(text, lower):
            text, n = _apply(kind, text)
            total += n
    return Redacted(text, total)


def _apply(kind: Kind, text: str) -> tuple[str, int]:
    if not kind.per_line:
        return _apply_to(kind, text)
    lines, count = text.split("\n"), 0
    for i, (line, lower) in enumerate(zip(lines, text.lower().split("\n"), strict=False)):
        if kind.present(line, lower):
            lines[i], n = _apply_to(kind, line)
            count += n
    return "\n".join(lines), count


def _apply_to(kind: Kind, text: str) -> tuple[str, int]:
    count = 0

    def replace(m: re.Match[str]) -> str:
        nonlocal count
        whole = m.group(0)
        group: int | str = next(
            (g for g in ("v", "w") if g in m.re.groupindex and m.group(g) is not None), 0
        )
        secret = m.group(group)
        starts_word = m.start() == 0 or not (text[m.start() - 1].isalnum())
        if (kind.word_start and not starts_word) or (kind.accept and not kind.accept(secret)):
            return whole
        if "<redacted:" in secret:  # already replaced by an earlier kind
            return whole
        count += 1
        placeholder = PLACEHOLDER.format(kind.name) + "\n" * secret.count("\n")
        start, end = m.start(group) - m.start(), m.end(group) - m.start()
        return whole[:start] + placeholder + whole[end:]

    return kind.pattern.sub(replace, text), count


def looks_like_code(s: str) -> bool:
    """An unquoted value that reads as code, not a secret: ``self.password``, ``str``,
    ``None`` (a name without digits; a secret is rarely one)."""
    if s.lower() in _CODE_WORDS:
        return True
    return bool(_IDENTIFIER.fullmatch(s)) and not any(c.isdigit() for c in s)


def looks_random(s: str) -> bool:
    """High-entropy, mixed-class strings: API keys and tokens, not words or identifiers."""
    if not any(c.isdigit() for c in s) or not any(c.isalpha() for c in s):
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


class BlockMemo:
    """Redacted blocks by their raw text, kept across builds: a keystroke changes one block,
    and every other block of the file is redacted already."""

    def __init__(self, size: int = 1024) -> None:  # blocks of ~50 lines: ~2 KB each
        self._size = size
        self._blocks: OrderedDict[str, list[str]] = OrderedDict()

    def redacted(self, raw: str) -> list[str]:
        found = self._blocks.get(raw)
        if found is None:
            found = self._blocks[raw] = redact(raw).text.split("\n")
            if len(self._blocks) > self._size:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(raw)
        return found


class RedactedLines:
    """A file's lines, redacted on demand in fixed blocks (with overlap for multi-line keys)."""

    BLOCK = 48
    OVERLAP = 8

    def __init__(self, lines: list[str], memo: BlockMemo | None = None) -> None:
        self._lines = lines
        self._memo = memo or BlockMemo(size=0)
        self._done: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._lines)

    def get(self, n: int, default: str = "") -> str:
        if not 0 <= n < len(self._lines):
            return default
        if n not in self._done:
            self._redact_block(n // self.BLOCK)
        return self._done[n]

    def _redact_block(self, block: int) -> None:
        start, end = block * self.BLOCK, min((block + 1) * self.BLOCK, len(self._lines))
        lo, hi = max(0, start - self.OVERLAP), min(len(self._lines), end + self.OVERLAP)
        text = self._memo.redacted("\n".join(self._lines[lo:hi]))
        for n in range(start, end):
            self._done[n] = text[n - lo]


def redact_lines(lines: list[str], wanted: set[int]) -> dict[int, str]:
    """Redacted text of the ``wanted`` lines."""
    source = RedactedLines(lines)
    return {n: source.get(n) for n in sorted(wanted) if 0 <= n < len(lines)}
