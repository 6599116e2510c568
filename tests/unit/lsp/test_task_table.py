"""The task table is the one place a task's front door comes from: the recipe of
docs/ARCHITECTURE.md ("add a task"), shown with a design-question command that is not a
product feature (the test gives Task.DESIGN a door; the shipped table has none)."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.context.policies import TASKS, Door
from frugal_lsp.lsp import commands
from frugal_lsp.lsp.app import create_server
from frugal_lsp.lsp.framing import read_frames
from frugal_lsp.lsp.server import ServeOptions
from frugal_lsp.tasks import Task
from tests.fakes.config import fake_models_toml
from tests.fakes.fake_provider import FakeProvider
from tests.unit.lsp.test_protocol import Feed, Sink, frame, initialize, notify, request

SOURCE = "def area(radius):\n    return 3.14 * radius ** 2\n"


def test_every_task_has_a_row_and_the_shipped_commands_come_from_it() -> None:
    assert set(TASKS) == set(Task)
    assert set(commands.task_commands()) == {"frugal.askSelection", "frugal.explainError"}
    assert all(spec.door is Door.NONE for spec in TASKS.values() if not spec.command)


async def test_one_table_entry_gives_a_task_a_working_front_door(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    design = replace(TASKS[Task.DESIGN], door=Door.SELECTION, command="frugal.askDesign")
    monkeypatch.setitem(TASKS, Task.DESIGN, design)
    monkeypatch.setenv("FRUGAL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    with FakeProvider(reply="Split it into a value object.") as fake:
        (tmp_path / "frugal.toml").write_text(fake_models_toml(fake.url), encoding="utf-8")
        answer = await _ask_design(tmp_path)
        sent = fake.requests[-1].body["messages"]
    assert answer["answer"] == "Split it into a value object."
    assert answer["tier"] == "advanced"  # the design row's tier rule, not the words of input
    assert any("radius" in str(m["content"]) for m in sent)  # the selection went along


async def _ask_design(workspace: Path) -> dict[str, Any]:
    server = create_server(ServeOptions(workspace=workspace))
    sink = Sink()
    server.protocol.set_writer(sink)
    uri = (workspace / "shapes.py").as_uri()
    item = {"uri": uri, "languageId": "python", "version": 1, "text": SOURCE}
    selection = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 29}}
    args = {"uri": uri, "range": selection, "question": "How should this evolve?"}
    ask = {"command": "frugal.askDesign", "arguments": [args]}
    data = (
        initialize(workspace)
        + frame(notify("textDocument/didOpen", {"textDocument": item}))
        + frame(request(2, "workspace/executeCommand", ask))
    )
    await read_frames(threading.Event(), Feed(data), server.protocol)
    for _ in range(500):  # the answer streams from the loopback fake
        replies = [m for m in sink.sent if m.get("id") == 2 and "method" not in m]
        if replies:
            await server.close()
            assert "result" in replies[0], json.dumps(replies[0])
            return dict(replies[0]["result"])
        await asyncio.sleep(0.02)
    await server.close()
    raise AssertionError(f"no answer to frugal.askDesign: {sink.sent}")
