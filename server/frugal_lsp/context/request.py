"""What the engine asks the context layer for."""

from __future__ import annotations

from dataclasses import dataclass

from frugal_lsp.context.document import Document, Position
from frugal_lsp.tasks import Task


@dataclass(frozen=True)
class ContextRequest:
    """One request for context: a document, a task and where the user is."""

    document: Document
    task: Task
    position: Position  # the cursor, or the selection's start
    end: Position | None = None  # the selection's end (ASK/DESIGN); None = the scope at position
    question: str = ""  # the user's question (ASK/DESIGN) or a template prompt
    diagnostic: str = ""  # EXPLAIN_ERROR: the diagnostic message or the full traceback
