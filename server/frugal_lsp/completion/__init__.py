"""The completion pipeline: debounce, cancel, reuse, skip — ask the provider only when it helps.

Plain asyncio over the engine; the LSP layer converts requests in and suggestions out.
"""

from __future__ import annotations

from frugal_lsp.completion.pipeline import CompletionPipeline, Query, Suggestion
from frugal_lsp.completion.rules import skip_reason

__all__ = ["CompletionPipeline", "Query", "Suggestion", "skip_reason"]
