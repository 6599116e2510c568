"""The config schema: nested frozen dataclasses with defaults, and the allowed values.

Pure data: it imports nothing of ours but the ``tasks`` and ``kinds`` vocabularies (no imports),
so every layer may read it. Reading a file into it is ``config/sections.py``; finding
the file is ``config/load.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from frugal_lsp.kinds import KINDS
from frugal_lsp.tasks import Tier

ProviderKind = str  # a key of KINDS (frugal_lsp/kinds.py), checked by the reader
Period = Literal["day", "week", "month", "total", "credits", "project", "rolling"]
StoreFallback = Literal["local", "pause"]
PROVIDER_KINDS: tuple[str, ...] = tuple(KINDS)
PERIODS: tuple[str, ...] = ("day", "week", "month", "total", "credits")
QUOTA_PERIODS: tuple[str, ...] = (*PERIODS, "project", "rolling")
TIERS: tuple[str, ...] = tuple(t.value for t in Tier)
DEFAULT_BASE_URLS: dict[str, str] = {k.name: k.default_url for k in KINDS.values()}
# seconds a whole request may take, streaming included: a CPU model may need minutes
DEFAULT_DEADLINES: dict[str, float] = {k.name: k.deadline_s for k in KINDS.values()}
# the fill-in-the-middle layouts a model may name (`fim_template`); each is an entry of
# providers/fim.py's TEMPLATES (tests/unit/providers checks the two agree)
FIM_TEMPLATES: tuple[str, ...] = (
    "suffix",
    "prefix-only",
    "qwen",
    "starcoder",
    "deepseek",
    "codellama",
    "codestral",
)
DEFAULT_EXCLUDE: tuple[str, ...] = (".env", ".env.*", "*.pem", "*.key", "id_rsa*", "secrets/**")


@dataclass(frozen=True)
class Limits:
    """A platform's rate limits (token bucket capacity per minute)."""

    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None


@dataclass(frozen=True)
class QuotaConfig:
    """One allowance of a platform: quota units (tokens x coefficient) or requests
    (x the model's multiplier) per period; a pool that pays, or a cap that counts every
    call (see ``quota/allowances.py``)."""

    tokens: int | None = None
    period: Period = "month"
    reset_day: int = 1  # day of the month (or week, 1 = Monday) a period starts
    requests: int | None = None  # a request plan: requests x multiplier instead of tokens
    window: str = ""  # rolling: "5h", "7d"
    free: bool = False  # a free allowance: drawn before any paid one
    cap: bool = False  # counts every call, pays for none (rolling windows always are)
    name: str = ""  # the ledger's id for it (default: its period, unit and kind)

    @property
    def limit(self) -> int:
        return (self.requests if self.requests is not None else self.tokens) or 0

    @property
    def legacy(self) -> bool:
        """A plain token allowance that the ledger counts from its calls, as before
        several allowances per platform existed."""
        return (
            self.requests is None
            and self.period in PERIODS
            and not (self.free or self.cap or self.name)
        )


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    kind: ProviderKind
    base_url: str
    api_key_env: str | None = None
    timeout_s: float = 60.0  # the longest silence between two reads
    connect_timeout_s: float = 5.0
    deadline_s: float = 120.0  # the whole request, streaming included (`deadline`)
    limits: Limits = field(default_factory=Limits)
    quota: QuotaConfig | None = None  # the first of ``quotas`` (kept for one-quota readers)
    quotas: tuple[QuotaConfig, ...] = ()  # every [[providers.quota]]
    model_path: str | None = None  # llama-cpp: the GGUF file to serve
    request_plan: str = ""  # a catalog request plan: its per-model multipliers

    def api_key(self) -> str | None:
        """The key, read from the environment at the moment it is needed; never stored."""
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def missing_key(self) -> str | None:
        """Why nothing may be sent yet: the key's variable is named but unset (or empty).
        A kind that never sends a key (llama-cpp) never misses one."""
        if not KINDS[self.kind].sends_key or not self.api_key_env or self.api_key():
            return None
        return f"${self.api_key_env} is not set — export it with the key of `{self.name}`"


@dataclass(frozen=True)
class ModelConfig:
    name: str
    provider: str
    tier: Tier
    coefficient: float
    context_window: int = 8192
    input_price: float | None = None  # USD per million tokens
    output_price: float | None = None
    cached_input_price: float | None = None  # USD per million prompt tokens read from cache
    cache_write_price: float | None = None  # USD per million prompt tokens written to cache
    cached_coefficient: float | None = None  # quota units per cached token (None: coefficient)
    cache_write_coefficient: float | None = None
    multiplier: float | None = None  # premium requests per call (None: the request plan's)
    fim: bool = False  # fill-in-the-middle through /v1/completions
    fim_template: str = "suffix"  # how prefix and suffix are laid out: see providers/fim.py
    frameworks: tuple[str, ...] = ()  # e.g. ("django",): files importing them route here
    tasks: tuple[str, ...] = ()  # tasks it is adequate for (empty: all); else a last resort

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.name}"


