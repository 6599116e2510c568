"""Bytes read after a request's deadline, and bytes read of an oversized reply.

    .venv/bin/python -m tests.bench.deadline [--deadline 2]
    PYTHONPATH=<other checkout>/server .venv/bin/python -m tests.bench.deadline  # before

A loopback fake drips a 200-word answer one word every 0.2 s (the read timeout never
trips), then answers a 64-token request with 10 MB. Bytes are counted on the wire
(an httpx transport that counts what it hands up), split at the deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator

import httpx

from frugal_lsp.config import ProviderConfig
from frugal_lsp.errors import ProviderError
from frugal_lsp.prompt import Message
from frugal_lsp.providers.base import ProviderRequest
from frugal_lsp.providers.factory import make_provider
from tests.fakes.fake_provider import FakeProvider

REQUEST = ProviderRequest("fake-model", (Message("user", "Explain this."),), max_tokens=64)


class Counting(httpx.AsyncBaseTransport):
    """The real transport, counting response bytes with the time each arrived."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.arrivals: list[tuple[float, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)

        async def counted() -> AsyncIterator[bytes]:
            async for chunk in stream:
                self.arrivals.append((time.monotonic(), len(chunk)))
                yield chunk

        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Stream(counted(), stream),
            extensions=response.extensions,
        )


class _Stream(httpx.AsyncByteStream):
    def __init__(self, chunks: AsyncIterator[bytes], inner: httpx.AsyncByteStream) -> None:
        self.chunks, self.inner = chunks, inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.chunks:
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


def config(fake: FakeProvider, deadline: float, timeout: float = 5.0) -> ProviderConfig:
    url = fake.url + "/v1"
    cfg = ProviderConfig(name="fake", kind="openai", base_url=url, timeout_s=timeout)
    if any(f.name == "deadline_s" for f in dataclasses.fields(ProviderConfig)):
        cfg = dataclasses.replace(cfg, deadline_s=deadline)  # type: ignore[call-arg]
    return cfg


async def drip(deadline: float) -> str:
    with FakeProvider(reply=" ".join(["word"] * 200)) as fake:
        fake.chunk_delay = 0.2
        counting = Counting()
        provider = make_provider(config(fake, deadline), counting)
        started = time.monotonic()
        outcome = "finished"
        try:
            async for _ in provider.stream(REQUEST):
                pass
        except ProviderError as exc:
            outcome = type(exc).__name__
        finally:
            await provider.aclose()
        held = time.monotonic() - started
        after = sum(n for t, n in counting.arrivals if t - started > deadline)
        return (
            f"dripping stream, deadline {deadline:g}s: held {held:.1f}s, {after:,} bytes read"
            f" after the deadline ({outcome})"
        )


async def huge() -> str:
    with FakeProvider(reply="lorem ipsum " * 850_000) as fake:  # 10 MB
        counting = Counting()
        provider = make_provider(config(fake, 120.0, timeout=120.0), counting)
        outcome = "read whole"
        try:
            await provider.complete(REQUEST)
        except ProviderError as exc:
            outcome = type(exc).__name__
        finally:
            await provider.aclose()
        read = sum(n for _, n in counting.arrivals)
        return f"10 MB reply to a 64-token request: {read:,} bytes read ({outcome})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=2.0)
    args = parser.parse_args()
    print(asyncio.run(drip(args.deadline)))
    print(asyncio.run(huge()))


if __name__ == "__main__":
    main()
