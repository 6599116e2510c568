"""The cascade over real HTTP: a cheap answer that fails a check is asked again of the next
stronger model exactly once; one that passes is not; the cap holds; ledger rows exact."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.tasks import Task
from tests.fakes.fake_provider import FakeProvider

SOURCE = '''import math


def area(radius):
    """Area of a circle."""
    return math.pi * radius ** 2


def ring(outer, inner):
    return area(outer) - area(inner)
'''
GOOD = "ring returns area(outer) minus area(inner): the area between the two circles."
REFUSAL = "I'm sorry, but I can't help with that."


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as provider:
        yield provider


@pytest.fixture
async def made() -> AsyncIterator[list[Engine]]:
    engines: list[Engine] = []
    yield engines
    for engine in engines:
        await engine.aclose()


def engine_for(
    tmp_path: Path, fake: FakeProvider, made: list[Engine], replies: dict[str, str], **routing: Any
) -> Engine:
    fake.reply_fn = lambda body: replies[body["model"]]
    data = {
        "providers": [{"name": "f", "base_url": fake.url + "/v1"}],
        "models": [
            {"name": "cheap", "provider": "f", "tier": "basic"},
            {"name": "middle", "provider": "f", "tier": "basic", "coefficient": 2.0},
            {"name": "strong", "provider": "f", "tier": "advanced"},
        ],
        "routing": routing,
    }
    engine = Engine(parse_config(data), StatePaths.resolve(tmp_path / "home"), tmp_path)
    made.append(engine)
    return engine


def ask(tmp_path: Path, question: str = "What does ring return?") -> ContextRequest:
    path = tmp_path / "shapes.py"
    path.write_text(SOURCE)
    doc = Document.from_file(path)
    return ContextRequest(doc, Task.ASK, Position(8, 0), Position(9, 40), question=question)


def calls(engine: Engine) -> list[tuple[Any, ...]]:
    return engine.ledger.query("SELECT id, model, outcome, cost_units FROM calls ORDER BY id")


async def test_a_failing_cheap_answer_escalates_exactly_once(
    tmp_path: Path, fake: FakeProvider, made: list[Engine]
) -> None:
    replies = {"cheap": REFUSAL, "middle": GOOD, "strong": GOOD}
    engine = engine_for(tmp_path, fake, made, replies)
    answer = await engine.answer(ask(tmp_path))
    assert answer.text == GOOD and answer.candidate.model.name == "middle"
    assert answer.escalation == "refusal: f/cheap"
    assert [r.model for r in fake.requests] == ["cheap", "middle"]
    (first, second) = calls(engine)
    assert [c[1:3] for c in (first, second)] == [("cheap", "ok"), ("middle", "ok")]
    (row,) = engine.scorecards.escalations(0)
    assert (row.from_model, row.to_model, row.reason) == ("f/cheap", "f/middle", "refusal")
    assert (row.first_call, row.second_call) == (first[0], second[0])
    assert (row.first_units, row.second_units) == (first[3], second[3])


async def test_a_passing_answer_is_not_escalated(
    tmp_path: Path, fake: FakeProvider, made: list[Engine]
) -> None:
    engine = engine_for(tmp_path, fake, made, {"cheap": GOOD, "middle": GOOD, "strong": GOOD})
    answer = await engine.answer(ask(tmp_path))
    assert answer.candidate.model.name == "cheap" and answer.escalation is None
    assert len(fake.requests) == 1 and len(calls(engine)) == 1
    assert engine.scorecards.escalations(0) == []


async def test_the_cap_stops_escalation(
    tmp_path: Path, fake: FakeProvider, made: list[Engine]
) -> None:
    replies = {"cheap": "", "middle": REFUSAL, "strong": GOOD}
    one = engine_for(tmp_path, fake, made, replies)
    answer = await one.answer(ask(tmp_path))
    assert answer.candidate.model.name == "middle" and answer.text == REFUSAL  # cap: 1
    assert [r.model for r in fake.requests] == ["cheap", "middle"]
    other = tmp_path / "two"
    other.mkdir()
    fake.reset()
    two = engine_for(other, fake, made, replies, max_escalations=2)
    answer = await two.answer(ask(other))
    assert answer.candidate.model.name == "strong"
    assert [r.model for r in fake.requests] == ["cheap", "middle", "strong"]
    assert [e.reason for e in two.scorecards.escalations(0)] == ["empty", "refusal"]
    assert len(calls(two)) == 3


async def test_cascade_off_sends_one_call(
    tmp_path: Path, fake: FakeProvider, made: list[Engine]
) -> None:
    replies = {"cheap": REFUSAL, "middle": GOOD, "strong": GOOD}
    engine = engine_for(tmp_path, fake, made, replies, cascade=False)
    answer = await engine.answer(ask(tmp_path))
    assert answer.text == REFUSAL and len(fake.requests) == 1


async def test_streaming_labels_the_draft_or_checks_first(
    tmp_path: Path, fake: FakeProvider, made: list[Engine]
) -> None:
    replies = {"cheap": REFUSAL, "middle": GOOD, "strong": GOOD}
    shown: list[str] = []
    engine = engine_for(tmp_path, fake, made, replies)
    await engine.answer(ask(tmp_path), on_text=shown.append)
    text = "".join(shown)
    assert text.startswith(REFUSAL) and text.endswith(GOOD)
    assert "draft from f/cheap (basic): refusal — asking f/middle (basic) instead" in text
    other = tmp_path / "first"
    other.mkdir()
    quiet: list[str] = []
    checked = engine_for(other, fake, made, replies, cascade_check_first=True)
    await checked.answer(ask(other), on_text=quiet.append)
    assert "".join(quiet) == GOOD  # the failed draft was never shown


async def test_no_budget_for_the_escalation_keeps_the_draft(
    tmp_path: Path, fake: FakeProvider, made: list[Engine]
) -> None:
    replies = {"cheap": REFUSAL, "middle": GOOD, "strong": GOOD}
    probe = engine_for(tmp_path, fake, made, replies)
    prompt = probe.plan(ask(tmp_path)).prompt
    reserve = prompt.prompt_tokens + prompt.max_output_tokens  # the cheap call's reservation
    other = tmp_path / "budget"
    other.mkdir()
    fake.reset()
    engine = engine_for(other, fake, made, replies)
    engine.reconfigure(
        parse_config(
            {
                "providers": [{"name": "f", "base_url": fake.url + "/v1"}],
                "models": [{"name": n, "provider": "f", "tier": "basic", "coefficient": c}
                           for n, c in (("cheap", 1.0), ("middle", 2.0))],
                "budget": {"tokens": reserve + 30},
            }
        )
    )  # fmt: skip
    answer = await engine.answer(ask(other))
    assert answer.text == REFUSAL and answer.escalation is None  # the draft stands
    assert [r.model for r in fake.requests] == ["cheap"]  # the escalation was never sent
    assert engine.scorecards.escalations(0) == []
    assert [c[1:3] for c in calls(engine)] == [("cheap", "ok")]


async def test_report_shows_rate_cost_and_saving(
    tmp_path: Path, fake: FakeProvider, made: list[Engine]
) -> None:
    import time

    from frugal_lsp.report import quality

    replies = {"cheap": REFUSAL, "middle": GOOD, "strong": GOOD}
    engine = engine_for(tmp_path, fake, made, replies)
    await engine.answer(ask(tmp_path))  # escalated
    await engine.answer(ask(tmp_path, "What does ring take?"))  # also escalated
    replies["cheap"] = GOOD
    await engine.answer(ask(tmp_path, "Is ring pure?"))  # passes
    now = time.time()
    coefficients = {m.key: m.coefficient for m in engine.config.models}
    q = quality.gather(engine.scorecards, 0, engine.ledger.spend_groups(0, now + 1), coefficients)
    spent = sum(c[3] for c in calls(engine))
    assert q.answers == 3 and len(q.escalations) == 2
    assert q.escalation_rate == pytest.approx(2 / 3)
    assert q.units == pytest.approx(spent)
    assert q.escalation_units == pytest.approx(sum(e.second_units for e in q.escalations))
    assert 0 < q.saved_units < q.all_strong_units  # three answers at 3.5 cost more
    assert "2 escalations in 3 answers (67%)" in quality.text_lines(q)[-1]
