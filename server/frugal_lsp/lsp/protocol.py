"""pygls protocol tweaks: malformed requests get a JSON-RPC error; positions are UTF-16.

pygls drops a request whose params do not match the LSP schema without answering it, so
the client would wait forever; here it gets ``InvalidParams`` instead. The server always
negotiates UTF-16 positions (every client must support them), which is what the context
layer counts in, and keeps documents in a workspace that applies edits with LSP line
breaks (``textsync.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from frugal_lsp.lsp.textsync import FrugalWorkspace

log = logging.getLogger(__name__)


class _Dropped(dict[str, Any]):
    """A message that could not be read and was already answered (or ignored)."""


class FrugalProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except Exception as exc:
            return self._answer_unreadable(data, exc)

    def _answer_unreadable(self, data: dict[str, Any], exc: Exception) -> _Dropped:
        method = data.get("method", "")
        if "id" in data and method:
            log.warning("malformed params for %s (request %s): %s", method, data["id"], exc)
            error = JsonRpcInvalidParams(f"invalid params for {method}: {exc.__cause__ or exc}")
            self._send_response(data["id"], error=error.to_response_error())
        elif "id" in data and (waiting := self._request_futures.pop(data["id"], None)):
            log.warning("unreadable response to request %s: %s", data["id"], exc)
            if not waiting.done():
                waiting.set_exception(exc)
        else:
            log.warning("ignored a malformed %s message: %s", method or "unknown", exc)
        return _Dropped(data)

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Dropped):
            return
        super().handle_message(message)

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(
        self, params: lsp.InitializeParams
    ) -> Generator[Any, Any, lsp.InitializeResult]:
        general = params.capabilities.general
        if general is not None:
            general.position_encodings = None  # negotiate UTF-16, the LSP default
        result: lsp.InitializeResult = yield from super().lsp_initialize(params)
        if self._workspace is not None:  # created by pygls just now, before any didOpen
            self._workspace = FrugalWorkspace.replacing(self._workspace)
        return result
