"""Asking: plan with the thread's history, stream with ``$/progress``, deliver as Markdown.

The answer is written to ``FRUGAL_HOME/answers/`` (one file per thread, rewritten with
every turn) and opened with ``window/showDocument``; clients without it get the answer
in ``window/showMessage``. A client that opens answers itself (``experimental.frugal.
opensAnswers``, docs/protocol.md) gets neither: it would otherwise show each answer twice.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from frugal_lsp.context import ContextRequest
from frugal_lsp.conversation import Thread, Turn, stronger
from frugal_lsp.engine import Engine
from frugal_lsp.errors import ConfigUnusable, NotReady
from frugal_lsp.lsp import convert
from frugal_lsp.lsp.server import FrugalServer
from frugal_lsp.results import Answer, Plan
from frugal_lsp.routing import cascade
from frugal_lsp.tasks import Tier

log = logging.getLogger(__name__)
REPORT_EVERY_S = 0.1
MESSAGE_LIMIT = 4000


def engine_of(ls: FrugalServer) -> Engine:
    if ls.engine is None:
        raise NotReady("the server is not initialized yet")
    return ls.engine


def planning_engine(ls: FrugalServer) -> Engine:
    """The engine, for a request that would be planned or sent: an invalid frugal.toml is
    the reason nothing can be, and is said instead of "no model is configured"."""
    engine = engine_of(ls)
    if ls.config_error:
        raise ConfigUnusable(ls.config_error.removeprefix("frugal-lsp: "))
    return engine


def plan_with_history(
    ls: FrugalServer, request: ContextRequest, turns: list[Turn], tier: Tier | None
) -> Plan:
    """The plan for ``request``, carrying as much of the thread's history as fits."""
    engine = planning_engine(ls)
    if not turns:
        return engine.plan(request, tier)
    prompt = engine.context.build(request)
    return engine.route(ls.threads.with_history(prompt, turns, engine.tokens), tier)


def rerun_plan(ls: FrugalServer, thread: Thread, tier: Tier) -> Plan:
    """Ask the thread's last question again (history before it included) on ``tier``."""
    return plan_with_history(ls, thread.request, thread.turns[:-1], tier)


def stronger_plan(ls: FrugalServer, thread: Thread) -> Plan | None:
    """The plan for "ask again with a stronger model", or None when no model stronger than
    the one that answered (another advanced model, not a free last resort) can take it."""
    last = thread.last
    if last is None:
        return None
    plan = rerun_plan(ls, thread, stronger(last.tier))
    if any(
        c.model.tier is Tier.ADVANCED and c.model.key != last.model for c in plan.route.candidates
    ):
        return plan
    return None


class Progress:
    """Work-done progress for one answer; silent when the client cannot show it."""

    def __init__(self, ls: FrugalServer, title: str) -> None:
        self.ls = ls
        self.title = title
        self.token: str | None = None
        self._words = 0
        self._last = 0.0

    async def begin(self) -> None:
        window = self.ls.client_capabilities.window
        if not (window and window.work_done_progress):
            return
        token = f"frugal-{uuid.uuid4().hex[:12]}"
        try:
            await self.ls.work_done_progress.create_async(token)
        except Exception as exc:
            self.ls.log_once("window/workDoneProgress/create failed: %s", exc)
            return
        self.token = token
        begin = lsp.WorkDoneProgressBegin(title=self.title, message="asking…", percentage=None)
        self.ls.work_done_progress.begin(token, begin)

    def text(self, piece: str) -> None:
        """Called for every streamed piece; reports at most every REPORT_EVERY_S."""
        self._words += len(piece.split())
        now = time.monotonic()
        if self.token is None or now - self._last < REPORT_EVERY_S:
            return
        self._last = now
        report = lsp.WorkDoneProgressReport(message=f"{self._words} words…")
        self.ls.work_done_progress.report(self.token, report)

    def end(self, message: str) -> None:
        if self.token is not None:
            self.ls.work_done_progress.end(self.token, lsp.WorkDoneProgressEnd(message=message))


