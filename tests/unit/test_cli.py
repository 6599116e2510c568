"""The CLI as a user runs it: a real process, a real config file, the fake over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.fake_provider import FakeProvider

SOURCE = """import os

API_TOKEN = "sk-proj-abcdefghijklmnopqrstuvwxyz012345"


def greet(name):
    greeting = "Hello, " + name
    return greeting
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[tuple[Path, FakeProvider]]:
    with FakeProvider(reply="It builds a greeting.") as fake:
        (tmp_path / "frugal.toml").write_text(
            f"""
[[providers]]
name = "fake"
base_url = "{fake.url}/v1"

[[models]]
name = "fake-basic"
provider = "fake"
tier = "basic"
input_price = 1.0
output_price = 2.0

[budget]
tokens = 100000
"""
        )
        (tmp_path / "hello.py").write_text(SOURCE)
        yield tmp_path, fake


def run(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FRUGAL_HOME": str(workspace / ".frugal")}
    return subprocess.run(
        [sys.executable, "-m", "frugal_lsp", *args],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_plan_json_follows_the_contract_and_sends_nothing(
    workspace: tuple[Path, FakeProvider],
) -> None:
    folder, fake = workspace
    result = run(folder, "plan", "hello.py", "--line", "7", "--character", "4", "--json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    for key in (
        "task",
        "language",
        "scope",
        "prompt_text",
        "prompt_tokens",
        "full_file_tokens",
        "max_output_tokens",
        "model",
        "estimated_cost",
        "redactions",
    ):
        assert key in plan
    assert plan["task"] == "completion" and plan["language"] == "python"
    assert plan["model"] == {"provider": "fake", "name": "fake-basic", "tier": "basic"}
    assert set(plan["scope"]) == {"kind", "name", "start_line", "end_line"}
    assert plan["prompt_tokens"] > 0 and plan["max_output_tokens"] <= 128
    assert fake.requests == []


def test_ask_answers_then_answers_the_repeat_from_the_cache(
    workspace: tuple[Path, FakeProvider],
) -> None:
    folder, fake = workspace
    args = ("ask", "hello.py", "--line", "5", "--end-line", "7", "--question", "What is it?")
    first = json.loads(run(folder, *args, "--json").stdout)
    assert first["answer"] == "It builds a greeting."
    assert first["cached"] is False and first["cost"] > 0
    assert first["prompt_tokens"] == fake.requests[0].prompt_tokens
    second = json.loads(run(folder, *args, "--json").stdout)
    assert second["cached"] is True and second["cost"] == 0
    assert len(fake.requests) == 1
    status = json.loads(run(folder, "status", "--json").stdout)
    assert status["calls"] == 1 and status["tokens_saved"] > 0
    assert status["used"] == pytest.approx(first["cost"])


def test_plain_ask_streams_the_answer_and_names_the_model(
    workspace: tuple[Path, FakeProvider],
) -> None:
    folder, _ = workspace
    result = run(folder, "ask", "hello.py", "--line", "5", "--question", "Explain")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("It builds a greeting.")
    assert "fake/fake-basic (basic)" in result.stdout


def test_invalid_config_exits_2_and_names_the_key(workspace: tuple[Path, FakeProvider]) -> None:
    folder, _ = workspace
    (folder / "frugal.toml").write_text('[budget]\nperiod = "fortnight"\n')
    result = run(folder, "status")
    assert result.returncode == 2
    assert "budget.period = 'fortnight': expected one of day | week | month" in result.stderr


def test_no_quota_exits_3_without_calling(workspace: tuple[Path, FakeProvider]) -> None:
    folder, fake = workspace
    toml = (folder / "frugal.toml").read_text().replace("tokens = 100000", "tokens = 10")
    (folder / "frugal.toml").write_text(toml)
    result = run(folder, "ask", "hello.py", "--line", "5", "--question", "Explain")
    assert result.returncode == 3 and "quota" in result.stderr
    assert fake.requests == []


def test_doctor_reports_config_and_providers(workspace: tuple[Path, FakeProvider]) -> None:
    folder, _ = workspace
    result = run(folder, "doctor")
    assert result.returncode == 0, result.stdout
    assert "✓ provider fake (openai" in result.stdout and "fake-basic" in result.stdout
    assert "reachable" in result.stdout and "UNREACHABLE" not in result.stdout


def test_doctor_says_when_a_provider_cannot_be_reached(
    workspace: tuple[Path, FakeProvider],
) -> None:
    folder, fake = workspace
    toml = (folder / "frugal.toml").read_text().replace(fake.url, "http://127.0.0.1:9")
    (folder / "frugal.toml").write_text(toml)
    result = run(folder, "doctor")
    assert result.returncode == 1
    assert "UNREACHABLE" in result.stdout and "cannot connect" in result.stdout


def test_init_writes_a_starter_that_doctor_accepts(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    assert run(tmp_path, "init").returncode == 0
    result = run(tmp_path, "doctor")
    assert "✓ config" in result.stdout and "$OPENAI_API_KEY NOT SET" in result.stdout
