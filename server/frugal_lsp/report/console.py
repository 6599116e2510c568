"""Plain-text and JSON renderings of plans, answers and status for the CLI."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from frugal_lsp.quota.status import Status, time_left

if TYPE_CHECKING:
    from frugal_lsp.engine import Answer, Plan


def plan_text(plan: Plan) -> str:
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
        f"route     {data['routing']['reason']}",
    ]
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
    sys.stdout.write(text)
    sys.stdout.flush()


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
    }


def answer_footer(answer: Answer) -> str:
    model = answer.candidate.model
    source = "cache, 0 units" if answer.cached else f"{answer.cost:,.0f} units"
    return (
        f"\n\n— {model.provider}/{model.name} ({model.tier.value}): {answer.prompt_tokens}"
        f" prompt + {answer.completion_tokens} output tokens, {source}"
    )


def status_json(status: Status) -> dict[str, Any]:
    return asdict(status)


def _fmt_limit(used: float, limit: float | None, fraction: float | None) -> str:
    if limit is None:
        return f"{used:,.0f} units used (no limit)"
    return f"{used:,.0f} / {limit:,.0f} units ({(fraction or 0):.0%})"


def status_text(status: Status) -> str:
    lines = [
        f"state     {status.state} — {status.message}",
        f"budget    {_fmt_limit(status.used, status.limit, status.fraction)} this {status.period}",
        f"burn      {status.burn_per_min:,.1f} units/min over the last hour"
        + (f", {time_left(status.days_left)} left" if status.days_left is not None else ""),
        f"calls     {status.calls}; tokens saved {status.tokens_saved:,};"
        f" accepted {status.accepted}",
    ]
    lines += [
        f"platform  {p.name}: {_fmt_limit(p.used, p.limit, p.fraction)}" for p in status.platforms
    ]
    return "\n".join(lines)