async def deliver(
    ls: FrugalServer,
    thread: Thread,
    question: str,
    plan: Plan,
    avoid: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Stream the answer, record the turn, write and show the document; the Answer JSON.

    ``avoid`` (model keys) asks for a fresh answer from another model than those."""
    engine = engine_of(ls)
    progress = Progress(ls, f"frugal: {question[:60] or 'asking'}")
    await progress.begin()
    outcome = "failed"
    try:
        with ls.working():
            ls.quota.refresh()
            answer = await _answer(engine, thread, plan, avoid, progress)
            outcome = f"{answer.completion_tokens} tokens from {answer.candidate.model.name}"
    finally:
        progress.end(outcome)
        ls.quota.refresh()
    model = answer.candidate.model
    ls.threads.record(thread, Turn(question, answer.text, model.tier.value, model.key))
    path = write_thread(ls, thread, answer)
    show(ls, path, answer)
    return convert.answer_json(answer, thread.id, path)


async def _answer(
    engine: Engine, thread: Thread, plan: Plan, avoid: frozenset[str], progress: Progress
) -> Answer:
    if not avoid and cascade.applies(engine, plan):  # cheap first, one escalation
        return await cascade.answer(engine, plan, thread.request, progress.text)
    return await engine.execute(plan, progress.text, fresh=bool(avoid), avoid=avoid)


def write_thread(ls: FrugalServer, thread: Thread, answer: Answer) -> Path | None:
    """The whole thread as Markdown; None (logged once) when the folder is not writable."""
    if thread.document is None:
        stem = _slug(thread.request.document.path.stem)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{stem}-{thread.id}.md"
        thread.document = ls.paths.answers / name
    try:
        thread.document.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        thread.document.write_text(render_thread(thread, answer), encoding="utf-8")
    except OSError as exc:
        ls.log_once("could not write the answer document: %s", exc)
        return None
    return thread.document


def render_thread(thread: Thread, last: Answer) -> str:
    path = thread.request.document.path
    head = [
        f"# {path.name}, lines {thread.start_line + 1}–{thread.end_line + 1}",
        "",
        f"_{path}_ · thread `{thread.id}`",
        "",
    ]
    body: list[str] = []
    for turn in thread.turns:
        body += [f"## {turn.question or 'Question'}", "", turn.answer.strip(), ""]
        body += [f"<sub>{turn.model} ({turn.tier})</sub>", ""]
    chosen = last.candidate.model
    footer = [
        "---",
        f"Last answer: {chosen.key} ({chosen.tier.value}) · {last.prompt_tokens} tokens in, "
        f"{last.completion_tokens} out · {last.cost:,.0f} quota units"
        + (" · from cache" if last.cached else "")
        + (f" · escalated ({last.escalation})" if last.escalation else ""),
        "",
    ]
    return "\n".join(head + body + footer)


def client_opens_answers(ls: FrugalServer) -> bool:
    """The client said in ``initialize`` that it shows the command's Answer itself."""
    experimental = ls.client_capabilities.experimental
    ours = experimental.get("frugal") if isinstance(experimental, dict) else None
    return isinstance(ours, dict) and ours.get("opensAnswers") is True


def show(ls: FrugalServer, path: Path | None, answer: Answer) -> None:
    """Open the document where the client can; otherwise show the answer as a message."""
    if client_opens_answers(ls):
        return
    window = ls.client_capabilities.window
    can_show = bool(window and window.show_document and window.show_document.support)
    if path is not None and can_show:
        params = lsp.ShowDocumentParams(uri=convert.file_uri(path), take_focus=True)
        ls.spawn(_show_document(ls, params))
        return
    text = answer.text.strip()
    if len(text) > MESSAGE_LIMIT:
        text = text[:MESSAGE_LIMIT] + "…"
    where = f"\n\n(saved to {path})" if path else ""
    ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Info, text + where))


async def _show_document(ls: FrugalServer, params: lsp.ShowDocumentParams) -> None:
    try:
        await asyncio.wait_for(ls.window_show_document_async(params), timeout=10)
    except Exception as exc:
        ls.log_once("window/showDocument failed: %s", exc)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:40] or "answer"
