"""`frugal-lsp report --html`: one standalone page, the chart as inline SVG.

The SVG is drawn here (about 60 lines) instead of with pygal or matplotlib: no new
dependency, nothing loaded at run time, no scripts — the page opens in any browser and in
the VS Code webview under a strict content security policy.
"""

from __future__ import annotations

from html import escape

from frugal_lsp.report.usage import Row, Usage

WIDTH, HEIGHT = 760, 260
LEFT, BOTTOM, TOP = 56, 36, 16
COLOURS = ("#2b8cbe", "#e6550d", "#31a354", "#756bb1", "#d6616b", "#8c6d31")
STYLE = """
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card b { display: block; font-size: 18px; }
table { border-collapse: collapse; } td, th { padding: 3px 12px; text-align: right; }
td:first-child, th:first-child { text-align: left; } tr:nth-child(even) { background: #f5f5f5; }
svg text { font: 11px system-ui, sans-serif; fill: #444; }
"""


def render(usage: Usage) -> str:
    total = usage.total
    cpa = usage.cost_per_accepted
    cards = [
        ("units", f"{total.units:,.0f}"),
        ("calls", f"{total.calls:,}"),
        ("tokens", f"{total.tokens:,}"),
        ("USD", f"{total.usd:,.4f}" if total.usd else "-"),
        ("tokens saved", f"{usage.tokens_saved:,}"),
        ("units per accepted suggestion", f"{cpa:,.1f}" if cpa is not None else "-"),
        ("calls estimated", f"{usage.estimated:,}"),
        ("calls charged after a kill", f"{usage.charged_unsettled:,}"),
        ("units saved by prompt caching", f"{usage.cache[2]:,.0f}"),
    ]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>frugal-lsp usage, last {usage.days} days</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>frugal-lsp usage — last {usage.days} days</h1>",
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{v}</b>{escape(k)}</div>' for k, v in cards)
        + "</div>",
        "<h2>Units per day</h2>",
        chart(usage),
    ]
    for title, rows in (
        ("model", usage.per_model),
        ("platform", usage.per_platform),
        ("task", usage.per_task),
        *([("member", usage.per_member)] if usage.team else []),
    ):
        parts.append(f"<h2>Usage per {title}</h2>{table(title, rows, total.units)}")
    if usage.per_allowance:
        parts.append(f"<h2>Paid by allowance</h2>{allowances(usage)}")
    parts.append(f"<h2>Tokens saved</h2>{savings(usage)}</body></html>")
    return "\n".join(parts) + "\n"


def chart(usage: Usage) -> str:
    """Bars per day, stacked by platform, with a y axis and a legend."""
    days = sorted(usage.per_day)
    peak = max((usage.per_day[d].units for d in days), default=0.0)
    top = _nice(peak)
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(days), 1)
    colours = {p: COLOURS[i % len(COLOURS)] for i, p in enumerate(usage.platforms)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT + 20}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT + 20}" role="img" aria-label="units per day">'
    ]
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:,.0f}</text>')
    for index, day in enumerate(days):
        x = LEFT + index * step + step * 0.15
        y = TOP + plot_h
        for platform, units in sorted(usage.per_day_platform.get(day, {}).items()):
            h = plot_h * units / top
            y -= h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}"'
                f' fill="{colours[platform]}"><title>{day} {escape(platform)}:'
                f" {units:,.0f} units</title></rect>"
            )
        if len(days) <= 14 or index % max(len(days) // 10, 1) == 0:
            label = day.strftime("%d %b")
            out.append(
                f'<text x="{x + step * 0.35:.1f}" y="{TOP + plot_h + 16}"'
                f' text-anchor="middle">{label}</text>'
            )
    if not usage.total.calls:
        out.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no usage yet</text>'
        )
    for i, (platform, colour) in enumerate(colours.items()):
        x = LEFT + i * 140
        out.append(f'<rect x="{x}" y="{HEIGHT + 4}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 18}" y="{HEIGHT + 14}">{escape(platform)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _nice(peak: float) -> float:
    """A round axis maximum at or above ``peak`` (1, 2 or 5 times a power of ten)."""
    if peak <= 0:
        return 1.0
    scale = 10 ** (len(str(int(peak))) - 1)
    return float(next(m * scale for m in (1, 2, 5, 10) if m * scale >= peak))


def table(key: str, rows: dict[str, Row], total: float) -> str:
    if not rows:
        return "<p>No calls in this period.</p>"
    head = f"<tr><th>{escape(key)}</th><th>units</th><th>share</th><th>calls</th>"
    head += "<th>tokens</th><th>USD</th></tr>"
    body = "".join(
        f"<tr><td>{escape(name)}</td><td>{row.units:,.0f}</td>"
        f"<td>{(row.units / total if total else 0):.0%}</td><td>{row.calls:,}</td>"
        f"<td>{row.tokens:,}</td><td>{f'{row.usd:,.4f}' if row.usd else '-'}</td></tr>"
        for name, row in sorted(rows.items(), key=lambda item: -item[1].units)
    )
    return f"<table>{head}{body}</table>"


def allowances(usage: Usage) -> str:
    head = "<tr><th>allowance</th><th>project</th><th>amount</th><th>calls</th></tr>"
    body = "".join(
        f"<tr><td>{escape(key)}</td><td>{escape(project)}</td><td>{escape(amount)}</td>"
        f"<td>{calls:,}</td></tr>"
        for key, project, amount, calls in usage.allowance_rows
    )
    return f"<table>{head}{body}</table>"


def savings(usage: Usage) -> str:
    if not usage.savings:
        return "<p>Nothing saved yet.</p>"
    body = "".join(
        f"<tr><td>{escape(s.kind)}</td><td>{s.tokens:,}</td><td>{s.units:,.0f}</td></tr>"
        for s in usage.savings
    )
    return f"<table><tr><th>kind</th><th>tokens</th><th>units</th></tr>{body}</table>"
