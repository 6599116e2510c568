"""Redactions over a tree of code nobody planted secrets in: false positives and time.

    .venv/bin/python -m tests.bench.redaction_scan [ROOT] [--files 1500] [--show]

ROOT defaults to this Python's standard library. Every redaction there is a false
positive unless a test file plants one on purpose; ``--show`` prints the changed lines of
the assignment and .netrc kinds (the ones that read config-file syntax).
"""

from __future__ import annotations

import argparse
import collections
import re
import sysconfig
import time
from pathlib import Path

from frugal_lsp.context.redact import redact

_KIND = re.compile(r"<redacted:([a-z-]+)>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    kinds: collections.Counter[str] = collections.Counter()
    spent, files, shown = 0.0, 0, []
    for path in sorted(Path(args.root).rglob("*.py"))[: args.files]:
        text = path.read_text(encoding="utf-8", errors="replace")
        started = time.perf_counter()
        redacted = redact(text).text
        spent += time.perf_counter() - started
        files += 1
        kinds.update(_KIND.findall(redacted))
        for before, after in zip(text.splitlines(), redacted.splitlines(), strict=False):
            if before != after and ("assigned-secret" in after or "netrc" in after):
                shown.append(f"{path.name}: {before.strip()[:100]}")
    total = sum(kinds.values())
    print(f"{files:,} files, {total} redactions in {spent:.2f}s: {dict(kinds)}")
    if args.show:
        print("\n".join(shown))


if __name__ == "__main__":
    main()
