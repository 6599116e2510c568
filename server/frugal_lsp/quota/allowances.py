"""Several allowances per platform: which ones a call must fit, which ones pay for it.

A platform is sold with several allowances at once (README, "Several allowances per
platform"): a free daily allowance beside the paid month, tokens per project, community
credits, premium *requests* with a per-model multiplier, a rolling 5-hour window beside a
weekly cap. Each allowance is one ``[[providers.quota]]`` table and is one of two roles:

- a **pool** pays for calls. A call is paid by the pools in *draw order* (``order``):
  free pools first, then the pool that resets soonest relative to what is left — the
  fewest seconds until its reset per call like this one it could still pay
  ("use it or lose it"); pools that never reset (``total``, ``credits``, ``project``)
  come last among their kind. A call larger than what is left of the first pool is
  split: the rest is paid by the next one. A call is refused when all pools together
  cannot pay it.
- a **cap** (``cap = true``; every ``rolling`` allowance is one) pays for nothing but
  counts every call of the platform whichever pool pays: a 5-hour window, a weekly cap.
  A call is refused when any cap cannot take all of it.

Units: a ``tokens`` allowance counts quota units (tokens x the model's coefficient); a
``requests`` allowance counts requests x the model's ``multiplier`` (a premium-request
plan: 0, 0.25, 0.33, 1, 3 ...). A call that splits between pools of different units pays
the same *fraction* of itself in each.

This module is pure policy: the stores read how much each allowance has used (in the
same transaction that records the draws) and hand it here.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from frugal_lsp.config.quota import allowance_key, parse_window
from frugal_lsp.pools import (
    EPSILON,
    Draw,
    Standing,
    duration,
    order,
    plan_draws,
    settle_all,
    settled,
    urgency,
)
from frugal_lsp.quota.periods import local_now, period_end, period_start

if TYPE_CHECKING:
    from frugal_lsp.config import QuotaConfig

__all__ = [
    "EPSILON",
    "Draw",
    "Standing",
    "allowance_key",
    "duration",
    "order",
    "parse_window",
    "plan_draws",
    "project_id",
    "resets_at",
    "settle_all",
    "settled",
    "urgency",
    "window_start",
]
NEVER_RESETS = ("total", "credits", "project")


def window_start(quota: QuotaConfig, now: float, timezone: str = "") -> float:
    """Unix time from which spend counts against ``quota`` at ``now``."""
    if quota.period == "rolling":
        return now - parse_window(quota.window or "0s")
    if quota.period in NEVER_RESETS:
        return 0.0
    return period_start(quota.period, local_now(timezone, now), quota.reset_day).timestamp()


def resets_at(
    quota: QuotaConfig, now: float, timezone: str = "", oldest: float | None = None
) -> float | None:
    """When the allowance is whole again: the next period's start; for a rolling window,
    when its oldest spend in the window drops out (``oldest``: that spend's time); None
    for allowances that never reset."""
    if quota.period == "rolling":
        window = parse_window(quota.window or "0s")
        return (oldest if oldest is not None else now) + window
    if quota.period in NEVER_RESETS:
        return None
    start = period_start(quota.period, local_now(timezone, now), quota.reset_day)
    end = period_end(quota.period, start, quota.reset_day)
    return end.timestamp() if end is not None else None


def call_need(quota: QuotaConfig, units: float, multiplier: float) -> float:
    """What a call costs in ``quota``'s own unit: quota units, or requests x multiplier."""
    return multiplier if quota.requests is not None else units


def unit_name(quota: QuotaConfig) -> str:
    if quota.requests is not None:
        return "premium requests" if not quota.free else "requests"
    return "tokens"


def project_id(root: str) -> tuple[str, str]:
    """A stable id of the workspace at ``root`` and a name to show: the git remote
    ``origin`` (credentials stripped, never stored) when there is one, else the path.
    The id is a hash, so no URL or path reaches the ledger."""
    from pathlib import Path

    path = Path(root).resolve()
    source = f"path:{path}"
    config = path / ".git" / "config"
    if config.is_file():
        remote = _origin_url(config.read_text(errors="replace"))
        if remote:
            source = f"git:{_normalise_remote(remote)}"
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return digest, path.name


def _origin_url(text: str) -> str | None:
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section.replace(" ", "") == '[remote"origin"]' and line.startswith("url"):
            return line.split("=", 1)[1].strip() if "=" in line else None
    return None


def _normalise_remote(url: str) -> str:
    """``https://user:token@github.com/a/b.git`` and ``git@github.com:a/b`` → ``github.com/a/b``."""
    url = re.sub(r"^[a-z+]+://", "", url.strip())
    url = url.split("@", 1)[-1]
    url = url.replace(":", "/", 1) if "/" in url and ":" in url.split("/", 1)[0] else url
    return url.removesuffix(".git").rstrip("/").lower()
