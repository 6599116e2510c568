"""A newcomer's mistakes, as a user makes them: each is one line on stderr and an exit code.

Real console script in a subprocess, real files, the fake provider over HTTP.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.fake_provider import FakeProvider
from tests.unit import test_cli
from tests.unit.test_cli import run

Workspace = tuple[Path, FakeProvider]
workspace = test_cli.workspace  # the fixture: a frugal.toml on the fake, and hello.py


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("plan", "nope.py", "--line", "0"), 2, "cannot read nope.py: no such file"),
        (("ask", "nope.py", "--line", "0", "--question", "q"), 2, "cannot read nope.py"),
        (("complete", "nope.py", "--line", "0"), 2, "cannot read nope.py"),
        (("plan", "src", "--line", "0"), 2, "cannot read src: it is a directory"),
        (("report", "--html", "/nonexistent-dir/r.html"), 2, "/nonexistent-dir does not exist"),
        (("report", "--html", "src"), 2, "is a directory"),
        (("serve", "--tcp", "127.0.0.1:99999"), 2, "a port from 1 to 65535"),
        (("serve", "--tcp", "localhost"), 2, "expected HOST:PORT"),
        (("report", "--days", "0"), 2, "--days: '0': expected a whole number of at least 1"),
        (("credits", "add", "-5"), 2, "'-5': expected a positive number of units"),
        (("status", "--config", "missing.toml"), 2, "--config missing.toml: no such file"),
        (("frobnicate",), 2, "invalid choice: 'frobnicate'"),
    ],
)
def test_everyday_mistakes_are_one_line_and_an_exit_code(
    workspace: Workspace, args: tuple[str, ...], code: int, says: str
) -> None:
    folder, fake = workspace
    (folder / "src").mkdir()
    result = run(folder, *args)
    assert result.returncode == code
    line = one_line(result)
    assert says in line
    assert "invalid configuration" not in line or args[0] == "status"
    assert fake.requests == []


def test_dash_capital_v_prints_the_version(workspace: Workspace) -> None:
    result = run(workspace[0], "-V")
    assert result.returncode == 0 and result.stdout.startswith("frugal-lsp 0.")


def test_a_broken_ledger_is_one_line_naming_it_and_the_traceback_needs_v(
    workspace: Workspace,
) -> None:
    folder, _ = workspace
    home = folder / ".frugal"
    home.mkdir()
    (home / "ledger.sqlite3").write_text("not a database")
    quiet = run(folder, "status")
    assert quiet.returncode == 1
    line = one_line(quiet)
    assert f"{home / 'ledger.sqlite3'} cannot be used (file is not a database)" in line
    assert "move it aside" in line
    verbose = run(folder, "status", "-v")
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


def run_into_closed_pipe(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`frugal-lsp ARGS | head -0`: the reader is gone before the first byte is written."""
    read, write = os.pipe()
    os.close(read)
    env = {**os.environ, "FRUGAL_HOME": str(folder / ".frugal")}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "frugal_lsp", *args],
            cwd=folder,
            env=env,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", proc.stderr)


def test_a_closed_pipe_ends_quietly_and_a_streamed_answer_is_still_settled(
    workspace: Workspace,
) -> None:
    folder, fake = workspace
    for args in (("status",), ("plan", "hello.py", "--line", "7")):
        result = run_into_closed_pipe(folder, *args)
        assert result.returncode == 141 and result.stderr == "", result.stderr
    result = run_into_closed_pipe(folder, "ask", "hello.py", "--line", "5", "--question", "Why?")
    assert result.returncode == 141 and result.stderr == "", result.stderr
    assert len(fake.requests) == 1
    with sqlite3.connect(folder / ".frugal" / "ledger.sqlite3") as db:
        outcomes = db.execute("SELECT outcome FROM calls").fetchall()
    assert outcomes == [("ok",)]  # settled, not left reserved


