"""`frugal-lsp report` and `credits` as a user runs them: a real process over a real ledger."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from frugal_lsp.paths import StatePaths
from frugal_lsp.store.ledger import Ledger
from tests.unit.quota.helpers import spend

CONFIG = """
[[providers]]
name = "openai"
base_url = "http://127.0.0.1:9/v1"

[[providers]]
name = "anthropic"
kind = "anthropic"
base_url = "http://127.0.0.1:9"
[providers.quota]
tokens = 1000
period = "credits"

[budget]
tokens = 1000000
"""


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FRUGAL_HOME": str(folder / "home"), "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "frugal_lsp", "--workspace", str(folder), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )


def seeded(tmp_path: Path) -> Ledger:
    (tmp_path / "frugal.toml").write_text(CONFIG)
    ledger = Ledger(StatePaths.resolve(tmp_path / "home").ledger)
    now = time.time()
    for day in range(5):
        spend(ledger, 1000 + day, now - day * 86400, "openai", "completion", "gpt-4o-mini")
        spend(ledger, 250, now - day * 86400 - 60, "anthropic", "ask", "claude", 900)
    spend(ledger, 7777, now - 40 * 86400, "openai")  # outside the report's 7 days
    ledger.record_saving("cache", 321, 321.0)
    ledger.record_accepted("c1", None)
    return ledger


def test_the_html_report_holds_the_chart_and_totals_matching_the_ledger(tmp_path: Path) -> None:
    ledger = seeded(tmp_path)
    out = tmp_path / "report.html"
    run(tmp_path, "report", "--days", "7", "--html", str(out))
    page = out.read_text()
    assert page.startswith("<!doctype html>") and "<svg" in page and "</svg>" in page
    assert page.count("<rect") >= 10 + 2  # a bar per platform and day, the legend
    since = time.time() - 6 * 86400 - 86400
    (me,) = ledger.members(since)  # the embedded ledger has one member: this machine
    units, calls = me.units, me.calls
    assert units == 5 * 1250 + 10
    assert f"<b>{units:,.0f}</b>units" in page and f"<b>{calls:,}</b>calls" in page
    assert "<td>openai</td><td>5,010</td>" in page and "<td>anthropic</td><td>1,250</td>" in page
    assert "<td>scope-vs-full-file</td><td>3,250</td>" in page
    assert "<td>cache</td><td>321</td>" in page
    assert "<b>5,010.0</b>units per accepted suggestion" in page
    stdout = run(tmp_path, "report", "--html").stdout  # what the VS Code client reads
    assert stdout.startswith("<!doctype html>") and "<svg" in stdout


def test_the_terminal_report_has_a_chart_per_day_and_the_breakdowns(tmp_path: Path) -> None:
    seeded(tmp_path)
    text = run(tmp_path, "report", "--days", "7").stdout
    assert "Last 7 days: 6,260 units in 10 calls" in text
    assert len(re.findall(r"█+", text)) >= 5
    for title in ("Units per day", "Usage per model", "Usage per platform", "Usage per task"):
        assert title in text
    assert "openai/gpt-4o-mini" in text and "completion" in text


def test_credits_top_up_a_balance_in_the_ledger(tmp_path: Path) -> None:
    ledger = seeded(tmp_path)
    before = run(tmp_path, "credits", "show").stdout
    assert "provider `anthropic`: balance 1,000 units (1,000 + 0 topped up), 1,250 used" in before
    after = run(tmp_path, "credits", "add", "2500", "--provider", "anthropic").stdout
    assert "balance 3,500 units (1,000 + 2,500 topped up), 1,250 used, 2,250 left" in after
    assert ledger.credits("anthropic")[0] == 2500
    status = run(tmp_path, "status").stdout
    assert "platform  anthropic: 1,250 / 3,500 units (36%)" in status
    assert "pacing    step 0 normal" in status and "peaks" in status and "forecast" in status
