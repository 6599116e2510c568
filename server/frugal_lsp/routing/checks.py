"""Checks that need no model: is an answer or a suggestion usable as it stands?

Each returns None (it passes) or a short reason, which becomes the ledger's escalation
reason (``routing/cascade.py``) or the count of dropped suggestions. They are cheap
(a regex, a tree-sitter parse of a snippet or of one file) and deliberately conservative:
a false alarm costs one stronger call, a miss shows the user a bad answer.

Answers (ask / explain / design):
- ``empty``: nothing but whitespace; ``refusal``: "I can't help with that" and kin;
- ``cut at max tokens``: the answer used its whole output bound;
- ``code that does not parse``: a fenced block in a language we have a grammar for;
- ``names none of the selection's identifiers``: an answer about code that never
  mentions the code (only when the selection has identifiers and the answer is long
  enough to be about something);
- ``line outside the selection``: the question asks "which line" and the answer points
  at a line number outside the selected lines.

Completions: ``repeats the suffix`` (the suggestion is the code right after the cursor)
and ``parse worse at the cursor`` (more syntax errors near the cursor with the
suggestion inserted than without it).
"""

from __future__ import annotations

import keyword
import re

import tree_sitter as ts

from frugal_lsp.context.grammars import parser_language

_REFUSAL = re.compile(
    r"^\s*(i'?m sorry|sorry,|i can(no|')t|i am unable|i'?m unable|as an ai\b|i am not able)",
    re.I,
)
_FENCE = re.compile(r"```([\w+#-]*)[^\n]*\n(.*?)```", re.S)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
_WHICH_LINE = re.compile(r"\b(which|what) lines?\b", re.I)
_LINE_NUMBER = re.compile(r"\blines?\s+(\d+)", re.I)
_FENCE_LANGUAGES = {
    "py": "python", "python": "python", "js": "javascript", "javascript": "javascript",
    "ts": "typescript", "typescript": "typescript", "go": "go", "rust": "rust", "rs": "rust",
    "java": "java", "c": "c", "cpp": "cpp", "c++": "cpp",
}  # fmt: skip
_COMMON = frozenset({"self", "this", "None", "True", "False", "null", "true", "false"})
MIN_WORDS_ABOUT_CODE = 12


def answer_problem(
    text: str,
    *,
    completion_tokens: int,
    max_tokens: int,
    language: str,
    selection: str,
    first_line: int,
    last_line: int,
    question: str = "",
) -> str | None:
    """Why this answer should be asked again of a stronger model (None: it will do)."""
    stripped = text.strip()
    if not stripped:
        return "empty"
    if _REFUSAL.match(stripped):
        return "refusal"
    if max_tokens and completion_tokens >= max_tokens:
        return "cut at max tokens"
    if bad := _unparsable_block(stripped, language):
        return bad
    if _ignores_selection(stripped, selection):
        return "names none of the selection's identifiers"
    if _WHICH_LINE.search(question) and _line_outside(stripped, first_line, last_line):
        return "line outside the selection"
    return None


def _unparsable_block(text: str, language: str) -> str | None:
    for fence, code in _FENCE.findall(text):
        lang = _FENCE_LANGUAGES.get(fence.lower(), language if not fence else "")
        if not lang or not code.strip():
            continue
        if _errors(lang, code.encode(), None) > 0:
            return f"code that does not parse ({lang})"
    return None


def identifiers(code: str) -> set[str]:
    """The names in ``code`` an answer about it would mention (keywords left out)."""
    return {w for w in _IDENT.findall(code) if not keyword.iskeyword(w) and w not in _COMMON}


def _ignores_selection(text: str, selection: str) -> bool:
    names = identifiers(selection)
    if not names or len(text.split()) < MIN_WORDS_ABOUT_CODE:
        return False
    return not any(re.search(rf"\b{re.escape(n)}\b", text) for n in names)


def _line_outside(text: str, first_line: int, last_line: int) -> bool:
    """``first_line``/``last_line`` are 0-based; people (and models) count from 1."""
    numbers = [int(n) for n in _LINE_NUMBER.findall(text)]
    return bool(numbers) and any(not first_line + 1 <= n <= last_line + 1 for n in numbers)


# -- completions ------------------------------------------------------------------------


def completion_problem(text: str, offset: int, suggestion: str, language: str) -> str | None:
    """Why a suggestion at ``offset`` of ``text`` cannot be right (None: it may be)."""
    first = suggestion.strip().split("\n")[0].strip()
    following = next((line.strip() for line in text[offset:].split("\n") if line.strip()), "")
    if first and first == following:
        return "repeats the suffix"
    if parser_language(language) is None or not suggestion.strip():
        return None
    at = _insertion_start(text, offset, suggestion)
    before, after = text.encode(), (text[:at] + suggestion + text[offset:]).encode()
    start = len(text[:at].encode())
    window = (start, start + len(suggestion.encode()))
    if _errors(language, after, window) > _errors(language, before, (start, start)):
        return "parse worse at the cursor"
    return None


def _insertion_start(text: str, offset: int, suggestion: str) -> int:
    """Where the editor puts ``suggestion``: a suggestion that starts with the word being
    typed (``ret`` → ``return x``) replaces that word, as inline completions do."""
    start = offset
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return start if start < offset and suggestion.startswith(text[start:offset]) else offset


def _errors(language: str, source: bytes, window: tuple[int, int] | None) -> int:
    """Syntax errors (ERROR and missing nodes), near ``window`` (byte range) when given."""
    grammar = parser_language(language)
    if grammar is None:
        return 0
    root = ts.Parser(grammar).parse(source).root_node
    if not root.has_error:
        return 0
    lo, hi = (window[0] - 200, window[1] + 200) if window else (0, len(source))
    count, stack = 0, [root]
    while stack:
        node = stack.pop()
        if node.end_byte < lo or node.start_byte > hi or not node.has_error:
            continue
        if node.type == "ERROR" or node.is_missing:
            count += 1
        stack.extend(node.children)
    return count
