"""Cross-file context benchmark: does the prompt hold what the masked line needs from the
*other* files of its project? Run ``python -m tests.bench.crossfile_bench`` (also part of
``make bench-context``, which writes its section into bench/results/context.md).

Projects nobody here wrote: the packages vendored inside pip (``rich``, ``urllib3``,
``requests``) and npm's ``lib/``. A position is the start of a non-blank code line
(fixed seed); the line is masked as in ``context_bench``. Its **cross-file identifiers**
are the code identifiers of the masked line that occur nowhere else in the (masked) file
and that another file of the project defines (a function, class, method or module-level
name, per the workspace index) — minus generic names: attributes of the language's own
types (``dict.items``, ``Array.prototype.map``, …), standard-library module names, dunders,
and names that more than ``MAX_DEFINING_FILES`` files define (``exec``, ``get``): those
match a project definition by coincidence, not because the line needs that file. A
single-file context scores 0 on them by construction; cross-file recall is the share of
them the prompt holds. Positions with none are skipped.

The workspace index is built before the positions are asked (as the server does at
start), and updated with each masked file, as ``didChange`` would, before its build.
"""

from __future__ import annotations

import random
import re
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from frugal_lsp.config import ContextConfig
from frugal_lsp.context import ContextBuilder, ContextRequest, Document
from frugal_lsp.context.document import language_for
from frugal_lsp.context.trees import Trees
from frugal_lsp.context.workspace import RecentEdits, WorkspaceIndex
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import TokenCounter, counter
from tests.bench.context_bench import NPM_ROOT, _is_code, _mask, identifiers, window

SEED = 20261201
PER_FILE = 6
MAX_CASES = 120  # per project
BUDGETS = (512, 1024)
_WORD = re.compile(r"[A-Za-z_$][\w$]*")
MAX_DEFINING_FILES = 3  # a name more files define is generic (exec, render, get)
# attributes of the languages' own types: `headers.items()` does not need another file
_PY_GENERIC = {
    n
    for t in (str, bytes, dict, list, set, tuple, int, float, object, BaseException)
    for n in dir(t)
} | set(sys.stdlib_module_names)
_JS_WORDS = """
push pop shift unshift slice splice map filter reduce forEach find findIndex some every
includes indexOf join concat sort reverse keys values entries has get set delete add
clear then catch finally resolve reject all length size toString valueOf split trim
replace match test startsWith endsWith toLowerCase toUpperCase padStart padEnd repeat
apply call bind assign freeze create defineProperty from isArray parse stringify
on once emit off write end pipe name message stack code
"""
_JS_GENERIC = set(_JS_WORDS.split())


def projects() -> dict[str, Path]:
    import pip

    vendor = Path(pip.__file__).parent / "_vendor"
    found = {f"pip/_vendor/{n}": vendor / n for n in ("rich", "urllib3", "requests")}
    found["npm/lib"] = NPM_ROOT / "lib"
    return {k: v for k, v in found.items() if v.is_dir()}


@dataclass(frozen=True)
class CrossCase:
    doc: Document
    original: str
    row: int
    column: int
    wanted: frozenset[str]  # cross-file identifiers of the masked line
    refined: frozenset[str]  # those not used only as members of a non-project import


@dataclass
class Scores:
    tokens: list[int] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    refined: list[float] = field(default_factory=list)  # over cases with refined names

    def add(self, case: CrossCase, tokens: int, text: str) -> None:
        self.tokens.append(tokens)
        self.recall.append(recall(case.wanted, text))
        if case.refined:
            self.refined.append(recall(case.refined, text))

    def cells(self) -> list[str]:
        if not self.tokens:
            return ["-", "-", "-"]
        return [
            f"{statistics.median(self.tokens):.0f}",
            f"{statistics.fmean(self.recall):.3f}",
            f"{statistics.fmean(self.refined):.3f}" if self.refined else "-",
        ]


def cases_for(root: Path, index: WorkspaceIndex, rng: random.Random) -> list[CrossCase]:
    trees = Trees()
    files = sorted(p for p in root.rglob("*") if p.suffix in {".py", ".js"} and index.file(p))
    rng.shuffle(files)
    out: list[CrossCase] = []
    for path in files:
        out += _file_cases(path, index, rng, trees)
        if len(out) >= MAX_CASES:
            break
    return out[:MAX_CASES]


