"""The public API fills every field of the Prompt the engine and routing rely on."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.config import ContextConfig
from frugal_lsp.context import ContextBuilder, ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import counter
from tests.unit.context.conftest import build, doc_at

SOURCE = """import os
from django.db import models


def helper(x):
    return os.path.join(x, "a")


class Thing(models.Model):
    def go(self, y):
        z = helper(y)
        return z
"""


def test_completion_prompt_has_every_field(builder: ContextBuilder, workspace: Path) -> None:
    doc = doc_at(workspace, "app.py", SOURCE)
    prompt = build(builder, doc, 11, 8)
    assert prompt.task is Task.COMPLETION
    assert prompt.language == "python"
    assert prompt.fim is not None and prompt.fim.prefix.endswith("        ")
    assert prompt.fim.suffix.startswith("return z")
    assert 0 < prompt.prompt_tokens <= 1024
    assert prompt.full_file_tokens > 0
    assert prompt.max_output_tokens <= 128
    assert prompt.stop and prompt.words > 0
    assert "django" in prompt.frameworks
    assert prompt.messages[0].role == "system" and prompt.messages[-1].role == "user"


def test_ask_prompt_bounds_the_answer(builder: ContextBuilder, workspace: Path) -> None:
    doc = doc_at(workspace, "app.py", SOURCE)
    prompt = build(builder, doc, 10, 0, Task.ASK, question="What does go return?")
    assert "at most 200 words" in prompt.text
    assert "What does go return?" in prompt.text
    assert prompt.max_output_tokens == 512


def test_asking_again_at_the_same_spot_reuses_the_prompt_and_edits_invalidate_it(
    tmp_path: Path,
) -> None:
    builder = ContextBuilder(ContextConfig(), counter(), tmp_path)
    path = tmp_path / "m.py"
    first = Document(path, "def f(x):\n    return \n", "python", version=1)
    request = ContextRequest(first, Task.COMPLETION, Position(1, 11))
    prompt = builder.build(request)
    same_text_later = Document(path, "def f(x):\n    return \n", "python", version=7)
    assert (
        builder.build(ContextRequest(same_text_later, Task.COMPLETION, Position(1, 11))) is prompt
    )
    edited = Document(path, "def f(y):\n    return \n", "python", version=8)
    rebuilt = builder.build(ContextRequest(edited, Task.COMPLETION, Position(1, 11)))
    assert rebuilt is not prompt and "def f(y)" in rebuilt.text
