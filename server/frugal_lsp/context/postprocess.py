"""Turn a model's raw completion into text that can be inserted at the cursor."""

from __future__ import annotations

import re

from frugal_lsp.prompt import Prompt

_FENCE = re.compile(r"^\s*(`{3,})[\w+#.-]*[ \t]*\n(?P<body>.*?)(?:\n?\1|\Z)", re.DOTALL)
_MARKERS = ("<CURSOR>", "<|cursor|>", "<|fim_middle|>", "<|endoftext|>", "<fim_middle>")


def clean_completion(prompt: Prompt, raw: str) -> str:
    """Strip fences, markers and an echoed prefix; cut at stop sequences, the suffix and the
    scope's end. Returns "" when nothing usable is left."""
    text = _unfence(raw.replace("\r\n", "\n"))
    for marker in _MARKERS:
        text = text.replace(marker, "")
    prefix = prompt.fim.prefix if prompt.fim else ""
    suffix = prompt.fim.suffix if prompt.fim else ""
    text = _strip_echo(text, prefix)
    text = _drop_gap_lines(text)
    text = _onto_cursor_line(text, prefix)
    text = _cut_at_stops(text, prompt.stop)
    text = _cut_at_suffix(text, suffix)
    text = _cut_at_scope_end(text, prefix, prompt.language)
    return text if _has_code(text) else ""


_GAP_LINES = ("...", "# ...", "// ...")


def _drop_gap_lines(text: str) -> str:
    """Gap markers the model copied from the prompt are not code to insert."""
    return "\n".join(line for line in text.split("\n") if line.strip() not in _GAP_LINES)


def _onto_cursor_line(text: str, prefix: str) -> str:
    """On an indented empty line, a reply that starts with a line break and the indent, or
    with any indent, would insert a blank line or indent twice: start at the cursor. (FIM
    models often add a level there: after 8 typed spaces, Qwen2.5-Coder answered
    "    if sku in ...", the whitespace token it learned, not a deeper block.)"""
    indent = prefix.rsplit("\n", 1)[-1]
    if not indent or indent.strip():
        return text
    if text.startswith("\n" + indent):
        text = text[len(indent) + 1 :]
    first, newline, rest = text.partition("\n")
    return first.lstrip(" \t") + newline + rest


def _has_code(text: str) -> bool:
    """Something worth showing: not blank, not just an echoed gap marker like "..."."""
    return any(ch.isalnum() for ch in text)


def _unfence(text: str) -> str:
    m = _FENCE.search(text)
    return m.group("body") if m else text


def _strip_echo(text: str, prefix: str) -> str:
    """Models often repeat the line they were given; keep only what comes after it."""
    line = prefix.rsplit("\n", 1)[-1]
    if line.strip() and text.startswith(line):
        return text[len(line) :]
    stripped = line.strip()
    if stripped and text.lstrip().startswith(stripped) and len(stripped) > 3:
        return text.lstrip()[len(stripped) :]
    return text


def _cut_at_stops(text: str, stops: tuple[str, ...]) -> str:
    cut = min((i for s in stops if s and (i := text.find(s)) >= 0), default=len(text))
    return text[:cut]


def _cut_at_suffix(text: str, suffix: str) -> str:
    """Drop the part of the completion that repeats the code after the cursor."""
    following = next((ln.strip() for ln in suffix.split("\n") if ln.strip()), "")
    if len(following) < 3:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i and line.strip() == following:
            return "\n".join(lines[:i]).rstrip()
    return text


def _cut_at_scope_end(text: str, prefix: str, language: str) -> str:
    """Python: stop at the first line dedented below the block the cursor is in."""
    if language != "python" or "\n" not in text:
        return text
    base = _block_indent(prefix)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i and line.strip() and len(line) - len(line.lstrip()) < base:
            return "\n".join(lines[:i]).rstrip()
    return text


def _block_indent(prefix: str) -> int:
    """Indentation of the last non-blank line before the cursor (deeper after a colon)."""
    for line in reversed(prefix.split("\n")):
        if line.strip():
            indent = len(line) - len(line.lstrip())
            return indent + 4 if line.rstrip().endswith(":") else indent
    return 0
