"""Asking about code: estimates in titles, streamed progress, the answer document, threads."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from tests.e2e.conftest import Session, wait_for

ESTIMATE = re.compile(r"\(~[\d,]+ tokens, (basic|advanced)\)$")
SELECTION = lsp.Range(lsp.Position(3, 0), lsp.Position(5, 11))


async def actions(
    session: Session, where: lsp.Range = SELECTION, diagnostics: list[lsp.Diagnostic] | None = None
) -> list[lsp.CodeAction]:
    params = lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(session.uri),
        range=where,
        context=lsp.CodeActionContext(diagnostics=diagnostics or []),
    )
    found = await session.client.text_document_code_action_async(params) or []
    assert all(isinstance(a, lsp.CodeAction) for a in found)
    return [a for a in found if isinstance(a, lsp.CodeAction)]


async def run(session: Session, action: lsp.CodeAction) -> Any:
    assert action.command is not None
    return await session.command(action.command.command, *(action.command.arguments or []))


def answer_files(session: Session) -> list[Path]:
    return sorted((session.home / "answers").glob("*.md"))


async def test_titles_carry_the_estimate_before_anything_is_spent(session: Session) -> None:
    session.open()
    found = await actions(session)
    titles = [a.title for a in found]
    assert titles[0].startswith("Ask about selection (~")
    assert all(ESTIMATE.search(t) for t in titles), titles
    assert {"Explain", "Find bugs", "Write tests", "Add docstring", "Optimize"} <= {
        t.split(" (~")[0] for t in titles
    }
    assert session.fake.requests == []


async def test_asking_streams_progress_and_writes_the_answer(session: Session) -> None:
    session.fake.reply = "It returns nothing yet: **finish the formula** with `math.pi`."
    session.open()
    ask = (await actions(session))[0]
    answer = await run(session, ask)

    assert answer["answer"] == session.fake.reply
    assert answer["tier"] == "basic" and answer["promptTokens"] > 0
    assert len(session.fake.requests) == 1
    kinds = [
        type(v).__name__ for values in session.client.progress_reports.values() for v in values
    ]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    [document] = answer_files(session)
    assert session.fake.reply in document.read_text(encoding="utf-8")
    assert answer["documentUri"] == document.resolve().as_uri()
    if session.kind == "vscode":  # opened in the editor
        await wait_for(lambda: session.client.shown_documents)
        assert session.client.shown_documents[0].uri == answer["documentUri"]
    else:  # no showDocument: the answer arrives as a message
        assert any(session.fake.reply in m.message for m in session.client.messages)


@pytest.mark.opens_answers
async def test_a_client_that_opens_answers_itself_gets_no_second_copy(session: Session) -> None:
    """The VS Code client previews the Answer it receives; a showDocument (or a message with
    the text) from the server as well would open every answer twice."""
    session.fake.reply = "Use `math.tau * radius` for the circumference."
    session.open()
    answer = await run(session, (await actions(session))[0])

    assert answer["answer"] == session.fake.reply
    [document] = answer_files(session)  # the file is still written, for the client to open
    assert answer["documentUri"] == document.resolve().as_uri()
    await asyncio.sleep(0.3)  # showDocument is sent in the background: give it time to arrive
    assert session.client.shown_documents == []
    assert not any(session.fake.reply in m.message for m in session.client.messages)


async def test_follow_ups_form_a_thread_and_can_be_asked_again_stronger(session: Session) -> None:
    session.open()
    args = {"uri": session.uri, "range": _range_json(SELECTION)}
    first = await session.command("frugal.askSelection", args | {"question": "What is it?"})
    second = await session.command("frugal.askSelection", args | {"question": "Any bug?"})
    assert second["threadId"] == first["threadId"]
    history = session.fake.requests[-1].body["messages"]
    assert any(m["content"] == "What is it?" for m in history)  # the earlier turn went along

    titles = [a.title for a in await actions(session)]
    stronger = next(t for t in titles if t.startswith("Ask again with a stronger model"))
    assert stronger.endswith("advanced)")
    again = await session.command("frugal.askAgainStronger", {"threadId": first["threadId"]})
    assert again["tier"] == "advanced" and again["model"] == "fake-advanced"

    await session.command("frugal.clearConversation", {"threadId": first["threadId"]})
    third = await session.command("frugal.askSelection", args | {"question": "Again?"})
    assert third["threadId"] != first["threadId"]


@pytest.mark.basic_only
async def test_ask_again_stronger_is_offered_only_when_a_stronger_model_exists(
    session: Session,
) -> None:
    session.open()
    args = {"uri": session.uri, "range": _range_json(SELECTION)}
    first = await session.command("frugal.askSelection", args | {"question": "What is it?"})
    titles = [a.title for a in await actions(session)]
    assert "Clear conversation" in titles
    assert not any(t.startswith("Ask again with a stronger model") for t in titles)
    with pytest.raises(JsonRpcException) as caught:
        await session.command("frugal.askAgainStronger", {"threadId": first["threadId"]})
    assert "no model stronger than fake/fake-basic" in str(caught.value)
    assert len(session.fake.requests) == 1  # nothing more was sent


async def test_other_servers_errors_can_be_explained(session: Session) -> None:
    session.open()
    error = lsp.Diagnostic(
        range=lsp.Range(lsp.Position(5, 4), lsp.Position(5, 10)),
        message="Missing return value",
        source="pyright",
    )
    found = await actions(session, lsp.Range(lsp.Position(5, 4), lsp.Position(5, 4)), [error])
    explain = next(a for a in found if a.title.startswith("Explain this error"))
    assert ESTIMATE.search(explain.title)
    answer = await run(session, explain)
    assert answer["answer"] and "Missing return value" in str(session.fake.requests[-1].body)


async def test_a_large_selection_is_offered_in_segments(session: Session) -> None:
    functions = "".join(
        f"def f{i}(x):\n"
        + "".join(f"    x = x * {j} + {i}  # step {j}\n" for j in range(60))
        + "    return x\n\n\n"
        for i in range(4)
    )
    session.open(functions, name="big.py")
    session_uri = (session.workspace / "big.py").as_uri()
    params = lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(session_uri),
        range=lsp.Range(lsp.Position(0, 0), lsp.Position(functions.count("\n"), 0)),
        context=lsp.CodeActionContext(diagnostics=[]),
    )
    found = await session.client.text_document_code_action_async(params) or []
    titles = [a.title for a in found]
    assert titles[:4] == [t for t in titles if t.startswith("Ask about `f")][:4], titles
    assert [t.split("`")[1] for t in titles[:4]] == ["f0", "f1", "f2", "f3"]
    assert all(ESTIMATE.search(t) for t in titles)


def _range_json(where: lsp.Range) -> dict[str, Any]:
    return {
        "start": {"line": where.start.line, "character": where.start.character},
        "end": {"line": where.end.line, "character": where.end.character},
    }


async def test_a_design_question_has_its_own_front_door(session: Session) -> None:
    session.open()
    (design,) = [a for a in await actions(session) if a.title.startswith("Design question")]
    assert design.title.endswith(" tokens, advanced)")  # the estimate names the tier
    assert session.fake.requests == []
    answer = await run(session, design)
    assert answer["tier"] == "advanced"
    assert [r.model for r in session.fake.requests] == ["fake-advanced"]


async def test_a_palette_design_question_is_estimated_and_asked_as_design(
    session: Session,
) -> None:
    """What the VS Code palette command sends: an estimate with `task: design`, then
    frugal.askDesign, with or without the user's own question."""
    session.open()
    where = {"start": {"line": 3, "character": 0}, "end": {"line": 6, "character": 0}}
    args = {"uri": session.uri, "range": where}
    ask = await session.command("frugal.estimate", args)
    design = await session.command("frugal.estimate", args | {"task": "design"})
    assert (ask["tier"], design["tier"]) == ("basic", "advanced")
    assert design["model"] == "fake-advanced" and design["tokens"] > ask["tokens"]  # framing
    with pytest.raises(JsonRpcException) as caught:
        await session.command("frugal.estimate", args | {"task": "completion"})
    assert "`task` must be one of ask, design" in str(caught.value)
    assert session.fake.requests == []  # estimates spend nothing

    answer = await session.command("frugal.askDesign", args)  # no question: the default one
    assert answer["tier"] == "advanced"
    sent = str(session.fake.requests[-1].body)
    assert "How should this code be designed" in sent and "fake-advanced" in sent
    await session.command("frugal.askDesign", args | {"question": "Should area be a method?"})
    assert "Should area be a method?" in str(session.fake.requests[-1].body)
