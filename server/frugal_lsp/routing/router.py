"""Routing: task + size + frameworks -> required tier -> an ordered candidate chain.

The chain holds every model adequate for the request (its tier at least the required
one, a context window that fits, a platform with quota and room in its token buckets —
requests and tokens per minute, see ``quota/buckets.py``), cheapest
first by estimated quota units (tokens x coefficient), then money, then latency. The
engine tries them in order and falls over to the next on 429/5xx. The decision and the
reason for every model left out are part of the result, so ``plan`` can show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from frugal_lsp.config import Config, LiveConfig, ModelConfig, live
from frugal_lsp.context.policies import TASKS
from frugal_lsp.prompt import Prompt
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.routing import allowance
from frugal_lsp.tasks import Tier

# Adequacy order; specialized models are picked by framework, not by strength.
TIER_RANK: dict[Tier, int] = {Tier.BASIC: 0, Tier.SPECIALIZED: 1, Tier.ADVANCED: 2}


@dataclass(frozen=True)
class Candidate:
    model: ModelConfig
    estimated_units: float
    estimated_usd: float | None

    @property
    def label(self) -> str:
        return f"{self.model.provider}/{self.model.name} ({self.model.tier.value})"


@dataclass(frozen=True)
class Route:
    required_tier: Tier
    reason: str
    candidates: tuple[Candidate, ...]
    skipped: tuple[str, ...]  # "provider/model: why", for every adequate model left out
    adequate: tuple[Candidate, ...] = ()  # candidates before headroom: a cache hit is free

    @property
    def chosen(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def estimate(model: ModelConfig, prompt_tokens: int, output_tokens: int) -> Candidate:
    units = (prompt_tokens + output_tokens) * model.coefficient
    usd = None
    if model.input_price is not None and model.output_price is not None:
        usd = (prompt_tokens * model.input_price + output_tokens * model.output_price) / 1e6
    return Candidate(model, units, usd)


class Router:
    def __init__(self, config: Config | LiveConfig, account: QuotaAccount) -> None:
        self.live = live(config)
        self.account = account

    @property
    def config(self) -> Config:
        """The config in force (paced: the current step applied)."""
        return self.live.current

    def required_tier(self, prompt: Prompt) -> tuple[Tier, str]:
        """The seed's table: by task, then by words of input."""
        routing = self.config.routing
        spec = TASKS[prompt.task]
        if spec.tier is not None:
            return spec.tier, spec.tier_reason
        if prompt.words < routing.basic_max_words:
            return Tier.BASIC, f"{prompt.words} words < {routing.basic_max_words}"
        if prompt.words < routing.advanced_max_words:
            return Tier.ADVANCED, f"{prompt.words} words < {routing.advanced_max_words}"
        return Tier.ADVANCED, f"{prompt.words} words: the strongest tier"

    def route(self, prompt: Prompt, tier: Tier | None = None) -> Route:
        """Candidates for ``prompt``; ``tier`` forces at least that tier (user's choice)."""
        required, reason = self.required_tier(prompt)
        paced = tier is None and self.account.pacing_step >= 1 and required is Tier.ADVANCED
        if tier is not None:
            required, reason = tier, f"{tier.value} tier requested"
        elif paced:
            required, reason = Tier.BASIC, f"{reason}; pacing: the cheaper tier"
        strongest_first = prompt.words >= self.config.routing.advanced_max_words and not paced
        kept: list[Candidate] = []
        skipped: list[str] = []
        adequate = [
            estimate(model, prompt.prompt_tokens, prompt.max_output_tokens)
            for model in self._adequate(prompt, required)
        ]
        for candidate in adequate:
            model = candidate.model
            why_not = self._why_not(model, prompt, candidate)
            if why_not:
                skipped.append(f"{model.key}: {why_not}")
            else:
                kept.append(candidate)
        kept.sort(key=lambda c: self._order(c, prompt, required, strongest_first))
        if kept:
            reason += f"; cheapest adequate: {kept[0].label}"
            if paying := self._preference(kept[0]).reason:
                reason += f" — {paying}"
        return Route(required, reason, tuple(kept), tuple(skipped), tuple(adequate))

    def _adequate(self, prompt: Prompt, required: Tier) -> list[ModelConfig]:
        def fits(model: ModelConfig) -> bool:
            if model.tier is Tier.SPECIALIZED:
                return required is Tier.SPECIALIZED or bool(
                    prompt.frameworks & set(model.frameworks)
                )
            if required is Tier.SPECIALIZED:
                return False
            return TIER_RANK[model.tier] >= TIER_RANK[required]

        # Free (local) models are always kept, as a last resort when they are not adequate.
        return [m for m in self.config.models if fits(m) or m.coefficient == 0]

    def _last_resort(self, model: ModelConfig, prompt: Prompt, required: Tier) -> bool:
        """A model kept only because it is free: tier too low, or not made for this task."""
        wrong_task = bool(model.tasks) and prompt.task.value not in model.tasks
        return wrong_task or TIER_RANK[model.tier] < TIER_RANK[required]

    def _why_not(self, model: ModelConfig, prompt: Prompt, cand: Candidate) -> str | None:
        needed = prompt.prompt_tokens + prompt.max_output_tokens
        if missing := self._missing_key(model.provider):  # nothing is sent without its key
            return missing
        if needed > model.context_window:
            return f"needs {needed} tokens, context window is {model.context_window}"
        if wait := self.account.cooling(model.provider):
            return f"cooling down for {wait:.0f}s after a provider error"
        if rate := self.account.buckets.why_not(model.provider, needed):
            return rate
        if full := allowance.why_not(self.account, model, cand.estimated_units):
            return f"quota: {full}"
        left = self.account.left(model.provider)
        if left is not None and cand.estimated_units > left:
            return f"quota: {left:,.0f} units left, needs up to {cand.estimated_units:,.0f}"
        return None

    def _preference(self, cand: Candidate) -> allowance.Preference:
        return allowance.preference(self.account, cand.model, cand.estimated_units)

    def _missing_key(self, provider: str) -> str | None:
        found = next((p for p in self.config.providers if p.name == provider), None)
        return found.missing_key() if found is not None else f"no provider named `{provider}`"

    def _order(
        self, cand: Candidate, prompt: Prompt, required: Tier, strongest_first: bool
    ) -> tuple[float, ...]:
        model = cand.model
        last_resort = 1.0 if self._last_resort(model, prompt, required) else 0.0
        framework = 0.0 if prompt.frameworks & set(model.frameworks) else 1.0
        exact_tier = 0.0 if model.tier is required else 1.0
        slow = 0.0
        if TASKS[prompt.task].latency_bound:
            p50 = self.account.p50_latency_ms(model.provider, model.name)
            slow = (
                1.0 if p50 is not None and p50 > self.config.routing.completion_deadline_ms else 0.0
            )
        strength = -model.coefficient if strongest_first else 0.0
        return (
            last_resort,
            framework,
            slow,
            exact_tier,
            strength,
            float(self._preference(cand).rank),  # free / expiring allowances first
            cand.estimated_units,
            cand.estimated_usd or 0.0,
        )
