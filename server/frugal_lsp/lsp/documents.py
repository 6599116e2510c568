"""Document lifecycle: keep the pipeline and the parser informed, publish quota diagnostics."""

from __future__ import annotations

from lsprotocol import types as lsp

from frugal_lsp.lsp.server import FrugalServer


def register(server: FrugalServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FrugalServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.opened(params.text_document.uri, params.text_document.version)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FrugalServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri, params.text_document.version)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FrugalServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.closed(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: FrugalServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.saved(params.text_document.uri)
