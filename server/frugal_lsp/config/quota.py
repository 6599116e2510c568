"""``[providers.quota]``: one table, or ``[[providers.quota]]``, an array of allowances.

Each allowance counts ``tokens`` (quota units) or ``requests`` (x the model's
``multiplier``), never both, per ``period``; a ``rolling`` one needs a ``window``. What
the keys mean and how pools and caps are drawn: ``quota/allowances.py`` and README.
"""

from __future__ import annotations

import re
from typing import cast

from frugal_lsp.config.reader import Reader
from frugal_lsp.config.schema import QUOTA_PERIODS, Period, QuotaConfig

_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_WINDOW_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}
KEYS = ("tokens", "requests", "period", "reset_day", "window", "free", "cap", "name")


def read_quotas(r: Reader, provider: str) -> tuple[QuotaConfig, ...]:
    """Every allowance of the provider table ``r`` (none when it has no ``quota``)."""
    raw = r.data.get("quota")
    if raw is None:
        return ()
    if isinstance(raw, dict):
        sub = r.table("quota")
        quotas = [read_quota(sub)] if sub is not None else []
    else:
        quotas = [read_quota(q) for q in r.array_of_tables("quota")]
    keys = [allowance_key(provider, q) for q in quotas]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            r.problems.append(
                f"{r.key_path('quota')}[{i}]: a second allowance like [{keys.index(key)}]"
                " — give each a distinct `name`"
            )
    return tuple(quotas)


def read_quota(r: Reader) -> QuotaConfig:
    r.allow(*KEYS)
    period = cast(Period, r.choice("period", QUOTA_PERIODS, "month"))
    has_tokens, has_requests = "tokens" in r.data, "requests" in r.data
    if has_tokens and has_requests:
        r.problems.append(
            f"{r.key_path('requests')}: `tokens` and `requests` are both set — an allowance"
            " counts one of them: keep `tokens` (quota units) or `requests` (a request plan)"
        )
    elif not (has_tokens or has_requests):
        r.problems.append(
            f"{r.key_path('tokens')}: missing — set `tokens = N` (quota units) or"
            " `requests = N` (requests x the model's multiplier)"
        )
    window = r.string("window") or ""
    if period == "rolling" and not window:
        r.problems.append(
            f"{r.key_path('window')}: missing — a rolling allowance needs its window,"
            ' e.g. window = "5h" or "7d"'
        )
    if window:
        try:
            parse_window(window)
        except ValueError:
            r.problem("window", window, 'a duration such as "5h", "90m", "7d" or "2w"')
            window = ""
        if period != "rolling":
            r.problems.append(
                f"{r.key_path('window')}: only a rolling allowance has a window —"
                ' set period = "rolling" or remove `window`'
            )
    return QuotaConfig(
        tokens=r.integer("tokens", 0, minimum=0) if has_tokens else None,
        requests=r.integer("requests", 0, minimum=0) if has_requests and not has_tokens else None,
        period=period,
        reset_day=r.integer("reset_day", 1, minimum=1, maximum=28),
        window=window if period == "rolling" else "",
        free=r.boolean("free", False),
        cap=r.boolean("cap", False) or period == "rolling",
        name=r.string("name") or "",
    )


def parse_window(text: str) -> float:
    """Seconds of a rolling window written as ``"5h"``, ``"7d"``, ``"90m"``, ``"2w"``."""
    match = _WINDOW.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a window: write a number and s, m, h, d or w")
    return float(match.group(1)) * _WINDOW_UNITS[match.group(2)]


def allowance_key(provider: str, quota: QuotaConfig) -> str:
    """A stable id for the ledger: the allowance's name, else what it is (reorder-proof)."""
    if quota.name:
        return f"{provider}:{quota.name}"
    unit = "requests" if quota.requests is not None else "tokens"
    parts = [provider, quota.period, unit, "free" if quota.free else "paid"]
    if quota.window:
        parts.append(quota.window.replace(" ", ""))
    if quota.cap:
        parts.append("cap")
    return ":".join(parts)
