"""Fill-in-the-middle templates: how each model family was trained to see prefix and suffix.

One entry per family in ``TEMPLATES``; a model names its template with ``fim_template``
(the catalog knows the common ones). Two entries are not token layouts:

* ``suffix`` — the API applies the model's template itself: the prefix goes in ``prompt``
  and the suffix in ``suffix`` (OpenAI's ``/v1/completions``, Mistral's FIM endpoint);
* ``prefix-only`` — the model cannot fill in (no FIM training): it continues the prefix.

The others render one raw prompt string, for servers that pass the prompt through
unchanged (llama.cpp, vLLM, Ollama's raw mode). Snippets — code from elsewhere in the
file or project — go where the family's training put them: Qwen2.5-Coder and StarCoder2
read earlier files as ``file_sep`` sections before the current one; the others as a
comment block at the top of the prefix. Each template also names the control tokens that
end a middle, so the model stops instead of writing the next file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from frugal_lsp.prompt import Fim, Snippet


@dataclass(frozen=True)
class FimTemplate:
    """How one family lays out a fill-in-the-middle prompt."""

    name: str
    render: Callable[[Fim], str] | None  # None: the API takes prefix and suffix fields
    stops: tuple[str, ...] = ()
    families: str = ""  # which models were trained this way (shown in docs and errors)


def _comment_block(fim: Fim, comment: str = "#") -> str:
    """Snippets as commented code above the prefix, for families with no file separator."""
    if not fim.snippets:
        return ""
    out = []
    for snippet in fim.snippets:
        out.append(f"{comment} {snippet.path}")
        out.extend(f"{comment} {line}" for line in snippet.text.split("\n"))
    return "\n".join(out) + "\n"


def _qwen(fim: Fim) -> str:
    """Qwen2.5-Coder's repository format: earlier files, then the one with the gap."""
    head = ""
    if fim.snippets:
        files = "".join(f"<|file_sep|>{s.path}\n{s.text}\n" for s in fim.snippets)
        head = f"<|repo_name|>workspace\n{files}<|file_sep|>{fim.path}\n"
    return f"{head}<|fim_prefix|>{fim.prefix}<|fim_suffix|>{fim.suffix}<|fim_middle|>"


def _starcoder(fim: Fim) -> str:
    if not fim.snippets:
        return f"<fim_prefix>{fim.prefix}<fim_suffix>{fim.suffix}<fim_middle>"
    files = "".join(f"<file_sep>{s.path}\n{s.text}" for s in fim.snippets)
    current = f"<file_sep><fim_prefix>{fim.path}\n{fim.prefix}"
    return f"<repo_name>workspace{files}{current}<fim_suffix>{fim.suffix}<fim_middle>"


def _deepseek(fim: Fim) -> str:
    return (
        f"<｜fim▁begin｜>{_comment_block(fim, fim.comment)}{fim.prefix}"
        f"<｜fim▁hole｜>{fim.suffix}<｜fim▁end｜>"
    )


def _codellama(fim: Fim) -> str:
    return f"<PRE> {_comment_block(fim, fim.comment)}{fim.prefix} <SUF>{fim.suffix} <MID>"


def _codestral(fim: Fim) -> str:
    return f"[SUFFIX]{fim.suffix}[PREFIX]{_comment_block(fim, fim.comment)}{fim.prefix}"


def _prefix_only(fim: Fim) -> str:
    return _comment_block(fim, fim.comment) + fim.prefix


TEMPLATES: dict[str, FimTemplate] = {
    t.name: t
    for t in (
        FimTemplate("suffix", None, families="APIs that apply the template (OpenAI, Mistral)"),
        FimTemplate("prefix-only", _prefix_only, families="models with no FIM training"),
        FimTemplate(
            "qwen",
            _qwen,
            ("<|endoftext|>", "<|file_sep|>", "<|fim_prefix|>", "<|repo_name|>", "<|im_end|>"),
            "Qwen2.5-Coder",
        ),
        FimTemplate(
            "starcoder",
            _starcoder,
            ("<|endoftext|>", "<file_sep>", "<fim_prefix>", "<repo_name>"),
            "StarCoder, StarCoder2, SantaCoder",
        ),
        FimTemplate(
            "deepseek",
            _deepseek,
            ("<｜end▁of▁sentence｜>", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<|EOT|>"),
            "DeepSeek-Coder",
        ),
        FimTemplate("codellama", _codellama, ("<EOT>", "<PRE>", "<SUF>"), "CodeLlama"),
        FimTemplate("codestral", _codestral, ("</s>", "[PREFIX]", "[SUFFIX]"), "Codestral"),
    )
}
TEMPLATE_NAMES = tuple(TEMPLATES)


def template(name: str) -> FimTemplate:
    """The template called ``name`` (config validation keeps unknown names out)."""
    return TEMPLATES[name]


def render(name: str, fim: Fim) -> str | None:
    """The raw prompt for ``fim`` under template ``name``; None when the API applies it."""
    t = TEMPLATES[name]
    return t.render(fim) if t.render is not None else None


__all__ = ["TEMPLATES", "TEMPLATE_NAMES", "FimTemplate", "Snippet", "render", "template"]
