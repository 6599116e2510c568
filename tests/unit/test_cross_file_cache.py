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
