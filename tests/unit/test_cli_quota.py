"""Quota as the CLI shows it: the status never says "ok" while asks are refused, credits go
only where they count, alerts crossed from the CLI are seen there and do not hold its exit."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.fakes.fake_provider import FakeProvider
from tests.unit import test_cli
from tests.unit.quota.helpers import webhook_sink
from tests.unit.test_cli import run

Workspace = tuple[Path, FakeProvider]
workspace = test_cli.workspace  # the fixture: a frugal.toml on the fake, and hello.py
ASK = ("ask", "hello.py", "--line", "5", "--end-line", "7", "--question", "What is it?")


def set_budget(folder: Path, budget: str) -> None:
    toml = (folder / "frugal.toml").read_text()
    start = toml.index("[budget]")
    (folder / "frugal.toml").write_text(toml[:start] + budget)


def status(folder: Path) -> dict[str, object]:
    result = run(folder, "status", "--json")
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_status_is_not_ok_while_the_next_ask_would_be_refused(workspace: Workspace) -> None:
    folder, fake = workspace
    plan = json.loads(
        run(folder, "plan", "hello.py", "--line", "5", "--task", "ask", "--json").stdout
    )
    reserve = plan["estimated_cost"]  # prompt + 512 output tokens
    set_budget(folder, f"[budget]\ntokens = {reserve + 50:.0f}\n")
    assert status(folder)["state"] == "ok"  # the first ask fits
    first = run(folder, *ASK, "--json")
    assert first.returncode == 0, first.stderr

    now = status(folder)
    assert now["fraction"] < 0.5  # most of the budget is left ...
    assert now["state"] == "warning"  # ... and yet the next ask cannot be admitted
    assert "asks are refused: the next one reserves ~" in str(now["message"])
    assert "completions" not in str(now["message"])  # those still fit
    second = run(folder, "ask", "hello.py", "--line", "5", "--question", "Again?")
    assert second.returncode == 3 and "quota" in second.stderr
    assert len(fake.requests) == 1


def test_credits_go_only_to_a_credits_balance_and_can_be_taken_back(
    workspace: Workspace,
) -> None:
    folder, _ = workspace
    no_quota = run(folder, "credits", "add", "1000", "--provider", "fake")
    assert no_quota.returncode == 2
    assert "it has no [providers.quota]" in no_quota.stderr
    monthly = run(folder, "credits", "add", "1000")  # the budget's period is a month
    assert monthly.returncode == 2
    assert "the budget has period 'month', not a credits balance — nothing stored" in (
        monthly.stderr
    )
    assert "topped up" not in run(folder, "credits", "show").stdout

    set_budget(folder, '[budget]\ntokens = 500\nperiod = "credits"\n')
    assert (
        "balance 1,500 units (500 + 1,000 topped up)"
        in run(folder, "credits", "add", "1000").stdout
    )
    taken = run(folder, "credits", "remove", "400")
    assert "balance 1,100 units (500 + 600 topped up)" in taken.stdout, taken.stderr
    too_much = run(folder, "credits", "remove", "601")
    assert too_much.returncode == 2 and "only 600 units were topped up" in too_much.stderr
    text = run(folder, "status").stdout
    assert "of the credit balance" in text and "this credits" not in text


def test_an_alert_crossed_from_the_cli_is_shown_and_a_failing_webhook_is_tried_once(
    workspace: Workspace,
) -> None:
    folder, _ = workspace
    with webhook_sink(status=404) as sink:
        set_budget(
            folder, f'[budget]\ntokens = 100000\nalert_at = [0.001]\nwebhook = "{sink.url}"\n'
        )
        result = run(folder, *ASK)
    assert result.returncode == 0, result.stderr
    assert re.search(r"frugal-lsp: alert: AI budget \d+% used", result.stderr), result.stderr
    assert "alert not delivered: webhook: webhook answered HTTP 404" in result.stderr
    assert len(sink.received) == 1  # no 1 + 2 + 4 s of retries holding the exit
    assert sink.url not in result.stderr  # a webhook URL may carry a token
