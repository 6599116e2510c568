"""What a file uses from elsewhere, read once per version by the index's worker.

A masked or half-written line often needs a name the code right around the cursor does
not show: ``Segment.apply_style(`` two screens below the last ``Segment.``, or the
``from .measure import Measurement`` a file's body already relies on. So each index
entry keeps the file's references to names it does not define: imported names and
unbound class-like names (``Measurement`` used but neither defined nor imported), each
with the rows it is used on. Cross-file context reads them beyond the rows it scans
around the cursor; nothing here runs on the completion's path.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass

from frugal_lsp.context.workspace.imports import Import

MAX_USES = 300  # distinct (name, attribute) pairs per file
MAX_ROWS = 6  # rows kept per pair: enough to find the one nearest the cursor
_REF = re.compile(r"(?<![\w$.#])([A-Za-z_$][\w$]*)(?:\s*\.\s*(#?[A-Za-z_$][\w$]*))?")
_SKIP = frozenset({"self", "this", "cls", "super"}) | frozenset(dir(builtins))
_JS_GLOBALS = frozenset(
    {
        *("Object", "Array", "String", "Number", "Boolean", "Symbol", "BigInt", "Math"),
        *("JSON", "Date", "RegExp", "Error", "TypeError", "RangeError", "SyntaxError"),
        *("Promise", "Map", "Set", "WeakMap", "WeakSet", "Buffer", "URL", "Intl"),
        *("URLSearchParams", "Reflect", "Proxy", "ArrayBuffer", "Uint8Array", "Infinity"),
    }
)


# a quoted string within one line (a class per quote: no backtracking on long strings)
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r"|`(?:[^`\\\n]|\\.)*`")
_COMMENT = re.compile(r"(?:#|//)[^\n]*")


def code_of(line: str) -> str:
    """A line without string contents or a trailing comment (rough, and cheap)."""
    line = _STRING.sub('""', line)
    for marker in ("#", "//"):
        at = line.find(marker)
        if at >= 0:
            line = line[:at]
    return line


@dataclass(frozen=True)
class Use:
    """``name`` (``.attr``) used on ``rows`` of a file that does not define ``name``."""

    name: str
    attr: str
    rows: tuple[int, ...]
    bound: bool  # imported by the file (else: used without an import or a definition)


def file_uses(lines: list[str], defined: set[str], imports: tuple[Import, ...]) -> tuple[Use, ...]:
    """The file's uses of imported names and of unbound class-like names, in first-use
    order. ``defined``: the names the file defines at any level (its symbols)."""
    bound = {imp.local for imp in imports}
    skipped = _import_rows(lines) | _docstring_rows(lines)
    # one pass over the whole text (strings and comments blanked, line breaks kept) for
    # the names that can count: class-like ones and the imported ones
    code = _COMMENT.sub("", _STRING.sub('""', "\n".join(lines)))
    wanted = "|".join(sorted((re.escape(b) for b in bound), key=len, reverse=True))
    head = rf"[A-Z][\w$]*|(?:{wanted})(?![\w$])" if wanted else r"[A-Z][\w$]*"
    pattern = re.compile(rf"(?<![\w$.#])({head})(?:\s*\.\s*(#?[A-Za-z_$][\w$]*))?")
    rows: dict[tuple[str, str], list[int]] = {}
    row, at = 0, 0
    for m in pattern.finditer(code):
        row += code.count("\n", at, m.start())
        at = m.start()
        name = m.group(1)
        if row in skipped or name in _SKIP or name in _JS_GLOBALS or name in defined:
            continue
        key = (name, m.group(2) or "")
        seen = rows.get(key)
        if seen is None:
            if len(rows) >= MAX_USES:
                continue
            rows[key] = seen = []
        if len(seen) < MAX_ROWS and (not seen or seen[-1] != row):
            seen.append(row)
    return tuple(Use(n, a, tuple(rs), n in bound) for (n, a), rs in rows.items())


def _docstring_rows(lines: list[str]) -> set[int]:
    """Rows inside triple-quoted strings and ``/* */`` comments: prose, not uses."""
    out: set[int] = set()
    closing = ""
    for r, line in enumerate(lines):
        if closing:
            out.add(r)
            if closing in line:
                closing = ""
            continue
        for opener, closer in (('"""', '"""'), ("'''", "'''"), ("/*", "*/")):
            at = line.find(opener)
            if at >= 0 and closer not in line[at + len(opener) :]:
                out.add(r)
                closing = closer
                break
    return out


_IMPORT_START = ("import ", "from ", "const ", "let ", "var ", "export ")


def _import_rows(lines: list[str]) -> set[int]:
    """Rows of import statements, continuation rows included (their names are
    bindings, not uses)."""
    out: set[int] = set()
    depth = 0
    for r, line in enumerate(lines):
        s = line.lstrip()
        starts = s.startswith(("import ", "from ")) or (
            "require(" in s and s.startswith(_IMPORT_START)
        )
        if starts or depth > 0:
            out.add(r)
            depth = max(depth + s.count("(") + s.count("{") - s.count(")") - s.count("}"), 0)
    return out
