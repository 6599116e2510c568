"""From eval results to dated scorecard rows, and what `status`/`doctor` say about them.

A row's quality is over the tasks the model answered; tasks it could not answer (a
provider error, no quota) are counted in ``errors``, not scored as wrong. Units per
correct completion is the units the row spent divided by its exact matches — what one
right suggestion costs on this code (None when none was right).
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from frugal_lsp.store.scorecards import ScoreRow

STALE_DAYS = 90
COMPLETION = "completion"


@dataclass(frozen=True)
class TaskResult:
    """One task sent to one model."""

    model: str
    task_name: str
    language: str
    exact: bool
    similarity: float
    latency_ms: float
    units: float
    suggestion: str
    error: str | None = None


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def rows_from(results: Iterable[TaskResult], now: float | None = None) -> list[ScoreRow]:
    """One row per model × language (task: completion), dated ``now``."""
    groups: dict[tuple[str, str], list[TaskResult]] = defaultdict(list)
    for result in results:
        groups[(result.model, result.language)].append(result)
    stamp = time.time() if now is None else now
    return [
        _row(model, language, group, stamp) for (model, language), group in sorted(groups.items())
    ]


def _row(model: str, language: str, group: list[TaskResult], now: float) -> ScoreRow:
    scored = [r for r in group if r.error is None]
    right = sum(r.exact for r in scored)
    units = sum(r.units for r in group)
    latencies = [r.latency_ms for r in scored]
    n = len(scored)
    return ScoreRow(
        model=model,
        task=COMPLETION,
        language=language,
        tasks=n,
        exact=right / n if n else 0.0,
        similarity=statistics.fmean(r.similarity for r in scored) if n else 0.0,
        p50_ms=percentile(latencies, 0.5),
        p90_ms=percentile(latencies, 0.9),
        units_per_task=units / len(group) if group else 0.0,
        units_per_correct=units / right if right else None,
        errors=len(group) - n,
        measured_at=now,
    )


def notes(rows: Sequence[ScoreRow], models: Sequence[str], now: float | None = None) -> list[str]:
    """What a user should know about the scorecard (empty: it is complete and recent)."""
    if not rows:
        return ["no scorecard yet — run `frugal-lsp eval` to measure the models on your code"]
    stamp = time.time() if now is None else now
    out: list[str] = []
    newest = max(r.measured_at for r in rows)
    age_days = (stamp - newest) / 86400
    if age_days > STALE_DAYS:
        out.append(
            f"scorecard is {age_days:.0f} days old (over {STALE_DAYS}) — run `frugal-lsp eval`"
        )
    measured = {r.model for r in rows if r.tasks}
    missing = [m for m in models if m not in measured]
    if missing:
        out.append(
            "no scorecard for "
            + ", ".join(missing)
            + " — run `frugal-lsp eval --models "
            + ",".join(missing)
            + "`"
        )
    return out


def table_lines(rows: Sequence[ScoreRow]) -> list[str]:
    """The scorecard as a plain-text table (the CLI prints it; HTML has its own)."""
    head = (
        f"{'model':<36} {'task':<10} {'language':<11} {'n':>3} {'EM':>6} {'ES':>5}"
        f" {'p50 ms':>7} {'p90 ms':>7} {'units/task':>10} {'units/correct':>13}  measured"
    )
    out = [head, "-" * len(head)]
    for r in rows:
        per_correct = f"{r.units_per_correct:,.0f}" if r.units_per_correct is not None else "—"
        day = time.strftime("%Y-%m-%d", time.gmtime(r.measured_at))
        errors = f" ({r.errors} failed)" if r.errors else ""
        out.append(
            f"{r.model:<36} {r.task:<10} {r.language:<11} {r.tasks:>3} {r.exact:>6.1%}"
            f" {r.similarity:>5.3f} {r.p50_ms:>7,.0f} {r.p90_ms:>7,.0f}"
            f" {r.units_per_task:>10,.0f} {per_correct:>13}  {day}{errors}"
        )
    return out
