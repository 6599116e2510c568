"""One pipeline for inline and list completions: debounce, cancel, reuse, skip, then ask.

A request waits ``completion.debounce_ms`` (``word_debounce_ms`` while an identifier is
being typed); if a newer request or edit for the same
document arrives meanwhile, it ends without reaching a provider. A newer request also
cancels the provider call of the one before it (the upstream stream is closed). Every
request that is not sent is recorded as a saving, so the ledger shows what was avoided.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from frugal_lsp.completion.reuse import TypingThrough
from frugal_lsp.completion.rules import document_skip, is_word_char, mid_word
from frugal_lsp.config import CompletionConfig
from frugal_lsp.context import ContextRequest, Document, Position
from frugal_lsp.engine import Engine
from frugal_lsp.errors import ContextExcluded
from frugal_lsp.results import Answer, Plan
from frugal_lsp.tasks import Task

log = logging.getLogger(__name__)
MAX_REMEMBERED_IDS = 256


@dataclass(frozen=True)
class Query:
    """A completion request: which document (``key``, usually its URI), where, which version."""

    key: str
    document: Document
    position: Position
    version: int = 0


@dataclass(frozen=True)
class Suggestion:
    id: str  # what the client sends back through frugal.acceptCompletion
    text: str  # insert at the cursor
    model: str  # "provider/name"
    tier: str
    source: str  # "provider" | "cache" | "typing-through"
    prompt_tokens: int
    estimated_units: float


class CompletionPipeline:
    """Decides whether, when and with what a completion request reaches the engine."""

    def __init__(self, engine: Engine, on_change: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.enabled = True
        self.on_change = on_change or (lambda: None)
        self._tickets = itertools.count(1)
        self._latest: dict[str, int] = {}
        self._edits: dict[str, int] = {}
        self._inflight: dict[str, asyncio.Future[Answer]] = {}
        self._reuse = TypingThrough()
        self._calls: OrderedDict[str, int | None] = OrderedDict()
        self._typical_tokens = 0
        self._status_due = False

    # -- document events -------------------------------------------------------------

    def edited(self, key: str, version: int) -> None:
        """A newer edit: requests for older versions must not reach a provider."""
        self._edits[key] = max(version, self._edits.get(key, 0))

    def closed(self, key: str) -> None:
        for table in (self._latest, self._edits):
            table.pop(key, None)
        self._cancel_inflight(key)
        self._reuse.forget(key)

    # -- the request path ------------------------------------------------------------

    async def suggest(self, query: Query) -> Suggestion | None:
        """A suggestion for ``query``, or None when nothing should (or could) be shown."""
        ticket = next(self._tickets)
        self._latest[query.key] = ticket
        self._cancel_inflight(query.key)
        if not self.enabled:
            return None
        if self.engine.context.is_excluded(query.document.path):  # the builder in force
            self._saving("skip-excluded")
            return None
        text = query.document.text
        if reason := document_skip(text, self.engine.config.completion.max_document_bytes):
            self._saving(f"skip-{reason}")
            return None
        offset = query.document.offset_at(query.position)
        before = text[:offset]
        if reused := self._reuse.take(query.key, before):
            self._saving("typing-through", reused.prompt_tokens, reused.model)
            return reused
        if mid_word(text, offset):
            self._saving("skip-mid-word")
            return None
        await asyncio.sleep(debounce_s(self.engine.config.completion, before))
        if self._superseded(query, ticket):
            self._saving("debounced")
            return None
        return await self._ask(query, before)

    def accept(self, completion_id: str) -> bool:
        """The user accepted suggestion ``completion_id``; False when already counted."""
        call_id = self._calls.get(completion_id)
        return self.engine.record_accepted(completion_id, call_id)

    # -- internals -------------------------------------------------------------------

    def _superseded(self, query: Query, ticket: int) -> bool:
        newer_request = self._latest.get(query.key) != ticket
        return newer_request or self._edits.get(query.key, 0) > query.version

    def _cancel_inflight(self, key: str) -> None:
        call = self._inflight.pop(key, None)
        if call is not None and not call.done():
            call.cancel()

    async def _ask(self, query: Query, before: str) -> Suggestion | None:
        request = ContextRequest(query.document, Task.COMPLETION, query.position)
        try:
            plan = self.engine.plan(request)
        except ContextExcluded:
            self._saving("skip-excluded")
            return None
        self._typical_tokens = plan.prompt.prompt_tokens + plan.prompt.max_output_tokens
        if not plan.route.candidates:
            self._saving("skip-budget")
            return None
        answer = await self._execute(query.key, plan)
        if answer is None:
            return None
        self._changed_soon()
        return self._suggestion(query.key, before, plan, answer)

    def _changed_soon(self) -> None:
        """Run ``on_change`` once the answer has gone out: the editor waits for the suggestion,
        not for the quota status (2 ms at every answer, measured), and a burst of answers
        refreshes the status once."""
        if not self._status_due:
            self._status_due = True
            asyncio.get_running_loop().call_later(0, self._changed)

    def _changed(self) -> None:
        self._status_due = False
        try:
            self.on_change()
        except Exception:  # a status refresh must never break typing
            log.exception("status refresh after a completion failed")

    async def _execute(self, key: str, plan: Plan) -> Answer | None:
        """Run the call as its own task so a newer request can cancel just this call."""
        call = asyncio.ensure_future(self.engine.execute(plan))
        self._inflight[key] = call
        try:
            return await call
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if call.cancelled() and task is not None and not task.cancelling():
                return None  # superseded by a newer request; this request simply ends empty
            raise
        finally:
            if self._inflight.get(key) is call:
                del self._inflight[key]

    def _suggestion(self, key: str, before: str, plan: Plan, answer: Answer) -> Suggestion | None:
        text = self.engine.context.postprocess_completion(plan.prompt, answer.text)
        if not text:
            return None
        suggestion = Suggestion(
            id=uuid.uuid4().hex[:12],
            text=text,
            model=answer.candidate.model.key,
            tier=answer.candidate.model.tier.value,
            source="cache" if answer.cached else "provider",
            prompt_tokens=answer.prompt_tokens,
            estimated_units=answer.candidate.estimated_units,
        )
        self._reuse.remember(key, before, suggestion)
        self._calls[suggestion.id] = answer.call_id
        while len(self._calls) > MAX_REMEMBERED_IDS:
            self._calls.popitem(last=False)
        return suggestion

    def _saving(self, kind: str, tokens: int | None = None, model: str | None = None) -> None:
        """Record a request that was not sent; unplanned ones count a typical request."""
        if tokens is None:
            tokens = self._typical_tokens or self.engine.config.context.completion_max_tokens // 2
        try:
            self.engine.record_saving(kind, tokens, float(tokens), model)
        except Exception:  # the ledger must never break typing
            log.exception("could not record a %s saving", kind)


def debounce_s(config: CompletionConfig, before: str) -> float:
    """How long to wait before asking: longer while an identifier is being typed (keys
    come in bursts there), never shorter than ``debounce_ms`` (pacing may raise it)."""
    wait = config.debounce_ms
    if before and is_word_char(before[-1]):
        wait = max(wait, config.word_debounce_ms)
    return wait / 1000