@dataclass(frozen=True)
class RoutingConfig:
    basic_max_words: int = 500
    advanced_max_words: int = 2000
    completion_deadline_ms: int = 1500
    cooldown_s: float = 30.0  # how long a failed provider is skipped without Retry-After
    quality_tolerance: float = 0.05  # ES: "as good as the best measured" (routing/quality.py)
    cascade: bool = True  # asks: cheap first, one escalation on a failed check (cascade.py)
    max_escalations: int = 1
    cascade_check_first: bool = False  # True: check before showing anything (no draft)


@dataclass(frozen=True)
class EmailConfig:
    """Alert e-mail over SMTP; the password is read from ``password_env`` when sending."""

    host: str
    to: tuple[str, ...]
    sender: str = "frugal-lsp@localhost"  # `from` in the file
    port: int = 587
    username: str | None = None
    password_env: str | None = None
    starttls: bool = True


@dataclass(frozen=True)
class BudgetConfig:
    tokens: int | None = None  # quota units; None = no overall budget
    period: Period = "month"
    reset_day: int = 1
    alert_at: tuple[float, ...] = (0.7, 0.9, 1.0)
    hard_stop: bool = True
    webhook: str = ""  # POSTed JSON {"text": ...} (Slack-compatible) on each alert
    email: EmailConfig | None = None
    timezone: str = ""  # IANA name, e.g. "Europe/Berlin"; empty: the system's local zone


@dataclass(frozen=True)
class PacingConfig:
    """Step down (cheaper tier, smaller context, longer debounce) when the budget would run out."""

    enabled: bool = True
    min_step_interval_s: float = 600.0  # a step holds at least this long before the next


@dataclass(frozen=True)
class ContextConfig:
    completion_max_tokens: int = 512  # measured: see bench/results/quality-split.md
    completion_max_output_tokens: int = 64
    completion_suffix_share: float = 0.4  # of the code around the cursor, below it (measured)
    completion_header_share: float = 0.2  # at most, for lines from elsewhere (imports, ...)
    ask_max_tokens: int = 2048
    ask_max_output_tokens: int = 512
    answer_max_words: int = 200
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    respect_gitignore: bool = True
    cross_file: bool = True  # signatures from other files of the workspace (workspace index)
    cross_file_share: float = 0.25  # at most, of an ask's / explanation's budget, for them
    # Completions: off (0) by default — on the real code model they completed worse with
    # other files' signatures than without (bench/results/crossfile-quality.md).
    completion_cross_file_share: float = 0.0
    # the most similar window of a recently edited file, after the definitions (their share)
    recent_windows: bool = True


@dataclass(frozen=True)
class CacheConfig:
    enabled: bool = True
    ttl_s: int = 7 * 24 * 3600
    size_limit_mb: int = 256


@dataclass(frozen=True)
class CompletionConfig:
    debounce_ms: int = 150  # after a space, punctuation or a line break
    word_debounce_ms: int = 350  # while an identifier is being typed: bursts, fewer pauses
    max_document_bytes: int = 2_000_000


@dataclass(frozen=True)
class StoreConfig:
    """Where the ledger, buckets, alert state and answer cache live (``[store]``).

    No ``url``: the embedded store under FRUGAL_HOME. ``redis://`` or ``rediss://`` (TLS):
    the team store, shared by every member of ``namespace``.
    """

    url: str = ""
    namespace: str = "default"
    member: str = ""  # empty: user@host
    password_env: str | None = None
    fallback: StoreFallback = "pause"  # Redis away: "local" store, or pause completions
    retry_s: float = 5.0  # how often a lost Redis is tried again
    lease_s: float = 600.0  # a team reservation nobody settled is released after this

    @property
    def team(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True)
class Config:
    providers: tuple[ProviderConfig, ...] = ()
    models: tuple[ModelConfig, ...] = ()
    routing: RoutingConfig = field(default_factory=RoutingConfig)
    budget: BudgetConfig = field(default_factory=BudgetConfig)
    context: ContextConfig = field(default_factory=ContextConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    completion: CompletionConfig = field(default_factory=CompletionConfig)
    pacing: PacingConfig = field(default_factory=PacingConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    source: str = "built-in defaults"

    def provider(self, name: str) -> ProviderConfig:
        return next(p for p in self.providers if p.name == name)


__all__ = [
    "DEFAULT_BASE_URLS",
    "DEFAULT_DEADLINES",
    "DEFAULT_EXCLUDE",
    "FIM_TEMPLATES",
    "PERIODS",
    "PROVIDER_KINDS",
    "TIERS",
    "BudgetConfig",
    "CacheConfig",
    "CompletionConfig",
    "Config",
    "ContextConfig",
    "EmailConfig",
    "Limits",
    "ModelConfig",
    "PacingConfig",
    "Period",
    "ProviderConfig",
    "ProviderKind",
    "QuotaConfig",
    "RoutingConfig",
    "StoreConfig",
    "StoreFallback",
]  # what config/__init__.py re-exports
