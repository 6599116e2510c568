"""FIM templates: each family gets the layout it was trained on, snippets included."""

from __future__ import annotations

import pytest

from frugal_lsp.config import FIM_TEMPLATES, parse_config
from frugal_lsp.errors import ConfigError
from frugal_lsp.prompt import Fim, Snippet
from frugal_lsp.providers.base import ProviderRequest
from frugal_lsp.providers.fim import TEMPLATE_NAMES, TEMPLATES, render
from frugal_lsp.providers.openai import request_body

FIB = Fim("def fib(n):\n    if n < 2:\n        return n\n    ", "\n\nprint(fib(10))\n", "fib.py")
HELPER = Snippet("util/math.py", "def memo(fn): ...")


def test_qwen_wraps_prefix_and_suffix_in_its_fim_tokens() -> None:
    assert render("qwen", FIB) == (
        "<|fim_prefix|>def fib(n):\n    if n < 2:\n        return n\n    "
        "<|fim_suffix|>\n\nprint(fib(10))\n<|fim_middle|>"
    )


def test_qwen_puts_snippets_in_file_sep_sections_before_the_current_file() -> None:
    text = render("qwen", Fim("x = ", "\n", "app.py", (HELPER,))) or ""
    assert text.startswith("<|repo_name|>workspace\n<|file_sep|>util/math.py\ndef memo(fn): ...\n")
    assert text.index("<|file_sep|>app.py\n") < text.index("<|fim_prefix|>x = ")
    assert "# util/math.py" not in text  # not as comments or prose


def test_starcoder2_reads_snippets_as_files_and_the_path_inside_the_prefix() -> None:
    text = render("starcoder", Fim("x = ", "\n", "app.py", (HELPER,))) or ""
    assert text.startswith("<repo_name>workspace<file_sep>util/math.py\ndef memo(fn): ...")
    assert text.endswith("<file_sep><fim_prefix>app.py\nx = <fim_suffix>\n<fim_middle>")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("deepseek", "<｜fim▁begin｜>a<｜fim▁hole｜>b<｜fim▁end｜>"),
        ("codellama", "<PRE> a <SUF>b <MID>"),
        ("codestral", "[SUFFIX]b[PREFIX]a"),
        ("starcoder", "<fim_prefix>a<fim_suffix>b<fim_middle>"),
        ("prefix-only", "a"),
    ],
)
def test_each_family_lays_out_prefix_and_suffix_as_trained(name: str, expected: str) -> None:
    assert render(name, Fim("a", "b")) == expected


def test_families_without_file_separators_get_snippets_as_comments_in_the_prefix() -> None:
    text = render("deepseek", Fim("let x = ", ";", "a.js", (HELPER,), comment="//")) or ""
    assert text.startswith("<｜fim▁begin｜>// util/math.py\n// def memo(fn): ...\nlet x = ")


def test_the_suffix_template_leaves_the_layout_to_the_api() -> None:
    assert render("suffix", FIB) is None
    path, body = request_body(ProviderRequest("m", (), 16, fim=FIB), stream=False)
    assert path == "completions"
    assert body["prompt"] == FIB.prefix and body["suffix"] == FIB.suffix


def test_a_templated_request_sends_one_raw_prompt_and_stops_at_the_families_tokens() -> None:
    request = ProviderRequest("m", (), 16, stop=("\ndef ",), fim=FIB, fim_template="qwen")
    path, body = request_body(request, stream=True)
    assert path == "completions" and "suffix" not in body
    assert str(body["prompt"]).startswith("<|fim_prefix|>def fib")
    assert body["stop"][0] == "\ndef " and "<|endoftext|>" in body["stop"]
    assert "<|file_sep|>" in body["stop"]


def test_every_template_that_renders_names_its_stop_tokens() -> None:
    for t in TEMPLATES.values():
        if t.render is not None and t.name != "prefix-only":
            assert t.stops, t.name


def _model(**extra: object) -> dict[str, object]:
    return {
        "providers": [{"name": "local", "kind": "llama-cpp", "base_url": "http://127.0.0.1:1/v1"}],
        "models": [{"name": "coder", "provider": "local", "tier": "basic", "fim": True, **extra}],
    }


def test_config_takes_a_template_per_model_and_the_catalog_knows_qwens() -> None:
    assert parse_config(_model(fim_template="starcoder")).models[0].fim_template == "starcoder"
    qwen = parse_config(_model(name="qwen2.5-coder-0.5b-instruct")).models[0]
    assert qwen.fim_template == "qwen" and qwen.coefficient == 0.0


def test_the_older_fim_suffix_false_still_means_prefix_only() -> None:
    assert parse_config(_model(fim_suffix=False)).models[0].fim_template == "prefix-only"


def test_an_unknown_template_is_named_with_the_ones_that_exist() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(_model(fim_template="qwne"))
    (problem,) = info.value.problems
    assert problem.startswith("models[0].fim_template = 'qwne': expected one of suffix |")
    assert "qwen" in problem and "codestral" in problem


def test_the_config_schema_allows_exactly_the_templates_that_exist() -> None:
    assert FIM_TEMPLATES == TEMPLATE_NAMES
