"""Functions nobody here wrote, to be typed back into their files: stdlib Python + npm's JS.

A ``Piece`` is one function cut out of its file: the editor opens ``head + tail`` and the
replay types ``body`` back in between, keystroke by keystroke. Selection is deterministic
(sorted file lists, a fixed seed) so every run types the same text.
"""

from __future__ import annotations

import ast
import random
import sysconfig
from dataclasses import dataclass
from pathlib import Path

NPM_ROOT = Path("/usr/lib/node_modules/npm")
_SKIP_DIRS = {"test", "tests", "idle_test", "site-packages", "__pycache__", "lib2to3", "turtledemo"}
MIN_FILE_LINES, MAX_FILE_LINES = 80, 2500
MIN_BODY_LINES, MAX_BODY_LINES = 6, 18
MAX_LINE_CHARS = 100


@dataclass(frozen=True)
class Piece:
    path: Path
    language: str  # LSP language id
    head: str  # file text before the function (ends with a newline)
    body: str  # the function's own lines, each ending with a newline
    tail: str  # file text after the function

    @property
    def name(self) -> str:
        return f"{self.path.name}:{self.head.count(chr(10)) + 1}"


def stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    return sorted(
        p for p in root.rglob("*.py") if not _SKIP_DIRS.intersection(p.relative_to(root).parts)
    )


def npm_files() -> list[Path]:
    return sorted(p for p in NPM_ROOT.rglob("*.js") if "test" not in p.relative_to(NPM_ROOT).parts)


def python_spans(text: str) -> list[tuple[int, int]]:
    """(first, last) 0-based lines of top-level functions and methods, decorators excluded."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
            spans.append((node.lineno - 1, node.end_lineno - 1))
    return spans


def javascript_spans(text: str) -> list[tuple[int, int]]:
    """(first, last) lines of function declarations and class methods (tree-sitter)."""
    import tree_sitter_javascript
    from tree_sitter import Language, Parser

    parser = Parser(Language(tree_sitter_javascript.language()))
    tree = parser.parse(text.encode("utf-8"))
    spans, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in ("function_declaration", "method_definition"):
            spans.append((node.start_point[0], node.end_point[0]))
        stack.extend(node.children)
    return spans


def _usable(lines: list[str], first: int, last: int) -> bool:
    size = last - first + 1
    if not MIN_BODY_LINES <= size <= MAX_BODY_LINES:
        return False
    body = lines[first : last + 1]
    short = all(len(ln) <= MAX_LINE_CHARS and "\t" not in ln for ln in body)
    return short and bool(body[0].strip())


def pieces_from(path: Path, language: str, rng: random.Random, want: int) -> list[Piece]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    lines = text.splitlines(keepends=True)
    if not MIN_FILE_LINES <= len(lines) <= MAX_FILE_LINES or not text.endswith("\n"):
        return []
    spans = python_spans(text) if language == "python" else javascript_spans(text)
    spans = sorted(s for s in spans if _usable(lines, *s))
    chosen = rng.sample(spans, min(want, len(spans)))
    return [
        Piece(
            path, language, "".join(lines[:a]), "".join(lines[a : b + 1]), "".join(lines[b + 1 :])
        )
        for a, b in sorted(chosen)[:1]  # one function per file: more files, more variety
    ]


def build_corpus(seed: int, py_count: int, js_count: int) -> list[Piece]:
    """``py_count`` stdlib functions and ``js_count`` npm functions, each from its own file."""
    rng = random.Random(seed)
    out: list[Piece] = []
    for files, language, count in (
        (stdlib_files(), "python", py_count),
        (npm_files(), "javascript", js_count),
    ):
        order = files[:]
        rng.shuffle(order)
        taken = 0
        for path in order:
            if taken >= count:
                break
            found = pieces_from(path, language, rng, 1)
            out.extend(found)
            taken += len(found)
    return out
