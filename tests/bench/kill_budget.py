"""Provider-side spend against a hard budget while the processes spending it are killed.

    .venv/bin/python -m tests.bench.kill_budget [--budget 3000] [--loops 4] [--seconds 60]
        [--pythonpath DIR]   # run the askers on another checkout's server/ (before/after)

Four asker processes share one ledger and one hard budget and stream answers from the
loopback fake; every 0.3-0.9 s one of them is SIGKILLed (mid-stream, mostly) and started
again, until the budget refuses everyone. "Provider-side" is what the fake served: the
prompt tokens of every request it received plus the answer it generated, as a platform
would bill it. The ledger's figure is read after the next start settles the orphans.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from frugal_lsp.store.ledger import Ledger
from frugal_lsp.tokens import counter
from tests.fakes.fake_provider import FakeProvider

REPLY = " ".join(f"word{i}" for i in range(25))  # ~50 tokens: within max_tokens 64
ASKER = textwrap.dedent("""
    import asyncio, json, sys
    from frugal_lsp.config import parse_config
    from frugal_lsp.context import ContextRequest
    from frugal_lsp.context.document import Document, Position
    from frugal_lsp.engine import Engine
    from frugal_lsp.errors import FrugalError, QuotaExhausted
    from frugal_lsp.paths import StatePaths
    from frugal_lsp.tasks import Task

    home, source, config, name = sys.argv[1:5]
    async def main():
        engine = Engine(parse_config(json.loads(config)), StatePaths.resolve(home), None)
        doc = Document.from_file(source)
        refused, i = 0, 0
        while refused < 3:
            i += 1
            request = ContextRequest(doc, Task.ASK, Position(0, 0), Position(1, 30),
                                     question=f"question {i} from {name}")
            try:
                await engine.answer(request, on_text=lambda _: None)
                refused = 0
            except QuotaExhausted:
                refused += 1
            except FrugalError:
                pass
        await engine.aclose()
    asyncio.run(main())
""")


def run(budget: int, loops: int, seconds: float, pythonpath: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, FakeProvider(reply=REPLY) as fake:
        root = Path(folder)
        fake.chunk_delay = 0.04  # ~1 s per answer: most kills land mid-stream
        source = root / "shapes.py"
        source.write_text("def area(radius):\n    return 3.14159 * radius ** 2\n")
        config = json.dumps(
            {
                "providers": [{"name": "fake", "base_url": fake.url + "/v1"}],
                "models": [{"name": "fake-basic", "provider": "fake", "tier": "basic"}],
                "budget": {"tokens": budget, "hard_stop": True, "period": "total"},
                "context": {"ask_max_output_tokens": 64},
                "cache": {"enabled": False},
            }
        )
        env = dict(os.environ)
        if pythonpath:
            env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
        home = root / "home"

        def start(n: int) -> subprocess.Popen[bytes]:
            args = [sys.executable, "-c", ASKER, str(home), str(source), config, f"p{n}"]
            return subprocess.Popen(args, env=env, stderr=subprocess.DEVNULL)

        procs = {n: start(n) for n in range(loops)}
        kills, deadline = 0, time.monotonic() + seconds
        rng = random.Random(13)
        while time.monotonic() < deadline and any(p.poll() is None for p in procs.values()):
            time.sleep(rng.uniform(0.3, 0.9))
            alive = [n for n, p in procs.items() if p.poll() is None]
            if alive:
                n = rng.choice(alive)
                procs[n].send_signal(signal.SIGKILL)
                procs[n].wait()
                kills += 1
                procs[n] = start(n)
        for p in procs.values():
            if p.poll() is None:
                p.wait(timeout=120)
        completion = counter().count(REPLY)
        served = sum(r.prompt_tokens + completion for r in fake.requests)
        ledger_path = next(home.rglob("ledger.sqlite3"))
        ledger = Ledger(ledger_path)  # settles the orphans as the next start would
        rows = dict(ledger.query("SELECT outcome, COUNT(*) FROM calls GROUP BY outcome"))
        charged = ledger.query(
            "SELECT COUNT(*) FROM calls WHERE outcome='released' AND cost_units > 0"
        )[0][0]
        result = {
            "budget": budget,
            "kills": kills,
            "requests_served": len(fake.requests),
            "provider_side": served,
            "ledger": ledger.used(0),
            "released_free": rows.get("released", 0) - charged,
            "charged_after_kill": charged,
        }
        ledger.close()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=3000)
    parser.add_argument("--loops", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pythonpath", default=None)
    args = parser.parse_args()
    r = run(args.budget, args.loops, args.seconds, args.pythonpath)
    print(
        f"hard budget {r['budget']:,}: provider-side spend {r['provider_side']:,.0f},"
        f" ledger {r['ledger']:,.0f}; {r['kills']} kills, {r['requests_served']} requests"
        f" served, {r['released_free']} orphans released free,"
        f" {r['charged_after_kill']} charged after a kill"
    )


if __name__ == "__main__":
    main()
