"""Quality per unit: the replay's typing against the real local model, accepted suggestions.

``python -m tests.bench.run --accept`` (``make bench-accept``) types a subset of the
replay's trace (the same keystrokes and gaps as ``make bench``) into a real
``frugal-lsp serve`` whose provider is the local model, Qwen2.5-Coder-0.5B served by
llama.cpp; Continue-like and naive build their prompts as in ``baselines.py`` and send
them to the same llama.cpp server with frugal-lsp's output budget, stop sequences,
temperature 0 and post-processing, so only *when* and *with what context* they ask
differs. Every model call passes a caching proxy (``model_proxy.py``): a rerun on the
same prompts costs no model time.

Time: the server's debounce and every await run in real time, as in ``replay.py``; once
a request has reached the model, the user's clock stops until the answer is back (the
model's time is off the user's clock, so the server's decisions match the cost replay's
instant fake; the model's real latency is printed on its own).

Acceptance: at every pause (a gap ≥ 300 ms: when a user reads ghost text and presses
Tab), the suggestion showing is **accepted** when its first non-blank line equals the
first non-blank line the user types next (leading and trailing spaces ignored:
auto-indent types those). Units: (prompt + output cl100k tokens of what was sent and
answered) × the replay's coefficients (``harness.COEFFICIENTS``: basic 1.0 for ours and
Continue-like, 3.5 for naive, as in ``baselines.py``); completions only, no asks.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from frugal_lsp.config import ProviderConfig, load_config
from frugal_lsp.context import ContextRequest, Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.paths import StatePaths
from frugal_lsp.prompt import Fim
from frugal_lsp.providers.base import ProviderRequest
from frugal_lsp.providers.openai import OpenAIProvider
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import TokenCounter, counter
from tests.bench import baselines
from tests.bench.harness import COEFFICIENTS, Editor, Pending, running_server
from tests.bench.model_proxy import Call, ModelProxy
from tests.bench.quality_tasks import QualityTask
from tests.bench.quality_variants import alternating
from tests.bench.replay import DEFAULT_DEBOUNCE_MS
from tests.bench.trace import Session

MODEL = "qwen2.5-coder-0.5b-instruct"
BASIC = COEFFICIENTS["fake-basic"]
NAIVE_CEILING = 2048  # tokens of file the naive prompt gives the model (bench-quality's `whole`)
MODEL_WAIT_S = 900.0
Hook = Callable[[Session, int], None]  # called before the model may be asked at keystroke i


@dataclass(frozen=True)
class Shown:
    """What was showing at one pause, and what the user typed next."""

    session: int
    keystroke: int
    target: str
    suggestion: str | None

    @property
    def accepted(self) -> bool:
        return bool(self.target) and first_line(self.suggestion or "") == self.target


@dataclass
class SystemResult:
    name: str
    coefficient: float
    shown: list[Shown]
    requests: int = 0
    prompt_tokens: int = 0
    output_tokens: int = 0
    calls: list[Call] = field(default_factory=list)

    @property
    def units(self) -> float:
        return (self.prompt_tokens + self.output_tokens) * self.coefficient

    @property
    def pauses(self) -> int:
        return len(self.shown)

    @property
    def suggested(self) -> int:
        return sum(s.suggestion is not None for s in self.shown)

    @property
    def accepted(self) -> int:
        return sum(s.accepted for s in self.shown)

    @property
    def rate(self) -> float:
        return self.accepted / self.pauses if self.pauses else 0.0

    @property
    def units_per_accepted(self) -> float | None:
        return self.units / self.accepted if self.accepted else None

    def charge(self, calls: Iterable[Call], tc: TokenCounter) -> None:
        """Count the model calls this system made (the text sent and the text answered)."""
        for call in calls:
            self.calls.append(call)
            self.requests += 1
            self.prompt_tokens += tc.count(call.prompt)
            self.output_tokens += tc.count(call.text)


def first_line(text: str) -> str:
    return next((ln.strip() for ln in text.split("\n") if ln.strip()), "")


def typed_next(session: Session, i: int) -> str:
    """The first non-blank line the user types after keystroke ``i`` ("" if nothing)."""
    key = session.keystrokes[i]
    start = key.offset + len(key.text) - len(session.piece.head)
    rest = session.piece.body[start:]
    return first_line(rest[:-1] if rest.endswith("\n") else rest)


# -- ours: the real server, its provider the local model behind the proxy --------------


def server_toml(proxy_url: str, model: str, debounce_ms: int) -> str:
    """frugal-lsp's workspace config: the local model as its one (basic, ×1.0) model."""
    return (
        f'[[providers]]\nname = "local"\nkind = "llama-cpp"\nbase_url = "{proxy_url}/v1"\n'
        f"timeout = {MODEL_WAIT_S:g}\ndeadline = {MODEL_WAIT_S:g}\n\n"
        f'[[models]]\nname = "{model}"\nprovider = "local"\ntier = "basic"\n'
        f"coefficient = {BASIC}\n\n[completion]\ndebounce_ms = {debounce_ms}\n"
    )


