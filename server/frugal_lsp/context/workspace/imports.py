"""What a file imports, read from its import statements' text (Python, JavaScript/TypeScript).

Text, not trees: the completion path has the rows of the current file's import statements
already (``Found.imports``) and parsing those few lines again as text costs microseconds;
the index uses the same reader on whole files, so both sides agree on what a name means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PY_FROM = re.compile(r"^\s*from\s+(\.*)([\w.]*)\s+import\s+(.+)$", re.S)
_PY_IMPORT = re.compile(r"^\s*import\s+(.+)$", re.S)
_JS_FROM = re.compile(r"""\bimport\s+(?:type\s+)?([\w$*{}\s,]+?)\s+from\s+['"]([^'"]+)['"]""", re.S)
_JS_REQUIRE = re.compile(
    r"""(?:const|let|var)\s+([\w$]+|\{[^}]*\})\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)"""
    r"""(?:\.([\w$]+))?""",
    re.S,
)
_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")
JS_LANGUAGES = frozenset({"javascript", "javascriptreact", "typescript", "typescriptreact"})


@dataclass(frozen=True)
class Import:
    """One name an import binds in the importing file.

    ``module`` is the module as written (``os.path``, ``./util``), ``level`` the leading
    dots of a Python relative import, ``symbol`` the imported member ("" when the name is
    the module itself, "*" for a star import), ``local`` the name the file uses.
    """

    local: str
    module: str
    symbol: str = ""
    level: int = 0


def parse_imports(language: str, text: str) -> tuple[Import, ...]:
    """Every binding made by the import statements in ``text`` (other code is ignored)."""
    if language == "python":
        return tuple(_python(text))
    if language in JS_LANGUAGES:
        return tuple(_javascript(text))
    return ()


def _python(text: str) -> list[Import]:
    out: list[Import] = []
    for statement in _python_statements(text):
        if m := _PY_FROM.match(statement):
            level, module = len(m.group(1)), m.group(2)
            for name, alias in _aliases(m.group(3)):
                out.append(Import(alias, module, name, level))
        elif m := _PY_IMPORT.match(statement):
            for name, alias in _aliases(m.group(1)):
                # `import a.b` binds `a`; `import a.b as c` binds c to a.b
                local = alias if alias != name else name.split(".")[0]
                out.append(Import(local, name if alias != name else local))
    return out


def _python_statements(text: str) -> list[str]:
    """Import statements joined across parentheses and backslash continuations."""
    statements: list[str] = []
    current: list[str] = []
    depth = 0
    for line in text.split("\n"):
        code = line.split("#", 1)[0]
        starts = re.match(r"\s*(from|import)\s", code) is not None
        if current and starts and depth > 0:  # a cut-off statement: start afresh
            current, depth = [], 0
        if not current and not starts:
            continue
        current.append(code.rstrip("\\"))
        depth += code.count("(") - code.count(")")
        if depth <= 0 and not code.rstrip().endswith("\\"):
            statements.append(" ".join(current).replace("(", " ").replace(")", " "))
            current, depth = [], 0
    return statements


def _aliases(names: str) -> list[tuple[str, str]]:
    out = []
    for part in names.replace(";", ",").split(","):
        words = part.split()
        if len(words) == 3 and words[1] == "as":
            out.append((words[0], words[2]))
        elif len(words) == 1:
            out.append((words[0], words[0]))
    return [(n, a) for n, a in out if a == "*" or _NAME.match(a)]


def _javascript(text: str) -> list[Import]:
    out: list[Import] = []
    for m in _JS_FROM.finditer(text):
        out.extend(_js_bindings(m.group(1), m.group(2)))
    for m in _JS_REQUIRE.finditer(text):
        target, module, member = m.group(1), m.group(2), m.group(3)
        if member:
            out.append(Import(target, module, member))
        else:
            out.extend(_js_bindings(target, module, default_is_module=True))
    return out


def _js_bindings(clause: str, module: str, default_is_module: bool = True) -> list[Import]:
    out: list[Import] = []
    clause = clause.strip()
    braces = re.search(r"\{([^}]*)\}", clause)
    if braces:
        for part in braces.group(1).split(","):
            words = part.replace(":", " as ").split()
            if len(words) == 3 and words[1] == "as":
                out.append(Import(words[2], module, words[0]))
            elif len(words) == 1 and _NAME.match(words[0]):
                out.append(Import(words[0], module, words[0]))
        clause = clause[: braces.start()] + clause[braces.end() :]
    for part in clause.split(","):
        words = part.split()
        if len(words) == 3 and words[0] == "*":  # import * as ns from
            out.append(Import(words[2], module))
        elif len(words) == 1 and _NAME.match(words[0]):
            out.append(Import(words[0], module, "" if default_is_module else "default"))
    return out
