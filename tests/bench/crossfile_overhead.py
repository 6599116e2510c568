"""What cross-file context costs a completion: ``tests/bench/overhead.py``'s rounds on the
5,000-line file, with ``[context] cross_file`` off and on, side by side in one run.

Run ``python -m tests.bench.crossfile_overhead [ROUNDS]``. The workspace holds the
file and the stdlib modules it imports (``numbers``, ``collections``, ``locale``, ``re``),
so its imports resolve and the cross-file path does its full work (reference scan,
resolution, outlines, fitting); the index is built before the first measured request.
Passes alternate off / on / off / on, each a fresh server, so a neighbour's CPU load
falls on both alike. Prints p50 / p99 per kind of request and the cores.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import sysconfig
import tempfile
from pathlib import Path

from tests.bench.harness import Editor, frugal_toml, running_server
from tests.bench.overhead import Timings, measure, percentile
from tests.fakes.fake_provider import FakeProvider

STDLIB = Path(sysconfig.get_paths()["stdlib"])
IMPORTED = ("numbers.py", "collections", "locale.py", "re")
LINES = 5000
PASSES = 4  # off, on, off, on


async def one_pass(cross_file: bool, rounds: int) -> Timings:
    with (
        tempfile.TemporaryDirectory(prefix="frugal-xfile-") as tmp,
        FakeProvider(reply="value + 1") as fake,
    ):
        workspace, home = Path(tmp, "ws"), Path(tmp, "home")
        workspace.mkdir()
        _copy_imports(workspace)
        toml = frugal_toml(fake.url, 0) + (
            f"\n[context]\ncross_file = {str(cross_file).lower()}\n"
            f"completion_cross_file_share = {0.25 if cross_file else 0}\n"
        )
        (workspace / "frugal.toml").write_text(toml, "utf-8")
        async with running_server(workspace, home) as client:
            await asyncio.sleep(2.0)  # the background build of a few files
            return await measure(Editor(client), LINES, rounds, workspace)


def in_process(positions: int = 300) -> dict[bool, list[float]]:
    """The context build alone (no server, no I/O) at 5,000 lines, off and on alternately
    at the same positions, in CPU time of this thread: what the cross-file step adds,
    without the wall-clock noise of a neighbour's load."""
    import random
    import time

    from frugal_lsp.config import ContextConfig
    from frugal_lsp.context import ContextBuilder, ContextRequest, Document, Position
    from frugal_lsp.context.workspace import WorkspaceIndex
    from frugal_lsp.tasks import Task
    from frugal_lsp.tokens import counter
    from tests.bench.overhead import sample_text

    tc = counter()
    with tempfile.TemporaryDirectory(prefix="frugal-xfile-") as tmp:
        workspace = Path(tmp)
        _copy_imports(workspace)
        path = workspace / "decimal_5000.py"
        text = sample_text(LINES)
        path.write_text(text, "utf-8")
        index = WorkspaceIndex(workspace)
        index.build()
        builders = {
            on: ContextBuilder(
                ContextConfig(
                    exclude=(), cross_file=on, completion_cross_file_share=0.25 if on else 0
                ),
                tc,
                workspace,
                index,
            )
            for on in (False, True)
        }
        doc = Document(path=path, text=text, language="python", version=1)
        lines = doc.lines
        rows = random.Random(7).sample(
            [r for r in range(len(lines)) if lines[r].strip()], positions
        )
        out: dict[bool, list[float]] = {False: [], True: []}
        for on in (False, True):  # the first build parses: not measured
            builders[on].build(ContextRequest(doc, Task.COMPLETION, Position(rows[0], 0)))
        for r in rows:
            at = Position(r, len(lines[r]))
            for on in (False, True):
                t0 = time.thread_time()  # CPU time: a neighbour's load does not count
                builders[on].build(ContextRequest(doc, Task.COMPLETION, at))
                out[on].append((time.thread_time() - t0) * 1e3)
    return out


def _copy_imports(workspace: Path) -> None:
    for name in IMPORTED:
        source = STDLIB / name
        if source.is_dir():
            shutil.copytree(source, workspace / name, ignore=shutil.ignore_patterns("__py*"))
        else:
            shutil.copy(source, workspace / name)


def row(name: str, values: list[float]) -> str:
    if not values:
        return f"| {name} | - | - | 0 |"
    p50, p99 = statistics.median(values), percentile(values, 99)
    return f"| {name} | {p50:.1f} | {p99:.1f} | {len(values)} |"


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    built = in_process()
    print(f"cores: {len(os.sched_getaffinity(0))}; context build alone, 300 positions")
    print("| context build, CPU time (5,000-line file) | p50 ms | p99 ms | n |")
    print("|---|---|---|---|")
    for on in (False, True):
        print(row(f"cross_file {'on' if on else 'off'}", built[on]))
    if rounds == 0:
        return
    runs: dict[bool, list[Timings]] = {False: [], True: []}
    for n in range(PASSES):
        on = n % 2 == 1
        runs[on].append(asyncio.run(one_pass(on, rounds)))
    print(f"cores: {len(os.sched_getaffinity(0))}; {rounds} rounds per pass, {PASSES} passes")
    print("| request (5,000-line file) | p50 ms | p99 ms | n |")
    print("|---|---|---|---|")
    for on in (False, True):
        label = "cross_file on" if on else "cross_file off"
        t = runs[on]
        print(row(f"miss, {label}", [x for r in t for x in r.miss]))
        print(row(f"cache hit, {label}", [x for r in t for x in r.cache]))
        print(row(f"floor, {label}", [x for r in t for x in r.floor]))


if __name__ == "__main__":
    main()
