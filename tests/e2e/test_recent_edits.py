"""Recently edited files through the real server: a file the user changed (not saved)
lends the window most like the code at the cursor to the next completion's prompt; a
file only opened does not, nor one deleted since."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types as lsp

from tests.e2e.conftest import Session

HANDLERS = """import store


def render_chart(canvas, series, palette):
    for point in series.points:
        canvas.plot(point.x, point.y, palette.next())




def load_invoice(store, number, currency):
    record = store.fetch("invoice", number)
    if record is None:
        raise MissingInvoice(number)
    amount = convert_amount(record.amount, record.currency, currency)
    return Invoice(record.number, amount, record.customer)
"""
APP = """def load_credit_note(store, number, currency):
    record = store.fetch("credit_note", number)
    if record is None:
        raise MissingInvoice(number)
    amount = convert_amount(record.amount, record.currency, currency)
    return
"""
AT = lsp.Position(6, len("    return"))  # below a "# vN" first line
WANTED = "return Invoice(record.number, amount, record.customer)"


@pytest.mark.completion_cross_file
async def test_an_edited_files_window_reaches_the_prompt_an_opened_one_does_not(
    session: Session,
) -> None:
    (session.workspace / "handlers.py").write_text(HANDLERS, encoding="utf-8")
    handlers = session.open(HANDLERS, "handlers.py")
    app = session.open("# v0\n" + APP, "app.py")
    await session.inline(AT, app)
    assert session.fake.requests
    assert not any(WANTED in json.dumps(r.body) for r in session.fake.requests)

    session.change(HANDLERS.replace("MissingInvoice", "UnknownInvoice"), handlers)  # unsaved
    session.change("# v1\n" + APP, app)
    session.fake.reset()
    await session.inline(AT, app)
    sent = "".join(json.dumps(r.body) for r in session.fake.requests)
    assert WANTED in sent and "UnknownInvoice" in sent  # the editor's text, not the disk's

    gone = lsp.FileEvent(uri=handlers, type=lsp.FileChangeType.Deleted)  # deleted on disk
    session.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams([gone]))
    session.change("# v2\n" + APP, app)
    session.fake.reset()
    await session.inline(AT, app)
    assert session.fake.requests
    assert not any(WANTED in json.dumps(r.body) for r in session.fake.requests)
