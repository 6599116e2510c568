"""The engine: one request's whole path — context, route, cache, reserve, call, settle.

Plain asyncio + dataclasses; the CLI and the LSP layer are two thin front ends over it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from frugal_lsp.config import Config, LiveConfig
from frugal_lsp.context import ContextBuilder, ContextRequest, Document
from frugal_lsp.context.workspace import open_index, open_recent
from frugal_lsp.errors import (
    ProviderError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    StreamEndedEarly,
    Unconfigured,
)
from frugal_lsp.evaluation.scorecard import notes as scorecard_notes
from frugal_lsp.paths import StatePaths
from frugal_lsp.prompt import Fim, Prompt
from frugal_lsp.providers.base import (
    Provider,
    ProviderRequest,
    ProviderResponse,
    TextDelta,
)
from frugal_lsp.quota import pacing
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.alerts import Alerts
from frugal_lsp.quota.allowances import project_id
from frugal_lsp.quota.forecast import Forecast, forecast
from frugal_lsp.quota.notify import Notifier
from frugal_lsp.quota.pricing import price
from frugal_lsp.quota.status import Status, compute_status
from frugal_lsp.quota.usage import checked as checked_usage
from frugal_lsp.results import Answer, Plan
from frugal_lsp.routing import cascade
from frugal_lsp.routing.checks import completion_problem
from frugal_lsp.routing.quality import QualityTable
from frugal_lsp.routing.router import Candidate, Route, Router
from frugal_lsp.store.answers import AnswerCache, CachedAnswer
from frugal_lsp.store.factory import open_stores
from frugal_lsp.store.ledger import CallRequest, Reservation, Settlement
from frugal_lsp.tasks import Tier
from frugal_lsp.tokens import TokenCounter, counter

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
OnText = Callable[[str], None]
ACCEPTANCE_FLUSH = 20


class Engine:
    def __init__(
        self,
        config: Config,
        paths: StatePaths,
        workspace: Path | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        tokens: TokenCounter | None = None,
    ) -> None:
        paths.ensure()
        self.live = LiveConfig(config)  # the one place collaborators read the config from
        self.paths = paths
        self.tokens = tokens or counter()
        stores = open_stores(config, paths)  # embedded, or the team's Redis ([store] url)
        self.ledger = stores.ledger
        self.scorecards = stores.scorecards
        self._acceptance: dict[tuple[str, str], tuple[int, int]] = {}
        self._acceptance_events = 0
        self.account = QuotaAccount(self.live, self.ledger)
        self.router = Router(self.live, self.account)
        self.router.quality = QualityTable(self.scorecards)
        self.cache = AnswerCache(paths.cache, self.live, stores.answers)
        self.workspace = workspace
        self.project = project_id(str(workspace))[0] if workspace is not None else ""
        self.account.project = self.project
        self.account.project_name = workspace.name if workspace is not None else ""
        self.index = open_index(workspace, paths, lambda p: self.context.is_excluded(p))
        self.recent = open_recent(workspace, lambda p: self.context.is_excluded(p))
        self.context = ContextBuilder(self.live, self.tokens, workspace, self.index, self.recent)
        self._transport = transport
        self._providers: dict[str, Provider] = {}
        self._providers_to_close: list[Provider] = []
        self.notifier = Notifier(config.budget)
        self.alerts = Alerts(self.live, self.account, self.notifier)
        self.pacer = pacing.Pacer(self.live, self.account)
        self._paced_step = 0
        self._watching: set[asyncio.Future[None]] = set()
        if config.pacing.enabled:
            self.account.pacing_step = self.ledger.pacing_step()[0]
        self._apply_pacing()

    @property
    def config(self) -> Config:
        """The config in force: as configured, with the pacing step applied."""
        return self.live.current

    # -- the public surface -------------------------------------------------------------

    def plan(self, request: ContextRequest, tier: Tier | None = None) -> Plan:
        """Context + route, without sending or spending anything."""
        self._apply_pacing()
        return self.route(self.context.build(request), tier)

    def route(self, prompt: Prompt, tier: Tier | None = None) -> Plan:
        """Route a prompt built elsewhere (e.g. a follow-up carrying a conversation)."""
        return Plan(prompt, self.router.route(prompt, tier))

    def index_workspace(self) -> None:
        """Build the workspace index now (the CLI: one request, nothing to wait behind);
        a saved index makes this a stat per file. The server builds it in the background."""
        if self.index is not None and self.config.context.cross_file and not self.index.ready:
            self.index.build()

    def edited(self, document: Document) -> None:
        """The editor changed ``document``: it is now a recently edited file, whose windows
        other files' prompts may borrow (``context/workspace/recent.py``)."""
        if self.recent is not None:
            self.recent.edited(document.path, document.text, document.language)

    def reconfigure(self, config: Config) -> None:
        """Apply a new config (editor settings changed); ledger and cache stay open."""
        self.live.replace(config)  # the account, alerts, pacer, router and cache read it
        self.notifier.configure(config.budget)  # its delivery channels are built from it
        self.context = ContextBuilder(
            self.live, self.tokens, self.workspace, self.index, self.recent
        )
        if self.index is not None:
            self.index.prune()  # files the new exclusions cover leave the index too
        if self.recent is not None:
            self.recent.prune()  # ... and the record of recent edits
        self._providers_to_close = list(self._providers.values())
        self._providers = {}
        self._paced_step = -1
        self._apply_pacing()

    async def answer(
        self, request: ContextRequest, tier: Tier | None = None, on_text: OnText | None = None
    ) -> Answer:
        """Ask / explain / design: streamed to ``on_text`` when given; cascaded (cheap
        first, one escalation on a failed check, ``routing/cascade.py``) unless disabled."""
        plan = self.plan(request, tier)
        if cascade.applies(self, plan):
            return await cascade.answer(self, plan, request, on_text)
        return await self.execute(plan, on_text)

    async def complete(self, request: ContextRequest) -> Answer | None:
        """An inline completion, or None when the model had nothing usable to insert."""
        plan = self.plan(request)
        result = await self.execute(plan)
        text = self.usable_completion(request, plan, result)
        return replace(result, text=text) if text else None

    def usable_completion(self, request: ContextRequest, plan: Plan, result: Answer) -> str:
        """The suggestion as the editor gets it: post-processed, and "" when it cannot be
        right (``routing/checks.py``: repeats the suffix, parses worse) — counted."""
        text = self.context.postprocess_completion(plan.prompt, result.text)
        doc = request.document
        why = text and completion_problem(
            doc.text, doc.offset_at(request.position), text, doc.language
        )
        if why:
            log.info("suggestion of %s dropped: %s", result.candidate.model.key, why)
            self.record_saving("dropped", 0, 0.0, result.candidate.model.key)
            return ""
        return text

    def status(self) -> Status:
        outlook = self.watch_quota()
        self._apply_pacing()
        status = compute_status(self.config, self.account, self.pacer.state, outlook)
        return replace(status, scorecard=self._scorecard_notes())

    def _scorecard_notes(self) -> tuple[str, ...]:
        """What the status says about the scorecard, from routing's cached copy."""
        try:
            rows = self.router.quality.rows() if self.router.quality else self.scorecards.rows()
        except Exception as exc:  # a broken scorecard store must not break the status
            log.warning("could not read the scorecard: %s", exc)
            return ()
        return tuple(scorecard_notes(rows, [m.key for m in self.config.models]))

    def watch_quota(self) -> Forecast:
        """Forecast, fire newly crossed alerts, move the pacing step (safe off the loop)."""
        outlook = forecast(self.live.base, self.account)
        self.alerts.check(outlook)
        self.account.pacing_step = self.pacer.update(outlook).step
        return outlook

    def _apply_pacing(self) -> None:
        """Make the pacing step in force the config in force (cheap when unchanged)."""
        step = self.account.pacing_step
        if step == self._paced_step:
            return
        self._paced_step = step
        self.live.current = pacing.apply(self.live.base, step)

    def _watch_soon(self) -> None:
        """After a call: alerts and pacing on a worker thread, never delaying the answer."""
        task = asyncio.ensure_future(asyncio.to_thread(self._watch_quietly))
        self._watching.add(task)
        task.add_done_callback(self._watching.discard)

    def _watch_quietly(self) -> None:
        try:
            self.watch_quota()
        except Exception as exc:  # a broken forecast must not break answering
            log.warning("quota watch failed: %s", exc)

    def record_saving(self, kind: str, tokens: int, units: float, model: str | None = None) -> None:
        """Count a request that was not sent (cache, typing-through, skipped) as a saving."""
        self.ledger.record_saving(kind, tokens, units, model)

    def count_suggestion(self, model: str, language: str, accepted: bool) -> None:
        """A suggestion shown (or accepted) per model x language, for the report's
        acceptance rates; buffered, written every ``ACCEPTANCE_FLUSH`` events and at close."""
        shown, took = self._acceptance.get((model, language), (0, 0))
        self._acceptance[(model, language)] = (shown + (not accepted), took + accepted)
        self._acceptance_events += 1
        if self._acceptance_events >= ACCEPTANCE_FLUSH:
            self._flush_acceptance()

    def _flush_acceptance(self) -> None:
        counts, self._acceptance, self._acceptance_events = self._acceptance, {}, 0
        if counts:
            try:
                self.scorecards.add_acceptance(counts)
            except Exception as exc:  # counting must never break typing
                log.warning("could not record acceptance: %s", exc)

    def record_accepted(self, completion_id: str, call_id: int | None) -> bool:
        """The user accepted a suggestion; False if it was already counted."""
        return self.ledger.record_accepted(completion_id, call_id)

    async def aclose(self) -> None:
        if self._watching:
            await asyncio.gather(*self._watching, return_exceptions=True)
        await asyncio.to_thread(self.notifier.close, 5.0)
        for provider in [*self._providers.values(), *self._providers_to_close]:
            await provider.aclose()
        self._providers.clear()
        self._providers_to_close.clear()
        self.cache.close()
        self.ledger.close()
        self._flush_acceptance()
        self.scorecards.close()
        if self.index is not None and self.index.ready:
            await asyncio.to_thread(self.index.save)  # edits since the build: next start

    # -- execution ----------------------------------------------------------------------

    async def execute(
        self,
        plan: Plan,
        on_text: OnText | None = None,
        *,
        fresh: bool = False,
        avoid: frozenset[str] = frozenset(),
    ) -> Answer:
        """Try the route's candidates in order; a cache hit costs nothing.

        ``fresh`` skips the cache and ``avoid`` (model keys) skips models: "ask again with a
        stronger model" wants a new answer from another model, not the same one again."""
        if not fresh and (hit := self._cached(plan, avoid)):  # free, even with no quota left
            if on_text:
                on_text(hit.text)
            return hit
        candidates = [c for c in plan.route.candidates if c.model.key not in avoid]
        if not candidates:
            raise _nothing_left(plan.route, self.config, avoid)
        failures: list[ProviderError | QuotaExhausted] = []
        for candidate in candidates:
            if self.account.cooling(candidate.model.provider):
                continue  # its platform failed a moment ago in this very loop
            delivered: list[str] = []
            try:
                return await self._call(plan, candidate, _tee(on_text, delivered))
            except QuotaExhausted as exc:
                failures.append(exc)
            except ProviderError as exc:
                if isinstance(exc, RateLimited | ProviderUnavailable):
                    retry = exc.retry_after if isinstance(exc, RateLimited) else None
                    self.account.cool_down(exc.provider, retry, str(exc))
                if isinstance(exc, RateLimited):
                    self.account.rate_limited(exc.provider, exc.retry_after)
                if delivered:  # the user already sees part of this answer: don't mix in another
                    raise
                log.warning("%s — trying the next candidate", exc)
                failures.append(exc)
        raise _combined(failures)

    def _cached(self, plan: Plan, avoid: frozenset[str] = frozenset()) -> Answer | None:
        for candidate in (*plan.route.candidates, *plan.route.adequate):
            if candidate.model.key in avoid:
                continue
            request = self._provider_request(plan.prompt, candidate)
            found = self.cache.get(candidate.model.provider, request)
            if found:
                tokens = found.prompt_tokens + found.completion_tokens
                units = tokens * candidate.model.coefficient  # what the answer cost when made
                self.record_saving("cache", tokens, units, candidate.model.key)
                return Answer(
                    found.text,
                    candidate,
                    found.prompt_tokens,
                    found.completion_tokens,
                    True,
                    0.0,
                    0.0,
                    None,
                    plan,
                )
        return None

    async def _call(self, plan: Plan, candidate: Candidate, on_text: OnText | None) -> Answer:
        model, prompt = candidate.model, plan.prompt
        request = self._provider_request(prompt, candidate)
        call = CallRequest(
            provider=model.provider,
            model=model.name,
            tier=model.tier.value,
            task=prompt.task.value,
            prompt_tokens=prompt.prompt_tokens,
            max_output_tokens=request.max_tokens,
            coefficient=model.coefficient,
            full_file_tokens=prompt.full_file_tokens,
            project=self.project,
        )
        allowances = self.account.allowances(model.provider, model, self.project)
        reservation = await asyncio.to_thread(self.ledger.reserve, call, allowances)
        self.account.take_rate(model.provider, reservation.tokens)
        parts: list[str] = []
        try:
            provider = self._provider(model.provider)
            await asyncio.to_thread(self.ledger.mark_sent, reservation)  # a crash now charges
            response = await self._send(provider, request, on_text, parts)
        except asyncio.CancelledError:
            self._settle_partial(reservation, candidate, plan, parts, "cancelled", None)
            raise
        except ProviderError as exc:
            self._settle_partial(reservation, candidate, plan, parts, "error", exc)
            raise
        settlement = self._settlement(candidate, plan, response.text, response, "ok")
        await asyncio.to_thread(self.ledger.settle, reservation, settlement)
        self.account.return_rate(model.provider, reservation.tokens, _tokens(settlement))
        self.account.observe(model.provider, response.rate_limits)  # the provider's word last
        self._watch_soon()
        self.cache.put(
            model.provider,
            request,
            CachedAnswer(response.text, settlement.prompt_tokens, settlement.completion_tokens),
        )
        return Answer(
            response.text,
            candidate,
            settlement.prompt_tokens,
            settlement.completion_tokens,
            False,
            settlement.cost_units,
            settlement.cost_usd,
            reservation.id,
            plan,
        )

    @staticmethod
    async def _send(
        provider: Provider, request: ProviderRequest, on_text: OnText | None, parts: list[str]
    ) -> ProviderResponse:
        if on_text is None:
            response = await provider.complete(request)
            parts.append(response.text)
            return response
        async for event in provider.stream(request):
            if isinstance(event, TextDelta):
                parts.append(event.text)
                on_text(event.text)
            else:
                return event
        raise ProviderUnavailable(provider.name, "stream ended without a final response")

    def _settle_partial(
        self,
        reservation: Reservation,
        candidate: Candidate,
        plan: Plan,
        parts: list[str],
        outcome: str,
        exc: ProviderError | None,
    ) -> None:
        """Settle a call that did not finish: charge what the provider surely processed."""
        text = "".join(parts)
        settlement = self._settlement(candidate, plan, text, None, outcome, exc)
        if not text:  # nothing generated: the provider refused or never answered
            settlement = replace(
                settlement,
                prompt_tokens=0,
                completion_tokens=0,
                cost_units=0.0,
                cost_usd=0.0 if settlement.cost_usd else None,
            )
        self.ledger.settle(reservation, replace(settlement, error=str(exc) if exc else None))
        self.account.return_rate(candidate.model.provider, reservation.tokens, _tokens(settlement))

    def _settlement(
        self,
        candidate: Candidate,
        plan: Plan,
        text: str,
        response: ProviderResponse | None,
        outcome: str,
        error: ProviderError | None = None,
    ) -> Settlement:
        usage = response.usage if response else None
        if usage is None and isinstance(error, StreamEndedEarly):
            usage = error.usage  # what the provider reported before the cut
        counted = checked_usage(usage, plan.prompt.prompt_tokens, self.tokens.count(text))
        prompt_tokens, completion_tokens = counted.prompt_tokens, counted.completion_tokens
        cached, written = counted.cached_tokens, counted.cache_write_tokens
        priced = price(candidate.model, prompt_tokens, completion_tokens, cached, written)
        return Settlement(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cached_tokens=cached,
            usage_reported=usage is not None,
            cost_units=priced.units,
            cost_usd=priced.usd,
            outcome=outcome,
            usage_source=counted.source,
            cache_write_tokens=written,
            cache_saved_units=priced.saved_units,
            cache_saved_usd=priced.saved_usd or 0.0,
        )

    def _provider_request(self, prompt: Prompt, candidate: Candidate) -> ProviderRequest:
        return ProviderRequest(
            model=candidate.model.name,
            messages=prompt.messages,
            max_tokens=prompt.max_output_tokens,
            temperature=0.0,
            stop=prompt.stop,
            fim=_fim_for(prompt, candidate),
            fim_template=candidate.model.fim_template,
        )

    def _provider(self, name: str) -> Provider:
        if name not in self._providers:
            from frugal_lsp.providers.factory import make_provider  # httpx: ~50 ms at start-up

            served = tuple(m.name for m in self.config.models if m.provider == name)
            self._providers[name] = make_provider(
                self.config.provider(name), self._transport, self.paths.logs, served
            )
        return self._providers[name]


