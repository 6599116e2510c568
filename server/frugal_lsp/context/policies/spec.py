"""One row of the task table: everything the code needs to know about one kind of help.

The table itself is ``TASKS`` in ``context/policies/__init__.py``; docs/ARCHITECTURE.md
("add a task") says what a new row takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from frugal_lsp.context.policies.base import Policy
from frugal_lsp.tasks import Tier


class Need(StrEnum):
    """Inputs a policy reads beyond the document, the position and the question; the
    context builder gathers them only for the tasks that need them."""

    WORDS = "words"  # the code words of every line (completion ranks lines by them)
    EXCERPTS = "excerpts"  # the workspace functions a diagnostic's frames name


class Door(StrEnum):
    """How an editor asks for a task through ``workspace/executeCommand`` (lsp/commands.py
    has one handler per door; the task's ``command`` names the command)."""

    NONE = "none"  # no command of its own (completion comes through textDocument/*)
    SELECTION = "selection"  # {uri, range, question?, template?, tier?}: about a selection
    DIAGNOSTIC = "diagnostic"  # {uri, diagnostic}: about an editor diagnostic


@dataclass(frozen=True)
class TaskSpec:
    """A task: its context policy, the tier it starts on, the inputs it needs, its front
    door. Its wire name (ledger ``task`` column, ``--task``, reports) is the Task's value."""

    policy: Policy
    tier: Tier | None = None  # the tier it always starts on; None: by words of input
    tier_reason: str = ""  # shown in plans when ``tier`` is set
    needs: frozenset[Need] = frozenset()
    memoized: bool = False  # same text and cursor, same prompt: the builder remembers it
    latency_bound: bool = False  # models slower than routing.completion_deadline_ms go last
    door: Door = Door.NONE
    command: str = ""  # the workspace/executeCommand name of its door; "" with Door.NONE
