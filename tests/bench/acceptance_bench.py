"""``make bench-accept``: the acceptance replay on Qwen2.5-Coder-0.5B -> bench/results/acceptance.*

``python -m tests.bench.run --accept [--quick]`` (or ``python -m tests.bench.acceptance_bench``)
starts llama.cpp on the installed local model, puts the caching proxy in front of it, and
runs ``acceptance.run_systems`` on a subset of the replay's trace (the same seed, corpus
and keystrokes as ``make bench``; see ``SUBSET``). Then it measures the model's speed now
(prompt and generation tokens/s) and the p50 model time of a single-line completion on
some of the prompts frugal-lsp sent. Answers are cached under ``CACHE`` by exact request,
so a rerun costs the speed probe and little else. Results: ``acceptance.md`` / ``.json``
(``acceptance-quick.*`` for ``--quick``, which plain ``make bench`` runs). The run lowers
its own priority (``nice`` 10) and the model server's with it.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import platformdirs

from frugal_lsp.local_model import LOCAL_MODELS
from frugal_lsp.providers.local import LlamaServer
from frugal_lsp.tokens import counter
from tests.bench import acceptance_report, report
from tests.bench.acceptance import MODEL, NAIVE_CEILING, run_systems, single_line_latency
from tests.bench.corpus import build_corpus
from tests.bench.model_proxy import ModelProxy
from tests.bench.quality import Bench, installed_gguf
from tests.bench.trace import Session, build_trace

SEED = 20240611  # the cost replay's (tests/bench/run.py)
PY_FUNCTIONS, JS_FUNCTIONS = 12, 10
# The functions of that trace with the smallest files (845 and 1,329 tokens): naive's prompt
# is then really the whole file, and the run takes ~10 min of model time on 2 cores alone,
# 25+ when they are shared (``--quick``: the smallest alone; ``--functions`` for more).
SUBSET_SIZE = 2
NICE = 10
CACHE = Path(platformdirs.user_cache_dir("frugal-lsp")) / "bench-answers"
RESULTS = Path("bench/results")


def full_trace() -> list[Session]:
    """The cost replay's whole trace (built whole, so every keystroke and gap of a subset
    is the one ``make bench`` replays)."""
    return build_trace(build_corpus(SEED, PY_FUNCTIONS, JS_FUNCTIONS), SEED)


def trace_subset(names: Sequence[str] = (), quick: bool = False) -> list[Session]:
    """Sessions named in ``names``, else the ``SUBSET_SIZE`` with the smallest files (the
    smallest alone with ``quick``), in trace order."""
    sessions = full_trace()
    if names:
        by_name = {s.piece.name: s for s in sessions}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise SystemExit(f"no function {missing} in the replay's trace: {sorted(by_name)}")
        return [by_name[n] for n in names]
    tc = counter()
    sizes = {s.index: tc.count(s.final) for s in sessions}
    smallest = sorted(sessions, key=lambda s: sizes[s.index])[: 1 if quick else SUBSET_SIZE]
    return sorted(smallest, key=lambda s: s.index)


def model_id(gguf: Path) -> str:
    known = next((m for m in LOCAL_MODELS if m.file_name == gguf.name), None)
    identity = known.sha256 if known and known.sha256 else f"{gguf.stat().st_size} bytes"
    runtime = importlib.metadata.version("llama_cpp_python")
    return f"{gguf.name} {identity} llama-cpp-python {runtime}"


async def measure(
    sessions: list[Session], model: str, cache: Path | None, naive_ceiling: int
) -> dict[str, object]:
    gguf = installed_gguf(model)
    with tempfile.TemporaryDirectory(prefix="frugal-accept-") as folder:
        root = Path(folder)
        server = LlamaServer(gguf, root / "llama.log")
        url = await server.start()
        try:
            speed_bench = Bench(root / "speed", url, model)
            speed = await speed_bench.speed()
            await speed_bench.aclose()
            print(
                f"{model}: {speed.cores} cores, prompt {speed.prompt_tps:.0f} tok/s, generation"
                f" {speed.generate_tps:.1f} tok/s; cache {cache or 'off'}",
                flush=True,
            )
            with ModelProxy(url.removesuffix("/v1"), cache, model_id(gguf)) as proxy:
                results = await run_systems(
                    sessions, proxy, root / "baselines", model, None, naive_ceiling, print
                )
                single = await asyncio.to_thread(single_line_latency, proxy, results[0].calls)
        finally:
            await server.stop()
    return {"results": results, "speed": speed, "single_line": single}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the smallest file's function")
    parser.add_argument("--functions", default="", help="comma-separated piece names")
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--naive-ceiling", type=int, default=NAIVE_CEILING)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    names = [n for n in args.functions.split(",") if n]
    stem = (
        "acceptance-custom"
        if args.functions
        else ("acceptance-quick" if args.quick else "acceptance")
    )
    sessions = trace_subset(names, args.quick)
    os.nice(max(0, NICE - os.nice(0)))  # at least NICE; the model server inherits it
    info = report.machine()
    started = time.time()
    found = asyncio.run(
        measure(sessions, args.model, None if args.no_cache else args.cache, args.naive_ceiling)
    )
    wall = time.time() - started
    lines, data = acceptance_report.section(sessions, found, wall, args)
    args.out.mkdir(parents=True, exist_ok=True)
    title = "frugal-lsp benchmark: acceptance on the real local model"
    text = "\n".join(report.header(title, info) + lines)
    (args.out / f"{stem}.md").write_text(text, encoding="utf-8")
    payload = {"machine": info} | data
    (args.out / f"{stem}.json").write_text(json.dumps(payload, indent=1) + "\n", "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
