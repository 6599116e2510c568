"""`frugal-lsp eval`: mine tasks, say what they would cost, run them, print the scorecard.

What it would cost goes to stderr before anything is sent, then progress; the scorecard
goes to stdout (a table, or ``--json``). Ctrl-C stops after saving what finished (exit
130); ``--budget`` stops before a call that would cross it (exit 0, said on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from frugal_lsp.config import Config, ModelConfig
from frugal_lsp.errors import InvalidRequest
from frugal_lsp.evaluation import runner
from frugal_lsp.evaluation.mining import mine
from frugal_lsp.evaluation.scorecard import table_lines

INTERRUPTED_EXIT = 130


def pick_models(config: Config, wanted: str | None) -> list[ModelConfig]:
    """``--models a,b`` by name or provider/name; every configured model by default."""
    if not config.models:
        raise InvalidRequest("eval: no [[models]] configured — add one to frugal.toml first")
    if not wanted:
        usable = [m for m in config.models if not _missing_key(config, m)]
        for m in config.models:
            if why := _missing_key(config, m):
                print(f"eval: {m.key} left out: {why}", file=sys.stderr)
        if not usable:
            raise InvalidRequest("eval: no configured model can be called — see above")
        return usable
    out: list[ModelConfig] = []
    for word in (w.strip() for w in wanted.split(",") if w.strip()):
        found = [m for m in config.models if word in (m.name, m.key)]
        if not found:
            known = ", ".join(m.key for m in config.models)
            raise InvalidRequest(f"eval --models: no model {word!r} (configured: {known})")
        for m in found:
            if why := _missing_key(config, m):
                raise InvalidRequest(f"eval --models: {m.key} cannot be called: {why}")
        out.extend(m for m in found if m not in out)
    return out


def _missing_key(config: Config, model: ModelConfig) -> str | None:
    provider = next((p for p in config.providers if p.name == model.provider), None)
    return provider.missing_key() if provider else f"no provider named `{model.provider}`"


def run_eval(args: argparse.Namespace, with_engine: Callable[..., Any], workspace: Path) -> int:
    async def go(engine: Any) -> runner.EvalRun:
        models = pick_models(engine.config, args.models)
        tasks = mine(workspace, engine.context.is_excluded, args.tasks)
        prepared = runner.prepare(engine, tasks)
        if not prepared:
            raise InvalidRequest(
                f"eval: no completion tasks found in {workspace} — it needs source files of"
                " 10 to 3,000 lines that context.exclude does not exclude (or pass --workspace)"
            )
        _say_cost(workspace, prepared, runner.estimates(models, prepared), args.budget)
        return await runner.run(engine, models, prepared, args.budget, _progress())

    state: runner.EvalRun = with_engine(args, go)
    _say_end(state, args.budget)
    if args.json:
        print(json.dumps(_json(state), indent=2))
    else:
        print("\n".join(table_lines(state.rows)))
    return INTERRUPTED_EXIT if state.interrupted else 0


def _say_cost(
    workspace: Path,
    prepared: list[runner.Prepared],
    estimates: dict[str, float],
    budget: float | None,
) -> None:
    languages = Counter(p.task.language for p in prepared)
    mix = ", ".join(f"{lang} {n}" for lang, n in languages.most_common())
    err = sys.stderr
    print(f"eval: {len(prepared)} masked lines from {workspace} ({mix})", file=err)
    for model, units in estimates.items():
        print(f"eval: {model}: at most {units:,.0f} units", file=err)
    total = sum(estimates.values())
    cap = f"; budget {budget:,.0f} units" if budget is not None else ""
    print(f"eval: at most {total:,.0f} units in all{cap}", file=err)


def _progress() -> runner.Progress:
    tty = sys.stderr.isatty()

    def show(done: int, total: int, label: str) -> None:
        if tty:
            print(f"\reval: {done}/{total} {label[:60]:<60}", end="", file=sys.stderr)
            if done == total:
                print(file=sys.stderr)
        elif done == total or done % max(1, total // 10) == 0:
            print(f"eval: {done}/{total} done", file=sys.stderr)

    return show


def _say_end(state: runner.EvalRun, budget: float | None) -> None:
    err = sys.stderr
    if sys.stderr.isatty() and (state.interrupted or state.budget_stop):
        print(file=err)
    if state.interrupted:
        print(f"eval: interrupted — {len(state.results)} results kept", file=err)
    if state.budget_stop:
        print(f"eval: stopped at the budget ({budget:,.0f} units)", file=err)
    print(f"eval: spent {state.spent:,.0f} units", file=err)


def _json(state: runner.EvalRun) -> dict[str, Any]:
    return {
        "tasks": state.tasks,
        "estimated_units": {k: round(v, 1) for k, v in state.estimates.items()},
        "spent_units": round(state.spent, 1),
        "interrupted": state.interrupted,
        "budget_stop": state.budget_stop,
        "scorecard": [r.to_json() for r in state.rows],
    }
