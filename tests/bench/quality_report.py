"""``bench/results/quality.md``: per variant tokens, EM, ES, pass@1 and latency, then the
same split by source and by task kind, and the targets the prompt is held to."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterable, Sequence
from typing import Any

Rows = Sequence[Any]  # quality.Row (kept loose: no import cycle)

NAMES = {
    "ours": "frugal-lsp (Engine.complete)",
    "window-same": "llm-ls-like window, same tokens",
    "continue": "Continue-like (307 prefix / 205 suffix)",
    "window-1024": "window of 1,024 tokens",
    "whole": "whole file (up to the ceiling)",
}


def _pct(values: Iterable[float], q: float) -> float:
    data = sorted(values)
    if not data:
        return 0.0
    return data[min(len(data) - 1, round(q * (len(data) - 1)))]


def _summary(rows: Rows) -> dict[str, float]:
    passed = [r.passed for r in rows if r.passed is not None]
    return {
        "n": len(rows),
        "tokens": statistics.median(r.tokens for r in rows),
        "model_tokens": statistics.median(r.model_tokens for r in rows),
        "em": sum(r.exact for r in rows) / len(rows),
        "em_n": sum(r.exact for r in rows),
        "es": statistics.fmean(r.similarity for r in rows),
        "pass": sum(passed) / len(passed) if passed else float("nan"),
        "pass_n": len(passed),
        "p50": _pct((r.latency_ms for r in rows), 0.5) / 1000,
        "p90": _pct((r.latency_ms for r in rows), 0.9) / 1000,
    }


def _variants(rows: Rows) -> list[str]:
    return list(dict.fromkeys(r.variant for r in rows))


def _table(head: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def _main_table(rows: Rows) -> str:
    body = []
    for v in _variants(rows):
        s = _summary([r for r in rows if r.variant == v])
        body.append(
            [
                NAMES.get(v, v),
                f"{s['tokens']:.0f}",
                f"{s['model_tokens']:.0f}",
                f"{s['em_n']}/{s['n']} ({s['em']:.1%})",
                f"{s['es']:.3f}",
                f"{s['pass']:.1%} of {s['pass_n']}",
                f"{s['p50']:.1f} / {s['p90']:.1f}",
            ]
        )
    head = ["variant", "tokens (median)", "model tokens", "EM", "ES", "pass@1", "latency p50/p90 s"]
    return _table(head, body)


def _split(rows: Rows, key: str) -> str:
    groups = list(dict.fromkeys(getattr(r, key) for r in rows))
    body = []
    for v in _variants(rows):
        cells = [NAMES.get(v, v)]
        for g in groups:
            sub = [r for r in rows if r.variant == v and getattr(r, key) == g]
            s = _summary(sub)
            cells.append(f"{s['em']:.1%} / {s['es']:.3f} ({s['tokens']:.0f} tok)")
        body.append(cells)
    counts = {
        g: sum(1 for r in rows if getattr(r, key) == g and r.variant == "ours") for g in groups
    }
    return _table(["variant", *(f"{g} (n={counts[g]}) EM / ES" for g in groups)], body)


def targets(rows: Rows) -> list[str]:
    """Issue 14's targets, printed met or not."""
    by = {v: _summary([r for r in rows if r.variant == v]) for v in _variants(rows)}
    ours, out = by.get("ours"), []
    if ours is None:
        return out
    if "window-1024" in by:
        w = by["window-1024"]
        ok = ours["tokens"] <= 512 and ours["em"] >= w["em"] and ours["es"] >= w["es"]
        out.append(
            f"- median ≤ 512 tokens and ≥ the 1,024-token window in EM and ES: ours"
            f" {ours['tokens']:.0f} tok, EM {ours['em']:.1%} vs {w['em']:.1%}, ES"
            f" {ours['es']:.3f} vs {w['es']:.3f} — {'met' if ok else 'not met'}"
        )
    if "whole" in by:
        share = ours["es"] / by["whole"]["es"] if by["whole"]["es"] else 0.0
        out.append(
            f"- ≥ 95 % of the whole-file ES: {share:.1%} — {'met' if share >= 0.95 else 'not met'}"
        )
    return out


def write_report(rows: Rows, speed: Any, args: argparse.Namespace, seconds: float) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    tasks = sum(1 for r in rows if r.variant == "ours")
    command = "make bench-quality" + (" ARGS=--all" if args.all else "")
    if args.scale != 1.0:
        command = f"python -m tests.bench.quality --scale {args.scale}"
    parts = [
        "# Completion quality on a real code model",
        "",
        f"{stamp} · `{command}` · {tasks} tasks × {len(_variants(rows))} variants in"
        f" {seconds / 60:.1f} min · model {args.model} (Q4_K_M) over llama.cpp · {speed.cores}"
        f" cores, prompt {speed.prompt_tps:.0f} tok/s, generation {speed.generate_tps:.1f} tok/s"
        f" (measured at the start of the run) · ceiling {args.ceiling} tokens",
        "",
        "Same model, FIM template, output budget, stop sequences and post-processing for every"
        " variant: only the context differs. EM / ES: the first suggested line against the"
        " masked line (the block, for block tasks); pass@1: the completed HumanEval function"
        " run against its tests in a subprocess. Tokens: cl100k tokens of the text sent;"
        " model tokens: the model's own count. Latency includes the model on this machine;"
        " ours is sent first for each task and llama.cpp reuses a prompt prefix it has just"
        " evaluated, so later rows are faster where their prompts coincide (all of HumanEval).",
        "",
        _main_table(rows),
        "",
        "## By source",
        "",
        _split(rows, "source"),
        "",
        "## By task kind",
        "",
        _split(rows, "kind"),
        "",
        "## Targets (issue 14)",
        "",
        *targets(rows),
        "",
    ]
    return "\n".join(parts)
