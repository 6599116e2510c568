"""The acceptance replay's tables: bench/results/acceptance.md and .json."""

from __future__ import annotations

import argparse
import statistics
from dataclasses import asdict
from typing import Any

from tests.bench.acceptance import SystemResult, first_line
from tests.bench.model_proxy import Call
from tests.bench.quality import Speed
from tests.bench.report import met, table
from tests.bench.trace import Session

TARGET_SHARE = 0.5  # ours' units per accepted suggestion ≤ 50 % of Continue-like's
LABELS = {
    "ours": "frugal-lsp (real server, ×1.0)",
    "continue": "Continue-like (350 ms, 1,024-token window, prefix LRU, ×1.0)",
    "naive": "naive (every keystroke, whole file, ×3.5)",
}


def _per_accepted(r: SystemResult) -> str:
    value = r.units_per_accepted
    return "— (none accepted)" if value is None else f"{value:,.0f}"


def _row(r: SystemResult) -> list[str]:
    fresh = sum(not c.cached for c in r.calls)
    return [
        LABELS[r.name],
        f"{r.requests:,}",
        f"{len(r.calls)} ({fresh} new)",
        f"{r.prompt_tokens:,}",
        f"{r.output_tokens:,}",
        f"{r.units:,.0f}",
        f"{r.suggested} / {r.pauses}",
        f"{r.accepted}",
        f"{r.rate:.1%}",
        _per_accepted(r),
    ]


def target_line(ours: SystemResult, cont: SystemResult) -> tuple[str, float | None]:
    a, b = ours.units_per_accepted, cont.units_per_accepted
    if a is None or b is None:
        which = "ours" if a is None else "Continue-like"
        return f"- units per accepted suggestion vs Continue-like: {which} had none accepted —"\
            " not measurable: **NOT met**", None  # fmt: skip
    share = a / b
    return (
        f"- units per accepted suggestion: ours {a:,.0f}, Continue-like {b:,.0f}: ours is"
        f" {share:.0%} of Continue-like's (target ≤ {TARGET_SHARE:.0%}): "
        f"{met(share <= TARGET_SHARE)}"
    ), share


def _latency_lines(found: dict[str, Any], ours: SystemResult) -> list[str]:
    speed: Speed = found["speed"]
    single: list[Call] = found["single_line"]
    cores = f"{speed.cores} cores, prompt {speed.prompt_tps:.0f} tok/s, generation"\
        f" {speed.generate_tps:.1f} tok/s (measured at the start of this run)"  # fmt: skip
    lines = []
    if single:
        p50 = statistics.median(c.latency_ms for c in single)
        when = sorted({c.measured_at for c in single})
        lines.append(
            f"- the local model's p50 latency for a single-line completion: **{p50 / 1000:.1f} s**"
            f" over {len(single)} of frugal-lsp's prompts cut at the first line end (median"
            f" {statistics.median(c.prompt_tokens for c in single):.0f} model prompt tokens,"
            f" {statistics.median(c.completion_tokens for c in single):.0f} output tokens;"
            f" model time measured {', '.join(when)}); {cores}"
        )
    if ours.calls:
        p50 = statistics.median(c.latency_ms for c in ours.calls)
        lines.append(
            f"- frugal-lsp's own calls in this replay (up to its 64 output tokens): p50"
            f" {p50 / 1000:.1f} s over {len(ours.calls)} calls (median"
            f" {statistics.median(c.prompt_tokens for c in ours.calls):.0f} model prompt tokens,"
            f" {statistics.median(c.completion_tokens for c in ours.calls):.0f} output tokens)"
        )
    return lines


