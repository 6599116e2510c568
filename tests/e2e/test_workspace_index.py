"""Cross-file context through the real server: the index builds in the background, the
completion prompt carries another file's signature, and a change to that file (reported
by the file watcher) reaches the next prompt instead of a stale cached answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lsprotocol import types as lsp

from tests.e2e.conftest import Session, wait_for

SHAPES = '''def circle_area(radius: float, *, precision: int = 2) -> float:
    """Area of a circle, rounded."""
    return round(3.14159 * radius * radius, precision)
'''
APP = """from shapes import circle_area


def report(r):
    value = circle_area(
    return value
"""
AT = lsp.Position(5, len("    value = circle_area("))  # below a "# vN" first line


def bodies(session: Session) -> list[str]:
    return [json.dumps(r.body) for r in session.fake.requests]


async def ask(session: Session, uri: str) -> Any:
    return await session.inline(AT, uri)


@pytest.mark.completion_cross_file
async def test_the_prompt_carries_another_files_signature_and_follows_its_changes(
    session: Session,
) -> None:
    registrations: list[Any] = []

    @session.client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def registered(params: lsp.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    shapes = session.workspace / "shapes.py"
    shapes.write_text(SHAPES, encoding="utf-8")
    (session.workspace / "app.py").write_text(APP, encoding="utf-8")
    uri = session.open("# v0\n" + APP, "app.py")
    versions = iter(range(1, 1000))

    async def with_signature(wanted: str) -> bool:
        session.fake.reset()
        await ask(session, uri)
        return any(wanted in b for b in bodies(session))

    async def eventually(wanted: str) -> None:
        for _ in range(40):  # the background build / refresh takes a moment
            if await with_signature(wanted):
                return
            # a new text, so a new prompt: not the suggestion the editor already has
            session.change(f"# v{next(versions)}\n" + APP, uri)
        raise AssertionError(f"{wanted!r} never reached a prompt: {bodies(session)}")

    await eventually("def circle_area(radius: float, *, precision: int = 2) -> float:")
    assert "return round(" not in "".join(bodies(session))  # signatures, never bodies

    shapes.write_text(SHAPES.replace("precision: int = 2", "digits: int = 3"), encoding="utf-8")
    event = lsp.FileEvent(uri=shapes.as_uri(), type=lsp.FileChangeType.Changed)
    session.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams([event]))
    await eventually("digits: int = 3")
    assert not any("precision: int = 2" in b for b in bodies(session))

    if session.kind == "vscode":  # it can register watchers dynamically; Neovim 0.7 cannot
        await wait_for(lambda: registrations)
        assert registrations[0].method == "workspace/didChangeWatchedFiles"
        assert "py" in json.dumps(registrations[0].register_options, default=str)
