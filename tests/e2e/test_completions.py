"""Completions as an editor user meets them: ghost text, its price, and what costs nothing."""

from __future__ import annotations

import asyncio
import json

from lsprotocol import types as lsp

from tests.e2e.conftest import CURSOR, REPLY, SOURCE, Session, inline_params, wait_for
from tests.fakes.fake_provider import Fault


async def test_an_inline_completion_arrives_and_costs_one_call(session: Session) -> None:
    session.open()
    result = await session.inline()
    assert result is not None and len(result.items) == 1
    item = result.items[0]
    assert item.insert_text == REPLY
    assert item.command is not None and item.command.command == "frugal.acceptCompletion"
    assert len(session.fake.requests) == 1

    await session.command(item.command.command, *(item.command.arguments or []))
    status = await session.command("frugal.status")
    assert status["accepted"] == 1


async def test_the_list_completion_offers_the_same_suggestion(session: Session) -> None:
    session.open()
    params = lsp.CompletionParams(lsp.TextDocumentIdentifier(session.uri), CURSOR)
    result = await session.client.text_document_completion_async(params)
    assert isinstance(result, lsp.CompletionList) and len(result.items) == 1
    item = result.items[0]
    assert item.text_edit is not None and item.text_edit.new_text == REPLY
    assert item.detail == "frugal · fake/fake-basic · basic"
    assert len(session.fake.requests) == 1


async def test_ten_rapid_edits_cost_at_most_one_call(session: Session) -> None:
    session.open()
    pending = []
    for i in range(10):
        text = SOURCE.replace("return \n", "return " + "x" * i + " \n", 1)
        session.change(text)
        position = lsp.Position(CURSOR.line, CURSOR.character + i)
        params = inline_params(session.uri, position)
        pending.append(
            asyncio.ensure_future(session.client.text_document_inline_completion_async(params))
        )
        await asyncio.sleep(0.005)
    results = await asyncio.gather(*pending)
    assert len(session.fake.requests) <= 1
    assert sum(1 for r in results if r and r.items) <= 1


async def test_a_cancelled_request_costs_nothing(session: Session) -> None:
    session.open()
    protocol = session.client.protocol
    future = protocol.send_request(
        lsp.TEXT_DOCUMENT_INLINE_COMPLETION, inline_params(session.uri, CURSOR), msg_id="gone"
    )
    protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id="gone"))
    await wait_for(future.done)  # answered (cancelled), not left hanging
    await asyncio.sleep(0.2)  # well past the debounce
    assert session.fake.requests == []


async def test_cancelling_closes_the_call_in_flight(session: Session) -> None:
    session.open()
    session.fake.inject(Fault("slow", delay=3.0))
    protocol = session.client.protocol
    protocol.send_request(
        lsp.TEXT_DOCUMENT_INLINE_COMPLETION, inline_params(session.uri, CURSOR), msg_id="slow"
    )
    await wait_for(lambda: session.fake.requests)
    protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id="slow"))
    # the server is free at once: the next request is answered before the slow one would be
    result = await asyncio.wait_for(session.inline(), timeout=2.0)
    assert result is not None and result.items[0].insert_text == REPLY


async def test_typing_through_a_suggestion_costs_nothing(session: Session) -> None:
    session.open()
    first = await session.inline()
    assert first is not None and first.items[0].insert_text == REPLY
    session.change(SOURCE.replace("return \n", "return math.\n", 1))
    rest = await session.inline(lsp.Position(CURSOR.line, CURSOR.character + len("math.")))
    assert rest is not None and rest.items[0].insert_text == REPLY[len("math.") :]
    assert len(session.fake.requests) == 1
    status = await session.command("frugal.status")
    assert status["tokensSaved"] > 0


async def test_mid_word_and_excluded_files_are_not_sent(session: Session) -> None:
    session.open("def area(radius):\n    return rad\n")
    assert await session.inline(lsp.Position(1, 12)) is None
    secret = session.open("API_KEY=", name=".env")
    assert await session.inline(lsp.Position(0, 8), uri=secret) is None
    assert session.fake.requests == []


async def test_edits_after_a_page_break_land_where_the_editor_typed_them(
    session: Session,
) -> None:
    """A form feed (^L) is no line break in the LSP: the server's copy must not shift."""
    session.open(SOURCE.replace("import math\n", "import math\n\x0c\n", 1))
    typed_at = lsp.Position(CURSOR.line + 1, CURSOR.character)
    session.type_at(typed_at, "2 * ")
    result = await session.inline(lsp.Position(typed_at.line, typed_at.character + len("2 * ")))
    assert result is not None and len(session.fake.requests) == 1
    assert "return 2 * " in json.dumps(session.fake.requests[0].body)
