"""`frugal-lsp eval` against the loopback fake: a basic model right on some files and wrong
on others, an advanced one right everywhere — the scorecard must say exactly that."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from frugal_lsp.config import load_config
from frugal_lsp.evaluation.mining import mine
from frugal_lsp.paths import StatePaths
from frugal_lsp.store.factory import open_scorecards
from tests.fakes.config import fake_models_toml
from tests.fakes.fake_provider import FakeProvider, Fault

LINE = re.compile(r"^(?:good|bad)_\w+_\d+ = compute\(\d+\)$")


def source(stem: str, n: int = 14) -> str:
    body = "\n".join(f"{stem}_{i} = compute({i})" for i in range(n))
    return f"from calc import compute\n\n{body}\n"


def masked_line(body: dict[str, Any]) -> tuple[str, str]:
    """(file stem, the masked line) found in the request: the one of 14 lines missing."""
    texts = [m["content"] for m in body.get("messages", [])]
    text = "\n".join([*texts, body.get("prompt", ""), body.get("suffix", "")])
    stem = re.search(r"\b((?:good|bad)_\w)_0 = compute", text) or re.search(
        r"\b((?:good|bad)_\w)_\d+ = compute", text
    )
    assert stem, text[:400]
    name = stem.group(1)
    for i in range(14):
        line = f"{name}_{i} = compute({i})"
        if line not in text:
            return name, line
    raise AssertionError("no line is missing: the truth leaked into the prompt")


def reply(body: dict[str, Any]) -> str:
    """fake-advanced: always right; fake-basic: right on good_* files, wrong on bad_*."""
    name, line = masked_line(body)
    if body["model"] == "fake-advanced" or name.startswith("good"):
        return line
    return "nothing_like_it()"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[tuple[Path, FakeProvider]]:
    with FakeProvider() as fake:
        fake.reply_fn = reply
        (tmp_path / "frugal.toml").write_text(
            fake_models_toml(fake.url) + '\n[context]\nexclude = ["secret_*.py"]\n'
        )
        for stem in ("good_a", "good_b", "bad_c"):
            (tmp_path / f"{stem}.py").write_text(source(stem))
        (tmp_path / "secret_d.py").write_text(source("bad_d"))
        (tmp_path / ".git").mkdir()
        yield tmp_path, fake


def run(ws: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FRUGAL_HOME": str(ws / ".frugal")}
    return subprocess.run(
        [sys.executable, "-m", "frugal_lsp", "eval", "--workspace", str(ws), *args],
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_mining_respects_exclusions_and_never_shows_the_truth(tmp_path: Path) -> None:
    for stem in ("good_a", "bad_c"):
        (tmp_path / f"{stem}.py").write_text(source(stem))
    (tmp_path / "secret_d.py").write_text(source("bad_d"))
    (tmp_path / "keys.py").write_text('TOKEN = "sk-proj-abcdefghijklmnopqrstuvwxyz012345"\n' * 12)
    tasks = mine(tmp_path, lambda p: p.name.startswith("secret_"), 10)
    assert {t.path.name for t in tasks} == {"good_a.py", "bad_c.py"}  # keys.py: redacted lines
    assert len(tasks) == 4  # two per file
    for t in tasks:
        assert LINE.match(t.truth) and t.truth not in t.text
    again = mine(tmp_path, lambda p: p.name.startswith("secret_"), 10)
    assert [t.name for t in tasks] == [t.name for t in again]  # a fixed seed


def test_eval_scores_each_model_and_keeps_a_scorecard(
    workspace: tuple[Path, FakeProvider],
) -> None:
    ws, fake = workspace
    done = run(ws, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    rows = {r["model"]: r for r in out["scorecard"]}
    basic, advanced = rows["fake/fake-basic"], rows["fake/fake-advanced"]
    assert out["tasks"] == basic["tasks"] == advanced["tasks"] == 6  # secret_d.py excluded
    assert advanced["exact"] == 1.0 and advanced["similarity"] == 1.0
    assert basic["exact"] == pytest.approx(4 / 6)
    assert basic["similarity"] < advanced["similarity"]
    assert all("bad_d" not in json.dumps(r.body) for r in fake.requests)
    assert len(fake.requests) == 12  # 6 tasks x 2 models, nothing cached, nothing twice
    # estimated cost per model came first, on stderr
    first = done.stderr.splitlines()[:4]
    assert "6 masked lines" in first[0] and "at most" in first[1]
    # units per correct = units spent / exact matches
    assert basic["units_per_correct"] == pytest.approx(basic["units_per_task"] * 6 / 4)
    # the ledger has one settled row per call, as any call
    db = sqlite3.connect(StatePaths.resolve(ws / ".frugal").ledger)
    calls = db.execute("SELECT outcome, cost_units FROM calls").fetchall()
    db.close()
    assert len(calls) == 12 and {c[0] for c in calls} == {"ok"}
    assert sum(c[1] for c in calls) == pytest.approx(out["spent_units"], abs=0.5)


def test_scorecard_survives_a_restart_and_prints_as_a_table(
    workspace: tuple[Path, FakeProvider],
) -> None:
    ws, _ = workspace
    assert run(ws, "--models", "fake-basic", "--tasks", "2").returncode == 0
    config = load_config(ws, None)
    store = open_scorecards(config, StatePaths.resolve(ws / ".frugal"))
    rows = store.rows()
    store.close()
    assert [(r.model, r.task, r.language, r.tasks) for r in rows] == [
        ("fake/fake-basic", "completion", "python", 2)
    ]
    table = run(ws, "--models", "fake/fake-advanced", "--tasks", "2")
    assert table.returncode == 0
    assert "fake/fake-advanced" in table.stdout and "units/correct" in table.stdout


def test_budget_stops_before_crossing_it(workspace: tuple[Path, FakeProvider]) -> None:
    ws, fake = workspace
    done = run(ws, "--json", "--budget", "1500")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["budget_stop"] and "stopped at the budget" in done.stderr
    assert out["spent_units"] <= 1500
    assert 0 < len(fake.requests) < 12


def test_unknown_model_names_the_configured_ones(workspace: tuple[Path, FakeProvider]) -> None:
    ws, _ = workspace
    done = run(ws, "--models", "gpt-9")
    assert done.returncode == 2
    assert "no model 'gpt-9'" in done.stderr and "fake/fake-basic" in done.stderr


def test_ctrl_c_keeps_finished_results(workspace: tuple[Path, FakeProvider]) -> None:
    ws, fake = workspace
    fake.inject(Fault("slow", count=100, delay=3.0))
    env = {**os.environ, "FRUGAL_HOME": str(ws / ".frugal")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "frugal_lsp", "eval", "--workspace", str(ws), "--json"],
        cwd=ws,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while len(fake.requests) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    kept = json.loads(out)
    assert kept["interrupted"] and "interrupted" in err
    assert 1 <= sum(r["tasks"] for r in kept["scorecard"]) < 12


def cli(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FRUGAL_HOME": str(ws / ".frugal")}
    return subprocess.run(
        [sys.executable, "-m", "frugal_lsp", *args, "--workspace", str(ws)],
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_status_doctor_and_report_say_what_the_scorecard_lacks(
    workspace: tuple[Path, FakeProvider],
) -> None:
    ws, _ = workspace
    assert "no scorecard yet" in cli(ws, "status").stdout
    assert "! scorecard: no scorecard yet" in cli(ws, "doctor").stdout
    assert run(ws, "--models", "fake-basic", "--tasks", "2").returncode == 0
    status = json.loads(cli(ws, "status", "--json").stdout)
    assert status["scorecard"] == [
        "no scorecard for fake/fake-advanced — run `frugal-lsp eval --models fake/fake-advanced`"
    ]
    page = cli(ws, "report", "--html").stdout
    assert "<h2>Scorecard (frugal-lsp eval)</h2>" in page and "fake/fake-basic" in page
    assert "fake/fake-basic" in cli(ws, "report").stdout


def test_a_scorecard_older_than_90_days_is_called_stale() -> None:
    from frugal_lsp.evaluation.scorecard import notes
    from frugal_lsp.store.scorecards import ScoreRow

    now = 1_800_000_000.0
    old = ScoreRow("p/m", "completion", "python", 5, 0.2, 0.5, 1, 2, 3, 4, 0, now - 91 * 86400)
    assert notes([old], ["p/m"], now) == [
        "scorecard is 91 days old (over 90) — run `frugal-lsp eval`"
    ]
    assert notes([old], ["p/m"], now - 2 * 86400) == []


def test_ask_task_design_goes_to_the_advanced_tier(workspace: tuple[Path, FakeProvider]) -> None:
    ws, fake = workspace
    fake.reply_fn = None
    fake.reply = "Split compute from the constants."
    args = ("ask", str(ws / "good_a.py"), "--line", "2", "--end-line", "5", "--json")
    done = cli(ws, *args, "--question", "How should this be structured?", "--task", "design")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["model"]["tier"] == "advanced"
    assert [r.model for r in fake.requests] == ["fake-advanced"]


def test_a_model_whose_key_is_unset_is_left_out_or_refused(
    workspace: tuple[Path, FakeProvider],
) -> None:
    ws, fake = workspace
    toml = ws / "frugal.toml"
    toml.write_text(
        toml.read_text().replace('base_url = "', 'api_key_env = "NO_SUCH_KEY_16"\nbase_url = "')
    )
    refused = run(ws, "--models", "fake-basic")
    assert refused.returncode == 2 and "$NO_SUCH_KEY_16 is not set" in refused.stderr
    everything = run(ws)
    assert everything.returncode == 2 and "left out" in everything.stderr
    assert fake.requests == []
