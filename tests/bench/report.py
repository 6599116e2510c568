"""Markdown tables, the JSON record and the SVG chart of ``make bench``."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import sys
from typing import Any

from tests.bench.baselines import BaselineResult
from tests.bench.overhead import Timings, percentile
from tests.bench.replay import ReplayResult, Usage


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "commit": commit or "unknown",
        "command": " ".join(["python", "-m", "tests.bench.run", *sys.argv[1:]]),
    }


def header(title: str, info: dict[str, Any]) -> list[str]:
    return [
        f"# {title}",
        "",
        f"{info['date']} · {info['cpu']} ({info['cores']} cores) · {info['os']} · "
        f"Python {info['python']} · commit `{info['commit']}` · `{info['command']}`",
        "",
    ]


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def met(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


# -- replay ---------------------------------------------------------------------------------


def usage_row(name: str, usage: Usage, ours: float, served: str) -> list[str]:
    ratio = "—" if name.startswith("frugal") else f"{1 - ours / usage.cost_units:.1%} fewer"
    return [
        name,
        f"{usage.requests:,}",
        f"{usage.prompt_tokens:,}",
        f"{usage.output_tokens:,}",
        f"{usage.cost_units:,.0f}",
        ratio,
        served,
    ]


def replay_section(
    ours: ReplayResult,
    naive: BaselineResult,
    cont: BaselineResult,
    corpus: dict[str, Any],
) -> tuple[list[str], dict[str, Any]]:
    share = ours.served / ours.pauses if ours.pauses else 0.0
    cost = ours.total.cost_units
    vs_naive = 1 - cost / naive.total.cost_units
    vs_continue = 1 - cost / cont.total.cost_units
    head = [
        "",
        "provider requests",
        "prompt tokens",
        "output tokens",
        "cost units",
        "vs ours",
        "pauses served",
    ]
    rows = [
        usage_row("frugal-lsp (measured)", ours.total, cost, f"{share:.1%}"),
        usage_row("naive (every keystroke, whole file, ×3.5)", naive.total, cost, "100% (assumed)"),
        usage_row(
            "Continue-like (350 ms, 1024-token window, ×1.0, prefix LRU)",
            cont.total,
            cost,
            f"{cont.served / cont.pauses:.1%}",
        ),
    ]
    split = [
        [
            "completions",
            *_split(ours.completion),
            *_split(naive.completion),
            *_split(cont.completion),
        ],
        ["asks", *_split(ours.asks), *_split(naive.asks), *_split(cont.asks)],
    ]
    latency = ours.pause_latency_ms
    lines = [
        "## Replay: typing real code into the server",
        "",
        f"{corpus['functions']} functions ({corpus['python']} stdlib Python, "
        f"{corpus['javascript']} npm JavaScript), {ours.keystrokes:,} keystrokes "
        f"({corpus['characters']:,} typed characters), {ours.pauses} pauses ≥ 300 ms, "
        f"{len(ours.ask_cached)} asks about a selection (the first one repeated). "
        f"Seed {corpus['seed']}; replay took {ours.wall_s:.0f} s.",
        "",
        *table(head, rows),
        "Requests / cost units by kind (ours · naive · Continue-like):",
        "",
        *table(
            [
                "kind",
                "ours req",
                "ours units",
                "naive req",
                "naive units",
                "Continue req",
                "Continue units",
            ],
            split,
        ),
        f"Served pauses: suggestion shown after a median of {statistics.median(latency):.0f} ms "
        f"(p90 {percentile(latency, 90):.0f} ms) — debounce included"
        " (150 ms after punctuation, 350 ms inside an identifier)."
        if latency
        else "No pause was served.",
        f"Repeated ask answered from the cache: {_repeat_cached(ours)}.",
        "",
        "Against the targets:",
        "",
        f"- cost units vs naive: {vs_naive:.1%} fewer (target ≥ 95%): {met(vs_naive >= 0.95)}",
        f"- cost units vs Continue-like: {vs_continue:.1%} fewer (target ≥ 50%): "
        f"{met(vs_continue >= 0.5)}",
        f"- pauses served: {share:.1%} (target ≥ 90%): {met(share >= 0.9)}",
        "",
    ]
    data = {
        "ours": _usage_json(ours.total) | {"pauses": ours.pauses, "served": ours.served},
        "ours_completion": _usage_json(ours.completion),
        "ours_asks": _usage_json(ours.asks),
        "naive": _usage_json(naive.total),
        "continue_like": _usage_json(cont.total) | {"served": cont.served},
        "fewer_than_naive": vs_naive,
        "fewer_than_continue": vs_continue,
        "pauses_served": share,
        "ask_cached": ours.ask_cached,
        "keystrokes": ours.keystrokes,
        "corpus": corpus,
        "wall_s": ours.wall_s,
    }
    return lines, data


def _repeat_cached(ours: ReplayResult) -> str:
    return "yes" if len(ours.ask_cached) > 1 and ours.ask_cached[1] else "no"


def _split(usage: Usage) -> list[str]:
    return [f"{usage.requests:,}", f"{usage.cost_units:,.0f}"]


def _usage_json(usage: Usage) -> dict[str, Any]:
    return {
        "requests": usage.requests,
        "prompt_tokens": usage.prompt_tokens,
        "output_tokens": usage.output_tokens,
        "cost_units": usage.cost_units,
    }


# -- overhead -------------------------------------------------------------------------------


def overhead_section(results: list[Timings]) -> tuple[list[str], dict[str, Any]]:
    rows, data = [], {}
    for t in results:
        for kind, values in (
            ("miss", t.miss),
            ("typing-through hit", t.through),
            ("cache hit", t.cache),
            ("floor: edit + no-op request", t.floor),
        ):
            if not values:
                continue
            p50, p99 = percentile(values, 50), percentile(values, 99)
            rows.append(
                [
                    f"{t.lines:,}",
                    kind,
                    str(len(values)),
                    f"{p50:.1f}",
                    f"{p99:.1f}",
                    f"{max(values):.1f}",
                ]
            )
            data[f"{t.lines}/{kind}"] = {"n": len(values), "p50_ms": p50, "p99_ms": p99}
    worst_miss = next((t for t in results if t.lines == max(r.lines for r in results)), None)
    lines = [
        "## Server overhead (debounce 0, instant provider)",
        "",
        "Time from sending `textDocument/inlineCompletion` to reading its response, in ms, "
        "measured by the client over stdio (the edit sent just before is included, as in an "
        "editor).",
        "",
        *table(["lines", "request", "n", "p50 ms", "p99 ms", "max ms"], rows),
    ]
    if worst_miss is not None:
        miss99 = percentile(worst_miss.miss, 99)
        hit99 = percentile(worst_miss.through, 99)
        cache99 = percentile(worst_miss.cache, 99)
        lines += [
            "Against the targets:",
            "",
            f"- miss p99 at {worst_miss.lines:,} lines: {miss99:.1f} ms (target ≤ 15): "
            f"{met(miss99 <= 15)}",
            f"- typing-through hit p99 at {worst_miss.lines:,} lines: {hit99:.1f} ms "
            f"(target ≤ 3): {met(hit99 <= 3)}",
            f"- cache hit p99 at {worst_miss.lines:,} lines: {cache99:.1f} ms (target ≤ 3): "
            f"{met(cache99 <= 3)}",
        ]
        if worst_miss.floor:
            f50, f99 = percentile(worst_miss.floor, 50), percentile(worst_miss.floor, 99)
            lines.append(
                f"- of which the round trip itself (floor row) is p50 {f50:.1f} / p99 {f99:.1f}"
                " ms: an edit and a request the server answers without work"
            )
        lines.append("")
    return lines, data


# -- footprint ------------------------------------------------------------------------------


def footprint_section(
    startup: list[float], imports: list[tuple[str, float]], memory: dict[str, int]
) -> tuple[list[str], dict[str, Any]]:
    median = statistics.median(startup)
    rss_mb = memory["rss_kb"] / 1024
    lines = [
        "## Footprint",
        "",
        *table(
            ["measure", "value", "target", ""],
            [
                [
                    "process start → `initialize` response, median of "
                    f"{len(startup)} (min {min(startup):.0f})",
                    f"{median:.0f} ms",
                    "≤ 400 ms",
                    met(median <= 400),
                ],
                ["RSS right after initialize", f"{memory['idle_rss_kb'] / 1024:.0f} MB", "", ""],
                [
                    f"RSS with {memory['documents']} open documents of {memory['lines']:,} lines "
                    "(one completion each)",
                    f"{rss_mb:.0f} MB",
                    "≤ 120 MB",
                    met(rss_mb <= 120),
                ],
            ],
        ),
        "Slowest imports at start-up (`python -X importtime`, cumulative, as imported by the "
        "server itself):",
        "",
        *table(["module", "ms"], [[name, f"{ms:.0f}"] for name, ms in imports]),
    ]
    data = {"startup_ms": startup, "startup_median_ms": median, "imports": imports} | memory
    return lines, data


# -- chart ----------------------------------------------------------------------------------


def cost_svg(bars: list[tuple[str, float]]) -> str:
    """A horizontal bar chart of cost units (log-free: the naive bar sets the scale)."""
    width, left, row = 640, 210, 34
    top = max(v for _, v in bars) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(bars) + 50}"'
        ' font-family="sans-serif" font-size="13">',
        '<text x="10" y="20" font-weight="bold">Cost units on the same typing session</text>',
    ]
    for i, (name, value) in enumerate(bars):
        y = 36 + i * row
        w = max(1.0, (width - left - 90) * value / top)
        colour = "#2a7" if i == 0 else "#999"
        parts += [
            f'<text x="10" y="{y + 16}">{name}</text>',
            f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="18" fill="{colour}"/>',
            f'<text x="{left + w + 6:.1f}" y="{y + 18}">{value:,.0f}</text>',
        ]
    return "\n".join([*parts, "</svg>", ""])