def suggestion_of(pending: Pending) -> str | None:
    if pending.items() == 0:
        return None
    result = pending.future.result()
    item = (getattr(result, "items", result) or [])[0]
    text = item.insert_text
    text = text if isinstance(text, str) else text.value
    return text if text.strip() else None


async def _play_gap(
    editor: Editor, proxy: ModelProxy, pending: Pending, mark: int, gap_ms: float, pause: bool
) -> None:
    """Real time until the gap ends or the request reaches the model; then the model's
    time is off the clock: wait for the answer."""
    if gap_ms < DEFAULT_DEBOUNCE_MS and not pause:
        await asyncio.sleep(0.001)  # superseded by the next keystroke whatever the gap
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + gap_ms / 1000
    while loop.time() < deadline and not pending.future.done():
        if proxy.arrivals > mark:
            await editor.wait(pending, MODEL_WAIT_S)
            return
        await asyncio.sleep(0.005)


async def _type(
    editor: Editor, proxy: ModelProxy, session: Session, workspace: Path, hook: Hook | None
) -> list[Shown]:
    piece = session.piece
    uri = editor.open(workspace / f"p{session.index:02d}_{piece.path.name}", session.opened,
                      piece.language)  # fmt: skip
    first = session.keystrokes[0]
    line = piece.head.count("\n")
    character = len(session.opened[len(piece.head) : first.offset].encode("utf-16-le")) // 2
    pending: Pending | None = None
    out = []
    for i, key in enumerate(session.keystrokes):
        if pending is not None:
            editor.cancel(pending)
        editor.insert(uri, line, character, key.text)
        line, character = key.line, key.character
        if hook is not None:
            hook(session, i)
        mark = proxy.arrivals
        pending = editor.inline(uri, line, character)
        await _play_gap(editor, proxy, pending, mark, key.gap_ms, key.pause)
        if key.pause:
            out.append(Shown(session.index, i, typed_next(session, i), suggestion_of(pending)))
    if pending is not None:
        await editor.wait(pending, MODEL_WAIT_S)
    editor.close(uri)
    return out


async def ours(
    sessions: list[Session], proxy: ModelProxy, model: str, hook: Hook | None = None
) -> SystemResult:
    proxy.tag = "ours"
    shown: list[Shown] = []
    with tempfile.TemporaryDirectory(prefix="frugal-accept-") as tmp:
        workspace, home = Path(tmp, "ws"), Path(tmp, "home")
        workspace.mkdir()
        toml = server_toml(proxy.url, model, DEFAULT_DEBOUNCE_MS)
        (workspace / "frugal.toml").write_text(toml, "utf-8")
        async with running_server(workspace, home) as client:
            editor = Editor(client)
            for session in sessions:
                shown += await _type(editor, proxy, session, workspace, hook)
    result = SystemResult("ours", BASIC, shown)
    result.charge(proxy.calls_for("ours"), counter())
    return result


# -- the baselines: their own prompts, the same model, frugal-lsp's stops and cleaning --


