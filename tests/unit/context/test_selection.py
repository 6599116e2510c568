"""Completion context holds the names the next line needs, not just the nearest lines."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.config import ContextConfig
from frugal_lsp.context import ContextBuilder
from frugal_lsp.tokens import counter
from tests.unit.context.conftest import build, doc_at


def _far_definitions() -> tuple[str, int]:
    """A module whose cursor function uses names imported 250 lines up."""
    parts = ["import os", "from collections import OrderedDict", "RETRY_LIMIT = 7", ""]
    for f in range(60):
        parts += [
            f"def filler_{f}(a, b):",
            f"    value_{f} = a * b + {f}",
            f"    return value_{f}",
            "",
        ]
    parts += [
        "def fetch(cache_size):",
        "    store = OrderedDict()",
        "    for attempt in range(RETRY_LIMIT):",
        "        store[attempt] = os.getpid()",
        "        ",  # the cursor line
        "    return store",
    ]
    text = "\n".join(parts) + "\n"
    return text, len(parts) - 2


def test_a_far_line_with_new_names_beats_repeated_nearby_lines(workspace: Path) -> None:
    lines = ["def handler(request, retries):", "    cache_key = make_key(request)"]
    lines += ["    total += step" for _ in range(120)]
    lines += ["    ", "    return total"]
    builder = ContextBuilder(ContextConfig(completion_max_tokens=256), counter(), workspace)
    prompt = build(builder, doc_at(workspace, "h.py", "\n".join(lines)), len(lines) - 2, 4)
    code = prompt.messages[-1].content
    assert "cache_key = make_key(request)" in code  # 120 lines up, out of a window's reach
    assert "def handler(request, retries):" in code
    assert "    total += step\n    <CURSOR>\n    return total" in code
    assert code.count("total += step") < 10
    assert prompt.prompt_tokens <= 256


def test_easy_positions_stay_small_under_a_large_budget(workspace: Path) -> None:
    text, row = _far_definitions()
    builder = ContextBuilder(ContextConfig(completion_max_tokens=4096), counter(), workspace)
    prompt = build(builder, doc_at(workspace, "far.py", text), row, 8)
    assert prompt.prompt_tokens < 600 < prompt.full_file_tokens
    assert "from collections import OrderedDict" in prompt.text
    assert "store[attempt] = os.getpid()\n        <CURSOR>\n    return store" in prompt.text


def test_comments_do_not_crowd_out_code(workspace: Path) -> None:
    comment = [
        f"    # step {i}: explain the reasoning behind the algorithm in prose" for i in range(80)
    ]
    lines = ["import struct", "HEADER_SIZE = 16", "", "def parse(buf):", *comment]
    lines += ["    head = struct.unpack('<I', buf[:HEADER_SIZE])", "    ", "    return head"]
    builder = ContextBuilder(ContextConfig(completion_max_tokens=128), counter(), workspace)
    prompt = build(builder, doc_at(workspace, "c.py", "\n".join(lines)), len(lines) - 2, 4)
    code = prompt.messages[-1].content
    assert "HEADER_SIZE = 16" in code and "import struct" in code
    assert code.count("# step") < 10
    assert prompt.prompt_tokens <= 128


def test_the_instruction_is_one_short_sentence(workspace: Path) -> None:
    builder = ContextBuilder(ContextConfig(), counter(), workspace)
    prompt = build(builder, doc_at(workspace, "s.py", "x = 1\ny = x\n"), 1, 4)
    system = prompt.messages[0].content
    assert "python" in system and "<CURSOR>" in system
    assert counter().count(system) <= 16
