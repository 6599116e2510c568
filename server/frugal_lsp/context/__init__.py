"""Scoped, budgeted, redacted context: what the engine sends for each request.

``ContextBuilder.build(ContextRequest)`` returns a ``Prompt``; excluded files raise
``ContextExcluded``. The task table (``policies/``) says what each task gathers; see
docs/ARCHITECTURE.md.
"""

from __future__ import annotations

from frugal_lsp.context.builder import ContextBuilder
from frugal_lsp.context.document import Document, Position
from frugal_lsp.context.redact import redact
from frugal_lsp.context.request import ContextRequest
from frugal_lsp.prompt import Fim, Message, Prompt, Scope

__all__ = [
    "ContextBuilder",
    "ContextRequest",
    "Document",
    "Fim",
    "Message",
    "Position",
    "Prompt",
    "Scope",
    "redact",
]
