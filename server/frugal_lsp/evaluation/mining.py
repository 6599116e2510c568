"""Completion tasks from the user's own workspace: masked lines with known answers.

Every file the product may send (``context.exclude``, git-ignored files and credential
files are skipped exactly as a real request would skip them), in a language with a
tree-sitter grammar, 10 to 3,000 lines long, gives at most two code lines — not blank,
not a comment, not inside a multi-line string (docstrings are prose), not a line the
redactor would touch (a secret is never a task). Files and lines are taken in a
fixed-seed order, so two runs of `eval` on an unchanged workspace measure the same tasks.

A task's cursor sits after the masked line's indentation; ``truth`` is what was removed.
"""

from __future__ import annotations

import ast
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from frugal_lsp.context.document import language_for
from frugal_lsp.context.grammars import parser_language
from frugal_lsp.context.redact import redact

SEED = 20261201
MIN_LINES, MAX_LINES = 10, 3000
MAX_BYTES = 400_000
PER_FILE = 2
_SKIP_DIRS = {"node_modules", "__pycache__", "venv", "build", "dist", "target", "site-packages"}
_COMMENT_STARTS = ("#", "//", "/*", "*", '"""', "'''", "--")


@dataclass(frozen=True)
class EvalTask:
    path: Path  # the real file (exclusions are judged on it)
    language: str
    row: int  # 0-based line that was masked
    text: str  # the file with the line's code removed (its indentation kept)
    character: int  # the cursor: after the indentation (UTF-16 units; indentation is ASCII)
    truth: str  # the masked code, without its indentation

    @property
    def name(self) -> str:
        return f"{self.path.name}:{self.row + 1}"


def mine(
    workspace: Path, is_excluded: Callable[[Path], bool], want: int, seed: int = SEED
) -> list[EvalTask]:
    """Up to ``want`` tasks from ``workspace``, at most two per file, in a seeded order."""
    rng = random.Random(seed)
    files = sorted(_files(workspace, is_excluded))
    rng.shuffle(files)
    tasks: list[EvalTask] = []
    for path in files:
        if len(tasks) >= want:
            break
        lines = _usable(path)
        if lines is None:
            continue
        skip = _string_rows(lines) if path.suffix == ".py" else set()
        rows = [r for r, line in enumerate(lines) if r not in skip and _maskable(line)]
        for row in sorted(rng.sample(rows, min(PER_FILE, len(rows), want - len(tasks)))):
            tasks.append(_task(path, lines, row))
    return tasks


def _task(path: Path, lines: list[str], row: int) -> EvalTask:
    line = lines[row]
    indent = line[: len(line) - len(line.lstrip())]
    masked = [*lines[:row], indent, *lines[row + 1 :]]
    return EvalTask(path, language_for(path), row, "\n".join(masked), len(indent), line.strip())


def _files(workspace: Path, is_excluded: Callable[[Path], bool]) -> Iterator[Path]:
    for folder, dirs, names in os.walk(workspace):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS]
        for name in names:
            path = Path(folder) / name
            if parser_language(language_for(path)) is None or path.is_symlink():
                continue
            if not is_excluded(path):
                yield path


def _usable(path: Path) -> list[str] | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.split("\n")
    return lines if MIN_LINES <= len(lines) <= MAX_LINES else None


def _maskable(line: str) -> bool:
    code = line.strip()
    if len(code) < 6 or code.startswith(_COMMENT_STARTS) or not any(c.isalnum() for c in code):
        return False
    return "\t" not in line and redact(code).count == 0


def _string_rows(lines: list[str]) -> set[int]:
    """0-based rows inside multi-line strings (docstrings): prose, not code to complete."""
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return set(range(len(lines)))  # cannot tell code from prose: take nothing
    rows: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            end = node.end_lineno or node.lineno
            if end > node.lineno:
                rows.update(range(node.lineno - 1, end))
    return rows
