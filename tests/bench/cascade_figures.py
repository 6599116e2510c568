"""Always-basic vs always-advanced vs a cascade, on real code and real local models.

``python -m tests.bench.cascade_figures [--tasks N]`` (run it under ``nice -n 10``):

* the workspace is a copy of the running interpreter's ``email`` package (real code
  nobody here wrote), with a ``frugal.toml`` naming two llama.cpp models frugal-lsp
  serves itself: **SmolLM2-135M** as the basic tier (coefficient 1.0) and
  **Qwen2.5-Coder-0.5B** as the advanced tier (coefficient 3.5, the seed's multiplier) —
  local models cost nothing, so the seed's coefficients stand in for a platform's prices;
* ``frugal-lsp eval``'s own machinery mines N masked lines and sends every task to both
  models through the engine (product prompt, FIM template, ledger, post-processing and
  the drop checks): (a) always-basic and (b) always-advanced are those two runs;
* (c) the cascade: the basic suggestion stands unless a check that needs no model fails
  on it (``routing/checks.py``: nothing to show, repeats the suffix, parses worse at
  the cursor), and then the advanced model's suggestion for the same task is used — the
  call the cascade would make (same prompt, temperature 0), taken from run (b), its units
  added to the basic call's.

Prints and writes ``bench/results/cascade.md`` / ``cascade.json``: EM, ES and units of
(a), (b), (c), (c)'s escalation rate, and the cores and tokens/s of this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sysconfig
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from frugal_lsp.config import load_config
from frugal_lsp.engine import Engine
from frugal_lsp.evaluation import runner
from frugal_lsp.evaluation.mining import mine
from frugal_lsp.evaluation.scorecard import TaskResult
from frugal_lsp.local_model import QWEN_CODER, SMOLLM2, model_file
from frugal_lsp.paths import StatePaths
from frugal_lsp.routing.checks import completion_problem

RESULTS = Path("bench/results")
PACKAGE = "email"  # 20+ modules of real code
BASIC, ADVANCED = "small/smollm2-135m-instruct", "coder/qwen2.5-coder-0.5b-instruct"
BOTH = (BASIC, ADVANCED)


@dataclass(frozen=True)
class Line:
    strategy: str
    tasks: int
    exact: float
    similarity: float
    units: float
    escalations: int = 0


def workspace(root: Path) -> Path:
    source = Path(sysconfig.get_paths()["stdlib"]) / PACKAGE
    target = root / PACKAGE
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    (target / ".git").mkdir()
    small, coder = model_file(SMOLLM2), model_file(QWEN_CODER)
    if small is None or coder is None:
        raise SystemExit("needs SmolLM2 and Qwen2.5-Coder-0.5B installed (make venv)")
    (target / "frugal.toml").write_text(
        f"""
[[providers]]
name = "small"
kind = "llama-cpp"
model_path = "{small}"
timeout = 600

[[providers]]
name = "coder"
kind = "llama-cpp"
model_path = "{coder}"
timeout = 600  # a 2-core machine shared with other work: ~15-40 s a prompt

[[models]]
name = "smollm2-135m-instruct"
provider = "small"
tier = "basic"
coefficient = 1.0
fim = true
fim_template = "prefix-only"

