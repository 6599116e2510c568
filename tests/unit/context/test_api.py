"""The public API fills every field of the Prompt the engine and routing rely on."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.context import ContextBuilder
from frugal_lsp.tasks import Task
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
