"""Every `frugal-lsp` command in README.md, run as written, so the README cannot drift.

Each ```sh block runs line by line in bash, in a fresh sample workspace (a 60-line
src/app.py, a frugal.toml on the loopback fake with a credits budget), with the console
script of this checkout first on PATH. A block that runs `frugal-lsp init` starts
without a frugal.toml, as its text says. `$ frugal-lsp ...` lines of the output samples
run too, and their output must begin like the sample does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.config import fake_models_toml
from tests.fakes.fake_provider import FakeProvider

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Command:
    line: str
    sample_start: str = ""  # the first word of the sample output, for `$ ` lines


def blocks() -> list[list[Command]]:
    found = []
    for lang, body in FENCE.findall(README.read_text(encoding="utf-8")):
        lines = body.splitlines()
        commands = [
            Command(line.replace(".venv/bin/frugal-lsp", "frugal-lsp"))
            for line in lines
            if lang == "sh" and re.match(r"\s*(\S*/)?(source <\()?frugal-lsp ", line)
        ]
        commands += [
            Command(line[2:], (lines[i + 1].split() or [""])[0] if i + 1 < len(lines) else "")
            for i, line in enumerate(lines)
            if line.startswith("$ frugal-lsp ")
        ]
        if commands:
            found.append(commands)
    return found


def test_the_readme_has_commands_to_run() -> None:
    every = [c.line for block in blocks() for c in block]
    assert len(every) >= 20
    for name in ("plan", "ask", "complete", "status", "report", "credits", "serve", "doctor"):
        assert any(line.lstrip().startswith(f"frugal-lsp {name}") for line in every), name


APP = "\n".join(f"def step_{i}(value):  # line {i}\n    return value + {i}" for i in range(30))


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider(reply="It may return None when value is falsy.") as provider:
        yield provider


def sample_workspace(root: Path, fake: FakeProvider, with_config: bool) -> Path:
    (root / "src").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "src" / "app.py").write_text(APP + "\n", encoding="utf-8")
    (root / "home" / ".config" / "fish" / "completions").mkdir(parents=True)
    if with_config:
        budget = '\n[budget]\ntokens = 100000\nperiod = "credits"\n'
        (root / "frugal.toml").write_text(fake_models_toml(fake.url) + budget, encoding="utf-8")
    return root


@pytest.mark.parametrize("number", range(len(blocks())))
def test_every_readme_command_runs_as_written(
    number: int, fake: FakeProvider, tmp_path: Path
) -> None:
    block = blocks()[number]
    starts_empty = any(" init" in c.line for c in block)
    root = sample_workspace(tmp_path / "ws", fake, with_config=not starts_empty)
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(root / "home"),
        "FRUGAL_HOME": str(root / "state"),
        "XDG_CONFIG_HOME": str(root / "home" / ".config"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
    }
    for command in block:
        result = subprocess.run(
            ["bash", "-c", command.line],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{command.line}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, command.line
        if command.sample_start:
            first = (result.stdout.split() or [""])[0]
            assert first == command.sample_start, f"{command.line}: {result.stdout[:200]}"
