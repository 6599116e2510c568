"""Live acceptance per model x language, and suggestions that cannot be right dropped —
both through the editor's completion pipeline, over real HTTP to the fake."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.completion.pipeline import CompletionPipeline
from frugal_lsp.config import parse_config
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.report import quality
from frugal_lsp.store.factory import open_scorecards
from tests.fakes.fake_provider import FakeProvider
from tests.unit.completion.test_pipeline import SOURCE, config, fake, query, savings

__all__ = ["fake"]  # the fixture

TWO_LINES = "import math\n\n\ndef area(radius):\n    \n    return radius\n"


async def test_acceptance_is_kept_per_model_and_language(
    fake: FakeProvider, tmp_path: Path
) -> None:
    paths = StatePaths.resolve(tmp_path / "home")
    engine = Engine(parse_config(config(fake)), paths, tmp_path)
    pipeline = CompletionPipeline(engine)
    first = await pipeline.suggest(query())
    second = await pipeline.suggest(query(SOURCE.replace("math", "cmath"), version=2))
    assert first is not None and second is not None
    assert pipeline.accept(first.id) and not pipeline.accept(first.id)  # once
    await engine.aclose()  # flushes the counts
    store = open_scorecards(engine.config, paths)
    try:
        assert store.acceptance() == [("fake/fake-small", "python", 2, 1)]
        lines = quality.text_lines(quality.gather(store, 0))
    finally:
        store.close()
    assert "Acceptance: fake/fake-small python: 1/2 suggestions accepted, 50%" in lines


async def test_a_suggestion_repeating_the_suffix_is_dropped_and_counted(
    fake: FakeProvider, tmp_path: Path
) -> None:
    from frugal_lsp.context.document import Position

    fake.reply = "return radius"
    engine = Engine(parse_config(config(fake)), StatePaths.resolve(tmp_path / "h"), tmp_path)
    try:
        pipeline = CompletionPipeline(engine)
        assert await pipeline.suggest(query(TWO_LINES, Position(4, 4))) is None
        assert len(fake.requests) == 1  # asked, then not shown
        assert savings(engine)["dropped"] == 1
    finally:
        await engine.aclose()
