"""The task table: for each kind of help, its context policy, routing rule and front door.

Everything that depends on the task reads ``TASKS`` (the context builder, the router, the
LSP commands and code actions); a new task is one ``Task`` member, one row here and its
policy module (docs/ARCHITECTURE.md, "add a task").
"""

from __future__ import annotations

from frugal_lsp.context.policies.ask import DESIGN_FRAMING, AskPolicy
from frugal_lsp.context.policies.base import Excerpt, Gathered, Policy
from frugal_lsp.context.policies.completion import CURSOR, CompletionPolicy
from frugal_lsp.context.policies.explain import ExplainErrorPolicy
from frugal_lsp.context.policies.spec import Door, Need, TaskSpec
from frugal_lsp.tasks import Task, Tier

TASKS: dict[Task, TaskSpec] = {
    Task.COMPLETION: TaskSpec(
        CompletionPolicy(),
        tier=Tier.BASIC,
        tier_reason="completions always start on the basic tier",
        needs=frozenset({Need.WORDS}),
        memoized=True,
        latency_bound=True,
    ),
    Task.ASK: TaskSpec(AskPolicy(), door=Door.SELECTION, command="frugal.askSelection"),
    Task.DESIGN: TaskSpec(
        AskPolicy(framing=DESIGN_FRAMING),
        tier=Tier.ADVANCED,
        tier_reason="design questions need the advanced tier",
    ),
    Task.EXPLAIN_ERROR: TaskSpec(
        ExplainErrorPolicy(),
        needs=frozenset({Need.EXCERPTS}),
        door=Door.DIAGNOSTIC,
        command="frugal.explainError",
    ),
}

__all__ = ["CURSOR", "TASKS", "Door", "Excerpt", "Gathered", "Need", "Policy", "TaskSpec"]
