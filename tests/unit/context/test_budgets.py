"""Prompts stay inside their token budgets, whatever the file's size."""

from __future__ import annotations

from pathlib import Path

import pytest

from frugal_lsp.config import ContextConfig
from frugal_lsp.context import ContextBuilder
from frugal_lsp.context.document import Position
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import counter
from tests.unit.context.conftest import build, doc_at


def _big_module(functions: int = 60, lines: int = 80) -> str:
    parts = ["import os", "import sys", ""]
    for f in range(functions):
        parts.append(f"def func_{f}(arg_{f}, other):")
        parts += [f"    local_{f}_{i} = os.path.join(arg_{f}, 'part_{i}')" for i in range(lines)]
        parts += [f"    return local_{f}_0", ""]
    return "\n".join(parts)


@pytest.mark.parametrize("budget", [128, 256, 512, 1024])
def test_completion_respects_budget(workspace: Path, budget: int) -> None:
    builder = ContextBuilder(ContextConfig(completion_max_tokens=budget), counter(), workspace)
    doc = doc_at(workspace, "big.py", _big_module())
    for line in (5, 900, 2500, 4000):
        prompt = build(builder, doc, line, 4)
        assert prompt.prompt_tokens <= budget
        assert "<CURSOR>" in prompt.text
        assert prompt.full_file_tokens > 10 * prompt.prompt_tokens


def test_completion_keeps_the_cursor_neighbourhood(workspace: Path) -> None:
    builder = ContextBuilder(ContextConfig(completion_max_tokens=256), counter(), workspace)
    prompt = build(builder, doc_at(workspace, "big.py", _big_module()), 2000, 4)
    above = prompt.fim.prefix.rsplit("\n", 2)[0] if prompt.fim else ""
    assert above and "..." not in above.rsplit("\n", 1)[-1]


def test_ask_respects_budget_with_huge_selection(workspace: Path) -> None:
    config = ContextConfig(ask_max_tokens=700)
    builder = ContextBuilder(config, counter(), workspace)
    doc = doc_at(workspace, "big.py", _big_module())
    prompt = build(builder, doc, 3, 0, Task.ASK, end=Position(3000, 0), question="refactor?")
    assert prompt.prompt_tokens <= 700
    assert prompt.words > 0 and "refactor?" in prompt.text


def test_stable_part_comes_first_and_long_prefix_gets_a_cache_breakpoint(workspace: Path) -> None:
    imports = "\n".join(f"from package_{i}.module import name_{i}" for i in range(200))
    uses = " + ".join(f"name_{i}" for i in range(200))
    text = f"{imports}\n\n\ndef f():\n    return {uses}\n"
    builder = ContextBuilder(ContextConfig(ask_max_tokens=6000), counter(), workspace)
    prompt = build(builder, doc_at(workspace, "imp.py", text), 203, 4, Task.ASK, question="q")
    system, user = prompt.messages
    assert "Module header" in system.content and system.cache_breakpoint
    assert not user.cache_breakpoint and user.content.rstrip().endswith("q")
