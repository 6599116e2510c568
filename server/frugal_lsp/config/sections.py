"""The readers of each config section: typed values out, every problem recorded.

Each ``read_*`` takes a ``Reader`` over one TOML table and returns its dataclass from
``config/schema.py``, falling back to defaults where a value is bad (the problem is recorded
with its key path, so one run reports everything wrong with a file).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frugal_lsp.config import catalog
from frugal_lsp.config.quota import read_quotas
from frugal_lsp.config.reader import Reader
from frugal_lsp.config.schema import (
    DEFAULT_BASE_URLS,
    DEFAULT_DEADLINES,
    DEFAULT_EXCLUDE,
    FIM_TEMPLATES,
    PERIODS,
    PROVIDER_KINDS,
    TIERS,
    BudgetConfig,
    CacheConfig,
    CompletionConfig,
    Config,
    ContextConfig,
    EmailConfig,
    Limits,
    ModelConfig,
    PacingConfig,
    Period,
    ProviderConfig,
    RoutingConfig,
    StoreConfig,
    StoreFallback,
)
from frugal_lsp.kinds import KINDS
from frugal_lsp.secrets import redact_url
from frugal_lsp.tasks import DEFAULT_COEFFICIENTS, Task, Tier

T = TypeVar("T")
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _section(reader: Reader, key: str, read: Callable[[Reader], T], default: T) -> T:
    sub = reader.table(key)
    return default if sub is None else read(sub)


def read_config(r: Reader) -> Config:
    r.allow(
        "providers",
        "models",
        "routing",
        "budget",
        "context",
        "cache",
        "completion",
        "pacing",
        "store",
    )
    providers = tuple(_read_provider(p) for p in r.array_of_tables("providers"))
    names = [p.name for p in providers]
    for dup in {n for n in names if names.count(n) > 1}:
        r.problem("providers", dup, "each provider needs a unique `name`")
    models = tuple(_read_model(m, names) for m in r.array_of_tables("models"))
    models = models + catalog.models_for_bare_providers(providers, models)
    config = Config(
        providers=providers,
        models=models,
        routing=_section(r, "routing", _read_routing, RoutingConfig()),
        budget=_section(r, "budget", _read_budget, BudgetConfig()),
        context=_section(r, "context", _read_context, ContextConfig()),
        cache=_section(r, "cache", _read_cache, CacheConfig()),
        completion=_section(r, "completion", _read_completion, CompletionConfig()),
        pacing=_section(r, "pacing", _read_pacing, PacingConfig()),
        store=_section(r, "store", _read_store, StoreConfig()),
    )
    return config


def _read_provider(r: Reader) -> ProviderConfig:
    r.allow(
        "name",
        "kind",
        "base_url",
        "api_key_env",
        "timeout",
        "connect_timeout",
        "deadline",
        "limits",
        "quota",
        "model_path",
        "request_plan",
    )
    name = r.string("name", required=True) or "?"
    kind = r.choice("kind", PROVIDER_KINDS, "openai") or "openai"
    base_url = r.string("base_url") or DEFAULT_BASE_URLS[kind]
    if not KINDS[kind].local and not base_url.startswith(("http://", "https://")):
        r.problem("base_url", base_url, "an http:// or https:// URL")
    api_key_env = r.string("api_key_env")
    if api_key_env is not None and not api_key_env.replace("_", "").isalnum():
        # Never echo the value: a user may have pasted the key itself here.
        r.problems.append(
            f"{r.key_path('api_key_env')}: expected the NAME of an environment "
            "variable, e.g. OPENAI_API_KEY (the key itself never goes in config)"
        )
    limits = _section(r, "limits", _read_limits, Limits())
    quotas = read_quotas(r, name)
    return ProviderConfig(
        name=name,
        kind=kind,
        base_url=base_url.rstrip("/"),
        api_key_env=api_key_env,
        timeout_s=r.number("timeout", 60.0, minimum=0.1),
        connect_timeout_s=r.number("connect_timeout", 5.0, minimum=0.1),
        deadline_s=r.number("deadline", DEFAULT_DEADLINES[kind], minimum=0.1),
        limits=limits,
        quota=quotas[0] if quotas else None,
        quotas=quotas,
        model_path=r.string("model_path"),
        request_plan=_read_request_plan(r),
    )


def _read_request_plan(r: Reader) -> str:
    plans = sorted(catalog.request_plans())
    return r.choice("request_plan", plans, "") or "" if "request_plan" in r.data else ""


def _read_limits(r: Reader) -> Limits:
    r.allow("requests_per_minute", "tokens_per_minute")
    return Limits(
        requests_per_minute=r.optional_int("requests_per_minute", minimum=1),
        tokens_per_minute=r.optional_int("tokens_per_minute", minimum=1),
    )


def _read_model(r: Reader, providers: list[str]) -> ModelConfig:
    r.allow(
        "name",
        "provider",
        "tier",
        "coefficient",
        "context_window",
        "input_price",
        "output_price",
        "cached_input_price",
        "cache_write_price",
        "cached_coefficient",
        "cache_write_coefficient",
        "multiplier",
        "fim",
        "fim_suffix",
        "fim_template",
        "frameworks",
        "tasks",
    )
    name = r.string("name", required=True) or "?"
    known = catalog.lookup(name)
    provider = r.string("provider", required=True) or "?"
    if providers and provider not in providers and provider != "?":
        r.problem("provider", provider, f"one of the providers' names: {', '.join(providers)}")
    tier = Tier(r.choice("tier", TIERS, known.tier.value if known else None) or "basic")
    default_coefficient = known.coefficient if known else DEFAULT_COEFFICIENTS[tier]
    return ModelConfig(
        name=name,
        provider=provider,
        tier=tier,
        coefficient=r.number("coefficient", default_coefficient, minimum=0.0),
        context_window=r.integer(
            "context_window", known.context_window if known else 8192, minimum=256
        ),
        input_price=r.optional_number("input_price", known.input_price if known else None),
        output_price=r.optional_number("output_price", known.output_price if known else None),
        cached_input_price=r.optional_number(
            "cached_input_price", known.cached_input_price if known else None
        ),
        cache_write_price=r.optional_number(
            "cache_write_price", known.cache_write_price if known else None
        ),
        cached_coefficient=r.optional_number("cached_coefficient", None),
        cache_write_coefficient=r.optional_number("cache_write_coefficient", None),
        multiplier=r.optional_number("multiplier", None),
        fim=r.boolean("fim", known.fim if known else False),
        fim_template=_read_fim_template(r, known.fim_template if known else "suffix"),
        frameworks=tuple(f.lower() for f in r.strings("frameworks", ())),
        tasks=_read_tasks(r, known.tasks if known else ()),
    )


def _read_fim_template(r: Reader, default: str) -> str:
    """``fim_template``; the older ``fim_suffix = false`` means ``prefix-only``."""
    if not r.boolean("fim_suffix", True):
        default = "prefix-only"
    return r.choice("fim_template", FIM_TEMPLATES, default) or default


def _read_tasks(r: Reader, default: tuple[str, ...]) -> tuple[str, ...]:
    allowed = [t.value for t in Task]
    tasks = tuple(r.strings("tasks", default))
    for task in tasks:
        if task not in allowed:
            r.problem("tasks", task, "tasks among " + " | ".join(allowed))
    return tuple(t for t in tasks if t in allowed)


def _read_routing(r: Reader) -> RoutingConfig:
    r.allow(
        "basic_max_words",
        "advanced_max_words",
        "completion_deadline_ms",
        "cooldown",
        "quality_tolerance",
        "cascade",
        "max_escalations",
        "cascade_check_first",
    )
    basic = r.integer("basic_max_words", 500, minimum=1)
    advanced = r.integer("advanced_max_words", 2000, minimum=1)
    if advanced < basic:
        r.problem("advanced_max_words", advanced, f"at least basic_max_words ({basic})")
    return RoutingConfig(
        basic_max_words=basic,
        advanced_max_words=advanced,
        completion_deadline_ms=r.integer("completion_deadline_ms", 1500, minimum=1),
        cooldown_s=r.number("cooldown", 30.0, minimum=0.0),
        quality_tolerance=r.number("quality_tolerance", 0.05, minimum=0.0),
        cascade=r.boolean("cascade", True),
        max_escalations=r.integer("max_escalations", 1, minimum=0),
        cascade_check_first=r.boolean("cascade_check_first", False),
    )


def _read_budget(r: Reader) -> BudgetConfig:
    r.allow(
        "tokens", "period", "reset_day", "alert_at", "hard_stop", "webhook", "email", "timezone"
    )
    alert_at = tuple(r.numbers("alert_at", (0.7, 0.9, 1.0)))
    for value in alert_at:
        if not 0 < value <= 1.0:
            r.problem("alert_at", value, "fractions of the budget between 0 and 1, e.g. 0.7")
    if list(alert_at) != sorted(set(alert_at)):
        r.problem("alert_at", list(alert_at), "increasing thresholds without repeats")
    return BudgetConfig(
        tokens=r.optional_int("tokens", minimum=0),
        period=cast(Period, r.choice("period", PERIODS, "month")),
        reset_day=r.integer("reset_day", 1, minimum=1, maximum=28),
        alert_at=alert_at,
        hard_stop=r.boolean("hard_stop", True),
        webhook=_read_url(r, "webhook"),
        email=_section(r, "email", _read_email, None),
        timezone=_read_timezone(r),
    )


def _read_url(r: Reader, key: str) -> str:
    url = r.string(key) or ""
    if url and not url.startswith(("http://", "https://")):
        r.problem(key, url, "an http:// or https:// URL")
    return url


def _read_timezone(r: Reader) -> str:
    name = r.string("timezone") or ""
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            r.problem("timezone", name, "an IANA time zone name, e.g. Europe/Berlin")
    return name


def _read_email(r: Reader) -> EmailConfig:
    r.allow("host", "port", "from", "to", "username", "password_env", "starttls")
    to = [r.string("to")] if isinstance(r.data.get("to"), str) else r.strings("to", ())
    password_env = r.string("password_env")
    if password_env is not None and not password_env.replace("_", "").isalnum():
        r.problems.append(
            f"{r.key_path('password_env')}: expected the NAME of an environment variable"
            " (the password itself never goes in config)"
        )
    return EmailConfig(
        host=r.string("host", required=True) or "",
        to=tuple(t for t in to if t),
        sender=r.string("from") or "frugal-lsp@localhost",
        port=r.integer("port", 587, minimum=1, maximum=65535),
        username=r.string("username"),
        password_env=password_env,
        starttls=r.boolean("starttls", True),
    )


def _read_pacing(r: Reader) -> PacingConfig:
    r.allow("enabled", "min_step_interval")
    return PacingConfig(
        enabled=r.boolean("enabled", True),
        min_step_interval_s=r.number("min_step_interval", 600.0, minimum=0.0),
    )


def _read_context(r: Reader) -> ContextConfig:
    r.allow(
        "completion_max_tokens",
        "completion_max_output_tokens",
        "completion_suffix_share",
        "completion_header_share",
        "ask_max_tokens",
        "ask_max_output_tokens",
        "answer_max_words",
        "exclude",
        "respect_gitignore",
        "cross_file",
        "cross_file_share",
        "completion_cross_file_share",
        "recent_windows",
    )
    return ContextConfig(
        completion_max_tokens=r.integer("completion_max_tokens", 512, minimum=64),
        completion_max_output_tokens=r.integer(
            "completion_max_output_tokens", 64, minimum=1, maximum=128
        ),
        completion_suffix_share=_share(r, "completion_suffix_share", 0.4),
        completion_header_share=_share(r, "completion_header_share", 0.2),
        ask_max_tokens=r.integer("ask_max_tokens", 2048, minimum=128),
        ask_max_output_tokens=r.integer("ask_max_output_tokens", 512, minimum=16),
        answer_max_words=r.integer("answer_max_words", 200, minimum=10),
        exclude=tuple(r.strings("exclude", DEFAULT_EXCLUDE)),
        respect_gitignore=r.boolean("respect_gitignore", True),
        cross_file=r.boolean("cross_file", True),
        cross_file_share=_share(r, "cross_file_share", 0.25),
        completion_cross_file_share=_share(r, "completion_cross_file_share", 0.0),
        recent_windows=r.boolean("recent_windows", True),
    )


def _share(r: Reader, key: str, default: float) -> float:
    value = r.number(key, default, minimum=0.0)
    if value > 0.9:
        r.problem(key, value, "a fraction between 0 and 0.9")
        return default
    return value


def _read_cache(r: Reader) -> CacheConfig:
    r.allow("enabled", "ttl", "size_limit_mb")
    return CacheConfig(
        enabled=r.boolean("enabled", True),
        ttl_s=r.integer("ttl", 7 * 24 * 3600, minimum=0),
        size_limit_mb=r.integer("size_limit_mb", 256, minimum=1),
    )


def _read_completion(r: Reader) -> CompletionConfig:
    r.allow("debounce_ms", "word_debounce_ms", "max_document_bytes")
    return CompletionConfig(
        debounce_ms=r.integer("debounce_ms", 150, minimum=0, maximum=5000),
        word_debounce_ms=r.integer("word_debounce_ms", 350, minimum=0, maximum=5000),
        max_document_bytes=r.integer("max_document_bytes", 2_000_000, minimum=1000),
    )


def _read_store(r: Reader) -> StoreConfig:
    r.allow("url", "namespace", "member", "password_env", "fallback", "retry", "lease")
    password_env = r.string("password_env")
    if password_env is not None and not password_env.replace("_", "").isalnum():
        r.problems.append(
            f"{r.key_path('password_env')}: expected the NAME of an environment variable"
            " holding the Redis password (the password itself never goes in config)"
        )
        password_env = None
    namespace = r.string("namespace") or "default"
    if not _NAME.fullmatch(namespace):
        r.problem("namespace", namespace, "letters, digits, '.', '_' or '-' (at most 64)")
        namespace = "default"
    return StoreConfig(
        url=_read_store_url(r),
        namespace=namespace,
        member=r.string("member") or "",
        password_env=password_env,
        fallback=cast(StoreFallback, r.choice("fallback", ("local", "pause"), "pause")),
        retry_s=r.number("retry", 5.0, minimum=0.1),
        lease_s=r.number("lease", 600.0, minimum=1.0),
    )


def _read_store_url(r: Reader) -> str:
    url = r.string("url") or ""
    if not url:
        return ""
    if not url.startswith(("redis://", "rediss://")):
        r.problem("url", redact_url(url), "a redis:// or rediss:// (TLS) URL")
        return ""
    if "@" in url.split("//", 1)[1].split("/", 1)[0]:
        # Never echo it: the part before @ may be the password.
        r.problems.append(
            f"{r.key_path('url')}: holds credentials — write redis://host:port/db and put the"
            " password in an environment variable named by password_env"
        )
        return ""
    return url
