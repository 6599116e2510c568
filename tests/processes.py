"""Run test child processes side by side and collect every one's output, even if one fails.

Race tests start several Python processes at once. Reading one child's output and failing
on it would leave the others running (their pipes then surface as ResourceWarnings in some
later, unrelated test); here each child is waited for, or killed, and a child that exits
with an unexpected code fails the test with its own stderr.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence


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
