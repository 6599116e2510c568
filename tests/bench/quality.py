"""Completion quality on a real code model: does the context we send buy good suggestions?

``make bench-quality`` (``python -m tests.bench.quality``) serves Qwen2.5-Coder-0.5B with
llama.cpp and asks it to fill masked lines of code nobody here wrote (see
``quality_tasks.py``). frugal-lsp's own suggestion goes through ``Engine.complete`` — the
product's path: context, routing, the model's FIM template, the ledger, post-processing.
Every other variant (``quality_variants.py``) is sent to the same server with the same
template, output budget, stop sequences and post-processing, so only the context differs.

Scores: exact match (EM) and edit similarity (ES) of the first suggested line against the
true line (the block, for block tasks); pass@1 of the completed HumanEval function, run
in a subprocess. Tokens are cl100k tokens of the text sent (the model's own count beside).
The default run is a fixed-seed sample sized for a 2-core machine; ``--all`` takes every
HumanEval task. Results: ``bench/results/quality.md`` and ``quality.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from frugal_lsp.config import ProviderConfig, load_config
from frugal_lsp.context import ContextRequest, Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.local_model import LOCAL_MODELS, gguf_for
from frugal_lsp.paths import StatePaths
from frugal_lsp.prompt import Fim
from frugal_lsp.providers.base import ProviderRequest
from frugal_lsp.providers.fim import render
from frugal_lsp.providers.local import LlamaServer
from frugal_lsp.providers.openai import OpenAIProvider
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import TokenCounter, counter
from tests.bench.quality_report import write_report
from tests.bench.quality_score import score
from tests.bench.quality_tasks import QualityTask, sample
from tests.bench.quality_variants import BASELINES, build

RESULTS = Path("bench/results")
# A sample sized for ~30 min on 2 cores (~50 prompt tok/s); `--scale 4` for ~160 tasks.
DEFAULT_COUNTS = {
    "humaneval-line": 20,
    "stdlib-line": 6,
    "npm-line": 6,
    "humaneval-block": 3,
    "stdlib-block": 2,
    "npm-block": 2,
}
CEILING = 2048  # tokens of context for `whole` by default (each 2k prompt: ~40 s here)
MODEL = "qwen2.5-coder-0.5b-instruct"


@dataclass(frozen=True)
class Row:
    task: str
    source: str
    kind: str
    variant: str
    tokens: int  # cl100k tokens of the text sent
    model_tokens: int  # the model's own prompt-token count
    latency_ms: float
    exact: bool
    similarity: float
    passed: bool | None
    suggestion: str


@dataclass(frozen=True)
class Speed:
    cores: int
    prompt_tps: float
    generate_tps: float


def _frugal_toml(url: str, model: str, context: dict[str, float]) -> str:
    settings = "".join(f"{k} = {v}\n" for k, v in context.items())
    return (
        f'[[providers]]\nname = "local"\nkind = "llama-cpp"\nbase_url = "{url}"\ntimeout = 600\n\n'
        f'[[models]]\nname = "{model}"\nprovider = "local"\n\n'
        f"[cache]\nenabled = false\n\n[pacing]\nenabled = false\n\n[context]\n{settings}"
    )


class Bench:
    """One llama.cpp server, frugal-lsp's engine on it, and a direct client for baselines."""

    def __init__(
        self, root: Path, url: str, model: str, context: dict[str, float] | None = None
    ) -> None:
        self.workspace = root / "workspace"
        self.workspace.mkdir(parents=True)
        (self.workspace / "frugal.toml").write_text(_frugal_toml(url, model, context or {}))
        self.engine = Engine(
            load_config(self.workspace), StatePaths.resolve(root / "home"), self.workspace
        )
        self.client = OpenAIProvider(
            ProviderConfig(name="direct", kind="llama-cpp", base_url=url, timeout_s=600),
            use_key=False,
        )
        self.template = self.engine.config.models[0].fim_template
        self.model = model
        self.tc: TokenCounter = counter()

    async def aclose(self) -> None:
        await self.engine.aclose()
        await self.client.aclose()

    def request(self, task: QualityTask) -> ContextRequest:
        path = self.workspace / task.path
        head = task.prefix.rsplit("\n", 1)[-1]
        position = Position(task.prefix.count("\n"), len(head.encode("utf-16-le")) // 2)
        document = Document(path=path, text=task.text, language=task.language)
        return ContextRequest(document, Task.COMPLETION, position)

    def sent_tokens(self, fim: Fim | None) -> int:
        return self.tc.count(render(self.template, fim) or fim.prefix + fim.suffix) if fim else 0

    async def ours(self, task: QualityTask) -> Row:
        request = self.request(task)
        plan = self.engine.plan(request)
        started = time.perf_counter()
        answer = await self.engine.complete(request)
        latency = (time.perf_counter() - started) * 1000
        text = answer.text if answer else ""
        model_tokens = answer.prompt_tokens if answer else 0
        return self._row(
            task, "ours", self.sent_tokens(plan.prompt.fim), model_tokens, latency, text
        )

    async def baseline(self, task: QualityTask, variant: str, ours: int, ceiling: int) -> Row:
        request = self.request(task)
        prompt = self.engine.plan(request).prompt
        prefix, suffix = build(variant, task, self.tc, ours, ceiling)
        fim = Fim(prefix, suffix, task.path)
        prompt = replace(prompt, fim=fim)
        call = ProviderRequest(
            self.model, (), prompt.max_output_tokens, 0.0, prompt.stop, fim, self.template
        )
        started = time.perf_counter()
        reply = await self.client.complete(call)
        latency = (time.perf_counter() - started) * 1000
        text = self.engine.context.postprocess_completion(prompt, reply.text)
        model_tokens = reply.usage.prompt_tokens if reply.usage else 0
        return self._row(task, variant, self.sent_tokens(fim), model_tokens, latency, text)

    def _row(
        self, task: QualityTask, variant: str, tokens: int, model_tokens: int, ms: float, text: str
    ) -> Row:
        s = score(task, text)
        return Row(
            task.name, task.source, task.kind, variant, tokens, model_tokens, ms,
            s.exact, s.similarity, s.passed, text,
        )  # fmt: skip

    async def speed(self) -> Speed:
        """Prompt and generation tokens per second of this server, measured now: a fresh
        prompt with one token out, then the same prompt again with 33 out (llama.cpp reuses
        the evaluated prefix, so the second call is generation alone)."""
        for name in ("warm", "value"):
            text = "\n".join(f"{name}_{n} = compute({n}, scale={n % 7})" for n in range(40))
            started = time.perf_counter()
            first = await self.client.complete(self._probe(text, 1))
            t_prompt = time.perf_counter() - started
        started = time.perf_counter()
        again = await self.client.complete(self._probe(text, 33))
        t_generate = time.perf_counter() - started
        prompt_tokens = first.usage.prompt_tokens if first.usage else 0
        generated = again.usage.completion_tokens if again.usage else 0
        return Speed(os.cpu_count() or 1, prompt_tokens / t_prompt, generated / t_generate)

    def _probe(self, text: str, max_tokens: int) -> ProviderRequest:
        fim = Fim(text + "\n", "")
        return ProviderRequest(self.model, (), max_tokens, 0.0, (), fim, "prefix-only")


def installed_gguf(name: str) -> Path:
    """The GGUF of the local model ``name``; exits with the fix when it is not installed."""
    known = [m.name for m in LOCAL_MODELS]
    if name not in known:
        raise SystemExit(f"unknown local model {name!r}: one of {', '.join(known)}")
    gguf = gguf_for(None, (name,))
    if gguf is None:
        raise SystemExit(f"{name} is not installed here — run `make venv`")
    return gguf


async def run(
    tasks: Sequence[QualityTask],
    variants: Sequence[str],
    ceiling: int,
    model: str,
    log: bool,
    context: dict[str, float] | None = None,
) -> tuple[list[Row], Speed]:
    gguf = installed_gguf(model)
    with tempfile.TemporaryDirectory(prefix="frugal-quality-") as folder:
        root = Path(folder)
        server = LlamaServer(gguf, root / "llama.log")
        url = await server.start()
        bench = Bench(root, url, model, context)
        try:
            speed = await bench.speed()
            if log:
                print(
                    f"{model}: {speed.cores} cores, prompt {speed.prompt_tps:.0f} tok/s,"
                    f" generation {speed.generate_tps:.1f} tok/s; {len(tasks)} tasks"
                )
            rows = []
            for n, task in enumerate(tasks, 1):
                mine = await bench.ours(task)
                rows.append(mine)
                for variant in variants:
                    rows.append(await bench.baseline(task, variant, mine.tokens, ceiling))
                if log:
                    done = " ".join(
                        f"{r.variant}={r.similarity:.2f}" for r in rows[-1 - len(variants) :]
                    )
                    print(f"[{n}/{len(tasks)}] {task.name} {done}", flush=True)
        finally:
            await bench.aclose()
            await server.stop()
    return rows, speed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--all", action="store_true", help="every HumanEval task (1,033 lines + blocks)"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the sample sizes")
    parser.add_argument("--variants", default=",".join(BASELINES))
    parser.add_argument("--ceiling", type=int, default=CEILING)
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a [context] setting for frugal-lsp, e.g. completion_max_tokens=512",
    )
    args = parser.parse_args(argv)
    context = {k: float(v) for k, v in (c.split("=", 1) for c in args.context)}
    context = {k: int(v) if v.is_integer() else v for k, v in context.items()}
    counts = {k: max(1, round(v * args.scale)) for k, v in DEFAULT_COUNTS.items()}
    kwargs = {"seed": args.seed} if args.seed is not None else {}
    tasks = sample(counts, everything=args.all, **kwargs)
    variants = [v for v in args.variants.split(",") if v]
    started = time.time()
    rows, speed = asyncio.run(
        run(tasks, variants, args.ceiling, args.model, log=True, context=context)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "quality.json").write_text(
        json.dumps({"speed": asdict(speed), "rows": [asdict(r) for r in rows]}, indent=1)
    )
    text = write_report(rows, speed, args, time.time() - started)
    (args.out / "quality.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