def _file_cases(
    path: Path, index: WorkspaceIndex, rng: random.Random, trees: Trees
) -> list[CrossCase]:
    text = path.read_text(encoding="utf-8")
    doc = Document(path=path, text=text, language=language_for(path))
    parsed = trees.get(doc)
    if parsed is None:
        return []
    own = index.file_key(path)
    defining: dict[str, set[str]] = {}
    for e in index.entries():
        if e.path != own:
            for s in e.symbols:
                defining.setdefault(s.name, set()).add(e.path)
    generic = _PY_GENERIC if doc.language == "python" else _JS_GENERIC
    entry = index.file(path)
    outside = {  # names bound to an import of a module outside the project
        imp.local
        for imp in (entry.imports if entry is not None else ())
        if not index.resolve(path, imp, doc.language)
    }
    elsewhere = {
        n for n, files in defining.items()
        if len(files) <= MAX_DEFINING_FILES and n not in generic and not n.startswith("__")
    }  # fmt: skip
    lines = doc.lines
    rows = [r for r in range(len(lines)) if lines[r].strip() and _is_code(parsed, lines, r)]
    rng.shuffle(rows)
    out: list[CrossCase] = []
    for r in rows:
        case = _mask(doc, r)
        if case is None:
            continue
        rest = set(_WORD.findall(case.doc.text))
        wanted = (identifiers(lines[r], doc.language) - rest) & elsewhere
        if wanted:
            pos = case.position
            refined = frozenset(wanted - _outside_members(lines[r], outside))
            out.append(
                CrossCase(case.doc, text, pos.line, pos.character, frozenset(wanted), refined)
            )
        if len(out) == PER_FILE:
            break
    return out


_CHAIN = re.compile(r"[A-Za-z_$][\w$]*(?:\s*\??\.\s*#?[A-Za-z_$][\w$]*)*")


def _outside_members(line: str, outside: set[str]) -> set[str]:
    """Names the line uses only as members of a chain rooted at a name bound to a
    non-project import (``os.close``, ``sys.stdin.read``, ``log.warn`` of proc-log): they
    match a project definition by coincidence, not because the line needs that file."""
    inside: set[str] = set()
    members: set[str] = set()
    for m in _CHAIN.finditer(line):
        parts = re.split(r"\s*\??\.\s*#?", m.group(0))
        if parts[0] in outside:
            members.update(parts[1:])
            inside.add(parts[0])
        else:
            inside.update(parts)
    return members - inside


def recall(wanted: frozenset[str], text: str) -> float:
    return len(wanted & set(_WORD.findall(text))) / len(wanted)


def run_builder(
    builder: ContextBuilder, index: WorkspaceIndex | None, case: CrossCase
) -> tuple[int, str]:
    from frugal_lsp.context import Position

    if index is not None:
        index.update(case.doc.path, case.doc.text)  # what didChange does
    try:
        prompt = builder.build(
            ContextRequest(case.doc, Task.COMPLETION, Position(case.row, case.column))
        )
    finally:
        if index is not None:
            index.update(case.doc.path, case.original)
    return prompt.prompt_tokens, prompt.messages[-1].content


def evaluate(tc: TokenCounter) -> tuple[dict[str, dict[str, Scores]], dict[str, dict[str, float]]]:
    """Scores per project and strategy, and each project's index figures."""
    rng = random.Random(SEED)
    results: dict[str, dict[str, Scores]] = {}
    figures: dict[str, dict[str, float]] = {}
    for name, root in projects().items():
        index = WorkspaceIndex(root)
        t0 = time.perf_counter()
        index.build()
        figures[name] = {"files": len(index), "build_s": time.perf_counter() - t0}
        cases = cases_for(root, index, rng)
        strategies: dict[str, Callable[[CrossCase], tuple[int, str]]] = {}
        for b in BUDGETS:
            config = ContextConfig(
                completion_max_tokens=b, exclude=(), completion_cross_file_share=0.25
            )
            single = ContextBuilder(config, tc, root)
            cross = ContextBuilder(config, tc, root, index)
            strategies[f"window @{b}"] = _window(b, tc)
            strategies[f"ours @{b}, single file"] = lambda c, s=single: run_builder(s, None, c)
            strategies[f"ours @{b}, cross-file"] = lambda c, x=cross, i=index: run_builder(x, i, c)
        strategies["ours @512, cross-file + recent"] = _cross_and_recent(root, index, tc)
        scores = {k: Scores() for k in strategies}
        for case in cases:
            for k, fn in strategies.items():
                scores[k].add(case, *fn(case))
        mid = [m for c in cases if (m := mid_line(c)) is not None]
        config = ContextConfig(
            completion_max_tokens=512, exclude=(), completion_cross_file_share=0.25
        )
        single = ContextBuilder(config, tc, root)
        cross = ContextBuilder(config, tc, root, index)
        for label, builder, ix in (("single file", single, None), ("cross-file", cross, index)):
            mid_scores = scores[f"ours @512, {label}, mid-line"] = Scores()
            for case in mid:
                mid_scores.add(case, *run_builder(builder, ix, case))
        results[name] = scores
        figures[name]["cases"] = len(cases)
        figures[name]["mid"] = len(mid)
    return results, figures


