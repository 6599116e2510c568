"""Will the next typical request fit? The status must not say "ok" while asks are refused.

A request is admitted only if its worst case — (prompt + max output tokens) x the model's
coefficient — fits in what is left of every allowance it draws from (``ledger.reserve``).
The budget can be 22 % used and still refuse every ask: 776 units left, and each ask
reserving its prompt plus 512 output tokens. This module estimates that worst case per
kind of request from the ledger's recent calls (tokens settled per call of that task,
plus the task's output bound) on the cheapest paid model, and says which kinds no
longer fit. The estimate errs high by at most the output actually produced, so near the
edge the status warns a little early rather than late. Free (local) models always fit.

Reserving the full output bound is kept as the worst case on purpose: the provider may
produce up to ``max_tokens``, and a smaller reservation could let two windows overspend.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from frugal_lsp.config import Config, ModelConfig
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.tasks import Tier

RECENT_S = 14 * 86400


@dataclass(frozen=True)
class Fit:
    task: str  # "completion" | "ask"
    needs: float  # units the next typical one reserves on the cheapest paid model
    left: float  # units left where it would be charged
    free_fallback: bool  # a free (local) model will take it instead

    @property
    def refused(self) -> bool:
        return self.needs > self.left and not self.free_fallback


def next_request_fits(config: Config, account: QuotaAccount) -> list[Fit]:
    """For completions and asks: the ones whose next typical request does not fit."""
    if _plenty(config, account):
        return []  # far from any limit: skip reading the ledger's history
    typical = _typical_tokens(account)
    free = any(m.coefficient == 0 for m in config.models)
    outputs = {
        "completion": config.context.completion_max_output_tokens,
        "ask": config.context.ask_max_output_tokens,
    }
    tight: list[Fit] = []
    for task, max_out in outputs.items():
        best: tuple[float, float] | None = None
        for model in _paid(config, task):
            needs = (typical.get(task, 0.0) + max_out) * model.coefficient
            left = account.left(model.provider)
            room = float("inf") if left is None else left
            if best is None or room - needs > best[1] - best[0]:
                best = (needs, room)
        if best is not None and best[0] > best[1]:
            tight.append(Fit(task, best[0], max(best[1], 0.0), free))
    return tight


def _plenty(config: Config, account: QuotaAccount) -> bool:
    """Every paid model's allowances hold far more than any one request can reserve."""
    ctx = config.context
    ceiling = 2 * max(ctx.ask_max_tokens, ctx.completion_max_tokens) + ctx.ask_max_output_tokens
    for model in config.models:
        left = account.left(model.provider) if model.coefficient > 0 else None
        if left is not None and left < ceiling * model.coefficient:
            return False
    return True


def _paid(config: Config, task: str) -> list[ModelConfig]:
    return [
        m
        for m in config.models
        if m.coefficient > 0
        and m.tier is not Tier.SPECIALIZED
        and (not m.tasks or task in m.tasks)
        and (task != "completion" or m.tier is Tier.BASIC)
    ]


def _typical_tokens(account: QuotaAccount) -> dict[str, float]:
    """Tokens settled per call, by task, over the last two weeks (asks: ask-like tasks)."""
    now = time.time()
    tokens: dict[str, float] = {}
    calls: dict[str, int] = {}
    for group in account.ledger.spend_groups(now - RECENT_S, now):
        kind = "completion" if group.task == "completion" else "ask"
        tokens[kind] = tokens.get(kind, 0.0) + group.tokens
        calls[kind] = calls.get(kind, 0) + group.calls
    return {kind: tokens[kind] / calls[kind] for kind in tokens if calls[kind]}


def describe(fits: list[Fit]) -> str:
    """What does not fit, e.g. "asks are refused: the next one reserves ~783 units ...,
    776 left" (empty when everything fits)."""
    if len(fits) == 2 and all(f.refused for f in fits) and fits[0].left == fits[1].left:
        completion, ask = fits
        return (
            f"every request is refused: a completion reserves ~{completion.needs:,.0f} units,"
            f" an ask ~{ask.needs:,.0f} (prompt + output bound), {ask.left:,.0f} left"
        )
    parts = []
    for fit in fits:
        what = "completions" if fit.task == "completion" else "asks"
        if fit.free_fallback:
            parts.append(
                f"{what} go to the free local model: a paid one reserves ~{fit.needs:,.0f}"
                f" units, {fit.left:,.0f} left"
            )
        else:
            parts.append(
                f"{what} are refused: the next one reserves ~{fit.needs:,.0f} units"
                f" (prompt + output bound), {fit.left:,.0f} left"
            )
    return "; ".join(parts)
