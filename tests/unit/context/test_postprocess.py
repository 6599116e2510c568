"""Raw model output becomes text that can be inserted at the cursor as-is."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.context import ContextBuilder, Prompt
from frugal_lsp.context.policies.completion import fim_gaps
from tests.unit.context.conftest import build, doc_at

SOURCE = "import os\n\n\ndef f(p):\n    name = \n    return name\n\n\ndef g():\n    pass\n"


def _prompt(builder: ContextBuilder, workspace: Path) -> Prompt:
    return build(builder, doc_at(workspace, "p.py", SOURCE), 4, 11)


def test_fences_and_echoed_prefix_are_stripped(builder: ContextBuilder, workspace: Path) -> None:
    prompt = _prompt(builder, workspace)
    raw = "```python\n    name = os.path.basename(p)\n```"
    assert builder.postprocess_completion(prompt, raw) == "os.path.basename(p)"


def test_cut_where_the_suffix_repeats(builder: ContextBuilder, workspace: Path) -> None:
    prompt = _prompt(builder, workspace)
    raw = "os.path.basename(p)\n    return name\n"
    assert builder.postprocess_completion(prompt, raw) == "os.path.basename(p)"


def test_cut_at_the_next_definition(builder: ContextBuilder, workspace: Path) -> None:
    prompt = _prompt(builder, workspace)
    raw = "p.upper()\n\ndef h():\n    pass"
    assert builder.postprocess_completion(prompt, raw).rstrip() == "p.upper()"


def test_empty_or_blank_output_is_unusable(builder: ContextBuilder, workspace: Path) -> None:
    prompt = _prompt(builder, workspace)
    assert builder.postprocess_completion(prompt, "```\n\n```") == ""
    assert builder.postprocess_completion(prompt, "   ") == ""


def test_an_echoed_gap_marker_is_not_a_suggestion(builder: ContextBuilder, workspace: Path) -> None:
    prompt = _prompt(builder, workspace)
    assert builder.postprocess_completion(prompt, " ...\n...") == ""
    assert builder.postprocess_completion(prompt, "# ...\np.upper()") == "p.upper()"


BLANK_LINE = "def total(items):\n    \n"


def test_on_an_indented_empty_line_the_suggestion_starts_at_the_cursor(
    builder: ContextBuilder, workspace: Path
) -> None:
    prompt = build(builder, doc_at(workspace, "t.py", BLANK_LINE), 1, 4)
    for raw in (
        "\n    return sum(items)",
        "    return sum(items)",
        "return sum(items)",
        "        return sum(items)",  # a second level a FIM model adds after typed spaces
    ):
        assert builder.postprocess_completion(prompt, raw) == "return sum(items)"
    nested = "    for x in items:\n        yield x"
    assert builder.postprocess_completion(prompt, nested) == "for x in items:\n        yield x"


def test_fim_models_see_gaps_as_comments_not_bare_ellipses() -> None:
    code = "import os\n...\n    def size(self):\n        return "
    assert fim_gaps(code, "python") == "import os\n    # ...\n    def size(self):\n        return "
    assert fim_gaps("let a = 1;\n...\nf(", "javascript") == "let a = 1;\n// ...\nf("
