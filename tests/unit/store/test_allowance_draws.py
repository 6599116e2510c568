"""Several allowances per platform in the stores: which one paid each unit, all checked in
one atomic step, on the SQLite ledger and on Redis; processes racing them never overshoot."""

from __future__ import annotations

import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from frugal_lsp.errors import QuotaExhausted
from frugal_lsp.store.ledger import Ledger
from frugal_lsp.store.records import Allowance, CallRequest, Settlement
from tests.processes import run_together
from tests.unit.store.conftest import Backend, needs_redis, team_store

NOW = time.time()


def call(units: int = 50, project: str = "") -> CallRequest:
    return CallRequest("general", "m", "basic", "ask", units - 10, 10, 1.0, project=project)


def ok(cost: float) -> Settlement:
    return Settlement(30, 5, 0, True, cost, None, "ok")


FREE = Allowance("free day", 120, NOW - 3600, "general", key="g:free", pool=True, free=True,
                 resets_at=NOW + 3600)  # fmt: skip
PAID = Allowance("paid month", 1000, NOW - 86400, "general", key="g:paid", pool=True,
                 resets_at=NOW + 20 * 86400)  # fmt: skip
WINDOW = Allowance("5h window", 300, NOW - 5 * 3600, "general", key="g:5h")
PREMIUM = Allowance("premium", 2, NOW - 86400, "general", key="g:premium", unit="premium requests",
                    need=1.0, pool=False)  # fmt: skip


def used(ledger: object, allowance: Allowance) -> float:
    return ledger.allowance_used(allowance)[0]  # type: ignore[attr-defined, no-any-return]


def test_free_pays_first_then_paid_and_the_window_counts_every_call(backend: Backend) -> None:
    ledger, allowances = backend.ledger, (FREE, PAID, WINDOW)
    first = ledger.reserve(call(), allowances)
    assert (used(ledger, FREE), used(ledger, PAID), used(ledger, WINDOW)) == (50, 0, 50)
    ledger.settle(first, ok(40.0))  # settled below the reservation: the free draw follows
    assert (used(ledger, FREE), used(ledger, WINDOW)) == (40, 40)
    second = ledger.reserve(call(), allowances)
    ledger.settle(second, ok(50.0))
    third = ledger.reserve(call(), allowances)  # 30 free left: 30 free, 20 paid
    ledger.settle(third, ok(50.0))
    assert (used(ledger, FREE), used(ledger, PAID), used(ledger, WINDOW)) == (120, 20, 140)
    assert ledger.used(0, "general") == 140  # the calls themselves counted once
    for _ in range(3):
        ledger.settle(ledger.reserve(call(), allowances), ok(50.0))
    with pytest.raises(QuotaExhausted, match="5h window: 10 of 300 tokens left"):
        ledger.reserve(call(), allowances)  # the window is full while the month has room
    other = backend.reopen()  # type: ignore[operator]
    assert used(other, PAID) == 170 and used(other, WINDOW) == 290  # another member sees it
    other.close()


def test_request_cap_counts_requests_and_a_released_call_counts_none(backend: Backend) -> None:
    ledger, allowances = backend.ledger, (PAID, PREMIUM)
    ledger.settle(ledger.reserve(call(), allowances), ok(45.0))
    never_sent = ledger.reserve(call(), allowances)
    ledger.settle(never_sent, Settlement(0, 0, 0, False, 0.0, None, "cancelled"))
    assert used(ledger, PREMIUM) == 1.0 and used(ledger, PAID) == 45
    ledger.settle(ledger.reserve(call(), allowances), ok(45.0))
    with pytest.raises(QuotaExhausted, match="premium: 0 of 2 premium requests left"):
        ledger.reserve(call(), allowances)


def test_a_project_allowance_is_per_project(backend: Backend) -> None:
    def project(pid: str) -> Allowance:
        return Allowance("project", 100, 0.0, "general", key="g:project", pool=True, project=pid)

    ledger = backend.ledger
    ledger.settle(ledger.reserve(call(60, "a"), (project("a"),)), ok(60.0))
    with pytest.raises(QuotaExhausted, match="40 of 100 tokens left"):
        ledger.reserve(call(60, "a"), (project("a"),))
    ledger.settle(ledger.reserve(call(60, "b"), (project("b"),)), ok(60.0))
    assert used(ledger, project("a")) == 60 and used(ledger, project("b")) == 60


