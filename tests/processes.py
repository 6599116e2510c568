"""Child processes of the tests: the environment a server under test gets, and racers.

``server_env`` keeps nothing of this machine's keys or user config.

Race tests start several Python processes at once. Reading one child's output and failing
on it would leave the others running (their pipes then surface as ResourceWarnings in some
later, unrelated test); ``run_together`` waits for (or kills) each child, and a child that
exits with an unexpected code fails the test with its own stderr.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

KEPT = ("PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR", "FRUGAL_LOCAL_MODEL", "FRUGAL_MODELS_DIR")


def server_env(home: Path, config_home: Path) -> dict[str, str]:
    """A server's environment: no API keys or user config from this machine, its own
    FRUGAL_HOME and XDG config folder."""
    env = {k: v for k, v in os.environ.items() if k in KEPT}
    return env | {"FRUGAL_HOME": str(home), "XDG_CONFIG_HOME": str(config_home)}


def run_together(
    commands: Sequence[Sequence[str]], exits: Sequence[int] | None = None, timeout: float = 120
) -> list[str]:
    """Start ``commands`` at once; return each one's stdout once all have exited as expected."""
    expected = list(exits) if exits is not None else [0] * len(commands)
    procs = [
        subprocess.Popen(list(c), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    try:
        outputs = [p.communicate(timeout=timeout) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    failed = [
        f"child {n} exited {p.returncode} (expected {want}):\n{err}"
        for n, (p, want, (_, err)) in enumerate(zip(procs, expected, outputs, strict=True))
        if p.returncode != want
    ]
    assert not failed, "\n".join(failed)
    return [out for out, _ in outputs]