_AFTER = re.compile(r"(?:\.|\(\s*)\s*$")


def mid_line(case: CrossCase) -> CrossCase | None:
    """The case with its line typed up to the first cross-file name that follows a
    ``.`` or an open ``(`` (``Segment.``|``apply_style(…)``, ``render(``|``options``): where
    a user is mid-line and the completion needs the member or the argument. The names
    wanted are those of the rest of the line; None when no such name starts it."""
    line = case.original.split("\n")[case.row]
    best = None
    for m in _WORD.finditer(line):
        if (
            m.group(0) in case.wanted
            and m.start() > case.column
            and _AFTER.search(line[: m.start()])
        ):
            best = m.start()
            break
    if best is None:
        return None
    typed, rest = line[:best], line[best:]
    wanted = frozenset(n for n in case.wanted if n in set(_WORD.findall(rest)))
    wanted -= set(_WORD.findall(typed))
    if not wanted:
        return None
    lines = case.doc.text.split("\n")
    lines[case.row] = typed
    doc = Document(path=case.doc.path, text="\n".join(lines), language=case.doc.language)
    refined = frozenset(case.refined & wanted)
    return CrossCase(doc, case.original, case.row, best, wanted, refined)


def neighbours(root: Path, index: WorkspaceIndex) -> Callable[[Path], list[str]]:
    """A file's project neighbours, the recently edited files the bench simulates: the
    files its imports resolve to (in the order of its imports), then the files whose
    imports resolve to it (by path), the first 3."""
    imported: dict[str, list[str]] = {}
    importers: dict[str, list[str]] = {}
    for e in sorted(index.entries(), key=lambda e: e.path):
        for imp in e.imports:
            for t in index.resolve(root / e.path, imp, e.language):
                if t.path != e.path and t.path not in imported.setdefault(e.path, []):
                    imported[e.path].append(t.path)
                    importers.setdefault(t.path, []).append(e.path)

    def of(path: Path) -> list[str]:
        own = index.file_key(path) or ""
        return list(dict.fromkeys([*imported.get(own, []), *importers.get(own, [])]))[:3]

    return of


def _cross_and_recent(
    root: Path, index: WorkspaceIndex, tc: TokenCounter
) -> Callable[[CrossCase], tuple[int, str]]:
    """``ours @512, cross-file`` plus the window of a recently edited file, the recent
    files being the masked file's ``neighbours`` (the first one counts as the latest edit)."""
    config = ContextConfig(completion_max_tokens=512, exclude=(), completion_cross_file_share=0.25)
    recent = RecentEdits(root, lambda p: False, max_files=3)
    builder = ContextBuilder(config, tc, root, index, recent)
    near = neighbours(root, index)

    def fn(case: CrossCase) -> tuple[int, str]:
        simulate_edits(recent, root, near(case.doc.path))
        return run_builder(builder, index, case)

    return fn


def simulate_edits(recent: RecentEdits, root: Path, files: list[str]) -> None:
    """``recent`` holds exactly ``files``, as edited from the last to the first."""
    for e in recent.entries():
        if e.rel not in files:
            recent.forget(e.path)
    for rel in reversed(files):
        path = root / rel
        recent.edited(path, path.read_text(encoding="utf-8"), language_for(path))


