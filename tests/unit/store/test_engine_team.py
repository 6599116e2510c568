"""The engine on a team store: answers served across members, a paused store spends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from frugal_lsp.config import parse_config
from frugal_lsp.engine import Engine
from frugal_lsp.errors import QuotaExhausted
from frugal_lsp.paths import StatePaths
from tests.fakes.fake_provider import FakeProvider
from tests.unit.store.conftest import RedisServer, free_port, needs_redis
from tests.unit.test_engine import ask, config_for

pytestmark = needs_redis


def engine_for(tmp_path: Path, fake: FakeProvider, name: str, store: dict[str, str]) -> Engine:
    data = config_for(fake, fake, store=store, budget={"tokens": 100_000})
    return Engine(parse_config(data), StatePaths.resolve(tmp_path / name), tmp_path)


async def test_one_members_answer_serves_another_and_both_spends_are_the_teams(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    store = {"url": redis_server.url, "namespace": "eng-team"}
    with FakeProvider() as fake:
        fake.reply = "It returns the area between two circles."
        ann = engine_for(tmp_path, fake, "ann", store | {"member": "ann@laptop"})
        bob = engine_for(tmp_path, fake, "bob", store | {"member": "bob@desktop"})
        first = await ann.answer(ask(tmp_path))
        second = await bob.answer(ask(tmp_path))  # same question on another machine
        assert not first.cached and second.cached and len(fake.requests) == 1
        status = bob.status()
        assert status.used == first.cost and [m.member for m in status.members] == ["ann@laptop"]
        assert status.store.startswith(f"team store {redis_server.url}")
        await ann.aclose()
        await bob.aclose()


async def test_a_paused_team_store_refuses_requests_and_sends_nothing(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with FakeProvider() as fake:
        engine = engine_for(tmp_path, fake, "home", {"url": url, "namespace": "t"})
        with pytest.raises(QuotaExhausted, match=r"unreachable.*completions are paused"):
            await engine.answer(ask(tmp_path))
        assert fake.requests == []  # nothing reached a provider, nothing was spent
        status = engine.status()
        assert status.state == "error" and url in status.message
        await engine.aclose()
