"""What the recently-edited window costs a request: ``python -m tests.bench.recent_bench``.

Eight recently edited files of 2,000 lines each (real code: the standard library's
largest Python modules, cut or repeated to 2,000 lines), the current file a ninth. A
lookup is ``RecentEdits.similar`` for the ten lines above a cursor's line, cursors spread
over the current file (each a new search), then 20 lookups per line (typing on it: the
remembered answer); windows are computed once per file version (the first, cold lookup
after the other files changed) and reused after. Printed: median and p99 of both in µs,
and the cold cost of cutting one file version into windows in ms.

Then, on ``crossfile_bench``'s cases (its projects, seed and masked lines; the recently
edited files are the masked file's ``neighbours`` there): how often a window beats
``MIN_SIMILARITY``, how often it reaches the @512 completion prompt (after the
definitions, in their 0.25 share), the best similarity's quartiles, and the cross-file
recall of the window's text alone when there is one (what it could add with room).
"""

from __future__ import annotations

import statistics
import sysconfig
import time
from pathlib import Path

from frugal_lsp.config import ContextConfig
from frugal_lsp.context import ContextBuilder, ContextRequest, Position
from frugal_lsp.context.workspace import WorkspaceIndex
from frugal_lsp.context.workspace.recent import QUERY_ROWS, RecentEdits, Windows, names_of
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import counter

FILES = 8
LINES = 2000
LOOKUPS = 2000


def sources() -> list[str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    biggest = sorted(stdlib.glob("*.py"), key=lambda p: p.stat().st_size, reverse=True)
    out = []
    for path in biggest[: FILES + 1]:
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        while len(lines) < LINES:
            lines += lines
        out.append("\n".join(lines[:LINES]))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def project_figures() -> None:
    import random

    from tests.bench import crossfile_bench as cb

    rng = random.Random(cb.SEED)
    config = ContextConfig(completion_max_tokens=512, exclude=(), completion_cross_file_share=0.25)
    print("on crossfile_bench's cases (recent files: the masked file's neighbours, up to 3):")
    for name, root in cb.projects().items():
        index = WorkspaceIndex(root)
        index.build()
        cases = cb.cases_for(root, index, rng)
        recent = RecentEdits(root, lambda p: False, max_files=3)
        builder = ContextBuilder(config, counter(), root, index, recent)
        near = cb.neighbours(root, index)
        found, shown, best, alone = 0, 0, [], []
        for case in cases:
            cb.simulate_edits(recent, root, near(case.doc.path))
            lines = case.doc.lines
            query = lines[max(case.row - QUERY_ROWS, 0) : case.row]  # as the builder does
            names = names_of(query)
            windows = [recent._windows_of(e.rel, e.text) for e in recent.entries()]
            best.append(max((w.best(names, 0.0)[0] for w in windows), default=0.0))
            window = recent.similar(case.doc.path, case.doc.language, query)
            if window is not None:
                found += 1
                alone.append(cb.recall(case.wanted, window.text))
            index.update(case.doc.path, case.doc.text)
            at = Position(case.row, case.column)
            prompt = builder.build(ContextRequest(case.doc, Task.COMPLETION, at))
            index.update(case.doc.path, case.original)
            shown += any(o.startswith("recent: ") for o in prompt.origins)
        quartiles = ", ".join(f"{q:.2f}" for q in statistics.quantiles(best, n=4))
        recall = f"{statistics.fmean(alone):.3f}" if alone else "-"
        print(
            f"  {name}: {len(cases)} cases, a window for {found}, in the prompt {shown}; "
            f"best similarity quartiles {quartiles}; window-alone recall {recall}"
        )


def main() -> None:
    root = Path("/nonexistent-workspace")
    texts = sources()
    recent = RecentEdits(root, lambda p: False)
    for n, text in enumerate(texts[1:]):
        recent.edited(root / f"m{n}.py", text, "python")
    current = texts[0].split("\n")
    here = root / "current.py"
    t0 = time.perf_counter()
    recent.similar(here, "python", current[990 : 990 + QUERY_ROWS])
    first = time.perf_counter() - t0
    cold = []
    for text in texts[1:]:
        t0 = time.perf_counter()
        Windows.of(text)
        cold.append(time.perf_counter() - t0)
    warm, found = [], 0
    for i in range(LOOKUPS):  # a new cursor line each time: the search runs
        row = QUERY_ROWS + (i * 7919) % (LINES - QUERY_ROWS)
        query = current[row - QUERY_ROWS : row]
        t0 = time.perf_counter()
        hit = recent.similar(here, "python", query)
        warm.append(time.perf_counter() - t0)
        found += hit is not None
    typing = []
    for i in range(LOOKUPS // 20):  # 20 keystrokes on one line: the lines above stay
        row = QUERY_ROWS + (i * 7919) % (LINES - QUERY_ROWS)
        for _ in range(20):
            t0 = time.perf_counter()
            recent.similar(here, "python", current[row - QUERY_ROWS : row])
            typing.append(time.perf_counter() - t0)
    print(f"recent windows: {len(texts) - 1} files x {LINES} lines, {LOOKUPS} lookups")
    print(
        f"  new lines above the cursor: median {statistics.median(warm) * 1e6:.0f} µs, "
        f"p99 {percentile(warm, 0.99) * 1e6:.0f} µs, max {max(warm) * 1e6:.0f} µs; "
        f"a window above the threshold for {found / LOOKUPS:.0%} of cursors"
    )
    print(
        f"  typing on one line (remembered): median {statistics.median(typing) * 1e6:.1f} µs, "
        f"p99 {percentile(typing, 0.99) * 1e6:.1f} µs"
    )
    print(
        f"  cold: one file version cut into windows {statistics.median(cold) * 1e3:.1f} ms "
        f"(median of {len(cold)}); first lookup over all {len(cold)} files {first * 1e3:.0f} ms"
    )
    project_figures()


if __name__ == "__main__":
    main()