def _window(budget: int, tc: TokenCounter) -> Callable[[CrossCase], tuple[int, str]]:
    from frugal_lsp.context import Position
    from tests.bench.context_bench import Case

    def fn(case: CrossCase) -> tuple[int, str]:
        text = window(Case(case.doc, Position(case.row, case.column), case.wanted), budget, tc)
        return tc.count(text), text

    return fn


# --- index figures: first build, restart, RSS, update after an edit ---------------------

_PROBE = """
import json, sys, time, tempfile
from pathlib import Path
from frugal_lsp.context.workspace import RecentEdits, WorkspaceIndex
import tree_sitter_python, tree_sitter_javascript
def peak_kb():  # VmHWM: this process's peak RSS (ru_maxrss survives exec: the parent's)
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
root, state = Path(sys.argv[1]), Path(tempfile.mkdtemp()) / "index.json"
skip = lambda p: bool({"test", "tests", "idle_test", "site-packages"} & set(p.parts))
before = peak_kb()
t0 = time.perf_counter(); index = WorkspaceIndex(root, skip, state=state); index.build()
first = time.perf_counter() - t0
after = peak_kb()
t0 = time.perf_counter(); again = WorkspaceIndex(root, skip, state=state)
parsed = again.build(); restart = time.perf_counter() - t0
big = max(index.entries(), key=lambda e: e.size)
text = (root / big.path).read_text(encoding="utf-8")
times = []
for i in range(20):
    t0 = time.perf_counter(); index.update(root / big.path, text + "\\n" * (i + 1))
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"files": len(index), "first_s": first, "rss_mb": (after - before) / 1024,
  "restart_s": restart, "restart_parsed": parsed, "state_kb": state.stat().st_size / 1024,
  "update_ms": times[len(times) // 2] * 1e3, "update_lines": text.count("\\n"),
  "truncated": index.truncated}))
"""


def index_figures() -> dict[str, dict[str, float]]:
    """First build, restart and update figures in a fresh process per tree (RSS is clean)."""
    import json

    trees = {"stdlib": Path(sysconfig.get_paths()["stdlib"]), "npm/lib": NPM_ROOT / "lib"}
    out = {}
    for name, root in trees.items():
        if root.is_dir():
            proc = subprocess.run(
                [sys.executable, "-c", _PROBE, str(root)],
                capture_output=True,
                text=True,
                check=True,
            )
            out[name] = json.loads(proc.stdout)
    return out


# --- report -----------------------------------------------------------------------------


def section(tc: TokenCounter) -> list[str]:
    results, figures = evaluate(tc)
    names = list(next(iter(results.values())))
    rows = []
    pooled = {n: Scores() for n in names}
    for project, scores in results.items():
        rows.append(
            [project, f"{figures[project]['cases']:.0f}"]
            + [" / ".join(scores[n].cells()) for n in names]
        )
        for n in names:
            pooled[n].tokens += scores[n].tokens
            pooled[n].recall += scores[n].recall
            pooled[n].refined += scores[n].refined
    total = sum(int(f["cases"]) for f in figures.values())
    rows.append(["all", str(total)] + [" / ".join(pooled[n].cells()) for n in names])
    index = index_figures()
    cores = _cores()
    best = pooled["ours @512, cross-file"]
    med, rec = statistics.median(best.tokens), statistics.fmean(best.recall)
    refined = statistics.fmean(best.refined)
    return [
        "## Cross-file context (workspace index)",
        "",
        f"Seed {SEED}, up to {PER_FILE} positions per file, {MAX_CASES} per project; "
        "recall over the masked line's identifiers that occur nowhere else in its file and "
        "that another file of the project defines. Cells: median prompt tokens / recall / "
        "refined recall, which leaves out the names the line uses only as members of a "
        "non-project import (`os.close`, `sys.stdin.read`, proc-log's `log.warn`: they match "
        "a project definition by coincidence) and is averaged over the "
        f"{len(best.refined)} positions that keep a name. Produced by `make bench-context` "
        "(`python -m tests.bench.crossfile_bench` for this section alone; `--values` prints "
        "the snippet values `context/workspace/values.py` ranks by).",
        "",
        _table(["strategy", *[r[0] for r in rows]], _transpose(names, rows)),
        "",
        f"- cross-file recall @512 {rec:.3f} (refined {refined:.3f}) at median {med:.0f} "
        f"prompt tokens (target ≥ 0.8 at ≤ 512): "
        f"{'met' if rec >= 0.8 and med <= 512 else 'NOT met'}",
        f"- mid-line rows: {sum(int(f['mid']) for f in figures.values())} of the positions "
        "again, typed up to the first cross-file name that follows a `.` or an open `(` "
        "(`Segment.`, `render(`), scored on the names of the rest of the line: where a user "
        "is when a completion needs another file's member or parameter",
        "",
        f"### Index figures ({cores} cores; fresh process per tree)",
        "",
        "First build: walk, read, parse and extract every file (tests left out); RSS",
        "growth: peak RSS after the build less before it (grammars already loaded);",
        "restart: a second index over the saved one (stat per file, nothing re-parsed when",
        "nothing changed); re-index: `update()` with the editor's text of the tree's",
        "largest file after a one-line edit (median of 20), what a pause in typing costs.",
        "",
        _table(
            [
                "tree",
                "files",
                "first build s",
                "RSS growth MB",
                "restart s (files re-parsed)",
                "saved index KB",
                "re-index of its largest file ms (lines)",
            ],
            [
                [
                    name,
                    f"{f['files']}" + (" (capped)" if f["truncated"] else ""),
                    f"{f['first_s']:.2f}",
                    f"{f['rss_mb']:.1f}",
                    f"{f['restart_s']:.2f} ({f['restart_parsed']})",
                    f"{f['state_kb']:.0f}",
                    f"{f['update_ms']:.1f} ({f['update_lines']})",
                ]
                for name, f in index.items()
            ],
        ),
        "",
    ]


