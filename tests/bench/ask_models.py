"""Which local model answers asks better per second: SmolLM2-135M or Qwen2.5-Coder-0.5B?

``python -m tests.bench.ask_models`` asks each model, through ``Engine.answer`` (the ask
task, the product's own prompt), questions whose answers a program can check, about
HumanEval solutions nobody here wrote:

* "Which variable does `f` return?" for functions ending in ``return <name>``;
* "What does `f(<args>)` return?" for a test assertion ``assert f(<args>) == <value>``.

An answer is correct when its first line is the expected name or value. Prints accuracy,
seconds per answer and correct answers per minute for each model, same questions.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from frugal_lsp.config import load_config
from frugal_lsp.context import ContextRequest, Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.local_model import QWEN_CODER, SMOLLM2, LocalModel, model_file
from frugal_lsp.paths import StatePaths
from frugal_lsp.tasks import Task
from tests.bench.quality_tasks import humaneval_problems

QUESTIONS = 16
_RETURN = re.compile(r"^\s+return ([A-Za-z_]\w*)\s*$")
_ASSERT = re.compile(r"^\s+assert candidate\((.{1,40})\) == (-?\d+|True|False|'[^']{1,12}')\s*$")


@dataclass(frozen=True)
class Ask:
    source: str
    question: str
    expected: str


def questions(n: int = QUESTIONS) -> list[Ask]:
    out: list[Ask] = []
    for p in humaneval_problems():
        source = p["prompt"] + p["canonical_solution"]
        entry = p["entry_point"]
        last = [ln for ln in p["canonical_solution"].split("\n") if ln.strip()][-1]
        m = _RETURN.match(last)
        if m and m.group(1) not in {"True", "False", "None"} and len(out) % 2 == 0:
            ask = f"Which variable does `{entry}` return? Reply with its name only."
            out.append(Ask(source, ask, m.group(1)))
        else:
            test = next((m for ln in p["test"].split("\n") if (m := _ASSERT.match(ln))), None)
            if test is not None:
                ask = f"What does `{entry}({test.group(1)})` return? Reply with the value only."
                out.append(Ask(source, ask, test.group(2)))
        if len(out) == n:
            break
    return out


def matches(answer: str, expected: str) -> bool:
    """The answer's first line is the expected name or value (quotes and backticks aside)."""
    first = next((ln for ln in answer.split("\n") if ln.strip()), "")
    return first.strip().strip("`'\". ") == expected.strip("'")


def _toml(model: LocalModel, gguf: Path) -> str:
    return (
        f'[[providers]]\nname = "local"\nkind = "llama-cpp"\nmodel_path = "{gguf}"\n\n'
        f'[[models]]\nname = "{model.name}"\nprovider = "local"\n\n[cache]\nenabled = false\n'
    )


async def measure(model: LocalModel, asks: list[Ask]) -> tuple[int, float]:
    gguf = model_file(model)
    if gguf is None:
        raise SystemExit(f"{model.name} is not installed — run `make venv`")
    with tempfile.TemporaryDirectory(prefix="frugal-asks-") as folder:
        root = Path(folder)
        (root / "frugal.toml").write_text(_toml(model, gguf))
        engine = Engine(load_config(root), StatePaths.resolve(root / "home"), root)
        right, seconds = 0, 0.0
        try:
            await engine.answer(_request(root, asks[0], "Say ok."))  # start the server
            for ask in asks:
                started = time.perf_counter()
                answer = await engine.answer(_request(root, ask, ask.question))
                seconds += time.perf_counter() - started
                right += matches(answer.text, ask.expected)
        finally:
            await engine.aclose()
    return right, seconds


def _request(root: Path, ask: Ask, question: str) -> ContextRequest:
    path = root / "solution.py"
    doc = Document(path=path, text=ask.source, language="python")
    end = Position(ask.source.count("\n"), 0)
    return ContextRequest(doc, Task.ASK, Position(0, 0), end, question=question)


def main() -> None:
    asks = questions()
    print(f"{len(asks)} questions about HumanEval solutions, through Engine.answer (task ask)")
    print("| model | correct | s per answer | correct per minute |")
    print("|---|---|---|---|")
    for model in (SMOLLM2, QWEN_CODER):
        right, seconds = asyncio.run(measure(model, asks))
        per = seconds / len(asks)
        print(f"| {model.name} | {right}/{len(asks)} | {per:.1f} | {right / seconds * 60:.1f} |")


if __name__ == "__main__":
    main()
