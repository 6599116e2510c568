"""Send the mined tasks to each model through the engine, within a budget.

Each task's prompt is the one a completion at that cursor would send (``ContextBuilder``:
scope, budget, redaction, the model's FIM template); the call goes through
``Engine.execute`` — reserved and settled in the ledger like any call, with only the
model under test as candidate, and the answer cache skipped (a cached answer measures
nothing). The suggestion is post-processed as the editor would receive it, then scored.

Tasks run task by task, every model on a task before the next task, so a run cut short
(``--budget`` reached, Ctrl-C) still compares the models on the same tasks. Before any
call, ``estimate`` says what each model would cost at most (prompt + max output tokens x
coefficient); a call whose estimate would take the run past ``budget`` is not sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from frugal_lsp.config import ModelConfig
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.errors import FrugalError, ProviderError, QuotaExhausted
from frugal_lsp.evaluation.mining import EvalTask
from frugal_lsp.evaluation.scorecard import TaskResult, rows_from
from frugal_lsp.evaluation.scoring import score_line
from frugal_lsp.prompt import Prompt
from frugal_lsp.results import Plan
from frugal_lsp.routing.router import Route, estimate
from frugal_lsp.store.scorecards import ScoreRow
from frugal_lsp.tasks import Task, Tier

if TYPE_CHECKING:
    from frugal_lsp.engine import Engine

Progress = Callable[[int, int, str], None]


@dataclass
class EvalRun:
    tasks: int
    estimates: dict[str, float]  # model key -> units at most, for every task
    results: list[TaskResult] = field(default_factory=list)
    spent: float = 0.0
    interrupted: bool = False
    budget_stop: bool = False
    rows: list[ScoreRow] = field(default_factory=list)


@dataclass(frozen=True)
class Prepared:
    task: EvalTask
    prompt: Prompt


def prepare(engine: Engine, tasks: Sequence[EvalTask]) -> list[Prepared]:
    """The prompt each task would send (tasks the context builder refuses are left out)."""
    out = []
    for task in tasks:
        try:
            out.append(Prepared(task, engine.context.build(_request(task))))
        except FrugalError:
            continue
    return out


def estimates(models: Sequence[ModelConfig], prepared: Sequence[Prepared]) -> dict[str, float]:
    return {
        m.key: sum(
            estimate(m, p.prompt.prompt_tokens, p.prompt.max_output_tokens).estimated_units
            for p in prepared
        )
        for m in models
    }


async def run(
    engine: Engine,
    models: Sequence[ModelConfig],
    prepared: Sequence[Prepared],
    budget: float | None,
    progress: Progress | None = None,
) -> EvalRun:
    """Score every model on every prepared task; the scorecard is saved even when cut short."""
    state = EvalRun(len(prepared), estimates(models, prepared))
    total, done = len(prepared) * len(models), 0
    try:
        for item in prepared:
            for model in models:
                cand = estimate(model, item.prompt.prompt_tokens, item.prompt.max_output_tokens)
                if budget is not None and state.spent + cand.estimated_units > budget:
                    state.budget_stop = True
                    return state
                result = await _one(engine, model, item)
                state.results.append(result)
                state.spent += result.units
                done += 1
                if progress:
                    progress(done, total, f"{model.key} {item.task.name}")
    except asyncio.CancelledError:  # Ctrl-C: keep what finished
        state.interrupted = True
    finally:
        state.rows = [r for r in rows_from(state.results) if r.tasks or r.errors]
        if state.rows:
            engine.scorecards.save([r for r in state.rows if r.tasks])
    return state


async def _one(engine: Engine, model: ModelConfig, item: Prepared) -> TaskResult:
    cand = estimate(model, item.prompt.prompt_tokens, item.prompt.max_output_tokens)
    route = Route(Tier.BASIC, f"eval: {model.key}", (cand,), (), (cand,))
    task = item.task
    started = time.perf_counter()
    try:
        answer = await engine.execute(Plan(item.prompt, route), fresh=True)
    except (ProviderError, QuotaExhausted) as exc:
        return TaskResult(model.key, task.name, task.language, False, 0.0, 0.0, 0.0, "", str(exc))
    latency = (time.perf_counter() - started) * 1000
    suggestion = engine.usable_completion(_request(task), answer.plan, answer)
    got = score_line(task.truth, suggestion)
    return TaskResult(
        model.key,
        task.name,
        task.language,
        got.exact,
        got.similarity,
        latency,
        answer.cost,
        suggestion,
    )


def _request(task: EvalTask) -> ContextRequest:
    document = Document(task.path, task.text, task.language)
    return ContextRequest(document, Task.COMPLETION, Position(task.row, task.character))