[[models]]
name = "qwen2.5-coder-0.5b-instruct"
provider = "coder"
tier = "advanced"
coefficient = 3.5
fim = true
fim_template = "qwen"
"""
    )
    return target


def fails_check(result: TaskResult, item: runner.Prepared) -> bool:
    """The cascade's trigger for a completion: nothing usable to show (the engine dropped
    it or the model said nothing), or a check that needs no model fails."""
    if result.error or not result.suggestion.strip():
        return True
    task = item.task
    lines = task.text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: task.row]) + task.character
    return completion_problem(task.text, offset, result.suggestion, task.language) is not None


def summarise(
    prepared: list[runner.Prepared], results: list[TaskResult]
) -> tuple[list[Line], dict[str, float]]:
    by = {(r.model, r.task_name): r for r in results}
    done = [  # tasks both models answered (a timeout is no measure of quality)
        p
        for p in prepared
        if all((m, p.task.name) in by and by[(m, p.task.name)].error is None for m in BOTH)
    ]
    lines = []
    for label, model in (
        ("(a) always basic (SmolLM2)", BASIC),
        ("(b) always advanced (Qwen)", ADVANCED),
    ):
        rs = [by[(model, p.task.name)] for p in done]
        lines.append(_line(label, rs, sum(r.units for r in rs)))
    picked, units, escalated = [], 0.0, 0
    for p in done:
        basic, advanced = by[(BASIC, p.task.name)], by[(ADVANCED, p.task.name)]
        units += basic.units
        if fails_check(basic, p):
            escalated += 1
            units += advanced.units
            picked.append(advanced)
        else:
            picked.append(basic)
    lines.append(_line("(c) cascade basic -> advanced", picked, units, escalated))
    speed = {
        "p50_basic_ms": statistics.median(by[(BASIC, p.task.name)].latency_ms for p in done),
        "p50_advanced_ms": statistics.median(by[(ADVANCED, p.task.name)].latency_ms for p in done),
    }
    return lines, speed


def _line(label: str, rs: list[TaskResult], units: float, escalations: int = 0) -> Line:
    n = len(rs)
    return Line(
        label,
        n,
        sum(r.exact for r in rs) / n if n else 0.0,
        statistics.fmean(r.similarity for r in rs) if n else 0.0,
        units,
        escalations,
    )


async def measure(root: Path, want: int) -> tuple[list[Line], dict[str, float], int]:
    ws = workspace(root)
    config = load_config(ws)
    engine = Engine(config, StatePaths.resolve(root / "home"), ws)
    try:
        prepared = runner.prepare(engine, mine(ws, engine.context.is_excluded, want))
        state = await runner.run(engine, list(config.models), prepared, None, _progress)
        tokens = engine.ledger.query(
            "SELECT model, SUM(prompt_tokens), SUM(completion_tokens), SUM(latency_ms)"
            " FROM calls GROUP BY model"
        )
    finally:
        await engine.aclose()
    lines, speed = summarise(prepared, state.results)
    for model, prompt, completion, ms in tokens:
        speed[f"{model}_tokens_per_s"] = (prompt + completion) / (ms / 1000) if ms else 0.0
    errors = [r for r in state.results if r.error]
    speed["failed_calls"] = float(len(errors))
    return lines, speed, len(prepared)


def _progress(done: int, total: int, label: str) -> None:
    print(f"  {done}/{total} {label}", flush=True)


def report(lines: list[Line], speed: dict[str, float], tasks: int, seconds: float) -> str:
    cores = os.cpu_count() or 0
    b = next(x for x in lines if x.strategy.startswith("(b)"))
    out = [
        f"# Cascade figures: `{PACKAGE}` package of Python's stdlib, {tasks} masked lines",
        "",
        f"{cores} cores; wall {seconds:,.0f} s; "
        + "; ".join(f"{k} {v:,.1f}" for k, v in sorted(speed.items())),
        "",
        "| strategy | tasks | EM | ES | units | units vs (b) | escalations |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for x in lines:
        share = x.units / b.units if b.units else 0.0
        out.append(
            f"| {x.strategy} | {x.tasks} | {x.exact:.1%} | {x.similarity:.3f} | {x.units:,.0f}"
            f" | {share:.0%} | {x.escalations} |"
        )
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=24)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="frugal-cascade-") as folder:
        lines, speed, tasks = asyncio.run(measure(Path(folder), args.tasks))
    text = report(lines, speed, tasks, time.monotonic() - started)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cascade.md").write_text(text)
    data = {"tasks": tasks, "lines": [asdict(x) for x in lines], "speed": speed}
    (RESULTS / "cascade.json").write_text(json.dumps(data, indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()
