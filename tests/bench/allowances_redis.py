"""How a keyed allowance's count on Redis grows with the calls already in its period.

``python -m tests.bench.allowances_redis`` -> ``bench/results/allowances-redis.md``

A team store on a real redis-server (loopback, no persistence) with a paid month pool
and a 5-hour window cap; after each batch of reserve+settle calls, the median time of
one more reserve+settle pair. Counting an allowance sums its draws since the period
start in the Lua script, so the month pool's cost grows with the month's calls; this
prints by how much. Cores are printed beside the times; nothing asserts a time.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from frugal_lsp.store.records import Allowance, CallRequest, Settlement
from tests.unit.store.conftest import SERVER, RedisServer, team_store

RESULTS = Path("bench/results/allowances-redis.md")
STEPS = (0, 1000, 5000, 10000)
SAMPLES = 30


def main() -> None:
    if SERVER is None:
        raise SystemExit("redis-server is not installed: apt-get install redis-server")
    now = time.time()
    allowances = (
        Allowance("month", 1e12, now - 86400, "p", key="p:month", pool=True, resets_at=now + 1e6),
        Allowance("5h", 1e12, now - 5 * 3600, "p", key="p:5h"),
    )
    call = CallRequest("p", "m", "basic", "ask", 90, 10, 1.0)
    done = Settlement(90, 5, 0, True, 95.0, None, "ok")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp))
        server.start()
        store = team_store(server.url, Path(tmp) / "m", uuid.uuid4().hex[:8], "bench@b")
        try:
            made = 0
            for step in STEPS:
                while made < step:
                    store.settle(store.reserve(call, allowances), done)
                    made += 1
                times = []
                for _ in range(SAMPLES):
                    start = time.perf_counter()
                    store.settle(store.reserve(call, allowances), done)
                    times.append((time.perf_counter() - start) * 1000)
                made += SAMPLES
                plain = []
                for _ in range(SAMPLES):
                    start = time.perf_counter()
                    store.settle(store.reserve(call, ()), done)
                    plain.append((time.perf_counter() - start) * 1000)
                made += SAMPLES
                rows.append((step, statistics.median(times), statistics.median(plain)))
                print(rows[-1], flush=True)
        finally:
            store.close()
            server.stop()
    lines = [
        "# Keyed allowances on Redis: reserve + settle time against calls already counted",
        "",
        f"Command: `python -m tests.bench.allowances_redis`; {os.cpu_count()} cores (shared"
        f" with other work), loopback redis-server, {_now()}.",
        f"Median of {SAMPLES} reserve+settle pairs, with a month pool and a 5-hour window cap"
        " (both counted by summing their draws), and with no allowance at all.",
        "",
        "| draws already in the period | with 2 allowances (ms) | without (ms) |",
        "|---:|---:|---:|",
        *[f"| {n:,} | {a:.2f} | {b:.2f} |" for n, a, b in rows],
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


if __name__ == "__main__":
    main()
