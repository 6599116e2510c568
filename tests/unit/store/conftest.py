"""A real redis-server on a free loopback port for the team-store tests, and both backends.

The server runs in a temp dir without persistence (``--save '' --appendonly no``) unless
a test asks for AOF (a team's Redis keeps its data across a restart); it is stopped when
the test module ends. Without ``redis-server`` on PATH these tests are skipped, saying so.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from frugal_lsp.config import StoreConfig
from frugal_lsp.store.base import AnswerStore, LedgerStore
from frugal_lsp.store.embedded import DiskAnswers
from frugal_lsp.store.ledger import Ledger
from frugal_lsp.store.outbox import Outbox
from frugal_lsp.store.redis_shared import RedisAnswers
from frugal_lsp.store.team import TeamStore

SERVER = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(
    SERVER is None,
    reason="redis-server is not installed (apt-get install redis-server): team-store tests"
    " need a real one",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RedisServer:
    folder: Path
    persist: bool = False
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert SERVER is not None
        aof = ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else []
        self.proc = subprocess.Popen(
            [SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + (aof or ["--appendonly", "no"])
            + ["--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        client.close()

    def kill(self) -> None:
        """SIGKILL: no goodbye to the clients, as a crash or a lost network."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


def _server(folder: Path, persist: bool) -> Iterator[RedisServer]:
    if SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(folder, persist)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from _server(tmp_path_factory.mktemp("redis"), persist=False)


@pytest.fixture
def persistent_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A server of the test's own, with AOF, so a kill and restart keeps its data."""
    folder = tmp_path / "redis"
    folder.mkdir()
    yield from _server(folder, persist=True)


def team_store(
    url: str, folder: Path, namespace: str, member: str = "", **options: object
) -> TeamStore:
    config = StoreConfig(url=url, namespace=namespace, member=member, **options)  # type: ignore[arg-type]
    folder.mkdir(parents=True, exist_ok=True)
    local = Ledger(folder / f"team-{namespace}.sqlite3")
    return TeamStore(config, local, Outbox(folder / "team-outbox.sqlite3", namespace))


@dataclass
class Backend:
    """One backend as the engine opens it, plus how to open a second process's view."""

    name: str
    ledger: LedgerStore
    answers: AnswerStore
    reopen: object  # () -> LedgerStore: another member / process on the same store


@pytest.fixture(params=["embedded", pytest.param("team", marks=needs_redis)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "embedded":
        path = tmp_path / "l.sqlite3"
        found = Backend(
            "embedded", Ledger(path), DiskAnswers(tmp_path / "c", 16), lambda: Ledger(path)
        )
    else:
        server: RedisServer = request.getfixturevalue("redis_server")
        ns = uuid.uuid4().hex[:8]
        store = team_store(server.url, tmp_path / "a", ns, "alice@a")
        found = Backend(
            "team",
            store,
            RedisAnswers(store.client, store.prefix),
            lambda: team_store(server.url, tmp_path / "b", ns, "bob@b"),
        )
    yield found
    found.ledger.close()
    found.answers.close()
