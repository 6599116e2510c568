"""`frugal-lsp report` in a terminal: a bar chart per day (stacked by platform) and tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from frugal_lsp.report.usage import Row, Usage

BAR_WIDTH = 40
COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "red")


def render(usage: Usage, console: Console) -> None:
    console.print(summary(usage))
    console.print(day_chart(usage))
    for title, table in (
        ("model", usage.per_model),
        ("platform", usage.per_platform),
        ("task", usage.per_task),
        ("member", usage.per_member if usage.team else {}),
    ):
        if table:
            console.print(breakdown(f"Usage per {title}", title, table, usage.total.units))
    if usage.savings:
        console.print(savings_table(usage))
    if usage.per_allowance:
        console.print(allowance_table(usage))


def summary(usage: Usage) -> Text:
    total = usage.total
    cpa = usage.cost_per_accepted
    lines = [
        f"Last {usage.days} days: {total.units:,.0f} units in {total.calls:,} calls,"
        f" {total.tokens:,} tokens" + (f", ${total.usd:,.4f}" if total.usd else ""),
        f"Tokens saved: {usage.tokens_saved:,}; accepted suggestions: {usage.accepted:,}"
        + (f"; {cpa:,.1f} units per accepted suggestion" if cpa is not None else ""),
        *([usage.cache_line] if usage.cache_line else []),
        *usage.caveats,
    ]
    return Text("\n".join(lines), style="bold")


def day_chart(usage: Usage) -> Table:
    peak = max((row.units for row in usage.per_day.values()), default=0.0) or 1.0
    colours = {p: COLOURS[i % len(COLOURS)] for i, p in enumerate(usage.platforms)}
    legend = "  ".join(f"[{c}]█[/] {p}" for p, c in colours.items())
    table = Table(title="Units per day", caption=legend or None, box=None, pad_edge=False)
    table.add_column("day")
    table.add_column("", min_width=BAR_WIDTH)
    table.add_column("units", justify="right")
    table.add_column("calls", justify="right")
    for day, row in sorted(usage.per_day.items()):
        bar = Text()
        for platform, units in sorted(usage.per_day_platform.get(day, {}).items()):
            bar.append("█" * round(units / peak * BAR_WIDTH), style=colours.get(platform))
        table.add_row(day.strftime("%a %d %b"), bar, f"{row.units:,.0f}", str(row.calls))
    return table


def breakdown(title: str, key: str, rows: dict[str, Row], total: float) -> Table:
    table = Table(title=title)
    table.add_column(key)
    for name in ("units", "share", "calls", "tokens", "USD"):
        table.add_column(name, justify="right")
    for name, row in sorted(rows.items(), key=lambda item: -item[1].units):
        share = f"{row.units / total:.0%}" if total else "-"
        usd = f"{row.usd:,.4f}" if row.usd else "-"
        table.add_row(name, f"{row.units:,.0f}", share, str(row.calls), f"{row.tokens:,}", usd)
    return table


def allowance_table(usage: Usage) -> Table:
    """Which allowance paid what (a cap counts every call; pools split what they pay)."""
    table = Table(title="Paid by allowance")
    for name in ("allowance", "project"):
        table.add_column(name)
    table.add_column("amount", justify="right")
    table.add_column("calls", justify="right")
    for key, project, amount, calls in usage.allowance_rows:
        table.add_row(key, project, amount, str(calls))
    return table


def savings_table(usage: Usage) -> Table:
    table = Table(title="Tokens saved")
    table.add_column("kind")
    table.add_column("tokens", justify="right")
    table.add_column("units", justify="right")
    for saving in usage.savings:
        table.add_row(saving.kind, f"{saving.tokens:,}", f"{saving.units:,.0f}")
    return table
