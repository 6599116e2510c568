"""The quality part of `report`: the scorecard (`frugal-lsp eval`) and the cascade's
escalations — how often a cheap answer was asked again, what that cost, and what the
cascade saved against sending every such answer to the strong model."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from frugal_lsp.context.policies import TASKS
from frugal_lsp.store.records import SpendGroup
from frugal_lsp.store.scorecards import Escalation, ScorecardStore, ScoreRow

CASCADED_TASKS = frozenset(task.value for task, spec in TASKS.items() if spec.cascade)


@dataclass(frozen=True)
class Quality:
    rows: list[ScoreRow]
    escalations: list[Escalation]
    answers: int = 0  # ask / explain / design answers of the period (escalations: one each)
    units: float = 0.0  # what their calls cost, drafts and escalations included
    all_strong_units: float = 0.0  # the same answers' tokens at the strongest coefficient
    acceptance: tuple[tuple[str, str, int, int], ...] = ()  # model, language, shown, accepted

    @property
    def escalation_rate(self) -> float:
        return len(self.escalations) / self.answers if self.answers else 0.0

    @property
    def escalation_units(self) -> float:
        return sum(e.second_units for e in self.escalations)

    @property
    def saved_units(self) -> float:
        return self.all_strong_units - self.units


def gather(
    store: ScorecardStore,
    since: float,
    groups: Sequence[SpendGroup] = (),
    coefficients: Mapping[str, float] | None = None,
) -> Quality:
    """Scorecard, escalations, and the cascade's account from the ledger's ``groups``.

    "All strong" is an estimate: the final answers' tokens (drafts' tokens taken out,
    from their units and their model's coefficient) at the strongest model's coefficient —
    a strong model's own answers would not have exactly the same length."""
    coefficients = coefficients or {}
    escalations = store.escalations(since)
    asked = [g for g in groups if g.task in CASCADED_TASKS]
    calls = sum(g.calls for g in asked)
    tokens = float(sum(g.tokens for g in asked))
    drafts = sum(e.first_units / (coefficients.get(e.from_model) or 1.0) for e in escalations)
    strongest = max(coefficients.values(), default=1.0)
    return Quality(
        store.rows(),
        escalations,
        answers=calls - len(escalations),
        units=sum(g.units for g in asked),
        all_strong_units=max(tokens - drafts, 0.0) * strongest,
        acceptance=tuple(store.acceptance()),
    )


def text_lines(q: Quality) -> list[str]:
    from frugal_lsp.evaluation.scorecard import table_lines

    out = ["Scorecard (frugal-lsp eval):"]
    out += table_lines(q.rows) if q.rows else ["  none yet — run `frugal-lsp eval`"]
    if q.answers:
        out.append(_cascade_sentence(q))
    out += [f"Acceptance: {line}" for line in _acceptance_lines(q)]
    return out


def _acceptance_lines(q: Quality) -> list[str]:
    """Live acceptance per model x language, beside the scorecard's exact-match rate."""
    measured = {(r.model, r.language): r.exact for r in q.rows}
    out = []
    for model, language, shown, took in q.acceptance:
        rate = f"{took / shown:.0%}" if shown else "-"
        em = measured.get((model, language))
        beside = f" (scorecard EM {em:.0%})" if em is not None else ""
        out.append(f"{model} {language}: {took}/{shown} suggestions accepted, {rate}{beside}")
    return out


def _cascade_sentence(q: Quality) -> str:
    reasons = f"; reasons: {_reasons(q.escalations)}" if q.escalations else ""
    return (
        f"Cascade: {len(q.escalations)} escalations in {q.answers} answers"
        f" ({q.escalation_rate:.0%}), costing {q.escalation_units:,.0f} units;"
        f" {q.units:,.0f} units spent against ~{q.all_strong_units:,.0f} all on the strongest"
        f" model (saved ~{q.saved_units:,.0f}){reasons}"
    )


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
    if q.acceptance:
        items = "".join(f"<li>{escape(line)}</li>" for line in _acceptance_lines(q))
        parts.append(f"<h2>Acceptance</h2><ul>{items}</ul>")
    parts.append("<h2>Cascade</h2>")
    if not q.answers:
        parts.append("<p>No asks, explanations or design questions in this period.</p>")
    else:
        parts.append(f"<p>{escape(_cascade_sentence(q))}</p>")
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
