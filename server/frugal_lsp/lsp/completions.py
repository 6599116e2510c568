"""Inline completions (ghost text) and list completions: two thin doors into one pipeline."""

from __future__ import annotations

from lsprotocol import types as lsp

from frugal_lsp.completion import Query, Suggestion
from frugal_lsp.completion.rules import is_word_char
from frugal_lsp.errors import FrugalError
from frugal_lsp.lsp import convert
from frugal_lsp.lsp.server import FrugalServer


def register(server: FrugalServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_INLINE_COMPLETION, lsp.InlineCompletionOptions())
    async def inline(
        ls: FrugalServer, params: lsp.InlineCompletionParams
    ) -> lsp.InlineCompletionList | None:
        return convert.inline_list(await suggest(ls, params.text_document.uri, params.position))

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions())
    async def complete(ls: FrugalServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        uri, cursor = params.text_document.uri, params.position
        suggestion = await suggest(ls, uri, cursor)
        return convert.completion_list(suggestion, word_before(ls, uri, cursor), cursor)


async def suggest(ls: FrugalServer, uri: str, position: lsp.Position) -> Suggestion | None:
    """The pipeline's suggestion; None for unknown documents and for any engine failure."""
    document, pipeline = ls.document(uri), ls.pipeline
    if document is None or pipeline is None:
        return None
    if position.line > document.text.count("\n"):  # our copy and the client's disagree
        ls.log_once("completion past the end of %s (line %d)", uri, position.line)
        return None
    query = Query(uri, document, convert.position(position), document.version)
    with ls.working():
        try:
            return await pipeline.suggest(query)
        except FrugalError as exc:
            ls.log_once("completion: %s", exc)
            ls.quota.refresh()
            return None


def word_before(ls: FrugalServer, uri: str, position: lsp.Position) -> str:
    """The identifier characters just before the cursor (what list clients replace)."""
    document = ls.document(uri)
    if document is None:
        return ""
    text = document.text
    end = document.offset_at(convert.position(position))
    start = end
    while start > 0 and is_word_char(text[start - 1]):
        start -= 1
    return text[start:end]
