"""The fake provider as a separate process, steered over its admin endpoints."""

from __future__ import annotations

import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from frugal_lsp.errors import ProviderUnavailable
from tests.unit.providers.conftest import REQUEST, Clients

ROOT = Path(__file__).resolve().parents[3]


class Remote:
    """What a test sees of a fake provider running in another process."""

    def __init__(self, url: str) -> None:
        self.url = url


@pytest.fixture
def remote() -> Iterator[Remote]:
    command = [sys.executable, "-m", "tests.fakes.fake_provider", "--port", "0"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        assert ready, "the fake provider printed no URL"
        yield Remote(proc.stdout.readline().strip())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


async def test_fake_in_another_process_is_steered_over_http(
    remote: Remote, clients: Clients
) -> None:
    assert remote.url.startswith("http://127.0.0.1:")
    provider = clients.make("openai", remote)  # type: ignore[arg-type]
    with httpx.Client(base_url=remote.url) as admin:
        admin.post("/_admin/reply", json={"text": "from another process"}).raise_for_status()
        admin.post("/_admin/fault", json={"kind": "503", "count": 1}).raise_for_status()

        with pytest.raises(ProviderUnavailable, match="503"):
            await provider.complete(REQUEST)
        assert (await provider.complete(REQUEST)).text == "from another process"

        logged = admin.get("/_admin/requests").json()
        assert [r["fault"] for r in logged] == ["503", None]
        assert logged[1]["path"] == "/v1/chat/completions" and logged[1]["prompt_tokens"] > 0
        assert admin.post("/_admin/fault", json={"kind": "nonsense"}).status_code == 400
        admin.post("/_admin/reset").raise_for_status()
        assert admin.get("/_admin/requests").json() == []
