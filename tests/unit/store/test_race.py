"""Members on several processes racing one hard cap: spend never exceeds it, on either backend."""

from __future__ import annotations

import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from frugal_lsp.store.ledger import Ledger
from tests.processes import run_together
from tests.unit.store.conftest import needs_redis, team_store

MEMBER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from frugal_lsp.errors import QuotaExhausted
    from frugal_lsp.store.ledger import Ledger
    from frugal_lsp.store.records import Allowance, CallRequest, Settlement
    from tests.unit.store.conftest import team_store
    kind, where, url, ns, member = sys.argv[1:6]
    cap, start = float(sys.argv[6]), float(sys.argv[7])
    if kind == "embedded":
        ledger = Ledger(Path(where))
    else:
        ledger = team_store(url, Path(where) / member, ns, member)
    time.sleep(max(start - time.time(), 0))  # everyone starts together
    attempted = admitted = 0
    for i in range(150):
        attempted += 1
        try:
            r = ledger.reserve(CallRequest("p", "m", "basic", "ask", 37, 13, 1.0),
                (Allowance("budget", cap, 0.0),))
        except QuotaExhausted:
            continue
        admitted += 1
        time.sleep(0.002)  # the call is in flight: its reservation is held meanwhile
        ledger.settle(r, Settlement(37, 5, 0, True, 42.0, None, "ok"))
    ledger.close()
    print(attempted, admitted)
""")


@pytest.mark.parametrize("kind", ["embedded", pytest.param("team", marks=needs_redis)])
def test_members_racing_a_team_cap_never_exceed_it(
    kind: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    members, cap, ns = 4, 5000.0, uuid.uuid4().hex[:8]
    url = request.getfixturevalue("redis_server").url if kind == "team" else ""
    where = tmp_path / ("race.sqlite3" if kind == "embedded" else "homes")
    if kind == "embedded":
        Ledger(where).close()
    start = time.time() + 1.5
    args = [str(where), url, ns]
    names = [f"m{i}@host{i}" for i in range(members)]
    commands = [[sys.executable, "-c", MEMBER, kind, *args, n, str(cap), str(start)] for n in names]
    outputs = [[int(n) for n in out.split()] for out in run_together(commands)]
    attempted, admitted = (sum(o[i] for o in outputs) for i in range(2))
    ledger = Ledger(where) if kind == "embedded" else team_store(url, tmp_path / "v", ns, "v")
    spent = ledger.used(0)
    per_member = {m.member: m.calls for m in ledger.members(0)}
    ledger.close()
    with capsys.disabled():
        print(
            f"\nrace ({kind}): {members} members, {attempted} attempted, {admitted} admitted,"
            f" spend {spent:,.0f} of cap {cap:,.0f}; calls per member {per_member}"
        )
    assert spent <= cap
    assert spent == admitted * 42  # every admitted call settled exactly once
    assert cap - spent < 50  # the cap was reached: the last call left less than one more
    if kind == "team":
        # Each member's admitted calls, as the team sees them. A member whose process started
        # after the cap was spent (a loaded machine) admitted none and has no row.
        assert per_member == {n: o[1] for n, o in zip(names, outputs, strict=True) if o[1]}