def _examples(results: list[SystemResult], limit: int = 12) -> list[str]:
    ours, cont = results[0].shown, results[1].shown
    rows = []
    for mine, theirs in zip(ours, cont, strict=True):
        if mine.suggestion is None and theirs.suggestion is None:
            continue
        rows.append(
            [
                f"`{mine.target[:50]}`",
                _cell(mine.suggestion, mine.accepted),
                _cell(theirs.suggestion, theirs.accepted),
            ]
        )
    step = max(1, len(rows) // limit)
    return table(["typed next", "frugal-lsp showed", "Continue-like showed"], rows[::step][:limit])


def _cell(text: str | None, accepted: bool) -> str:
    if text is None:
        return "(nothing)"
    shown = first_line(text)[:50].replace("|", "\\|")
    return f"`{shown}`" + (" ✓" if accepted else "")


def section(
    sessions: list[Session], found: dict[str, Any], wall_s: float, args: argparse.Namespace
) -> tuple[list[str], dict[str, Any]]:
    results: list[SystemResult] = found["results"]
    ours, cont = results[0], results[1]
    keys = sum(len(s.keystrokes) for s in sessions)
    names = ", ".join(s.piece.name for s in sessions)
    verdict, share = target_line(ours, cont)
    head = ["", "requests", "to the model", "prompt tokens", "output tokens", "units",
            "suggestion at a pause", "accepted", "acceptance", "units per accepted"]  # fmt: skip
    lines = [
        "## Acceptance: typing against the real local model",
        "",
        f"{len(sessions)} functions of the cost replay's trace ({names}), {keys:,} keystrokes,"
        f" {ours.pauses} pauses ≥ 300 ms; model"
        f" {args.model} over llama.cpp for all three, temperature 0, frugal-lsp's output budget,"
        f" stop sequences and post-processing; naive's prompt capped at {args.naive_ceiling:,}"
        f" tokens of file for the model (its units count the whole file). Run took"
        f" {wall_s:.0f} s.",
        "",
        *table(head, [_row(r) for r in results]),
        "Against the targets:",
        "",
        verdict,
        *_latency_lines(found, ours),
        "",
        "At the pauses (a sample; ✓ = accepted):",
        "",
        *_examples(results),
        *HOW,
    ]
    data = {
        "functions": [s.piece.name for s in sessions],
        "keystrokes": keys,
        "model": args.model,
        "naive_ceiling": args.naive_ceiling,
        "wall_s": wall_s,
        "speed": asdict(found["speed"]),
        "single_line_ms": [c.latency_ms for c in found["single_line"]],
        "ours_vs_continue_units_per_accepted": share,
        "systems": {r.name: _data(r) for r in results},
    }
    return lines, data


def _data(r: SystemResult) -> dict[str, Any]:
    return {
        "requests": r.requests,
        "model_calls": len(r.calls),
        "prompt_tokens": r.prompt_tokens,
        "output_tokens": r.output_tokens,
        "coefficient": r.coefficient,
        "units": r.units,
        "pauses": r.pauses,
        "suggested": r.suggested,
        "accepted": r.accepted,
        "acceptance": r.rate,
        "units_per_accepted": r.units_per_accepted,
        "shown": [asdict(s) | {"accepted": s.accepted} for s in r.shown],
    }


HOW = [
    "How it was counted: frugal-lsp is a real `frugal-lsp serve` driven over LSP with the",
    "trace's keystrokes, `$/cancelRequest`s and gaps (its debounce in real time); its provider",
    "is the local model behind a caching proxy. Once a request reaches the model, the user's",
    "clock stops until the answer is back, so every system gets instant answers on the user's",
    "clock, as in the cost replay; the model's real latency is the figure above. At each pause",
    "the suggestion showing is accepted when its first non-blank line equals the first",
    "non-blank line typed next (spaces at either end ignored). Units = (cl100k tokens of the",
    "prompt sent + of the model's raw answer) × coefficient, completions only (no asks): the",
    "cost replay's coefficients. Continue-like and naive build their prompts as in",
    "`tests/bench/baselines.py`; naive asks the model only for the answers showing at pauses",
    "(the others are superseded within 300 ms) and counts every keystroke's whole-file prompt,",
    "with the mean measured output for the answers not computed.",
    "",
]
