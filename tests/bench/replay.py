"""Replay the keystroke trace against a real ``frugal-lsp serve`` and the loopback fake.

Time: the server's debounce, cancellation and every await are real. The user's gaps are
not slept in full, to keep the run short:

* a gap shorter than the server's debounce is replayed as ~1 ms: the request it follows
  is superseded whether the gap was 40 ms or 140 ms, so only the order matters;
* a gap at least as long as the debounce is replayed in real time until the pending
  request is answered (or the gap is over, whichever comes first); then the clock jumps
  to the next keystroke, because nothing else is pending in the server.

So the server sees every keystroke, every cancel, and real time wherever its decisions
depend on it. A pause is *served* when the request sent right before it was answered
with a suggestion within the pause.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frugal_lsp.tokens import counter
from tests.bench.harness import COEFFICIENTS, Editor, Pending, frugal_toml, running_server
from tests.bench.trace import Keystroke, Session
from tests.fakes.fake_provider import FakeProvider

ASK_QUESTION = "What does this function do, and how can it fail?"
ASK_REPLY = (
    "It walks the input once, building the result as it goes, and returns it. It fails "
    "when an argument has the wrong type (a TypeError from the first operation on it) or "
    "when the underlying resource is missing; callers should check the return value, "
    "which can be None when nothing matched."
)
DEFAULT_DEBOUNCE_MS = 150


@dataclass
class Oracle:
    """What the fake model answers: the trace's reply for the keystroke being served."""

    current: str = "pass"
    replies: list[tuple[str, str]] = field(default_factory=list)  # (model, text)

    def __call__(self, body: dict[str, Any]) -> str:
        text = self.current
        self.replies.append((str(body.get("model")), text))
        return text


@dataclass
class Usage:
    requests: int = 0
    prompt_tokens: int = 0
    output_tokens: int = 0
    cost_units: float = 0.0

    def add(self, prompt: int, output: int, coefficient: float) -> None:
        self.requests += 1
        self.prompt_tokens += prompt
        self.output_tokens += output
        self.cost_units += (prompt + output) * coefficient

    def __iadd__(self, other: Usage) -> Usage:
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.output_tokens += other.output_tokens
        self.cost_units += other.cost_units
        return self


@dataclass
class ReplayResult:
    completion: Usage
    asks: Usage
    keystrokes: int
    pauses: int
    served: int
    wall_s: float
    ask_cached: list[bool]
    pause_latency_ms: list[float]

    @property
    def total(self) -> Usage:
        out = Usage()
        out += self.completion
        out += self.asks
        return out


def usage_since(fake: FakeProvider, oracle: Oracle, first: int) -> Usage:
    """Provider requests logged from index ``first`` on, paired with the oracle's replies."""
    count = counter()
    usage = Usage()
    for request, (_, text) in zip(fake.requests[first:], oracle.replies[first:], strict=False):
        coefficient = COEFFICIENTS.get(str(request.model), 3.5)
        usage.add(request.prompt_tokens, count.count(text), coefficient)
    return usage


@contextmanager
def fake_provider(oracle: Oracle) -> Iterator[FakeProvider]:
    with FakeProvider() as fake:
        fake.reply_fn = oracle
        yield fake


async def type_session(
    editor: Editor,
    oracle: Oracle,
    session: Session,
    workspace: Path,
    debounce_ms: int,
    stats: dict[str, Any],
) -> str:
    piece = session.piece
    path = workspace / f"p{session.index:02d}_{piece.path.name}"
    uri = editor.open(path, session.opened, piece.language)
    first = session.keystrokes[0]
    line = piece.head.count("\n")
    character = len(session.opened[len(piece.head) : first.offset].encode("utf-16-le")) // 2
    pending: Pending | None = None
    for key in session.keystrokes:
        if pending is not None:
            editor.cancel(pending)
        editor.insert(uri, line, character, key.text)
        line, character = key.line, key.character
        oracle.current = key.reply
        pending = editor.inline(uri, line, character)
        await _play_gap(editor, pending, key, debounce_ms, stats)
    return uri


async def _play_gap(
    editor: Editor, pending: Pending, key: Keystroke, debounce_ms: int, stats: dict[str, Any]
) -> None:
    if key.gap_ms < debounce_ms and not key.pause:
        await asyncio.sleep(0.001)
        return
    await editor.wait(pending, key.gap_ms / 1000)
    if not key.pause:
        return
    stats["pauses"] += 1
    latency = pending.latency_ms()
    if pending.items() and latency is not None and latency <= key.gap_ms:
        stats["served"] += 1
        stats["latency"].append(latency)


async def ask(editor: Editor, oracle: Oracle, uri: str, session: Session) -> bool:
    """Ask about the function just typed (as the code action's command does)."""
    start = session.piece.head.count("\n")
    end = start + session.piece.body.count("\n") - 1
    last = session.piece.body.splitlines()[-1]
    name = session.piece.body.split("(")[0].split()[-1]  # an answer about it names it
    oracle.current = f"`{name}`: {ASK_REPLY}"
    selection = {
        "start": {"line": start, "character": 0},
        "end": {"line": end, "character": len(last)},
    }
    answer = await editor.command(
        "frugal.askSelection", {"uri": uri, "range": selection, "question": ASK_QUESTION}
    )
    return bool(answer["cached"])


async def replay(
    sessions: list[Session],
    ask_after: tuple[int, ...] = (),
    repeat_ask: bool = True,
    debounce_ms: int = DEFAULT_DEBOUNCE_MS,
) -> ReplayResult:
    """Type every session into one server; ask after the sessions listed in ``ask_after``
    (and once more, identically, right after the first ask when ``repeat_ask``)."""
    oracle = Oracle()
    stats: dict[str, Any] = {"pauses": 0, "served": 0, "latency": []}
    completion, asks, cached = Usage(), Usage(), []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="frugal-replay-") as tmp, fake_provider(oracle) as fake:
        workspace, home = Path(tmp, "ws"), Path(tmp, "home")
        workspace.mkdir()
        (workspace / "frugal.toml").write_text(frugal_toml(fake.url, debounce_ms), "utf-8")
        async with running_server(workspace, home) as client:
            editor = Editor(client)
            for session in sessions:
                mark = len(fake.requests)
                uri = await type_session(editor, oracle, session, workspace, debounce_ms, stats)
                await asyncio.sleep(0.05)  # the last request's pause
                completion += usage_since(fake, oracle, mark)
                if session.index in ask_after:
                    mark = len(fake.requests)
                    cached.append(await ask(editor, oracle, uri, session))
                    if repeat_ask and len(cached) == 1:
                        cached.append(await ask(editor, oracle, uri, session))
                    asks += usage_since(fake, oracle, mark)
                editor.close(uri)
    return ReplayResult(
        completion=completion,
        asks=asks,
        keystrokes=sum(len(s.keystrokes) for s in sessions),
        pauses=stats["pauses"],
        served=stats["served"],
        wall_s=time.perf_counter() - started,
        ask_cached=cached,
        pause_latency_ms=stats["latency"],
    )
