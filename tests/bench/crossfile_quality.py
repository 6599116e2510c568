"""Cross-file context on the real code model: the masked lines of ``crossfile_bench``
(lines that use a name another file of the project defines), completed by
Qwen2.5-Coder-0.5B through ``Engine.complete`` — the product's path — with
``[context] cross_file`` off and on. Same server, template, budget and post-processing:
only the context differs. With ``--mid`` each line is typed up to its first cross-file
name after a ``.`` or an open ``(`` (``crossfile_bench.mid_line``) and the rest of the
line is the answer. Run ``python -m tests.bench.crossfile_quality [PER_PROJECT] [--mid]``
(under ``nice -n 10``: each prompt is ~10-40 s on 2 shared cores).

Scores as ``make bench-quality``: exact match and edit similarity of the first suggested
line against the true line. Prints cores and the server's tokens/s beside the figures.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
from pathlib import Path

from frugal_lsp.config import load_config
from frugal_lsp.context import ContextRequest, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.providers.local import LlamaServer
from frugal_lsp.tasks import Task
from tests.bench.acceptance_bench import CACHE, model_id
from tests.bench.crossfile_bench import SEED, CrossCase, cases_for, mid_line, projects
from tests.bench.model_proxy import ModelProxy
from tests.bench.quality import MODEL, Bench, _frugal_toml, installed_gguf
from tests.bench.quality_score import score
from tests.bench.quality_tasks import QualityTask

PER_PROJECT = 3


def as_task(case: CrossCase, project: str) -> QualityTask:
    offset = sum(len(x) + 1 for x in case.doc.lines[: case.row]) + case.column
    truth = case.original.split("\n")[case.row][case.column :].strip()  # the rest of it
    return QualityTask(
        f"{project}:{case.doc.path.name}:{case.row + 1}", project, "line",
        case.doc.language, case.doc.path.name, case.doc.text[:offset], case.doc.text[offset:],
        truth,
    )  # fmt: skip


SHARE = 0.25  # what completions get when cross-file is on (off by default)


def engine_for(folder: Path, url: str, root: Path, cross: bool) -> Engine:
    ws = folder / f"config-{cross}"
    ws.mkdir(parents=True)
    (ws / "frugal.toml").write_text(
        _frugal_toml(url, MODEL, {})
        + f"cross_file = {str(cross).lower()}\n"
        + f"completion_cross_file_share = {SHARE if cross else 0}\n"
    )
    engine = Engine(load_config(ws), StatePaths.resolve(folder / f"home-{cross}"), root)
    engine.index_workspace()
    return engine


async def main_async(per_project: int, mid: bool = False) -> None:
    gguf = installed_gguf(MODEL)
    rng = random.Random(SEED)
    scores: dict[bool, list[tuple[bool, float, int]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(prefix="frugal-xq-") as tmp:
        folder = Path(tmp)
        server = LlamaServer(gguf, folder / "llama.log")
        upstream = await server.start()
        probe = Bench(folder / "probe", upstream, MODEL)
        speed = await probe.speed()
        await probe.aclose()
        print(f"{MODEL}: {speed.cores} cores, prompt {speed.prompt_tps:.0f} tok/s, "
              f"generation {speed.generate_tps:.1f} tok/s", flush=True)  # fmt: skip
        proxy = ModelProxy(upstream.removesuffix("/v1"), CACHE, model_id(gguf)).__enter__()
        url = proxy.url + "/v1"  # answers cached by exact request: a rerun costs no model time
        try:
            for name, root in projects().items():
                engines = {c: engine_for(folder / name.replace("/", "-"), url, root, c)
                           for c in (False, True)}  # fmt: skip
                index = engines[True].index
                assert index is not None
                chosen = cases_for(root, index, rng)
                rng.shuffle(chosen)
                if mid:  # typed up to the member or argument another file defines
                    chosen = [m for c in chosen if (m := mid_line(c)) is not None]
                for case in chosen[:per_project]:
                    task = as_task(case, name)
                    for cross, engine in engines.items():
                        if engine.index is not None:
                            engine.index.update(case.doc.path, case.doc.text)
                        request = ContextRequest(
                            case.doc, Task.COMPLETION, Position(case.row, case.column)
                        )
                        tokens = engine.plan(request).prompt.prompt_tokens
                        answer = await engine.complete(request)
                        s = score(task, answer.text if answer else "")
                        scores[cross].append((s.exact, s.similarity, tokens))
                        if engine.index is not None:
                            engine.index.update(case.doc.path, case.original)
                    off, on = scores[False][-1], scores[True][-1]
                    line = f"off ES {off[1]:.2f}, on ES {on[1]:.2f} | {task.truth[:60]}"
                    print(f"{task.name}: {line}", flush=True)
                for engine in engines.values():
                    await engine.aclose()
        finally:
            proxy.__exit__(None, None, None)
            await server.stop()
    print("| cross_file | tasks | EM | ES | median prompt tokens |")
    print("|---|---|---|---|---|")
    for cross in (False, True):
        rows = scores[cross]
        em = sum(r[0] for r in rows) / len(rows)
        es = statistics.fmean(r[1] for r in rows)
        med = statistics.median(r[2] for r in rows)
        print(f"| {'on' if cross else 'off'} | {len(rows)} | {em:.1%} | {es:.3f} | {med:.0f} |")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    asyncio.run(main_async(int(numbers[0]) if numbers else PER_PROJECT, "--mid" in sys.argv))
