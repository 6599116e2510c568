"""The built-in model catalog (``data/catalog.toml``) and the defaults it makes possible.

A config may name a known model and leave out its tier, coefficient, prices and context
window; a provider listed without models gets the catalog's defaults for its kind; and
with no config file at all, the API keys present in the environment decide which
platforms are set up.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from frugal_lsp.config.schema import Config, ModelConfig, ProviderConfig
from frugal_lsp.kinds import KINDS
from frugal_lsp.local_model import chosen_local, local_tier_available
from frugal_lsp.tasks import DEFAULT_COEFFICIENTS, Tier


@dataclass(frozen=True)
class CatalogModel:
    name: str
    kind: str
    tier: Tier
    coefficient: float
    context_window: int
    input_price: float | None
    output_price: float | None
    fim: bool
    default: bool
    tasks: tuple[str, ...] = ()
    fim_template: str = "suffix"
    cached_input_price: float | None = None
    cache_write_price: float | None = None


@cache
def entries() -> tuple[CatalogModel, ...]:
    text = resources.files("frugal_lsp").joinpath("data/catalog.toml").read_text("utf-8")
    raw = tomllib.loads(text)["models"]
    return tuple(
        CatalogModel(
            name=m["name"],
            kind=m["kind"],
            tier=Tier(m["tier"]),
            coefficient=float(m.get("coefficient", DEFAULT_COEFFICIENTS[Tier(m["tier"])])),
            context_window=int(m["context_window"]),
            input_price=m.get("input_price"),
            output_price=m.get("output_price"),
            fim=bool(m.get("fim", False)),
            default=bool(m.get("default", False)),
            tasks=tuple(m.get("tasks", ())),
            fim_template=str(m.get("fim_template", "suffix")),
            cached_input_price=m.get("cached_input_price"),
            cache_write_price=m.get("cache_write_price"),
        )
        for m in raw
    )


@cache
def request_plans() -> dict[str, dict[str, float]]:
    """Premium requests per call by model, per request plan (``data/catalog.toml``)."""
    text = resources.files("frugal_lsp").joinpath("data/catalog.toml").read_text("utf-8")
    plans = tomllib.loads(text).get("request_plans", [])
    return {p["name"]: {k: float(v) for k, v in p["multipliers"].items()} for p in plans}


def multiplier(model: ModelConfig, plan: str) -> float:
    """Premium requests one call of ``model`` costs: its own ``multiplier``, else the
    provider's request plan's, else 1."""
    if model.multiplier is not None:
        return model.multiplier
    return request_plans().get(plan, {}).get(model.name, 1.0)


def as_of() -> str:
    text = resources.files("frugal_lsp").joinpath("data/catalog.toml").read_text("utf-8")
    return str(tomllib.loads(text)["as_of"])


def lookup(name: str) -> CatalogModel | None:
    return next((m for m in entries() if m.name == name), None)


def model_config(entry: CatalogModel, provider: str) -> ModelConfig:
    return ModelConfig(
        name=entry.name,
        provider=provider,
        tier=entry.tier,
        coefficient=entry.coefficient,
        context_window=entry.context_window,
        input_price=entry.input_price,
        output_price=entry.output_price,
        fim=entry.fim,
        tasks=entry.tasks,
        fim_template=entry.fim_template,
        cached_input_price=entry.cached_input_price,
        cache_write_price=entry.cache_write_price,
    )


def default_models(kind: str, provider: str) -> tuple[ModelConfig, ...]:
    """The catalog's defaults for a platform kind; for llama-cpp, the local model in use."""
    chosen = [e for e in entries() if e.kind == kind and e.default]
    if kind == "llama-cpp":
        local = chosen_local()
        chosen = [e for e in chosen if local and e.name == local.name] or chosen[:1]
    return tuple(model_config(e, provider) for e in chosen)


def models_for_bare_providers(
    providers: tuple[ProviderConfig, ...], models: tuple[ModelConfig, ...]
) -> tuple[ModelConfig, ...]:
    """Catalog defaults for each provider that the config lists without any model."""
    used = {m.provider for m in models}
    extra: list[ModelConfig] = []
    for p in providers:
        if p.name not in used:
            extra.extend(default_models(p.kind, p.name))
    return tuple(extra)


def default_config() -> Config:
    """The setup with no config file: one platform per API key in the environment, plus
    the local llama.cpp tier when it is installed (first for the tasks it suits)."""
    providers = [
        ProviderConfig(k.name, k.name, k.default_url, k.key_env, deadline_s=k.deadline_s)
        for k in KINDS.values()
        if k.key_env and os.environ.get(k.key_env)
    ]
    if local_tier_available():
        deadline = KINDS["llama-cpp"].deadline_s
        providers.append(
            ProviderConfig(name="local", kind="llama-cpp", base_url="", deadline_s=deadline)
        )
    models = tuple(m for p in providers for m in default_models(p.kind, p.name))
    names = ", ".join(p.name for p in providers)
    if not providers:
        names = "none (set OPENAI_API_KEY or ANTHROPIC_API_KEY, or install frugal-lsp[local])"
    elif [p.name for p in providers] == ["local"]:
        names = "local only (no API key set: every request runs on the local model, 0 quota)"
    return Config(
        providers=tuple(providers), models=models, source=f"built-in defaults; providers: {names}"
    )
