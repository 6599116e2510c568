"""Footprint: start-up time to the ``initialize`` response, slow imports, and memory.

* start-up: spawn ``python -m frugal_lsp serve``, write ``initialize`` on its stdin at
  once, time until the response is read (raw JSON-RPC framing: no client library in the
  way); the median of several runs;
* imports: the same start-up once with ``-X importtime``: the slowest packages;
* memory: RSS (``/proc/PID/status`` VmRSS) after 50 open documents of 1,000 lines, each
  with one inline completion so the server holds its per-document state (text, parse
  tree, index).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.bench.harness import Editor, frugal_toml, running_server, server_pid
from tests.bench.overhead import sample_text
from tests.fakes.fake_provider import FakeProvider
from tests.processes import server_env

SERVE = [sys.executable, "-m", "frugal_lsp", "serve"]
DOCUMENTS, DOCUMENT_LINES = 50, 1000


@dataclass
class Startup:
    runs_ms: list[float]
    imports: list[tuple[str, float]]  # (package, cumulative ms), slowest first


def _frame(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(stream: IO[bytes]) -> dict[str, object]:
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return dict(json.loads(stream.read(length)))


def _initialize(workspace: Path) -> dict[str, object]:
    params = {"processId": os.getpid(), "rootUri": workspace.as_uri(), "capabilities": {}}
    return {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}


def time_startup(workspace: Path, home: Path, extra: list[str] | None = None) -> tuple[float, str]:
    """ms from spawning the server to reading its initialize response; and its stderr."""
    command = [sys.executable, *(extra or []), *SERVE[1:]]
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            env=server_env(home, home / "xdg-config"),
            cwd=workspace,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(_frame(_initialize(workspace)))
        proc.stdin.flush()
        while _read_message(proc.stdout).get("id") != 1:
            pass
        elapsed = (time.perf_counter() - start) * 1000
        proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        err.seek(0)
        return elapsed, err.read().decode(errors="replace")


_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def slowest_imports(stderr: str, top: int = 16) -> list[tuple[str, float]]:
    """Modules by cumulative import time (``-X importtime`` output), down to the modules
    that the server's own top modules import (two levels deep)."""
    found: dict[str, float] = {}
    for match in _IMPORT_LINE.finditer(stderr):
        cumulative, indent, name = int(match[2]), len(match[3]), match[4]
        if indent <= 5:  # importtime indents two spaces per level (after one space)
            found[name] = found.get(name, 0.0) + cumulative / 1000
    return sorted(found.items(), key=lambda kv: -kv[1])[:top]


def measure_startup(runs: int = 7) -> Startup:
    with tempfile.TemporaryDirectory(prefix="frugal-startup-") as tmp:
        workspace, home = Path(tmp, "ws"), Path(tmp, "home")
        workspace.mkdir()
        with FakeProvider() as fake:
            (workspace / "frugal.toml").write_text(frugal_toml(fake.url), "utf-8")
            time_startup(workspace, home)  # the first run writes .pyc files and the ledger
            times = [time_startup(workspace, home)[0] for _ in range(runs)]
            _, stderr = time_startup(workspace, home, ["-X", "importtime"])
    return Startup(times, slowest_imports(stderr))


def rss_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


async def measure_memory() -> dict[str, int]:
    """RSS (kB) after initialize, and after 50 documents of 1,000 lines with a completion."""
    text = sample_text(DOCUMENT_LINES)
    row = text.count("\n") // 2
    with (
        tempfile.TemporaryDirectory(prefix="frugal-rss-") as tmp,
        FakeProvider(reply="value + 1") as fake,
    ):
        workspace, home = Path(tmp, "ws"), Path(tmp, "home")
        workspace.mkdir()
        (workspace / "frugal.toml").write_text(frugal_toml(fake.url, 0), "utf-8")
        async with running_server(workspace, home) as client:
            pid = server_pid(client)
            idle = rss_kb(pid)
            editor = Editor(client)
            for i in range(DOCUMENTS):
                # each document differs (a comment line) so nothing is shared by accident
                uri = editor.open(workspace / f"doc{i:02d}.py", f"# {i}\n{text}", "python")
                line = text.splitlines()[row - 1]
                pending = editor.inline(uri, row, len(line))
                await editor.wait(pending, 10)
            loaded = rss_kb(pid)
    return {
        "idle_rss_kb": idle["VmRSS"],
        "rss_kb": loaded["VmRSS"],
        "peak_rss_kb": loaded["VmHWM"],
        "documents": DOCUMENTS,
        "lines": text.count("\n") + 1,
    }
