"""A second real client: Neovim 0.7 headless, configured as docs/editors.md shows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.fake_provider import FakeProvider

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim not installed (.ci/run installs it)")
SESSION = Path(__file__).parent / "neovim" / "session.lua"


def test_neovim_gets_a_completion_item_actions_with_estimates_and_status(tmp_path: Path) -> None:
    server = Path(sys.executable).with_name("frugal-lsp")
    with FakeProvider(reply="return a + b") as fake:
        (tmp_path / "frugal.toml").write_text(
            f'[[providers]]\nname = "fake"\nbase_url = "{fake.url}/v1"\n'
            '[[models]]\nname = "fake-basic"\nprovider = "fake"\ntier = "basic"\n'
            "[budget]\ntokens = 100000\n[completion]\ndebounce_ms = 50\n"
        )
        (tmp_path / "calc.py").write_text("def add(a, b):\n    \n")
        env = {**os.environ, "FRUGAL_SERVER": str(server), "FRUGAL_HOME": str(tmp_path / "h")}
        result = subprocess.run(
            [str(NVIM), "--headless", "-u", "NONE", "-c", f"luafile {SESSION}"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        requests = fake.requests
    lines = (result.stdout + result.stderr).splitlines()
    assert "COMPLETION return a + b | frugal · fake/fake-basic · basic" in lines, lines
    actions = [line for line in lines if line.startswith("ACTION ")]
    assert actions[0].startswith("ACTION Ask about selection (~")
    assert actions[0].endswith(" tokens, basic)")
    assert any(line.startswith("STATUS ") and line.endswith(" ok") for line in lines), lines
    assert len(requests) == 1  # the completion; listing actions spent nothing
