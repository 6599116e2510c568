"""Several allowances from the command line: `ask` draws the free one first, `status`
shows each in its unit, `report` says which paid what, per project."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.fake_provider import FakeProvider
from tests.unit import test_cli
from tests.unit.test_cli import run

workspace = test_cli.workspace  # the fixture: a frugal.toml on the fake, and hello.py
ASK = ("ask", "hello.py", "--line", "5", "--end-line", "7", "--question", "What is it?")


def test_free_first_status_and_report_from_the_cli(
    workspace: tuple[Path, FakeProvider],
) -> None:
    folder, fake = workspace
    toml = (
        (folder / "frugal.toml")
        .read_text()
        .replace(
            "\n[[models]]",
            '\n[[providers.quota]]\ntokens = 50\nperiod = "day"\nfree = true\n'
            '[[providers.quota]]\ntokens = 5000\nperiod = "project"\n'
            '[[providers.quota]]\nrequests = 300\nname = "premium"\ncap = true\n\n[[models]]',
            1,
        )
    )
    (folder / "frugal.toml").write_text(toml)
    first = run(folder, *ASK, "--json")
    assert first.returncode == 0, first.stderr
    cost = json.loads(first.stdout)["cost"]
    text = run(folder, "status").stdout
    assert "allowance free day allowance of `fake`: 50 of 50 tokens used" in text
    assert f"allowance project allowance of `fake`: {cost - 50:,.0f} of 5,000 tokens used" in text
    assert "allowance premium cap of `fake`: 1 of 300 premium requests used" in text
    wire = json.loads(run(folder, "status", "--json").stdout)
    (platform,) = wire["platforms"]
    assert [a["unit"] for a in platform["allowances"]] == ["tokens", "tokens", "premium requests"]
    report = run(folder, "report", "--days", "1")
    assert report.returncode == 0, report.stderr
    assert "Paid by allowance" in report.stdout and "fake:day:tokens:free" in report.stdout
    assert "(this project)" in report.stdout  # the project allowance's row, by folder name
    page = run(folder, "report", "--days", "1", "--html", str(folder / "r.html"))
    assert page.returncode == 0, page.stderr
    html = (folder / "r.html").read_text()
    assert "<h2>Paid by allowance</h2>" in html and "fake:project:tokens:paid" in html
    assert len(fake.requests) == 1


def test_credits_top_up_the_credits_allowance_among_several(
    workspace: tuple[Path, FakeProvider],
) -> None:
    folder, _ = workspace
    toml = (
        (folder / "frugal.toml")
        .read_text()
        .replace(
            "\n[[models]]",
            '\n[[providers.quota]]\ntokens = 1000\nperiod = "week"\nfree = true\n'
            '[[providers.quota]]\ntokens = 0\nperiod = "credits"\n\n[[models]]',
            1,
        )
    )
    (folder / "frugal.toml").write_text(toml)
    added = run(folder, "credits", "add", "500", "--provider", "fake")
    assert added.returncode == 0, added.stderr
    text = run(folder, "status").stdout
    assert "allowance credits allowance of `fake`: 0 of 500 tokens used" in text
