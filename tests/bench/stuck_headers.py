"""How long a provider stays unused after headers nobody should trust forever.

    .venv/bin/python -m tests.bench.stuck_headers
    PYTHONPATH=<other checkout>/server .venv/bin/python -m tests.bench.stuck_headers  # before

Three cases on a platform without configured limits: LiteLLM's ``remaining: -1`` with no
reset; a 429 carrying only ``llm_provider-retry-after: 60``; a 429 with ``Retry-After:
99999999``. Simulated time, one-second steps for an hour, then coarser, up to 400 days.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from frugal_lsp.config import parse_config
from frugal_lsp.providers.ratelimits import parse_rate_limits, wait_hint
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.store.ledger import Ledger

CONFIG = {"providers": [{"name": "p", "base_url": "http://127.0.0.1:9/v1"}]}
HORIZON_S = 400 * 86400


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def until_used(account: QuotaAccount, clock: Clock) -> str:
    start = clock.now
    step = 1.0
    while clock.now - start < HORIZON_S:
        if not account.cooling("p") and account.rate_room("p", 100):
            return f"{clock.now - start:,.0f}s"
        clock.now += step
        if clock.now - start > 3600:  # one-second steps for the first hour, then coarser
            step = min(step * 1.05, 3600.0)
    return "never (checked 400 days)"


def case(name: str, headers: dict[str, str], status: int, path: str) -> str:
    clock = Clock()
    account = QuotaAccount(parse_config(CONFIG), Ledger(Path(path)), clock)
    state = parse_rate_limits(httpx.Headers(headers))
    if status == 429:
        wait = wait_hint(state)
        account.cool_down("p", wait)
        account.rate_limited("p", wait)
    else:
        account.observe("p", state)
    requests, _ = account.buckets.levels("p")
    level = "unlimited" if requests is None else f"{requests:,.0f}"
    return f"{name}: requests bucket {level}, used again after {until_used(account, clock)}"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        cases = [
            ("remaining -1, no reset", {"x-ratelimit-remaining-requests": "-1"}, 200),
            ("429 + llm_provider-retry-after: 60", {"llm_provider-retry-after": "60"}, 429),
            ("429 + Retry-After: 99999999", {"retry-after": "99999999"}, 429),
        ]
        for i, (name, headers, status) in enumerate(cases):
            print(case(name, headers, status, f"{folder}/l{i}.sqlite3"))


if __name__ == "__main__":
    main()