def test_global_options_work_before_and_after_the_subcommand(workspace: Workspace) -> None:
    folder, _ = workspace
    other = folder / "other.toml"
    other.write_text((folder / "frugal.toml").read_text().replace("100000", "777"))
    for args in (
        ("--config", str(other), "status", "--json"),
        ("status", "--json", "--config", str(other)),
    ):
        result = run(folder, *args)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["limit"] == 777
    log = folder / "serve.log"
    env = {**os.environ, "FRUGAL_HOME": str(folder / ".frugal")}
    served = subprocess.run(
        [sys.executable, "-m", "frugal_lsp", "serve", "--log-file", str(log), "-v"],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 0, served.stderr
    assert "DEBUG" in log.read_text()  # -v after `serve` took effect


def test_the_workspace_is_found_from_the_file_not_the_current_directory(
    workspace: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder, fake = workspace
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    target = str(folder / "hello.py")
    env = {**os.environ, "FRUGAL_HOME": str(folder / ".frugal")}
    result = subprocess.run(
        [sys.executable, "-m", "frugal_lsp", "plan", target, "--line", "7"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"config    {folder / 'frugal.toml'}" in result.stdout
    assert "model     fake/fake-basic (basic)" in result.stdout
    assert fake.requests == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("plan", "hello.py", "--line", "500"), "line 500 is outside hello.py, which has 9 line"),
        (("plan", "hello.py", "--line", "-1"), "line -1 is outside hello.py"),
        (
            ("plan", "hello.py", "--line", "5", "--character", "99"),
            "character 99 is outside line 5",
        ),
        (("complete", "hello.py", "--line", "42"), "line 42 is outside hello.py"),
        (
            ("ask", "hello.py", "--line", "400", "--end-line", "500", "--question", "q"),
            "line 400 is outside hello.py",
        ),
        (
            ("ask", "hello.py", "--line", "5", "--end-line", "500", "--question", "q"),
            "the selection's end: line 500 is outside",
        ),
        (
            ("ask", "hello.py", "--line", "7", "--end-line", "5", "--question", "q"),
            "the selection ends (line 5) before it starts (line 7)",
        ),
    ],
)
def test_positions_outside_the_file_are_refused_before_anything_is_spent(
    workspace: Workspace, args: tuple[str, ...], says: str
) -> None:
    folder, fake = workspace
    result = run(folder, *args)
    assert result.returncode == 2
    assert says in one_line(result)
    assert fake.requests == []
    assert json.loads(run(folder, "status", "--json").stdout)["used"] == 0


def test_a_missing_api_key_is_said_before_anything_is_sent(workspace: Workspace) -> None:
    folder, fake = workspace
    toml = (folder / "frugal.toml").read_text()
    (folder / "frugal.toml").write_text(
        toml.replace('name = "fake"\n', 'name = "fake"\napi_key_env = "FAKE_TEST_KEY"\n', 1)
    )
    result = run(folder, "ask", "hello.py", "--line", "5", "--question", "Why?")
    assert result.returncode == 2
    assert "$FAKE_TEST_KEY is not set — export it" in one_line(result)
    assert fake.requests == []
    status = json.loads(run(folder, "status", "--json").stdout)  # not "ok" meanwhile
    assert status["state"] == "error"
    assert status["message"].startswith("nothing can be sent: $FAKE_TEST_KEY is not set")
    unreachable = (folder / "frugal.toml").read_text().replace(fake.url, "http://127.0.0.1:9")
    (folder / "frugal.toml").write_text(unreachable)
    result = run(folder, "ask", "hello.py", "--line", "5", "--question", "Why?")
    line = one_line(result)
    assert "$FAKE_TEST_KEY is not set" in line and "cannot connect" not in line


def test_a_tier_nobody_configured_says_so_with_the_config_exit_code(workspace: Workspace) -> None:
    folder, fake = workspace
    args = ("ask", "hello.py", "--line", "5", "--question", "Why?", "--tier", "specialized")
    result = run(folder, *args)
    assert result.returncode == 2  # set-up, not "no quota left" (3)
    line = one_line(result)
    assert "no specialized model is configured for this request" in line
    assert 'add a [[models]] entry with tier = "specialized"' in line
    assert fake.requests == []
