"""What the recently-edited window costs a request: ``python -m tests.bench.recent_bench``.

Eight recently edited files of 2,000 lines each (real code: the standard library's
largest Python modules, cut or repeated to 2,000 lines), the current file a ninth. A
lookup is ``RecentEdits.similar`` for the ten lines above a cursor, cursors spread over
the current file; windows are computed once per file version (the first, cold lookup
after the other files changed) and reused after. Printed: median and p99 of the warm
lookup in µs, and the cold cost of cutting one file version into windows in ms.
"""

from __future__ import annotations

import statistics
import sysconfig
import time
from pathlib import Path

from frugal_lsp.context.workspace.recent import QUERY_ROWS, RecentEdits, Windows

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
    for i in range(LOOKUPS):
        row = QUERY_ROWS + (i * 7919) % (LINES - QUERY_ROWS)
        query = current[row - QUERY_ROWS + 1 : row + 1]
        t0 = time.perf_counter()
        hit = recent.similar(here, "python", query)
        warm.append(time.perf_counter() - t0)
        found += hit is not None
    print(f"recent windows: {len(texts) - 1} files x {LINES} lines, {LOOKUPS} lookups")
    print(
        f"  warm lookup: median {statistics.median(warm) * 1e6:.0f} µs, "
        f"p99 {percentile(warm, 0.99) * 1e6:.0f} µs, max {max(warm) * 1e6:.0f} µs; "
        f"a window above the threshold for {found / LOOKUPS:.0%} of cursors"
    )
    print(
        f"  cold: one file version cut into windows {statistics.median(cold) * 1e3:.1f} ms "
        f"(median of {len(cold)}); first lookup over all {len(cold)} files {first * 1e3:.0f} ms"
    )


if __name__ == "__main__":
    main()
