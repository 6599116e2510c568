from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from frugal_lsp.errors import QuotaExhausted
from frugal_lsp.store.ledger import Allowance, CallRequest, Ledger, Settlement
from tests.processes import run_together


def reserve(ledger: Ledger, tokens: int = 100, cap: float | None = None, provider: str = "p"):
    allowances = (Allowance("budget", cap, 0.0),) if cap is not None else ()
    return ledger.reserve(CallRequest(provider, "m", "basic", "ask", tokens, 0, 1.0), allowances)


def ok(units: float) -> Settlement:
    return Settlement(int(units), 0, 0, True, units, None, "ok")


def test_one_call_leaves_exactly_one_settled_record(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3")
    r = reserve(ledger, 100)
    assert ledger.used(0) == 100  # the reservation counts before the answer arrives
    ledger.settle(r, ok(40))
    ledger.settle(r, ok(40))  # a second settle of the same call changes nothing
    rows = ledger.query("SELECT outcome, cost_units, reserved_units FROM calls")
    assert rows == [("ok", 40.0, 0.0)]
    assert ledger.used(0) == 40


def test_a_reservation_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3")
    reserve(ledger, 600, cap=1000)
    with pytest.raises(QuotaExhausted, match="400 of 1,000 units left"):
        reserve(ledger, 500, cap=1000)
    assert ledger.query("SELECT COUNT(*) FROM calls") == [(1,)]


def test_savings_are_not_spend(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3")
    ledger.record_saving("cache", 500, 500.0)
    assert ledger.used(0) == 0
    assert ledger.query("SELECT kind, tokens FROM savings") == [("cache", 500)]


def test_accepted_suggestions_count_once(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3")
    assert ledger.record_accepted("c1", None) is True
    assert ledger.record_accepted("c1", None) is False


def test_a_reservation_of_a_dead_process_is_released_on_next_open(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    script = textwrap.dedent(f"""
        import os
        from frugal_lsp.store.ledger import CallRequest, Ledger
        Ledger(__import__("pathlib").Path({str(path)!r})).reserve(
            CallRequest("p", "m", "basic", "ask", 700, 0, 1.0))
        os._exit(0)  # dies between reserve and settle
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    ledger = Ledger(path)
    assert ledger.used(0) == 0
    assert ledger.query("SELECT outcome FROM calls") == [("released",)]


def test_a_dead_process_call_that_was_sent_is_charged_its_reservation(tmp_path: Path) -> None:
    """Killed after its request left: the provider may have billed all of it, so it costs
    the reservation (prompt + every output token allowed); killed before: nothing."""
    path = tmp_path / "l.sqlite3"
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from frugal_lsp.store.ledger import CallRequest, Ledger
        ledger = Ledger(Path({str(path)!r}))
        unsent = ledger.reserve(CallRequest("p", "m", "basic", "ask", 300, 0, 1.0))
        sent = ledger.reserve(CallRequest("p", "m", "basic", "ask", 500, 200, 2.0))
        ledger.mark_sent(sent)
        os._exit(0)  # dies with both calls open
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    ledger = Ledger(path)
    rows = ledger.query(
        "SELECT est_prompt_tokens, outcome, cost_units, prompt_tokens, completion_tokens,"
        " usage_source, error FROM calls ORDER BY id"
    )
    assert rows[0][:3] == (300, "released", 0.0)
    assert "nothing was sent" in rows[0][6]
    assert rows[1][:6] == (500, "released", 1400.0, 500, 200, "reservation")
    assert "charged its reservation" in rows[1][6]
    assert ledger.used(0) == 1400.0
    assert ledger.totals(0).charged_unsettled == 1


def test_usage_source_is_recorded_with_each_settlement(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3")
    for source in (None, "estimated"):
        r = reserve(ledger, 100)
        ledger.settle(r, Settlement(100, 5, 0, True, 105.0, None, "ok", usage_source=source))
    ledger.settle(reserve(ledger, 100), Settlement(100, 5, 0, False, 105.0, None, "ok"))
    rows = ledger.query("SELECT usage_source FROM calls ORDER BY id")
    assert rows == [("reported",), ("estimated",), ("counted",)]
    assert ledger.totals(0).estimated == 1


RACER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from frugal_lsp.errors import QuotaExhausted
    from frugal_lsp.store.ledger import Allowance, CallRequest, Ledger, Settlement
    ledger = Ledger(Path(sys.argv[1]))
    cap, crash_after = float(sys.argv[2]), int(sys.argv[3])
    barrier, racers = Path(sys.argv[4]), int(sys.argv[5])
    (barrier / str(os.getpid())).touch()  # ready: wait for the others, then start together
    deadline = time.time() + 60  # (however slowly a loaded machine starts the processes)
    while len(list(barrier.iterdir())) < racers and time.time() < deadline:
        time.sleep(0.005)
    attempted = admitted = refused = 0
    for i in range(200):
        attempted += 1
        try:
            r = ledger.reserve(CallRequest("p", "m", "basic", "ask", 37, 13, 1.0),
                (Allowance("budget", cap, 0.0),))
        except QuotaExhausted:
            refused += 1
            continue
        admitted += 1
        if admitted == crash_after:  # dies between reserve and settle
            print(attempted, admitted, refused, flush=True)
            os._exit(1)
        time.sleep(0.002)  # the call is in flight: its reservation is held meanwhile
        # settle with the provider's (smaller) reported usage
        ledger.settle(r, Settlement(37, 5, 0, True, 42.0, None, "ok"))
    print(attempted, admitted, refused)
""")


def race(path: Path, cap: float, crash_after: list[int]) -> tuple[int, int, int]:
    """Processes racing to reserve under ``cap``; some die holding a reservation."""
    Ledger(path).close()
    barrier = path.parent / "ready"
    barrier.mkdir()
    n = str(len(crash_after))
    commands = [
        [sys.executable, "-c", RACER, str(path), str(cap), str(crash), str(barrier), n]
        for crash in crash_after
    ]
    exits = [1 if crash else 0 for crash in crash_after]
    outputs = [[int(n) for n in out.split()] for out in run_together(commands, exits)]
    return tuple(sum(o[i] for o in outputs) for i in range(3))  # type: ignore[return-value]


def test_four_processes_racing_a_hard_cap_never_exceed_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, cap = tmp_path / "race.sqlite3", 5000.0
    attempted, admitted, refused = race(path, cap, [0, 0, 0, 0])
    ledger = Ledger(path)
    spent = ledger.used(0)
    assert spent <= cap
    assert admitted == ledger.query("SELECT COUNT(*) FROM calls WHERE outcome='ok'")[0][0]
    assert attempted == admitted + refused == 800
    # the cap was actually reached: the last admitted call left less than one reservation
    assert cap - spent < 50
    with capsys.disabled():
        print(
            f"\nrace: 4 processes, {attempted} attempted, {admitted} admitted,"
            f" {refused} refused, spend {spent:,.0f} of cap {cap:,.0f}"
        )


def test_eight_racers_some_crashing_mid_call_never_exceed_the_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, cap = tmp_path / "race.sqlite3", 5000.0
    attempted, admitted, refused = race(path, cap, [0, 0, 0, 0, 0, 1, 2, 3])
    ledger = Ledger(path)  # the next start releases what the crashed processes held
    spent = ledger.used(0)
    outcomes = dict(ledger.query("SELECT outcome, COUNT(*) FROM calls GROUP BY outcome"))
    assert spent <= cap
    assert outcomes == {"ok": admitted - 3, "released": 3}
    assert attempted == admitted + refused
    with capsys.disabled():
        print(
            f"\nrace: 8 processes (3 crash mid-call), {attempted} attempted, {admitted} admitted,"
            f" {outcomes['released']} released, spend {spent:,.0f} of cap {cap:,.0f}"
        )


def test_settle_records_latency(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3")
    r = reserve(ledger)
    time.sleep(0.01)
    ledger.settle(r, ok(1))
    (latency,) = ledger.query("SELECT latency_ms FROM calls")[0]
    assert latency >= 10


def test_servers_starting_together_on_an_older_ledger_all_open_it(tmp_path: Path) -> None:
    """Several editor windows start at once: each opens the ledger, none trips on a migration."""
    path = tmp_path / "l.sqlite3"
    Ledger(path).close()
    older = sqlite3.connect(path, isolation_level=None)
    older.execute("ALTER TABLE calls DROP COLUMN full_file_tokens")  # as the first release had it
    older.execute("BEGIN IMMEDIATE")  # a writer is busy: the openers read, then queue up
    opener = "import sys,pathlib,frugal_lsp.store.ledger as q;q.Ledger(pathlib.Path(sys.argv[1]))"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", opener, str(path)], stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    time.sleep(1.5)  # all four have read the old columns and wait for the lock
    older.execute("COMMIT")
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], "\n".join(errors)
    columns = [row[1] for row in older.execute("PRAGMA table_info(calls)")]
    assert columns.count("full_file_tokens") == 1