class Asker:
    """Sends a baseline's prefix/suffix to the model through the proxy, with the output
    budget, stop sequences, FIM template and post-processing frugal-lsp uses there."""

    def __init__(self, root: Path, proxy: ModelProxy, model: str) -> None:
        self.workspace = root / "ws"
        self.workspace.mkdir(parents=True)
        (self.workspace / "frugal.toml").write_text(
            server_toml(proxy.url, model, DEFAULT_DEBOUNCE_MS), "utf-8"
        )
        self.engine = Engine(
            load_config(self.workspace), StatePaths.resolve(root / "home"), self.workspace
        )
        self.client = OpenAIProvider(
            ProviderConfig(
                name="direct",
                kind="llama-cpp",
                base_url=f"{proxy.url}/v1",
                timeout_s=MODEL_WAIT_S,
                deadline_s=MODEL_WAIT_S,  # a whole-file prompt on shared cores: minutes
            ),
            use_key=False,
        )
        self.template = self.engine.config.models[0].fim_template
        self.model = model

    async def aclose(self) -> None:
        await self.engine.aclose()
        await self.client.aclose()

    async def ask(self, session: Session, prefix: str, suffix: str, fim: Fim) -> str | None:
        """``prefix`` + ``suffix`` is the document; ``fim`` what the baseline sends."""
        path = self.workspace / f"p{session.index:02d}_{session.piece.path.name}"
        head = prefix.rsplit("\n", 1)[-1]
        at = Position(prefix.count("\n"), len(head.encode("utf-16-le")) // 2)
        document = Document(path=path, text=prefix + suffix, language=session.piece.language)
        prompt = self.engine.plan(ContextRequest(document, Task.COMPLETION, at)).prompt
        prompt = replace(prompt, fim=fim)
        call = ProviderRequest(
            self.model, (), prompt.max_output_tokens, 0.0, prompt.stop, fim, self.template
        )
        reply = await self.client.complete(call)
        text = self.engine.context.postprocess_completion(prompt, reply.text)
        return text if text.strip() else None


def _within(lines: list[str], budget: int, tc: TokenCounter, from_end: bool) -> list[str]:
    kept: list[str] = []
    for line in reversed(lines) if from_end else lines:
        budget -= tc.count(line) + 1
        if budget < 0:
            break
        kept.append(line)
    return kept[::-1] if from_end else kept


def continue_window(prefix: str, suffix: str, tc: TokenCounter) -> tuple[str, str]:
    """``baselines.py``'s Continue-like window as text: whole lines, the suffix at most
    20 % of 1,024 tokens, the prefix the rest (the cursor line always whole)."""
    above, below = prefix.split("\n"), suffix.split("\n")
    head, tail = above.pop(), below.pop(0)
    room = int(baselines.CONTINUE_PROMPT_TOKENS * baselines.CONTINUE_SUFFIX_SHARE)
    after = "\n".join([tail, *_within(below, room - tc.count(tail), tc, from_end=False)])
    room = baselines.CONTINUE_PROMPT_TOKENS - tc.count(after) - tc.count(head)
    return "\n".join([*_within(above, room, tc, from_end=True), head]), after


def naive_window(
    session: Session, prefix: str, suffix: str, tc: TokenCounter, ceiling: int
) -> tuple[str, str]:
    """The whole file; above ``ceiling`` tokens, the alternating window at the ceiling."""
    if tc.count(prefix + suffix) <= ceiling:
        return prefix, suffix
    task = QualityTask("", "replay", "line", session.piece.language, "", prefix, suffix, "")
    return alternating(task, ceiling, tc)


def _documents(session: Session) -> list[tuple[str, str]]:
    return baselines._texts(session)


async def continue_like(
    sessions: list[Session], asker: Asker, proxy: ModelProxy, hook: Hook | None = None
) -> SystemResult:
    """Asks after its 350 ms debounce unless its prefix LRU cache answers."""
    proxy.tag = "continue"
    tc, shown = counter(), []
    cache = baselines.PrefixCache()
    for session in sessions:
        for i, (key, (prefix, suffix)) in enumerate(zip(session.keystrokes, _documents(session),
                                                        strict=True)):  # fmt: skip
            text: str | None = None
            if key.gap_ms >= baselines.CONTINUE_DEBOUNCE_MS:
                text = cache.get(prefix)
                if text is None:
                    if hook is not None:
                        hook(session, i)
                    window = continue_window(prefix, suffix, tc)
                    text = await asker.ask(session, prefix, suffix, Fim(*window))
                    if text is not None:
                        cache.put(prefix, text)
            if key.pause:
                shown.append(Shown(session.index, i, typed_next(session, i), text))
    result = SystemResult("continue", BASIC, shown)
    result.charge(proxy.calls_for("continue"), tc)
    return result


async def naive(
    sessions: list[Session],
    asker: Asker,
    proxy: ModelProxy,
    hook: Hook | None = None,
    ceiling: int = NAIVE_CEILING,
) -> SystemResult:
    """A request after every keystroke with the whole file, strongest tier (×3.5). Only the
    answer showing at a pause can be accepted, so only those go to the model; the others
    are counted as ``baselines.naive`` counts them (output: the mean measured output)."""
    proxy.tag = "naive"
    tc, shown = counter(), []
    for session in sessions:
        for i, (key, (prefix, suffix)) in enumerate(zip(session.keystrokes, _documents(session),
                                                        strict=True)):  # fmt: skip
            if not key.pause:
                continue
            if hook is not None:
                hook(session, i)
            window = naive_window(session, prefix, suffix, tc, ceiling)
            text = await asker.ask(session, prefix, suffix, Fim(*window))
            shown.append(Shown(session.index, i, typed_next(session, i), text))
    offline = baselines.naive(sessions, (), False).completion
    calls = proxy.calls_for("naive")
    measured = [tc.count(c.text) for c in calls]
    mean_out = statistics.fmean(measured) if measured else 0.0
    result = SystemResult("naive", baselines.STRONGEST, shown, calls=calls)
    result.requests = offline.requests
    result.prompt_tokens = offline.prompt_tokens
    result.output_tokens = round(sum(measured) + mean_out * (offline.requests - len(measured)))
    return result


async def run_systems(
    sessions: list[Session],
    proxy: ModelProxy,
    root: Path,
    model: str = MODEL,
    hook: Hook | None = None,
    naive_ceiling: int = NAIVE_CEILING,
    log: Callable[[str], None] = lambda _: None,
) -> list[SystemResult]:
    """Ours through the real server, then Continue-like and naive, all on ``proxy``."""
    results = [await ours(sessions, proxy, model, hook)]
    log(_progress(results[-1]))
    asker = Asker(root, proxy, model)
    try:
        results.append(await continue_like(sessions, asker, proxy, hook))
        log(_progress(results[-1]))
        results.append(await naive(sessions, asker, proxy, hook, naive_ceiling))
        log(_progress(results[-1]))
    finally:
        await asker.aclose()
    return results


def _progress(r: SystemResult) -> str:
    fresh = sum(not c.cached for c in r.calls)
    return (
        f"{r.name}: {r.accepted}/{r.pauses} accepted, {r.requests} requests "
        f"({len(r.calls)} to the model, {fresh} not cached), {r.units:,.0f} units"
    )


def single_line_latency(proxy: ModelProxy, calls: list[Call], count: int = 6) -> list[Call]:
    """Some of ours' prompts again, cut at the first line end: what a single-line
    completion costs in model time (cached like every call; the time is the measured one)."""
    on_the_line = [c for c in calls if not c.text.startswith("\n")] or calls  # a line to time
    picked = on_the_line[:: max(1, len(on_the_line) // count)][:count]
    proxy.tag = "single-line"
    for call in picked:
        body: dict[str, Any] = dict(call.request)
        body["stop"] = list(dict.fromkeys([*body.get("stop", []), "\n"]))
        proxy.forward("POST", "/v1/completions", json.dumps(body).encode())
    return proxy.calls_for("single-line")
