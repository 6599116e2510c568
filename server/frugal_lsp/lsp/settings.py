"""Editor settings (section ``frugal``, camelCase) and how they override ``frugal.toml``.

Unknown keys are ignored; a bad value is reported (once, by the caller) and left at the
file's value. ``exclude`` adds to the file's patterns instead of replacing them, so an
editor setting can never re-allow a secret file the project excludes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from frugal_lsp.config import Config
from frugal_lsp.tasks import Tier

TIERS = ("auto", *(t.value for t in Tier))


@dataclass(frozen=True)
class Template:
    title: str
    prompt: str


DEFAULT_TEMPLATES: tuple[Template, ...] = (
    Template("Explain", "Explain what this code does, step by step, for a new team member."),
    Template("Find bugs", "Find bugs in this code: name each one, why it is wrong, and the fix."),
    Template("Write tests", "Write unit tests for this code covering normal and edge cases."),
    Template("Add docstring", "Write a docstring for this code in the language's usual style."),
    Template("Optimize", "Suggest how to make this code faster or lighter, with the change."),
)


@dataclass(frozen=True)
class Settings:
    tier: str = "auto"
    debounce_ms: int | None = None
    completion_max_tokens: int | None = None
    answer_max_words: int | None = None
    exclude: tuple[str, ...] = ()
    enable_completions: bool = True
    templates: tuple[Template, ...] = DEFAULT_TEMPLATES

    @property
    def tier_override(self) -> Tier | None:
        return None if self.tier == "auto" else Tier(self.tier)


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    """Settings from the client's JSON; the list names every value that was ignored."""
    problems: list[str] = []
    if raw is None:
        return Settings(), problems
    if not isinstance(raw, dict):
        return Settings(), [f"frugal: expected an object of settings, got {type(raw).__name__}"]
    if isinstance(raw.get("frugal"), dict):  # pushed as {"frugal": {...}}
        raw = raw["frugal"]
    settings = Settings(
        tier=_choice(raw, "tier", TIERS, "auto", problems),
        debounce_ms=_int(raw, "debounceMs", 0, 5000, problems),
        completion_max_tokens=_int(raw, "completionMaxTokens", 64, 32768, problems),
        answer_max_words=_int(raw, "answerMaxWords", 10, 5000, problems),
        exclude=_strings(raw, "exclude", problems),
        enable_completions=_bool(raw, "enableCompletions", True, problems),
        templates=_templates(raw, problems),
    )
    return settings, problems


def apply_settings(config: Config, settings: Settings) -> Config:
    """``config`` with the editor's settings laid over it."""
    completion, context = config.completion, config.context
    if settings.debounce_ms is not None:
        completion = replace(completion, debounce_ms=settings.debounce_ms)
    if settings.completion_max_tokens is not None:
        context = replace(context, completion_max_tokens=settings.completion_max_tokens)
    if settings.answer_max_words is not None:
        context = replace(context, answer_max_words=settings.answer_max_words)
    extra = tuple(p for p in settings.exclude if p not in context.exclude)
    if extra:
        context = replace(context, exclude=(*context.exclude, *extra))
    return replace(config, completion=completion, context=context)


def _choice(
    raw: dict[str, Any], key: str, allowed: tuple[str, ...], default: str, problems: list[str]
) -> str:
    value = raw.get(key, default)
    if value is None:
        return default
    if value not in allowed:
        problems.append(f"frugal.{key} = {value!r}: expected one of {', '.join(allowed)}")
        return default
    return str(value)


def _int(raw: dict[str, Any], key: str, low: int, high: int, problems: list[str]) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        problems.append(f"frugal.{key} = {value!r}: expected a whole number from {low} to {high}")
        return None
    return int(value)


def _bool(raw: dict[str, Any], key: str, default: bool, problems: list[str]) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        problems.append(f"frugal.{key} = {value!r}: expected true or false")
        return default
    return value


def _strings(raw: dict[str, Any], key: str, problems: list[str]) -> tuple[str, ...]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"frugal.{key}: expected a list of glob strings")
        return ()
    return tuple(value)


def _templates(raw: dict[str, Any], problems: list[str]) -> tuple[Template, ...]:
    value = raw.get("templates")
    if value is None:
        return DEFAULT_TEMPLATES
    ok = isinstance(value, list) and all(
        isinstance(t, dict) and isinstance(t.get("title"), str) and isinstance(t.get("prompt"), str)
        for t in value
    )
    if not ok:
        problems.append('frugal.templates: expected a list of {"title": str, "prompt": str}')
        return DEFAULT_TEMPLATES
    return tuple(Template(t["title"], t["prompt"]) for t in value if t["title"].strip())
