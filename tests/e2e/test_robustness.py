"""Bad input and settings: errors come back as JSON-RPC errors or empty results, never a crash."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import Future

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from tests.e2e.conftest import CURSOR, REPLY, Session, inline_params

INVALID_PARAMS = -32602


async def expect_error(session: Session, method: str, params: object) -> JsonRpcException:
    """Send ``params`` as they are (the typed client would refuse to) and expect an error."""
    protocol = session.client.protocol
    msg_id = uuid.uuid4().hex
    answer: Future[object] = Future()
    protocol._request_futures[msg_id] = answer
    protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    with pytest.raises(JsonRpcException) as caught:
        await asyncio.wait_for(asyncio.wrap_future(answer), 5)
    return caught.value


async def test_bad_input_leaves_the_server_answering(session: Session) -> None:
    session.open()
    unknown = (session.workspace / "nowhere.py").as_uri()
    assert await session.inline(uri=unknown) is None
    await session.inline(lsp.Position(999, 999))  # past the end: clamped, answered
    backwards = lsp.Range(lsp.Position(5, 0), lsp.Position(3, 0))
    params = lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(session.uri), backwards, lsp.CodeActionContext([])
    )
    assert not await session.client.text_document_code_action_async(params)

    binary = session.open("x = 1\x00\x00\x01\x02 \ufffd\n", name="blob.py")
    assert await session.inline(lsp.Position(0, 5), uri=binary) is None
    huge = session.open("x = 1\n" * 1_750_000, name="huge.py")  # 10.5 MB
    assert await session.inline(lsp.Position(5, 5), uri=huge) is None
    params = lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(huge),
        lsp.Range(lsp.Position(0, 0), lsp.Position(9, 0)),
        lsp.CodeActionContext([]),
    )
    assert not await session.client.text_document_code_action_async(params)
    assert session.fake.requests == []

    malformed = await expect_error(
        session, "textDocument/inlineCompletion", {"textDocument": 5, "position": "here"}
    )
    assert malformed.code == INVALID_PARAMS
    for arguments in ([{"uri": 5}], [{"uri": unknown, "range": backwards_json()}], ["text"]):
        error = await expect_error(
            session,
            "workspace/executeCommand",
            {"command": "frugal.askSelection", "arguments": arguments},
        )
        assert error.code == INVALID_PARAMS, arguments
    await expect_error(session, "workspace/executeCommand", {"command": "frugal.nope"})
    past_the_end = {"start": {"line": 500, "character": 0}, "end": {"line": 501, "character": 0}}
    for command in ("frugal.askSelection", "frugal.estimate"):
        error = await expect_error(
            session,
            "workspace/executeCommand",
            {"command": command, "arguments": [{"uri": session.uri, "range": past_the_end}]},
        )
        assert error.code == INVALID_PARAMS and "line 500 is outside" in str(error), command
    assert session.fake.requests == []  # checked before anything was sent

    result = await session.inline()  # still answering
    assert result is not None and result.items[0].insert_text == REPLY
    assert not [m for m in session.client.messages if m.type == lsp.MessageType.Error]


def backwards_json() -> dict[str, object]:
    return {"start": {"line": 5, "character": 0}, "end": {"line": 3, "character": 0}}


async def test_editor_settings_override_frugal_toml(session: Session) -> None:
    session.open()
    settings = {"enableCompletions": False, "tier": "advanced"}
    if session.kind == "vscode":  # pulled with workspace/configuration
        session.client.set_configuration(settings, section="frugal")
        change = lsp.DidChangeConfigurationParams(settings=None)
    else:  # Neovim 0.7 cannot answer workspace/configuration: settings are pushed
        change = lsp.DidChangeConfigurationParams(settings={"frugal": settings})
    session.client.workspace_did_change_configuration(change)
    for _ in range(100):
        status = await session.command("frugal.status")
        if status["tier"] == "advanced":
            break
        await asyncio.sleep(0.02)
    assert status["tier"] == "advanced"
    assert (
        await session.client.text_document_inline_completion_async(
            inline_params(session.uri, CURSOR)
        )
        is None
    )
    assert session.fake.requests == []
