"""`frugal-lsp demo`: a scripted editor session against a real `frugal-lsp serve`.

A pygls client starts the server over stdio on a copy of the sample workspace
(``data/demo``) and plays what an editor sends: it opens a file, types a method
keystroke by keystroke (an inline request per keystroke, the previous one cancelled),
types through a suggestion, asks about a selection twice, and watches the quota state.
Each step prints what was sent and what it cost; the session ends with the usage report.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.client import LanguageClient

from frugal_lsp.config import load_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.report.console import status_text
from frugal_lsp.tasks import Task

FILE = "inventory.py"
TYPED = "\n    def low_stock(self, threshold: int = 5) -> list[Item]:\n        "
QUESTION = "What happens when restock() is called with an unknown SKU?"
Say = Callable[[str], None]


@dataclass
class Editor:
    """The client side of the session: the document as typed, and what the server said."""

    client: LanguageClient
    uri: str
    text: str
    version: int = 1
    statuses: list[Any] = field(default_factory=list)
    diagnostics: list[lsp.Diagnostic] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    requests: int = 0

    def type(self, chars: str) -> None:
        self.text += chars
        self.version += 1
        doc = lsp.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version)
        change = lsp.TextDocumentContentChangeWholeDocument(text=self.text)
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(doc, [change]))

    @property
    def end(self) -> lsp.Position:
        lines = self.text.split("\n")
        return lsp.Position(len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2)

    def inline(self) -> asyncio.Future[Any]:
        """Ask for a suggestion at the end of the text, as an editor does on each keystroke."""
        self.requests += 1
        params = lsp.InlineCompletionParams(
            context=lsp.InlineCompletionContext(lsp.InlineCompletionTriggerKind.Automatic),
            text_document=lsp.TextDocumentIdentifier(self.uri),
            position=self.end,
        )
        return self.client.protocol.send_request_async(  # type: ignore[no-any-return]
            lsp.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id=f"inline-{self.requests}"
        )

    def cancel(self, future: asyncio.Future[Any]) -> None:
        future.add_done_callback(_consume)  # a cancelled request ends in an error reply
        if not future.done():
            self.client.protocol.notify(
                lsp.CANCEL_REQUEST, lsp.CancelParams(id=f"inline-{self.requests}")
            )


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _client(box: list[Editor]) -> LanguageClient:
    """A pygls client that records what the server tells the editor."""
    client = LanguageClient("frugal-demo", "0.1")

    def status(params: Any) -> None:
        box[0].statuses.append(params)

    def diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
        box[0].diagnostics = list(params.diagnostics)

    def message(params: lsp.ShowMessageParams) -> None:
        box[0].messages.append(params.message)

    handlers: dict[str, Callable[[Any], Any]] = {
        "frugal/status": status,
        lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: diagnostics,
        lsp.WINDOW_SHOW_MESSAGE: message,
        lsp.WINDOW_SHOW_DOCUMENT: lambda _: lsp.ShowDocumentResult(success=True),
        lsp.WINDOW_WORK_DONE_PROGRESS_CREATE: lambda _: None,
        lsp.PROGRESS: lambda _: None,
    }
    for method, handler in handlers.items():
        _register(client, method, handler)
    return client


def _register(client: LanguageClient, method: str, handler: Callable[[Any], Any]) -> None:
    def feature(_: LanguageClient, params: Any) -> Any:
        return handler(params)

    client.feature(method)(feature)


def _capabilities() -> lsp.ClientCapabilities:
    return lsp.ClientCapabilities(
        text_document=lsp.TextDocumentClientCapabilities(
            inline_completion=lsp.InlineCompletionClientCapabilities(),
            code_action=lsp.CodeActionClientCapabilities(),
        ),
        window=lsp.WindowClientCapabilities(
            work_done_progress=True, show_document=lsp.ShowDocumentClientCapabilities(True)
        ),
    )


def prepare_workspace(root: Path) -> tuple[Path, Path]:
    """Copy the sample workspace into ``root``; returns (workspace, FRUGAL_HOME)."""
    source = resources.files("frugal_lsp").joinpath("data/demo")
    workspace = root / "workspace"
    workspace.mkdir(parents=True)
    for name in ("frugal.toml", FILE):
        (workspace / name).write_text(source.joinpath(name).read_text("utf-8"), "utf-8")
    return workspace, root / "home"


async def run_demo(say: Say = print) -> int:
    root = Path(tempfile.mkdtemp(prefix="frugal-demo-"))
    try:
        workspace, home = prepare_workspace(root)
        return await _session(workspace, home, say)
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def _session(workspace: Path, home: Path, say: Say) -> int:
    say("frugal-lsp demo — a scripted editor session against a real `frugal-lsp serve`")
    say(f"workspace {workspace}  ·  FRUGAL_HOME {home}")
    say(
        "model: Qwen2.5-Coder-0.5B on a local llama.cpp server that frugal-lsp supervises — no key,"
    )
    say("nothing leaves this machine (the demo counts its tokens against a tiny budget)\n")
    box: list[Editor] = []
    client = _client(box)
    env = {**os.environ, "FRUGAL_HOME": str(home)}
    await client.start_io(sys.executable, "-m", "frugal_lsp", "serve", env=env, cwd=workspace)
    try:
        await client.initialize_async(
            lsp.InitializeParams(capabilities=_capabilities(), root_uri=workspace.as_uri())
        )
        client.initialized(lsp.InitializedParams())
        path = workspace / FILE
        editor = Editor(client, path.as_uri(), path.read_text("utf-8"))
        box.append(editor)
        item = lsp.TextDocumentItem(editor.uri, "python", 1, editor.text)
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(item))
        planner = Engine(load_config(workspace), StatePaths.resolve(home), workspace)
        try:
            await _steps(editor, planner, say)
        finally:
            await planner.aclose()
    finally:
        await asyncio.wait_for(client.shutdown_async(None), 30)
        client.exit(None)
        await client.stop()  # type: ignore[no-untyped-call]
    await _report(workspace, home, say)
    return 0


async def _steps(editor: Editor, planner: Engine, say: Say) -> None:
    say(f"[1] open {FILE}: {len(editor.text.splitlines())} lines")
    suggestion = await _type_method(editor, planner, say)
    await _type_through(editor, suggestion, say)
    await _ask_twice(editor, say)
    _quota(editor, say)


async def _type_method(editor: Editor, planner: Engine, say: Say) -> str:
    say("[2] type a new method keystroke by keystroke — an inline request after every key,")
    say("    the previous one cancelled, as VS Code does; pauses at line ends")
    pending: asyncio.Future[Any] | None = None
    suggestion = ""
    for char in TYPED:
        if pending is not None:
            editor.cancel(pending)
        editor.type(char)
        pending = editor.inline()
        await asyncio.sleep(0.6 if char == "\n" else 0.03)
    assert pending is not None
    started = time.perf_counter()
    result = await pending
    seconds = time.perf_counter() - started
    _show_plan(editor, planner, say)
    if result and result.items:
        suggestion = str(result.items[0].insert_text)
        say(
            f"    suggestion after the last pause ({seconds:.2f} s): {suggestion.splitlines()[0]!r}"
        )
    else:
        say("    (the model had no usable suggestion here)")
    calls = _count(planner, "completion")
    say(
        f"    {len(TYPED)} keystrokes, {editor.requests} inline requests,"
        f" {calls} provider call(s): debounce + cancellation answered the rest\n"
    )
    return suggestion


def _show_plan(editor: Editor, planner: Engine, say: Say) -> None:
    document = Document(Path(editor.uri.removeprefix("file://")), editor.text, "python")
    end = editor.end
    plan = planner.plan(
        ContextRequest(document, Task.COMPLETION, Position(end.line, end.character))
    )
    prompt, chosen = plan.prompt, plan.route.chosen
    say(
        f"    scope sent: {prompt.scope.kind} `{prompt.scope.name}` — {prompt.prompt_tokens} tokens"
        f" instead of the whole file's {prompt.full_file_tokens}"
    )
    if chosen:
        say(f"    model: {chosen.label} — {plan.route.reason}")


async def _type_through(editor: Editor, suggestion: str, say: Say) -> None:
    say("[3] type the first characters of the suggestion: the rest is reused, no new call")
    typed = suggestion[:3]
    if not typed:
        say("    (skipped: there was no suggestion to type through)\n")
        return
    before = editor.requests
    for char in typed:
        editor.type(char)
        await asyncio.sleep(0.03)
    result = await editor.inline()
    item = result.items[0] if result and result.items else None
    rest = str(item.insert_text) if item else ""
    say(
        f"    typed {typed!r} → the server answered {rest[:40]!r}"
        f" from the suggestion already shown ({editor.requests - before} request)"
    )
    if item is not None and item.command is not None:  # what the editor runs on Tab
        params = lsp.ExecuteCommandParams(item.command.command, item.command.arguments)
        await editor.client.workspace_execute_command_async(params)
        say("    accepted it: the editor runs the item's command, the ledger counts it")
    say("")


def _method_range(text: str, name: str) -> lsp.Range:
    """The lines of method ``name`` (its header to its last non-blank body line)."""
    lines = text.split("\n")
    start = next(n for n, line in enumerate(lines) if line.lstrip().startswith(f"def {name}("))
    end = start
    for n in range(start + 1, len(lines)):
        if lines[n].strip() and not lines[n].startswith(" " * 8):
            break
        end = n if lines[n].strip() else end
    return lsp.Range(lsp.Position(start, 0), lsp.Position(end, len(lines[end])))


async def _ask_twice(editor: Editor, say: Say) -> None:
    selection = _method_range(editor.text, "restock")
    params = lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(editor.uri),
        range=selection,
        context=lsp.CodeActionContext(diagnostics=[]),
    )
    actions = await editor.client.text_document_code_action_async(params) or []
    say("[4] select restock() — the code actions already show what asking would cost:")
    for action in actions[:3]:
        say(f"      {action.title}")
    for step in ("    ask", "[5] the same question again"):
        await _ask(editor, selection, step, say)
    say("")


async def _ask(editor: Editor, selection: lsp.Range, step: str, say: Say) -> None:
    arguments = [{"uri": editor.uri, "range": _range_json(selection), "question": QUESTION}]
    command = lsp.ExecuteCommandParams(command="frugal.askSelection", arguments=arguments)
    started = time.perf_counter()
    try:
        answer: dict[str, Any] = await editor.client.workspace_execute_command_async(command) or {}
    except JsonRpcException as exc:
        say(f"{step}: refused before anything was sent — {exc}")
        return
    seconds = time.perf_counter() - started
    source = "cache, 0 units" if answer["cached"] else f"{answer['cost']:.0f} units"
    say(
        f"{step}: {answer['promptTokens']} prompt + {answer['completionTokens']} output tokens"
        f" on {answer['model']} ({source}, {seconds:.2f} s)"
    )
    first = (str(answer["answer"]).strip().splitlines() or [""])[0]
    say(f"      > {first[:100]}")


def _quota(editor: Editor, say: Say) -> None:
    say("[6] quota, as the editor shows it")
    if editor.statuses:
        last = editor.statuses[-1]
        say(
            f"    frugal/status: {getattr(last, 'message', last)}"
            f" (state {getattr(last, 'state', '?')})"
        )
    for diagnostic in editor.diagnostics:
        if diagnostic.source == "frugal":
            severity = lsp.DiagnosticSeverity(diagnostic.severity or 1).name
            say(f"    diagnostic ({severity}): {diagnostic.message}")
    for message in editor.messages:
        say(f"    message: {message}")
    say("")


def _count(planner: Engine, task: str) -> int:
    groups = planner.ledger.spend_groups(0.0, planner.account.clock())
    return sum(g.calls for g in groups if g.task == task)


async def _report(workspace: Path, home: Path, say: Say) -> None:
    say("[7] usage report (frugal-lsp status)")
    engine = Engine(load_config(workspace), StatePaths.resolve(home), workspace)
    try:
        for line in status_text(engine.status()).splitlines():
            say(f"    {line}")
    finally:
        await engine.aclose()


def _range_json(r: lsp.Range) -> dict[str, Any]:
    return {
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    }