def test_rolling_window_oldest_spend_is_known(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3")
    before = time.time()
    ledger.settle(ledger.reserve(call(), (WINDOW,)), ok(50.0))
    count, oldest = ledger.allowance_used(WINDOW)
    assert count == 50 and oldest is not None and before <= oldest <= time.time()
    later = Allowance("5h window", 300, time.time() + 1, "general", key="g:5h")
    assert ledger.allowance_used(later) == (0.0, None)  # it dropped out of the window
    ledger.close()


MEMBER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from frugal_lsp.errors import QuotaExhausted
    from frugal_lsp.store.ledger import Ledger
    from frugal_lsp.store.records import Allowance, CallRequest, Settlement
    from tests.unit.store.conftest import team_store
    kind, where, url, ns, member = sys.argv[1:6]
    start = float(sys.argv[6])
    if kind == "embedded":
        ledger = Ledger(Path(where))
    else:
        ledger = team_store(url, Path(where) / member, ns, member)
    now = time.time()
    allowances = (
        Allowance("free", 1000, 0.0, "p", key="p:free", pool=True, free=True, resets_at=now + 3600),
        Allowance("paid", 2000, 0.0, "p", key="p:paid", pool=True, resets_at=now + 86400),
        Allowance("window", 2500, 0.0, "p", key="p:window"),
        Allowance("premium", 10**6, 0.0, "p", key="p:premium", unit="premium requests", need=1.0),
    )
    time.sleep(max(start - time.time(), 0))  # everyone starts together
    attempted = admitted = 0
    for i in range(120):
        attempted += 1
        try:
            r = ledger.reserve(CallRequest("p", "m", "basic", "ask", 37, 13, 1.0), allowances)
        except QuotaExhausted:
            continue
        admitted += 1
        time.sleep(0.002)
        ledger.settle(r, Settlement(37, 5, 0, True, 42.0, None, "ok"))
    ledger.close()
    print(attempted, admitted)
""")


@pytest.mark.parametrize("kind", ["embedded", pytest.param("team", marks=needs_redis)])
def test_members_racing_several_allowances_never_overshoot_any(
    kind: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    members, ns = 4, uuid.uuid4().hex[:8]
    url = request.getfixturevalue("redis_server").url if kind == "team" else ""
    where = tmp_path / ("race.sqlite3" if kind == "embedded" else "homes")
    if kind == "embedded":
        Ledger(where).close()
    start = time.time() + 1.5
    commands = [
        [sys.executable, "-c", MEMBER, kind, str(where), url, ns, f"m{i}@h{i}", str(start)]
        for i in range(members)
    ]
    outputs = [[int(n) for n in out.split()] for out in run_together(commands)]
    attempted, admitted = (sum(o[i] for o in outputs) for i in range(2))
    ledger = Ledger(where) if kind == "embedded" else team_store(url, tmp_path / "v", ns, "v")
    names = ("free", "paid", "window", "premium")
    counts = {n: ledger.allowance_used(Allowance(n, 0, 0.0, "p", key=f"p:{n}"))[0] for n in names}
    spent = ledger.used(0)
    ledger.close()
    with capsys.disabled():
        print(
            f"\nallowance race ({kind}): {members} members, {attempted} attempted,"
            f" {admitted} admitted, spend {spent:,.0f}; counted {counts}"
        )
    assert counts["free"] <= 1000 and counts["paid"] <= 2000 and counts["window"] <= 2500
    assert counts["free"] == pytest.approx(1000)  # free went first, and was used up
    assert spent == admitted * 42 == pytest.approx(counts["window"])  # each call counted once
    assert counts["free"] + counts["paid"] == pytest.approx(spent)  # pools paid it exactly
    assert counts["premium"] == admitted
    assert 2500 - spent < 50  # the window cap was the binding one, and it was reached


@needs_redis
def test_calls_made_while_redis_was_away_bring_their_draws_to_the_team(tmp_path: Path) -> None:
    from tests.unit.store.conftest import RedisServer

    server = RedisServer(tmp_path / "srv")
    server.folder.mkdir()
    store = team_store(server.url, tmp_path / "m", "t", "mia@m", fallback="local", retry_s=0.05)
    project = Allowance("project", 1000, 0.0, "general", key="g:project", pool=True, project="p1")
    allowances = (FREE, project, WINDOW)
    try:
        for _ in range(3):
            reservation = store.reserve(call(project="p1"), allowances)
            assert reservation.where == "local"
            store.settle(reservation, ok(50.0))
        server.start()
        time.sleep(0.06)
        assert store.used(0) == 150 and store.online and store.outbox.count() == 0
        # the team's own counts per allowance: what the local calls drew
        assert (used(store.remote, FREE), used(store.remote, project)) == (120, 30)
        assert used(store.remote, WINDOW) == 150
    finally:
        store.close()
        server.stop()


def test_counts_agree_whatever_the_start_falls_on(backend: Backend) -> None:
    """Redis sums exact draws in a partial quarter hour and counters after it; both
    stores must give the same count for a start in the quarter, before it, or at 0."""
    ledger = backend.ledger
    start = time.time()
    for cost in (40.0, 50.0, 30.0):
        ledger.settle(ledger.reserve(call(), (PAID,)), ok(cost))
    end = time.time()
    for since in (0.0, start - 1, start - 3600, start - 3 * 86400):
        assert used(ledger, Allowance("paid", 1000, since, "general", key="g:paid")) == 120
    assert used(ledger, Allowance("paid", 1000, end + 1, "general", key="g:paid")) == 0
    open_one = ledger.reserve(call(), (PAID,))  # an open reservation counts from any start
    assert used(ledger, Allowance("paid", 1000, end + 1, "general", key="g:paid")) == 50
    ledger.settle(open_one, ok(10.0))
    assert used(ledger, Allowance("paid", 1000, 0.0, "general", key="g:paid")) == 130
