"""The cascade for asks, error explanations and design questions: cheap first, and one
escalation only when a check that needs no model says the answer is unusable.

The route's first candidate answers (as without a cascade). ``routing/checks.py`` judges
the answer; when it fails, the next *stronger* candidate of the same route (higher tier,
else a higher coefficient) is asked — its cached answer when the same question was
escalated before, else a call reserved and settled in the ledger like any other, so a
budget that cannot take it leaves the first answer standing (and says so). At most
``routing.max_escalations`` escalations (default 1). Each one is recorded with its
reason, both call ids and both costs (``store/scorecards.py``), which ``report`` turns
into the escalation rate, its cost, and the units saved against sending every answer to
the strong model.

Streaming stays honest: by default the first answer streams as it comes and, if it fails,
a line saying it was a draft, why, and which model answers instead comes before the
replacement; with ``routing.cascade_check_first = true`` nothing is shown until an answer
passed (or the escalations ran out).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from frugal_lsp.context import ContextRequest
from frugal_lsp.context.policies import TASKS
from frugal_lsp.errors import ProviderError, QuotaExhausted
from frugal_lsp.routing.checks import answer_problem
from frugal_lsp.routing.router import TIER_RANK, Candidate
from frugal_lsp.store.scorecards import Escalation

if TYPE_CHECKING:
    from collections.abc import Callable

    from frugal_lsp.engine import Engine
    from frugal_lsp.results import Answer, Plan

log = logging.getLogger(__name__)
DRAFT_NOTE = "\n\n---\n_(draft from {model}: {reason} — asking {stronger} instead)_\n\n"


def applies(engine: Engine, plan: Plan) -> bool:
    """On, with escalations allowed, for a task whose row says so (``TASKS[...].cascade``)."""
    routing = engine.config.routing
    return routing.cascade and routing.max_escalations > 0 and TASKS[plan.prompt.task].cascade


def _strength(c: Candidate) -> tuple[int, float]:
    return TIER_RANK[c.model.tier], c.model.coefficient


def stronger(plan: Plan, current: Candidate) -> Candidate | None:
    """The first candidate of the route stronger than ``current`` (None: it is the top)."""
    return next((c for c in plan.route.candidates if _strength(c) > _strength(current)), None)


def problem(answer: Answer, request: ContextRequest) -> str | None:
    prompt = answer.plan.prompt
    first = request.position.line
    last = request.end.line if request.end else prompt.scope.end_line
    if request.end is None:
        first = prompt.scope.start_line
    selection = "\n".join(request.document.lines[first : last + 1])
    return answer_problem(
        answer.text,
        completion_tokens=answer.completion_tokens,
        max_tokens=prompt.max_output_tokens,
        language=prompt.language,
        selection=selection,
        first_line=first,
        last_line=last,
        question=request.question,
    )


async def answer(
    engine: Engine,
    plan: Plan,
    request: ContextRequest,
    on_text: Callable[[str], None] | None = None,
) -> Answer:
    """The first answer that passes the checks, escalating at most max_escalations times."""
    check_first = engine.config.routing.cascade_check_first
    result = await engine.execute(plan, None if check_first else on_text)
    for _ in range(engine.config.routing.max_escalations):
        reason = problem(result, request)
        target = stronger(plan, result.candidate) if reason else None
        if reason is None or target is None:
            break
        if on_text and not check_first:
            draft = result.candidate.label
            on_text(DRAFT_NOTE.format(model=draft, reason=reason, stronger=target.label))
        escalated = await _escalate(engine, plan, target, None if check_first else on_text)
        if escalated is None:  # no budget or the stronger platform failed: keep the draft
            break
        _record(engine, plan, result, escalated, reason)
        result = replace(escalated, escalation=f"{reason}: {result.candidate.model.key}")
    if check_first and on_text:
        on_text(result.text)
    return result


async def _escalate(
    engine: Engine, plan: Plan, target: Candidate, on_text: Callable[[str], None] | None
) -> Answer | None:
    floor = _strength(target)
    weaker = frozenset(c.model.key for c in plan.route.candidates if _strength(c) < floor)
    try:
        return await engine.execute(plan, on_text, avoid=weaker)  # a repeat: from the cache
    except (QuotaExhausted, ProviderError) as exc:
        log.warning("cascade: could not escalate to %s: %s", target.label, exc)
        return None


def _record(engine: Engine, plan: Plan, first: Answer, second: Answer, reason: str) -> None:
    engine.scorecards.record_escalation(
        Escalation(
            ts=time.time(),
            task=plan.prompt.task.value,
            from_model=first.candidate.model.key,
            to_model=second.candidate.model.key,
            reason=reason,
            first_call=first.call_id,
            second_call=second.call_id,
            first_units=first.cost,
            second_units=second.cost,
        )
    )
