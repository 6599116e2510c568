"""End-to-end harness: `frugal-lsp serve` over stdio, driven by pytest-lsp, fake provider.

Every test gets its own FRUGAL_HOME, workspace (with ``frugal.toml`` pointing at the
loopback fake) and server process; ``client`` is parametrised by client capabilities:
a VS Code-like client (inline completion, showDocument, workspace/configuration) and a
Neovim 0.7-like one (none of those).
"""

from __future__ import annotations

import asyncio
import sys
import typing
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from tests.fakes.config import fake_models_toml
from tests.fakes.fake_provider import FakeProvider
from tests.processes import server_env

REPLY = "math.pi * radius ** 2"
SOURCE = '''import math


def area(radius):
    """Area of a circle."""
    return CURSOR_HERE


def ring(outer, inner):
    """Area between two circles."""
    return area(outer) - area(inner)
'''.replace("CURSOR_HERE", "")
CURSOR = lsp.Position(5, 11)  # after "return "
CLIENTS = {"vscode": "visual-studio-code@1.65.2", "neovim": "neovim@0.7.0"}


@dataclass
class Session:
    """What one test drives: the client, the fake, the workspace and FRUGAL_HOME."""

    client: LanguageClient
    fake: FakeProvider
    workspace: Path
    home: Path
    kind: str
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def statuses(self) -> list[Any]:
        """Every ``frugal/status`` notification so far (attribute objects, e.g. ``s.state``)."""
        return typing.cast(list[Any], self.client.statuses)  # type: ignore[attr-defined]

    @property
    def uri(self) -> str:
        return (self.workspace / "geometry.py").as_uri()

    def open(self, text: str = SOURCE, name: str = "geometry.py") -> str:
        uri = (self.workspace / name).as_uri()
        self.versions[uri] = 1
        item = lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(item))
        return uri

    def change(self, text: str, uri: str | None = None) -> None:
        uri = uri or self.uri
        self.versions[uri] += 1
        doc = lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
        change = lsp.TextDocumentContentChangeWholeDocument(text=text)
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(doc, [change]))

    def type_at(self, position: lsp.Position, text: str, uri: str | None = None) -> None:
        """Insert ``text`` at ``position``: one incremental change, as an editor sends it."""
        uri = uri or self.uri
        self.versions[uri] += 1
        doc = lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
        at = lsp.Range(position, position)
        change = lsp.TextDocumentContentChangePartial(range=at, text=text)
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(doc, [change]))

    async def inline(
        self, position: lsp.Position = CURSOR, uri: str | None = None
    ) -> lsp.InlineCompletionList | None:
        params = inline_params(uri or self.uri, position)
        result = await self.client.text_document_inline_completion_async(params)
        return typing.cast(lsp.InlineCompletionList | None, result)

    async def command(self, name: str, *args: Any) -> Any:
        params = lsp.ExecuteCommandParams(command=name, arguments=list(args))
        return await self.client.workspace_execute_command_async(params)


def inline_params(uri: str, position: lsp.Position) -> lsp.InlineCompletionParams:
    context = lsp.InlineCompletionContext(trigger_kind=lsp.InlineCompletionTriggerKind.Automatic)
    return lsp.InlineCompletionParams(
        context=context, text_document=lsp.TextDocumentIdentifier(uri), position=position
    )


def frugal_toml(fake: FakeProvider, budget: int = 100_000, debounce_ms: int = 40) -> str:
    return (
        fake_models_toml(fake.url)
        + f"""
[budget]
tokens = {budget}
alert_at = [0.7, 0.9, 1.0]

[completion]
debounce_ms = {debounce_ms}
"""
    )


BAD_CONFIG = """
[[providers]]
name = "fake"
kind = "opneai"

[budget]
tokens = "lots"
"""


def capabilities(kind: str) -> lsp.ClientCapabilities:
    caps = client_capabilities(CLIENTS[kind])
    if kind == "vscode" and caps.text_document is not None:
        caps.text_document.inline_completion = lsp.InlineCompletionClientCapabilities()
    return caps


def test_client() -> LanguageClient:
    """pytest-lsp's client, with lsprotocol's CodeAction-with-command mis-parse worked around:
    lsprotocol 2025.0.0 reads such a CodeAction as a Command (Python client side only)."""
    client = make_test_lsp_client()
    converter = client.protocol._converter

    def command_or_action(obj: Any, _: Any) -> lsp.Command | lsp.CodeAction:
        if isinstance(obj.get("command"), dict) or "kind" in obj or "diagnostics" in obj:
            return converter.structure(obj, lsp.CodeAction)
        return converter.structure(obj, lsp.Command)

    converter.register_structure_hook(
        typing.Union[lsp.Command, lsp.CodeAction],  # noqa: UP007 - the exact type lsprotocol uses
        command_or_action,
    )
    client.statuses = []  # type: ignore[attr-defined]

    @client.feature("frugal/status")
    def status(ls: LanguageClient, params: Any) -> None:
        ls.statuses.append(params)  # type: ignore[attr-defined]

    return client


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider(reply=REPLY) as provider:
        yield provider


@pytest.fixture
def workspace(request: pytest.FixtureRequest, tmp_path: Path, fake: FakeProvider) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    bad = request.node.get_closest_marker("bad_config") is not None
    toml = BAD_CONFIG if bad else frugal_toml(fake)
    if request.node.get_closest_marker("basic_only") is not None:
        advanced = '\n[[models]]\nname = "fake-advanced"\nprovider = "fake"\ntier = "advanced"\n'
        assert advanced in toml
        toml = toml.replace(advanced, "")
    if request.node.get_closest_marker("completion_cross_file") is not None:
        toml += "\n[context]\ncompletion_cross_file_share = 0.25\n"
    (root / "frugal.toml").write_text(toml, encoding="utf-8")
    (root / "geometry.py").write_text(SOURCE, encoding="utf-8")
    return root


@pytest_asyncio.fixture(params=sorted(CLIENTS))
async def session(
    request: pytest.FixtureRequest,
    fake: FakeProvider,
    workspace: Path,
    tmp_path: Path,
    isolated_home: Path,
) -> AsyncIterator[Session]:
    kind = request.param
    caps = capabilities(kind)
    if request.node.get_closest_marker("opens_answers") is not None:
        caps.experimental = {"frugal": {"opensAnswers": True}}  # what the VS Code client says
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "frugal_lsp", "serve"],
        client_factory=test_client,
        server_env=server_env(isolated_home, tmp_path / "xdg-config")
        | {"PYTHONWARNINGS": "error::DeprecationWarning"},
    )
    client = typing.cast(LanguageClient, await config.start())
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=caps,
            root_uri=workspace.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )
    yield Session(client, fake, workspace, isolated_home, kind)
    await client.shutdown_session()
    await client.stop()


async def wait_for(predicate: typing.Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll until ``predicate()`` is truthy; its value, or AssertionError on timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if value := predicate():
            return value
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting for the server")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "bad_config: start the server with an invalid frugal.toml")
    config.addinivalue_line(
        "markers", "completion_cross_file: completions get other files' signatures too"
    )
    config.addinivalue_line("markers", "basic_only: no advanced model in frugal.toml")
    config.addinivalue_line(
        "markers", "opens_answers: the client says it opens answers itself (experimental.frugal)"
    )
