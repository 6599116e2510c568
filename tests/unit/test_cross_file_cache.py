"""Cache keys stay exact with cross-file context: an answer cached for a prompt that held
another file's signature is not served once that file changes (the engine over real HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.tasks import Task
from tests.fakes.fake_provider import FakeProvider

HELPER = "def parse_date(text, *, strict=True):\n    return text\n"
APP = "from helpers import parse_date\n\n\ndef load(raw):\n    return parse_date(\n"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    monkeypatch.setenv("ALPHA_KEY", "sk-test-alpha")
    with FakeProvider() as provider:
        yield provider


@pytest.fixture
async def engine(tmp_path: Path, fake: FakeProvider) -> AsyncIterator[Engine]:
    data = {
        "providers": [{"name": "alpha", "base_url": fake.url + "/v1", "api_key_env": "ALPHA_KEY"}],
        "models": [{"name": "alpha-small", "provider": "alpha", "tier": "basic"}],
    }
    made = Engine(parse_config(data), StatePaths.resolve(tmp_path / "home"), tmp_path / "ws")
    yield made
    await made.aclose()


async def test_a_changed_signature_elsewhere_is_a_new_prompt_not_a_cache_hit(
    tmp_path: Path, fake: FakeProvider, engine: Engine
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    helper = ws / "helpers.py"
    helper.write_text(HELPER)
    (ws / "app.py").write_text(APP)
    assert engine.index is not None
    engine.index.build()
    doc = Document.from_file(ws / "app.py")
    request = ContextRequest(doc, Task.ASK, Position(4, 0), Position(4, 20), question="Which args?")

    one = await engine.answer(request)
    again = await engine.answer(request)
    assert again.cached and len(fake.requests) == 1  # same prompt: the cache answers

    helper.write_text(HELPER.replace("strict=True", "lenient=False"))
    engine.index.refresh(helper)  # what didSave / the file watcher do
    three = await engine.answer(request)
    assert not three.cached and len(fake.requests) == 2
    assert "lenient=False" in str(fake.requests[-1].body)
    assert "strict=True" in str(fake.requests[0].body)
    _ = one


SIMILAR = """def load_invoice(store, number, currency):
    record = store.fetch("invoice", number)
    if record is None:
        raise MissingInvoice(number)
    return Invoice(record.number, record.amount, currency)
"""
CREDIT = """def load_credit_note(store, number, currency):
    record = store.fetch("credit_note", number)
    if record is None:
        raise MissingInvoice(number)
    return
"""


async def test_a_didchanged_files_window_is_in_the_ask_and_its_next_edit_is_a_new_prompt(
    tmp_path: Path, fake: FakeProvider, engine: Engine
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "invoices.py").write_text("# not saved yet\n")
    (ws / "credit.py").write_text(CREDIT)
    doc = Document.from_file(ws / "credit.py")
    request = ContextRequest(doc, Task.ASK, Position(0, 0), Position(4, 10), question="Right?")
    edited = Document(ws / "invoices.py", SIMILAR, "python", 2)

    engine.edited(edited)  # what the server does on didChange
    plan = engine.plan(request)
    assert any(o.startswith("recent: invoices.py:1") for o in plan.prompt.origins)
    one = await engine.answer(request)
    assert "Invoice(record.number, record.amount, currency)" in str(fake.requests[-1].body)
    assert (await engine.answer(request)).cached and len(fake.requests) == 1

    engine.edited(Document(edited.path, SIMILAR.replace("MissingInvoice", "NoInvoice"), "python"))
    three = await engine.answer(request)
    assert not three.cached and len(fake.requests) == 2
    assert "NoInvoice" in str(fake.requests[-1].body)
    _ = one
