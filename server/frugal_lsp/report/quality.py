"""The quality part of `report`: the scorecard (`frugal-lsp eval`) and the cascade's
escalations — how often a cheap answer was asked again, what that cost, and what the
cascade saved against sending every such answer to the strong model."""

from __future__ import annotations

import time
from dataclasses import dataclass
from html import escape

from frugal_lsp.store.scorecards import Escalation, ScorecardStore, ScoreRow


@dataclass(frozen=True)
class Quality:
    rows: list[ScoreRow]
    escalations: list[Escalation]
    cascaded_answers: int  # ask / explain / design answers the cascade checked
    cheap_units: float  # what their first (cheap) answers cost

    @property
    def escalation_rate(self) -> float:
        return len(self.escalations) / self.cascaded_answers if self.cascaded_answers else 0.0

    @property
    def escalation_units(self) -> float:
        return sum(e.second_units for e in self.escalations)


def gather(store: ScorecardStore, since: float, answers: int, cheap_units: float) -> Quality:
    return Quality(store.rows(), store.escalations(since), answers, cheap_units)


def text_lines(q: Quality) -> list[str]:
    from frugal_lsp.evaluation.scorecard import table_lines

    out = ["Scorecard (frugal-lsp eval):"]
    out += table_lines(q.rows) if q.rows else ["  none yet — run `frugal-lsp eval`"]
    if q.escalations:
        out.append(
            f"Cascade: {len(q.escalations)} escalations, {q.escalation_units:,.0f} units;"
            f" reasons: {_reasons(q.escalations)}"
        )
    return out


def html(q: Quality) -> str:
    parts = ["<h2>Scorecard (frugal-lsp eval)</h2>"]
    if not q.rows:
        parts.append("<p>No scorecard yet — run <code>frugal-lsp eval</code>.</p>")
    else:
        head = "".join(
            f"<th>{h}</th>"
            for h in (
                "model",
                "task",
                "language",
                "tasks",
                "EM",
                "ES",
                "p50 ms",
                "p90 ms",
                "units/task",
                "units/correct",
                "measured",
            )
        )
        body = "".join(_html_row(r) for r in q.rows)
        parts.append(f"<table><tr>{head}</tr>{body}</table>")
    parts.append("<h2>Cascade</h2>")
    if not q.escalations:
        parts.append("<p>No escalations in this period.</p>")
    else:
        parts.append(
            f"<p>{len(q.escalations)} escalations ({q.escalation_rate:.0%} of checked answers),"
            f" {q.escalation_units:,.0f} units; reasons: {escape(_reasons(q.escalations))}</p>"
        )
    return "\n".join(parts)


def _html_row(r: ScoreRow) -> str:
    per_correct = f"{r.units_per_correct:,.0f}" if r.units_per_correct is not None else "-"
    day = time.strftime("%Y-%m-%d", time.gmtime(r.measured_at))
    cells = (
        escape(r.model),
        escape(r.task),
        escape(r.language),
        f"{r.tasks}",
        f"{r.exact:.1%}",
        f"{r.similarity:.3f}",
        f"{r.p50_ms:,.0f}",
        f"{r.p90_ms:,.0f}",
        f"{r.units_per_task:,.0f}",
        per_correct,
        day,
    )
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _reasons(escalations: list[Escalation]) -> str:
    counts: dict[str, int] = {}
    for e in escalations:
        counts[e.reason] = counts.get(e.reason, 0) + 1
    return ", ".join(f"{reason} ×{n}" for reason, n in sorted(counts.items(), key=lambda x: -x[1]))