def _transpose(names: list[str], rows: list[list[str]]) -> list[list[str]]:
    """One row per strategy, one column per project (cells: median tokens / recall)."""
    return [[n] + [r[2 + i] for r in rows] for i, n in enumerate(names)]


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _table(head: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


# --- the values snippets are ranked by (context/workspace/values.py) -----------------

VALUE_RANKS = 6  # ranks kept apart per source; the last holds for the rest


def snippet_values(tc: TokenCounter, mid: bool = False) -> dict[str, list[tuple[int, int, int]]]:
    """Per source and rank within it: (snippets, tokens, wanted names first brought),
    over every candidate at an unbounded budget, in the order the builder found them;
    at the mid-line positions with ``mid``."""
    from frugal_lsp.context import Position

    rng = random.Random(SEED)
    out: dict[str, list[tuple[int, int, int]]] = {}
    config = ContextConfig(completion_max_tokens=100_000, exclude=(), completion_cross_file_share=1)
    for root in projects().values():
        index = WorkspaceIndex(root)
        index.build()
        builder = ContextBuilder(config, tc, root, index)
        cases = cases_for(root, index, rng)
        if mid:
            cases = [m for c in cases if (m := mid_line(c)) is not None]
        for case in cases:
            index.update(case.doc.path, case.doc.text)
            request = ContextRequest(case.doc, Task.COMPLETION, Position(case.row, case.column))
            snippets = builder.candidates(request)
            index.update(case.doc.path, case.original)
            got: set[str] = set()
            ranks: dict[str, int] = {}
            for snip in snippets:
                rank = min(ranks.get(snip.source, 0), VALUE_RANKS - 1)
                ranks[snip.source] = ranks.get(snip.source, 0) + 1
                new = (case.wanted & set(_WORD.findall(f"{snip.path}\n{snip.text}"))) - got
                got |= new
                row = out.setdefault(snip.source, [(0, 0, 0)] * VALUE_RANKS)
                n, t, h = row[rank]
                row[rank] = (n + 1, t + tc.count(snip.text), h + len(new))
    return out


def values_table(tc: TokenCounter, mid: bool = False) -> list[str]:
    lines = ["| source | rank | snippets | mean tokens | names | names per 1,000 tokens |"]
    lines.append("|---|---|---|---|---|---|")
    for source, row in sorted(snippet_values(tc, mid).items()):
        for rank, (n, t, h) in enumerate(row):
            if n:
                label = f"{rank}+" if rank == VALUE_RANKS - 1 else str(rank)
                lines.append(
                    f"| {source} | {label} | {n} | {t / n:.0f} | {h} | {1000 * h / t:.2f} |"
                )
    return lines


def main() -> None:
    if "--values" in sys.argv:
        print("\n".join(values_table(counter(), "--mid" in sys.argv)))
        return
    print("\n".join(section(counter())))


if __name__ == "__main__":
    main()
