"""`doctor` fails the set-ups that would fail later: a missing model file, Redis down, alert
channels that cannot work. Real console script, real sockets."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.fake_provider import FakeProvider
from tests.unit import test_cli
from tests.unit.test_cli import run

Workspace = tuple[Path, FakeProvider]
workspace = test_cli.workspace  # the fixture: a frugal.toml on the fake, and hello.py


def test_doctor_fails_what_would_fail_later(workspace: Workspace) -> None:
    folder, _ = workspace
    toml = (folder / "frugal.toml").read_text()
    (folder / "frugal.toml").write_text(
        toml.replace("[budget]\n", '[budget]\nwebhook = "http://127.0.0.1:9/hooks/s3cr3t"\n')
        + """
[budget.email]
host = "127.0.0.1"
port = 9
to = ["me@example.test"]
password_env = "DOCTOR_TEST_SMTP_PASSWORD"

[[providers]]
name = "local"
kind = "llama-cpp"
model_path = "/nonexistent/model.gguf"

[store]
url = "redis://127.0.0.1:9/0"
namespace = "team-a"
"""
    )
    result = run(folder, "doctor")
    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert "✗ providers `local`.model_path = '/nonexistent/model.gguf': no such file" in out
    assert "✗ store: team store redis://127.0.0.1:9/0 (namespace `team-a`) is unreachable" in out
    assert "✗ alerts: webhook http://127.0.0.1:9: cannot connect" in out
    assert "s3cr3t" not in out  # a webhook path may carry a token
    assert "$DOCTOR_TEST_SMTP_PASSWORD (budget.email.password_env) is not set" in out


def test_doctor_checks_the_smtp_server_once_its_password_is_set(workspace: Workspace) -> None:
    folder, _ = workspace
    (folder / "frugal.toml").write_text(
        (folder / "frugal.toml").read_text()
        + '\n[budget.email]\nhost = "127.0.0.1"\nport = 9\nto = ["me@example.test"]\n'
    )
    result = run(folder, "doctor")
    assert result.returncode == 1
    assert "✗ alerts: e-mail via 127.0.0.1:9: cannot connect" in result.stdout
