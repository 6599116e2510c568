"""RSS of a real `frugal-lsp serve` after a flood of didChange notifications.

    .venv/bin/python -m tests.bench.lsp_memory [--changes 20000] [--unopened]

Prints the server's resident memory before and after (from /proc), and after a
``frugal.status`` round trip proves every notification was read. pygls 2.1.1 kept a future
per notification (lsp/protocol.py works around it); this is the figure that showed it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.lsp_wire import RawServer


def flood(changes: int, unopened: bool) -> tuple[int, int, float]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        server = RawServer(root / "home", root)
        try:
            server.initialize()
            uri = (root / "a.py").as_uri()
            item = {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}
            server.send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                         "params": {"textDocument": item}})  # fmt: skip
            server.request(2, "workspace/executeCommand", {"command": "frugal.status"})
            before = server.rss_kb()
            started = time.monotonic()
            target = uri + ("-unopened" if unopened else "")
            span = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
            for version in range(2, changes + 2):
                params = {
                    "textDocument": {"uri": target, "version": version},
                    "contentChanges": [{"range": span, "text": " " if version % 2 else ""}],
                }
                server.send(
                    {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params}
                )
            server.request(
                3,
                "workspace/executeCommand",
                {"command": "frugal.status"},
            )
            elapsed = time.monotonic() - started
            return before, server.rss_kb(), elapsed
        finally:
            server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20_000)
    parser.add_argument("--unopened", action="store_true", help="changes to an unopened URI")
    args = parser.parse_args()
    before, after, elapsed = flood(args.changes, args.unopened)
    kind = "unopened-URI" if args.unopened else "valid"
    print(
        f"{args.changes:,} {kind} didChange: RSS {before / 1024:.1f} MB -> {after / 1024:.1f} MB"
        f" (+{(after - before) / 1024:.1f} MB) in {elapsed:.1f}s"
    )


if __name__ == "__main__":
    main()
