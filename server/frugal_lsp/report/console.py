"""Plain-text and JSON renderings of plans, answers and status for the CLI."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rich.console import Console

from frugal_lsp.config import Config
from frugal_lsp.quota.alerts import period_phrase
from frugal_lsp.quota.periods import iso, local_now, time_left
from frugal_lsp.quota.status import PlatformStatus, Status
from frugal_lsp.store.records import MemberUsage

if TYPE_CHECKING:
    from frugal_lsp.quota.account import QuotaAccount
    from frugal_lsp.results import Answer, Plan


def plan_text(plan: Plan, config_source: str = "") -> str:
    """What `plan` prints without --json (docs: README, "plan's output")."""
    data = plan.to_json()
    scope = data["scope"]
    model = data["model"]
    lines = [
        f"task      {data['task']} ({data['language']})",
        f"scope     {scope['kind']} `{scope['name']}`"
        f" lines {scope['start_line']}-{scope['end_line']}",
        f"tokens    {data['prompt_tokens']} prompt (full file: {data['full_file_tokens']}),"
        f" up to {data['max_output_tokens']} out",
        f"redacted  {data['redactions']} secret(s)",
        *(f"context   {origin}" for origin in data["context_from"]),
        f"route     {data['routing']['reason']}",
    ]
    if config_source:
        lines.insert(0, f"config    {config_source}")
    if model:
        lines.append(
            f"model     {model['provider']}/{model['name']} ({model['tier']}),"
            f" ~{data['estimated_cost']:,.0f} units"
        )
    else:
        lines.append("model     none available")
    lines += [f"skipped   {s}" for s in data["routing"]["skipped"]]
    lines += ["", "----- prompt -----", data["prompt_text"]]
    return "\n".join(lines)


def stream_to_stdout(text: str) -> None:
    """Print streamed text; once the reader has gone (`ask ... | head`), stop printing but
    let the call finish, so the ledger settles it (the CLI then exits quietly)."""
    if _STDOUT_GONE:
        return
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _STDOUT_GONE.append(True)


_STDOUT_GONE: list[bool] = []


def answer_json(answer: Answer) -> dict[str, Any]:
    model = answer.candidate.model
    return {
        "answer": answer.text,
        "model": {"provider": model.provider, "name": model.name, "tier": model.tier.value},
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": answer.completion_tokens,
        "cached": answer.cached,
        "cost": round(answer.cost, 2),
        "cost_usd": answer.cost_usd,
        "escalation": answer.escalation,
    }


def answer_footer(answer: Answer) -> str:
    model = answer.candidate.model
    source = "cache, 0 units" if answer.cached else f"{answer.cost:,.0f} units"
    return (
        f"\n\n— {model.provider}/{model.name} ({model.tier.value}): {answer.prompt_tokens}"
        f" prompt + {answer.completion_tokens} output tokens, {source}"
    )


def status_dump(status: Status) -> dict[str, Any]:
    """Every Status field (snake_case); times as local ISO 8601 with their offset."""
    data = asdict(status)
    for key in ("exhaustion_eta", "period_end"):
        data[key] = iso(data[key], status.timezone)
    for platform in data["platforms"]:
        platform["exhaustion_eta"] = iso(platform["exhaustion_eta"], status.timezone)
    return data


def rich_console() -> Console:
    return Console(highlight=False)


@contextmanager
def progress(what: str) -> Iterator[None]:
    """A spinner on stderr while ``what`` runs — only when a person is watching."""
    if not sys.stderr.isatty():
        yield
        return
    with Console(stderr=True).status(what):
        yield


def credits_text(config: Config, account: QuotaAccount) -> str:
    """Each credits allowance: base tokens + top-ups, used, left."""
    scopes: list[tuple[str, Any, str | None]] = [("budget", config.budget, None)]
    scopes += [(f"provider `{p.name}`", p.quota, p.name) for p in config.providers if p.quota]
    lines = []
    for label, quota, provider in scopes:
        topped, _ = account.ledger.credits(provider)
        if quota.period != "credits":
            if topped:
                lines.append(
                    f"{label}: {topped:,.0f} units topped up, but its period is"
                    f' {quota.period!r} — set period = "credits" to draw from them'
                )
            continue
        limit = account.limit(quota, provider)
        used = account.ledger.used(0.0, provider)
        lines.append(
            f"{label}: balance {limit:,.0f} units ({quota.tokens or 0:,} + {topped:,.0f}"
            f" topped up), {used:,.0f} used, {max(limit - used, 0):,.0f} left"
        )
    return "\n".join(lines) or 'no allowance uses period = "credits" — nothing to show'


def _fmt_limit(used: float, limit: float | None, fraction: float | None) -> str:
    if limit is None:
        return f"{used:,.0f} units used (no limit)"
    return f"{used:,.0f} / {limit:,.0f} units ({(fraction or 0):.0%})"


def _eta(days_left: float | None, eta: float | None, timezone: str) -> str:
    if days_left is None or eta is None:
        return "no exhaustion in sight"
    return f"runs out in {time_left(days_left)} (~{iso(eta, timezone)})"


def status_text(status: Status, team: bool = False) -> str:
    period_left = (
        f", {time_left(status.period_days_left)} left in the {status.period}"
        if status.period_days_left is not None
        else ""
    )
    peaks = ", ".join(f"{h:02d}:00" for h in status.peak_hours) or "no usage in 14 days"
    lines = [
        f"state     {status.state} — {status.message}",
        f"budget    {_fmt_limit(status.used, status.limit, status.fraction)}"
        f" {period_phrase(status.period)}" + period_left,
        f"burn      {status.burn_per_min:,.1f} units/min over the last hour,"
        f" {status.burn_smoothed_per_min:,.1f} smoothed over the day",
        f"forecast  {_eta(status.days_left, status.exhaustion_eta, status.timezone)}",
        f"peaks     {peaks}",
        f"pacing    step {status.pacing_step} {status.pacing}" + _pacing_why(status),
        f"calls     {status.calls}; tokens saved {status.tokens_saved:,};"
        f" accepted {status.accepted}",
    ]
    if team or status.store.startswith("team"):
        lines.append(f"store     {status.store}")
    if team:
        lines += [_member_line(m, status) for m in status.members] or ["member    no spend yet"]
    for p in status.platforms:
        lines.append(_platform_line(p, status.timezone))
        lines += [f"  allowance {a.line(time.time())}" for a in p.allowances]
    return "\n".join(lines)


def _pacing_why(status: Status) -> str:
    """The reason of the last step, dated: its "runs out in" was true then, not now."""
    if not status.pacing_reason:
        return ""
    if not status.pacing_since:
        return f" — {status.pacing_reason}"
    when = local_now(status.timezone, status.pacing_since).strftime("%H:%M")
    return f" — since {when}; then: {status.pacing_reason}"


def _member_line(member: MemberUsage, status: Status) -> str:
    share = f" ({member.units / status.used:.0%} of the team)" if status.used else ""
    return (
        f"member    {member.member}: {member.units:,.0f} units in {member.calls:,} calls"
        f" {period_phrase(status.period)}{share}"
    )


def _platform_line(p: PlatformStatus, timezone: str) -> str:
    rate = []
    if p.requests_available is not None:
        rate.append(f"{p.requests_available:,.0f} requests")
    if p.tokens_available is not None:
        rate.append(f"{p.tokens_available:,.0f} tokens")
    room = f"; rate room {', '.join(rate)}" if rate else ""
    if p.cooling_s:
        room += f"; cooling down {p.cooling_s:,.0f}s: {p.cooling_reason or 'a provider error'}"
    return (
        f"platform  {p.name}: {_fmt_limit(p.used, p.limit, p.fraction)},"
        f" {p.burn_per_min:,.1f} units/min, {_eta(p.days_left, p.exhaustion_eta, timezone)}{room}"
    )
