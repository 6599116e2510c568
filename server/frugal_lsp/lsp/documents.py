"""Document lifecycle: keep the pipeline and the parser informed, publish quota diagnostics."""

from __future__ import annotations

from lsprotocol import types as lsp

from frugal_lsp.lsp import convert
from frugal_lsp.lsp.server import FrugalServer

CONFIG_NAME = "frugal.toml"


def register(server: FrugalServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FrugalServer, params: lsp.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        if ls.pipeline is not None:
            ls.pipeline.edited(doc.uri, doc.version)
        ls.index_sync.edited(doc.uri)
        ls.quota.publish(doc.uri, force=True)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FrugalServer, params: lsp.DidChangeTextDocumentParams) -> None:
        doc = params.text_document
        if ls.pipeline is not None:
            ls.pipeline.edited(doc.uri, doc.version)
        ls.index_sync.edited(doc.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FrugalServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.pipeline is not None:
            ls.pipeline.closed(uri)
        if ls.engine is not None:
            ls.engine.context.forget(convert.path_of(uri))
        ls.quota.forget(uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: FrugalServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.index_sync.saved(params.text_document.uri)
        path = convert.path_of(params.text_document.uri)
        if path.name == CONFIG_NAME and ls.root is not None and path.parent == ls.root:
            ls.reload_config()
