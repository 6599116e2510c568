"""Completion context: the code around the cursor whole, and the lines its names need."""

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


def test_the_code_around_the_cursor_comes_whole_with_most_of_it_above(workspace: Path) -> None:
    lines = ["def handler(request, retries):"]
    lines += [f"    total_{i} = step(request, {i})" for i in range(200)]
    lines += ["    ", "    return total"]
    lines += [f"    after_{i} = 1" for i in range(200)]
    builder = ContextBuilder(ContextConfig(completion_max_tokens=512), counter(), workspace)
    cursor = 201
    prompt = build(builder, doc_at(workspace, "h.py", "\n".join(lines)), cursor, 4)
    assert prompt.fim is not None and prompt.prompt_tokens <= 512
    above = prompt.fim.prefix.split("\n")
    below = prompt.fim.suffix.split("\n")
    assert above[0] == "def handler(request, retries):"  # the scope's frame, as a header
    assert above[1].strip() == "# ..."  # one gap comment, then one unbroken run of lines
    stretch = [line for line in above[2:-1]]
    first = int(stretch[0].split("_")[1].split(" ")[0])
    assert stretch == [f"    total_{i} = step(request, {i})" for i in range(first, 200)]
    assert below[1:3] == ["    return total", "    after_0 = 1"]
    assert "..." not in prompt.fim.suffix
    assert len(below) < len(above)  # 40 % of the code is below the cursor, the rest above


def test_a_name_defined_far_above_reaches_the_header(workspace: Path) -> None:
    text, row = _far_definitions()
    builder = ContextBuilder(ContextConfig(completion_max_tokens=256), counter(), workspace)
    prompt = build(builder, doc_at(workspace, "far.py", text), row, 8)
    assert prompt.prompt_tokens <= 256 < prompt.full_file_tokens
    code = prompt.messages[-1].content
    assert "from collections import OrderedDict" in code and "import os" in code
    assert "RETRY_LIMIT = 7" in code  # 250 lines up: out of a window's reach
    assert "store[attempt] = os.getpid()\n        <CURSOR>\n    return store" in code
    assert code.index("RETRY_LIMIT") < code.index("def fetch(cache_size):")


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
