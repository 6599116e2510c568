"""Drive a real ``frugal-lsp serve`` over stdio as an editor does (pytest-lsp's client).

``Editor`` keeps document versions, sends incremental ``didChange`` edits, and sends
``textDocument/inlineCompletion`` requests whose futures carry the moment the response
arrived, so callers can cancel them (``$/cancelRequest``, as VS Code does) and time them.
"""

from __future__ import annotations

import asyncio
import sys
import time
import typing
from collections.abc import AsyncIterator
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from tests.fakes.config import fake_models_toml
from tests.processes import server_env

VSCODE = "visual-studio-code@1.65.2"
START_TIMEOUT_S = STOP_TIMEOUT_S = COMMAND_TIMEOUT_S = (
    20.0  # a broken server fails the run instead of hanging it
)
COEFFICIENTS = {"fake-basic": 1.0, "fake-advanced": 3.5}

PING = "frugal/ping"  # no such method: the server replies MethodNotFound at once


def frugal_toml(fake_url: str, debounce_ms: int | None = None) -> str:
    """A workspace config pointing at the loopback fake: one basic, one advanced model.

    ``debounce_ms = 0`` means no wait at all (the identifier wait is zeroed too); another
    value sets the wait after punctuation and keeps the product's identifier wait."""
    debounce = ""
    if debounce_ms is not None:
        word = "\nword_debounce_ms = 0" if debounce_ms == 0 else ""
        debounce = f"\n[completion]\ndebounce_ms = {debounce_ms}{word}\n"
    return fake_models_toml(fake_url) + debounce


def capabilities() -> lsp.ClientCapabilities:
    caps = client_capabilities(VSCODE)
    if caps.text_document is not None:
        caps.text_document.inline_completion = lsp.InlineCompletionClientCapabilities()
    return caps


SERVE = [sys.executable, "-m", "frugal_lsp", "serve"]


@asynccontextmanager
async def running_server(
    workspace: Path, home: Path, command: list[str] | None = None
) -> AsyncIterator[LanguageClient]:
    """Start ``frugal-lsp serve`` (or ``command``), initialize it for ``workspace``, shut it
    down after."""
    client = make_test_lsp_client()
    client.feature("frugal/status")(lambda ls, params: None)  # shown by real clients; not here
    cmd = command or SERVE
    await client.start_io(
        cmd[0], *cmd[1:], env=server_env(home, home / "xdg-config"), cwd=str(workspace)
    )
    params = lsp.InitializeParams(
        capabilities=capabilities(),
        root_uri=workspace.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
    )
    try:
        await asyncio.wait_for(client.initialize_session(params), START_TIMEOUT_S)
        yield client
        await asyncio.wait_for(client.shutdown_session(), STOP_TIMEOUT_S)
    finally:
        process = typing.cast(Any, client)._server
        if process is not None and process.returncode is None:
            process.terminate()  # it did not exit after `exit` (or never started properly)
        await asyncio.wait_for(client.stop(), STOP_TIMEOUT_S)


def server_pid(client: LanguageClient) -> int:
    process = typing.cast(Any, client)._server
    return int(process.pid)


@dataclass
class Pending:
    """One inline completion request in flight."""

    id: str
    future: Future[Any]
    sent: float
    answered: float | None = None

    def items(self) -> int:
        """Suggestions in the answer; 0 for none, an error or a cancellation."""
        if not self.future.done() or self.future.cancelled() or self.future.exception():
            return 0
        result = self.future.result()
        items = getattr(result, "items", result) or []
        return len(items)

    def latency_ms(self) -> float | None:
        return None if self.answered is None else (self.answered - self.sent) * 1000


@dataclass
class Editor:
    client: LanguageClient
    versions: dict[str, int] = field(default_factory=dict)
    _ids: int = 0

    def open(self, path: Path, text: str, language: str) -> str:
        uri = path.as_uri()
        self.versions[uri] = 1
        item = lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(item))
        return uri

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri))
        )

    def insert(self, uri: str, line: int, character: int, text: str) -> None:
        """Insert ``text`` at (line, UTF-16 character): one incremental didChange."""
        self.versions[uri] += 1
        doc = lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
        at = lsp.Position(line, character)
        change = lsp.TextDocumentContentChangePartial(range=lsp.Range(at, at), text=text)
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(doc, [change]))

    def delete(self, uri: str, line: int, start: int, end: int) -> None:
        """Delete characters [start, end) of ``line`` (UTF-16 columns)."""
        self.versions[uri] += 1
        doc = lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
        span = lsp.Range(lsp.Position(line, start), lsp.Position(line, end))
        change = lsp.TextDocumentContentChangePartial(range=span, text="")
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(doc, [change]))

    def inline(self, uri: str, line: int, character: int) -> Pending:
        self._ids += 1
        msg_id = f"inline-{self._ids}"
        context = lsp.InlineCompletionContext(
            trigger_kind=lsp.InlineCompletionTriggerKind.Automatic
        )
        params = lsp.InlineCompletionParams(
            context=context,
            text_document=lsp.TextDocumentIdentifier(uri),
            position=lsp.Position(line, character),
        )
        return self._send(lsp.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id)

    def ping(self) -> Pending:
        """A request the server answers without any work (an unknown method: an error
        reply), to time the JSON-RPC round trip itself."""
        self._ids += 1
        return self._send(PING, None, f"ping-{self._ids}")

    def _send(self, method: str, params: Any, msg_id: str) -> Pending:
        sent = time.perf_counter()
        future = self.client.protocol.send_request(method, params, msg_id=msg_id)
        pending = Pending(msg_id, future, sent)

        def done(f: Future[Any]) -> None:
            pending.answered = time.perf_counter()
            if not f.cancelled():
                f.exception()  # retrieved: a cancelled request answers with an error

        future.add_done_callback(done)
        return pending

    def cancel(self, pending: Pending) -> None:
        """What VS Code does when the user types on: cancel the request still in flight."""
        if not pending.future.done():
            self.client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=pending.id))

    async def wait(self, pending: Pending, timeout_s: float) -> bool:
        """Wait until ``pending`` is answered or ``timeout_s`` passed; True if answered."""
        if pending.future.done():
            return True
        waiting = asyncio.wrap_future(pending.future)
        waiting.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            await asyncio.wait_for(asyncio.shield(waiting), timeout_s)
        except TimeoutError:
            return False
        except Exception:
            return True  # answered with an error (e.g. cancelled)
        return True

    async def command(self, name: str, *args: Any) -> Any:
        params = lsp.ExecuteCommandParams(command=name, arguments=list(args))
        return await asyncio.wait_for(
            self.client.workspace_execute_command_async(params), COMMAND_TIMEOUT_S
        )
