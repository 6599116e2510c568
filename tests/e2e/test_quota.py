"""Quota status where the editor shows it: diagnostics, `frugal/status`, one message a crossing."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from frugal_lsp.paths import StatePaths
from frugal_lsp.store.ledger import CallRequest, Ledger, Settlement
from tests.e2e.conftest import Session, frugal_toml, wait_for


def spend(session: Session, units: int) -> None:
    """Usage from elsewhere (another editor, the CLI) lands in the shared ledger."""
    ledger = Ledger(StatePaths.resolve(session.home).ledger)
    reservation = ledger.reserve(CallRequest("fake", "fake-basic", "basic", "ask", units, 0, 1.0))
    ledger.settle(
        reservation,
        Settlement(
            prompt_tokens=units,
            completion_tokens=0,
            cached_tokens=0,
            usage_reported=True,
            cost_units=float(units),
            cost_usd=None,
            outcome="ok",
        ),
    )
    ledger.close()


def frugal_diagnostics(session: Session) -> list[lsp.Diagnostic]:
    return [d for d in session.client.diagnostics.get(session.uri, []) if d.source == "frugal"]


async def test_all_is_well_shows_nothing_but_the_status(session: Session) -> None:
    session.open()
    status = await wait_for(lambda: session.statuses)
    assert status[-1].state == "ok" and status[-1].limit == 100_000
    assert frugal_diagnostics(session) == []
    assert status[-1].scorecard == [  # the status item's tooltip shows it
        "no scorecard yet — run `frugal-lsp eval` to measure the models on your code"
    ]


async def test_crossing_70_percent_warns_once(session: Session) -> None:
    session.open()
    await wait_for(lambda: session.statuses)
    spend(session, 69_950)  # 69.95 %: the next answer crosses 70 %
    args = {
        "uri": session.uri,
        "range": {"start": {"line": 3, "character": 0}, "end": {"line": 5, "character": 0}},
    }
    await session.command("frugal.askSelection", args)

    [warning] = await wait_for(lambda: frugal_diagnostics(session))
    assert warning.severity == lsp.DiagnosticSeverity.Warning
    assert warning.range.start.line == 0
    assert warning.message.startswith("AI quota 70% used")
    assert "completions use the basic tier" in warning.message
    last = session.statuses[-1]
    assert last.state == "warning" and 0.7 <= last.fraction < 0.9
    assert last.burnPerMin > 0 and last.daysLeft is not None
    warnings = [m for m in session.client.messages if m.type == lsp.MessageType.Warning]
    assert len(warnings) == 1 and "AI quota" in warnings[0].message

    await session.command("frugal.askSelection", args | {"question": "And now?"})
    assert len([m for m in session.client.messages if m.type == lsp.MessageType.Warning]) == 1


@pytest.mark.bad_config
async def test_an_invalid_config_is_shown_and_the_server_keeps_answering(session: Session) -> None:
    session.open()
    [error] = await wait_for(lambda: frugal_diagnostics(session))
    assert error.severity == lsp.DiagnosticSeverity.Error
    assert "providers[0].kind" in error.message and "budget.tokens" in error.message
    errors = lambda: [m for m in session.client.messages if m.type == lsp.MessageType.Error]  # noqa: E731
    assert "providers[0].kind" in (await wait_for(errors))[0].message
    assert await session.inline() is None
    status = await session.command("frugal.status")  # the file is there, and wrong
    assert status["state"] == "error" and "providers[0].kind" in status["message"]
    assert "No AI provider configured" not in status["message"]
    args = {
        "uri": session.uri,
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}},
    }
    with pytest.raises(JsonRpcException) as caught:
        await session.command("frugal.askSelection", args)
    assert "invalid configuration" in str(caught.value) and "no model is" not in str(caught.value)

    # saving a fixed frugal.toml brings the AI back without a restart
    config = session.workspace / "frugal.toml"
    config.write_text(frugal_toml(session.fake), encoding="utf-8")
    saved = lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(config.as_uri()))
    session.client.text_document_did_save(saved)
    await wait_for(lambda: not frugal_diagnostics(session))
    assert await session.inline() is not None
