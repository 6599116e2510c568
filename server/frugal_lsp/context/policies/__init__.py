"""Task policies: one small named policy per kind of help, looked up by task."""

from __future__ import annotations

from frugal_lsp.context.policies.ask import DESIGN_FRAMING, AskPolicy
from frugal_lsp.context.policies.base import Excerpt, Gathered, Policy
from frugal_lsp.context.policies.completion import CURSOR, CompletionPolicy
from frugal_lsp.context.policies.explain import ExplainErrorPolicy
from frugal_lsp.tasks import Task

POLICIES: dict[Task, Policy] = {
    Task.COMPLETION: CompletionPolicy(),
    Task.ASK: AskPolicy(),
    Task.DESIGN: AskPolicy(framing=DESIGN_FRAMING),
    Task.EXPLAIN_ERROR: ExplainErrorPolicy(),
}

__all__ = ["CURSOR", "POLICIES", "Excerpt", "Gathered", "Policy"]
