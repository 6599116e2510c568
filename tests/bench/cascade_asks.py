"""The ask cascade on real local models: "What does F return?" about functions of a stdlib
package, always-basic vs always-advanced vs the cascade (``routing/cascade.py``).

``python -m tests.bench.cascade_asks [--asks N]`` (under ``nice -n 10``). Same workspace
and models as ``cascade_figures.py`` (SmolLM2 basic at coefficient 1.0, Qwen2.5-Coder
advanced at 3.5). Each ask selects one function (a fixed-seed sample of functions of 4 to
25 lines that return something) and goes through ``Engine.answer``:

* (a) ``--tier basic`` with ``[routing] cascade = false``: SmolLM2 only;
* (b) ``--tier advanced``: Qwen only;
* (c) the product's default: SmolLM2 first, escalated to Qwen when a check fails.

The quality score is mechanical and coarse, and says only this: an answer "names the
return" when it mentions at least one identifier (or literal keyword) that appears in the
function's ``return`` expressions. It is not a judgement of the explanation.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import random
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from frugal_lsp.config import load_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.tasks import Task, Tier
from tests.bench.cascade_figures import RESULTS, workspace

SEED = 20261201


def functions(ws: Path, want: int) -> list[tuple[Path, ast.FunctionDef, set[str]]]:
    found = []
    for path in sorted(ws.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                not isinstance(node, ast.FunctionDef)
                or not 4 <= node.end_lineno - node.lineno <= 25
            ):  # type: ignore[operator]
                continue
            names = _return_names(node)
            if names:
                found.append((path, node, names))
    random.Random(SEED).shuffle(found)
    return found[:want]


def _return_names(node: ast.FunctionDef) -> set[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Return) and sub.value is not None:
            for leaf in ast.walk(sub.value):
                if isinstance(leaf, ast.Name) and len(leaf.id) > 1:
                    names.add(leaf.id)
                elif isinstance(leaf, ast.Attribute):
                    names.add(leaf.attr)
                elif isinstance(leaf, ast.Constant) and leaf.value in (True, False, None):
                    names.add(str(leaf.value))
    return names


def names_the_return(answer: str, names: set[str]) -> bool:
    return any(re.search(rf"\b{re.escape(n)}\b", answer) for n in names)


async def run(root: Path, asks: int) -> dict[str, object]:
    ws = workspace(root)
    base = load_config(ws)
    out: dict[str, object] = {}
    picked = functions(ws, asks)
    for label, tier, cascade in (
        ("(a) always basic (SmolLM2)", Tier.BASIC, False),
        ("(b) always advanced (Qwen)", Tier.ADVANCED, False),
        ("(c) cascade SmolLM2 -> Qwen", None, True),
    ):
        config = replace(base, routing=replace(base.routing, cascade=cascade))
        engine = Engine(config, StatePaths.resolve(root / f"home-{len(out)}"), ws)
        right, units, escalated, reasons = 0, 0.0, 0, []
        try:
            for path, node, names in picked:
                doc = Document.from_file(path)
                end = node.end_lineno or node.lineno
                question = f"What does {node.name} return?"
                request = ContextRequest(
                    doc,
                    Task.ASK,
                    Position(node.lineno - 1, 0),
                    Position(end - 1, 0),
                    question=question,
                )
                answer = await engine.answer(request, tier)
                right += names_the_return(answer.text, names)
                if answer.escalation:
                    escalated += 1
                    reasons.append(answer.escalation.split(":")[0])
                print(
                    f"  {label} {node.name}: {answer.candidate.model.name}",
                    answer.escalation or "",
                    flush=True,
                )
            spent = engine.ledger.query("SELECT COALESCE(SUM(cost_units), 0) FROM calls")[0][0]
            units = float(spent)
        finally:
            await engine.aclose()
        out[label] = {
            "asks": len(picked),
            "names_the_return": right,
            "units": units,
            "escalations": escalated,
            "reasons": reasons,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--asks", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="frugal-asks-") as folder:
        result = asyncio.run(run(Path(folder), args.asks))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cascade_asks.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