def _tokens(settlement: Settlement) -> int:
    return settlement.prompt_tokens + settlement.completion_tokens


def _fim_for(prompt: Prompt, candidate: Candidate) -> Fim | None:
    """The fill-in-the-middle parts, for models that take them (laid out by their template)."""
    return prompt.fim if candidate.model.fim else None


def _tee(on_text: OnText | None, delivered: list[str]) -> OnText | None:
    """Pass streamed text on, remembering whether any reached the user."""
    if on_text is None:
        return None

    def forward(text: str) -> None:
        delivered.append(text)
        on_text(text)

    return forward


def _nothing_left(route: Route, config: Config, avoid: frozenset[str] = frozenset()) -> Exception:
    """Unconfigured when set-up is missing (no such model, keys unset), else QuotaExhausted."""
    if avoid and route.candidates:
        return Unconfigured(
            f"no other model than {', '.join(sorted(avoid))} can take this request —"
            " configure a stronger [[models]] entry"
        )
    if not route.adequate:
        tier = route.required_tier.value
        return Unconfigured(
            f"no {tier} model is configured for this request — add a [[models]] entry with"
            f' tier = "{tier}" to frugal.toml (or ask without --tier)'
        )
    keyless = {c.model.provider for c in route.adequate if _missing_key(config, c.model.provider)}
    if keyless >= {c.model.provider for c in route.adequate}:
        return Unconfigured("nothing was sent: " + "; ".join(route.skipped))
    return QuotaExhausted("no model can take this request now: " + "; ".join(route.skipped))


def _missing_key(config: Config, provider: str) -> str | None:
    found = next((p for p in config.providers if p.name == provider), None)
    return found.missing_key() if found else None


def _combined(failures: list[ProviderError | QuotaExhausted]) -> Exception:
    summary = "; ".join(str(f) for f in failures) or "every platform is cooling down"
    if all(isinstance(f, QuotaExhausted) for f in failures):
        return QuotaExhausted(f"every candidate is out of quota: {summary}")
    last = next((f for f in reversed(failures) if isinstance(f, ProviderError)), None)
    if last is None:
        return QuotaExhausted(summary)
    error = type(last)(last.provider, summary)  # its kind, not its name: each failure has one
    error.args = (f"every candidate failed — {summary}",)
    return error
