"""A replayed day over three seed-style platforms with several allowances each.

``python -m tests.bench.allowances_bench [--asks N]`` -> ``bench/results/allowances.md``

Three loopback fakes (real OpenAI and Anthropic wire formats) stand for the seed's
platforms: *general* (2,000 free tokens a day + a paid month), *vertical* (5,000 tokens
per project, bought) and *community* (1,000 free tokens a week + bought credits). One
day's asks (distinct questions: no cache hits) go through the real engine — routing,
reserve, call, settle — so the free allowances are drawn first by the ledger and
preferred by routing. The figures:

- units drawn from each allowance (from the ledger's draws), and whether any allowance
  ended over its limit (it must not);
- dollars paid: each call's price x the share of it that paid allowances covered;
- the same calls drawn **paid first** (the draw order reversed: free pools last — what
  a tool that knows one allowance per platform does), replayed through the same pure
  policy (``quota/allowances.plan_draws`` and ``settle_all``), and what that would have
  cost. The difference is what drawing free first saved.

Prints cores beside the wall time. No timed assertion: a benchmark prints numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from frugal_lsp.config import parse_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.quota.allowances import Standing, plan_draws, settle_all
from frugal_lsp.tasks import Task
from tests.fakes.fake_provider import FakeProvider

RESULTS = Path("bench/results/allowances.md")
SOURCE = "\n".join(f"def step_{i}(value):\n    return value * {i} + {i % 7}" for i in range(40))
PRICES = {"gen-basic": (0.15, 0.60), "vert-basic": (0.30, 1.20), "comm-basic": (0.20, 0.80)}


def config(general: FakeProvider, vertical: FakeProvider, community: FakeProvider) -> Any:
    def model(name: str, provider: str) -> dict[str, Any]:
        price_in, price_out = PRICES[name]
        return {
            "name": name,
            "provider": provider,
            "tier": "basic",
            "input_price": price_in,
            "output_price": price_out,
        }

    return parse_config(
        {
            "providers": [
                {
                    "name": "general",
                    "base_url": general.url + "/v1",
                    "quota": [
                        {"tokens": 2000, "period": "day", "free": True},
                        {"tokens": 200_000, "period": "month"},
                    ],
                },
                {
                    "name": "vertical",
                    "base_url": vertical.url + "/v1",
                    "quota": [{"tokens": 5000, "period": "project"}],
                },
                {
                    "name": "community",
                    "kind": "anthropic",
                    "base_url": community.url,
                    "quota": [
                        {"tokens": 1000, "period": "week", "free": True},
                        {"tokens": 0, "period": "credits"},
                    ],
                },
            ],
            "models": [
                model("gen-basic", "general"),
                model("vert-basic", "vertical"),
                model("comm-basic", "community"),
            ],
            "context": {"ask_max_output_tokens": 64},
            "cache": {"enabled": False},
        }
    )


def ask(root: Path, i: int) -> ContextRequest:
    path = root / "steps.py"
    doc = Document.from_file(path)
    line = (i * 2) % 78
    question = f"Question {i}: what does the function at line {line} return for value {i}?"
    return ContextRequest(
        doc, Task.ASK, Position(line, 0), Position(line + 1, 20), question=question
    )


async def replay_day(asks: int, root: Path) -> dict[str, Any]:
    (root / "steps.py").write_text(SOURCE)
    with FakeProvider() as general, FakeProvider() as vertical, FakeProvider() as community:
        for fake in (general, vertical, community):
            fake.reply = "It returns value times its index plus a small offset."
        engine = Engine(config(general, vertical, community), StatePaths.resolve(root / "h"), root)
        engine.ledger.add_credits(20_000, "community")
        calls: list[dict[str, Any]] = []
        refused = 0
        started = time.perf_counter()
        try:
            for i in range(asks):
                try:
                    answer = await engine.answer(ask(root, i))
                except Exception as exc:
                    refused += 1
                    print(f"  ask {i}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    continue
                draws = engine.ledger.query(
                    "SELECT allowance, amount, cap, fraction, unit FROM draws WHERE call_id=?"
                    " ORDER BY seq",
                    (answer.call_id,),
                )
                calls.append(
                    {
                        "provider": answer.candidate.model.provider,
                        "units": answer.cost,
                        "usd": answer.cost_usd or 0.0,
                        "reserved": (answer.prompt_tokens + 64) * 1.0,
                        "draws": draws,
                    }
                )
            wall = time.perf_counter() - started
            standing = {
                a.name: (engine.account.used(a), a.limit, a.free)
                for p in engine.config.providers
                for a in engine.account.allowances(p.name)
                if a.key
            }
        finally:
            await engine.aclose()
    return {"calls": calls, "refused": refused, "wall": wall, "standing": standing}


def paid_share(draws: list[tuple[Any, ...]], free_keys: set[str], units: float) -> float:
    """The share of a call its paid pools paid (caps pay nothing)."""
    paid = sum(amount for key, amount, cap, _, _ in draws if not cap and key not in free_keys)
    return paid / units if units else 0.0


def paid_first(calls: list[dict[str, Any]], limits: dict[str, tuple[str, float, bool]]) -> float:
    """Dollars the same calls cost when paid pools are drawn before free ones."""
    used = {key: 0.0 for key in limits}
    usd = 0.0
    for call in calls:
        provider_keys = [k for k in limits if k.split(":")[0] == call["provider"]]
        standings = [
            # paid pools first: mark them "free" for the order, free ones never-resetting
            Standing(k, k, "tokens", limits[k][1], used[k], call["reserved"],
                     free=not limits[k][2], resets_in=None)
            for k in provider_keys
        ]  # fmt: skip
        planned = plan_draws(standings)
        final = settle_all(planned, call["reserved"], call["units"])
        for d in final:
            used[d.key] += d.amount
        paid = sum(d.amount for d in final if not limits[d.key][2])
        usd += call["usd"] * (paid / call["units"] if call["units"] else 0.0)
    return usd


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--asks", type=int, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(replay_day(args.asks, Path(tmp)))
    calls, standing = result["calls"], result["standing"]
    keys = {}
    for call in calls:
        for key, *_ in call["draws"]:
            keys.setdefault(key, None)
    free_keys = {k for k in keys if ":free" in k}
    ours = sum(c["usd"] * paid_share(c["draws"], free_keys, c["units"]) for c in calls)
    limits = _limits(keys, standing)
    theirs = paid_first(calls, limits)
    over = [name for name, (used, limit, _) in standing.items() if used > limit + 1e-6]
    lines = [
        "# Several allowances: a replayed day over three seed-style platforms",
        "",
        f"Command: `python -m tests.bench.allowances_bench --asks {args.asks}`; "
        f"{os.cpu_count()} cores (shared), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"{len(calls)} asks answered, {result['refused']} refused, "
        f"{sum(c['units'] for c in calls):,.0f} units, wall {result['wall']:.1f} s "
        "(loopback fakes: the time is frugal-lsp's own path, not a model's).",
        "",
        "| allowance | used | limit | free | calls |",
        "|---|---:|---:|:---:|---:|",
    ]
    per_key_calls = {k: sum(any(d[0] == k for d in c["draws"]) for c in calls) for k in keys}
    for name, (used, limit, free) in standing.items():
        key = next((k for k in keys if _label_matches(k, name)), name)
        lines.append(
            f"| {name} | {used:,.0f} | {limit:,.0f} | {'yes' if free else ''} |"
            f" {per_key_calls.get(key, 0)} |"
        )
    first_paid = next(
        (i for i, c in enumerate(calls) if paid_share(c["draws"], free_keys, c["units"]) > 0), None
    )
    lines += [
        "",
        f"- Over any limit: {', '.join(over) if over else 'none'}.",
        f"- First call that any paid allowance paid for: #{first_paid}"
        " (every call before it was paid by free allowances).",
        f"- Dollars paid, free first (ours): ${ours:.6f}",
        f"- Dollars paid, paid first (same calls, draw order reversed): ${theirs:.6f}",
        f"- Saved by drawing free first: ${theirs - ours:.6f}"
        + (f" ({(theirs - ours) / theirs:.0%} of the paid-first bill)" if theirs else ""),
        "",
        "Per platform: "
        + ", ".join(
            f"{p} {sum(1 for c in calls if c['provider'] == p)} calls"
            for p in ("general", "vertical", "community")
        ),
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


def _limits(
    keys: dict[str, None], standing: dict[str, tuple[float, float, bool]]
) -> dict[str, tuple[str, float, bool]]:
    found = {}
    for key in keys:
        name = next(n for n in standing if _label_matches(key, n))
        found[key] = (name, standing[name][1], standing[name][2])
    return found


def _label_matches(key: str, name: str) -> bool:
    provider, period = key.split(":")[0], key.split(":")[1]
    return f"`{provider}`" in name and period in name


if __name__ == "__main__":
    main()
