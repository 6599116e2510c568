"""Every conversion between engine dataclasses and lsprotocol types / wire JSON, in one place."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp

from frugal_lsp.completion import Suggestion
from frugal_lsp.context import Position
from frugal_lsp.errors import BadParams
from frugal_lsp.quota.allowance_status import wire as allowances_json
from frugal_lsp.quota.periods import iso
from frugal_lsp.quota.status import PlatformStatus, Status
from frugal_lsp.results import Answer, Plan

ACCEPT_COMMAND = "frugal.acceptCompletion"


# -- positions and documents --------------------------------------------------------


def position(pos: lsp.Position) -> Position:
    return Position(max(pos.line, 0), max(pos.character, 0))


def path_of(uri: str) -> Path:
    """A filesystem path for ``file:`` URIs; a stable pseudo-path for others (untitled:...)."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    return Path(parsed.scheme or "untitled") / unquote(parsed.path or parsed.netloc).lstrip("/")


def file_uri(path: Path) -> str:
    return path.resolve().as_uri()


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def first_line_range(text: str) -> lsp.Range:
    first = text.split("\n", 1)[0] if text else ""
    return lsp.Range(lsp.Position(0, 0), lsp.Position(0, utf16_len(first.rstrip("\r"))))


# -- raw JSON arguments (executeCommand) ---------------------------------------------


def arg_object(args: tuple[Any, ...]) -> dict[str, Any]:
    """The first command argument as an object; {} when none was sent."""
    if not args:
        return {}
    if not isinstance(args[0], dict):
        raise BadParams('expected an object as the first argument, e.g. [{ "uri": ... }]')
    return args[0]


def raw_position(value: Any, name: str) -> Position:
    if not isinstance(value, dict):
        raise BadParams(f"`{name}` must be an LSP Position {{line, character}}")
    line, character = value.get("line"), value.get("character")
    if not isinstance(line, int) or not isinstance(character, int):
        raise BadParams(f"`{name}` needs integer `line` and `character`")
    if not _natural(line) or not _natural(character):
        raise BadParams(f"`{name}` needs non-negative `line` and `character`")
    return Position(line, character)


def raw_range(value: Any) -> tuple[Position, Position]:
    if not isinstance(value, dict):
        raise BadParams("`range` must be an LSP Range {start, end}")
    start = raw_position(value.get("start"), "range.start")
    end = raw_position(value.get("end"), "range.end")
    if (end.line, end.character) < (start.line, start.character):
        raise BadParams("`range.end` is before `range.start`")
    return start, end


def raw_string(obj: dict[str, Any], key: str, required: bool = False) -> str:
    value = obj.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value):
        raise BadParams(f"`{key}` must be a {'non-empty ' if required else ''}string")
    return value


def _natural(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def range_json(start: Position, end: Position) -> dict[str, Any]:
    return {
        "start": {"line": start.line, "character": start.character},
        "end": {"line": end.line, "character": end.character},
    }


# -- completions ----------------------------------------------------------------------


def accept_command(suggestion: Suggestion) -> lsp.Command:
    return lsp.Command(
        title="Accept AI suggestion", command=ACCEPT_COMMAND, arguments=[{"id": suggestion.id}]
    )


def inline_list(suggestion: Suggestion | None) -> lsp.InlineCompletionList | None:
    if suggestion is None:
        return None
    item = lsp.InlineCompletionItem(insert_text=suggestion.text, command=accept_command(suggestion))
    return lsp.InlineCompletionList(items=[item])


def completion_list(
    suggestion: Suggestion | None, word: str, cursor: lsp.Position
) -> lsp.CompletionList:
    """One item; it replaces the word being typed with ``word`` + the suggestion, so clients
    that filter or replace by word (Neovim's omnifunc) insert exactly the right text."""
    if suggestion is None:
        return lsp.CompletionList(is_incomplete=True, items=[])
    text = word + suggestion.text
    label = text.strip().split("\n", 1)[0][:80] or text[:80]
    start = lsp.Position(cursor.line, max(cursor.character - utf16_len(word), 0))
    item = lsp.CompletionItem(
        label=label,
        kind=lsp.CompletionItemKind.Snippet,
        detail=f"frugal · {suggestion.model} · {suggestion.tier}",
        text_edit=lsp.TextEdit(lsp.Range(start, cursor), text),
        insert_text_format=lsp.InsertTextFormat.PlainText,
        filter_text=text,
        sort_text="~frugal",
        command=accept_command(suggestion),
    )
    return lsp.CompletionList(is_incomplete=True, items=[item])


# -- estimates, answers, status -------------------------------------------------------


def estimate_label(plan: Plan) -> str:
    """ "~420 tokens, basic": what an action would cost, before anything is spent."""
    chosen = plan.route.chosen
    tokens = plan.prompt.prompt_tokens + plan.prompt.max_output_tokens
    if chosen is None:
        return f"~{tokens:,} tokens, no model available"
    return f"~{tokens:,} tokens, {chosen.model.tier.value}"


def estimate_json(plan: Plan) -> dict[str, Any]:
    chosen = plan.route.chosen
    return {
        "tokens": plan.prompt.prompt_tokens + plan.prompt.max_output_tokens,
        "tier": chosen.model.tier.value if chosen else None,
        "model": chosen.model.name if chosen else None,
        "provider": chosen.model.provider if chosen else None,
        "cost": round(chosen.estimated_units, 2) if chosen else None,
        # nothing chosen: why each adequate model was left out, or (none adequate) the rule
        "reason": "; ".join(plan.route.skipped)
        if not chosen and plan.route.skipped
        else plan.route.reason,
    }


def answer_json(answer: Answer, thread_id: str, document: Path | None) -> dict[str, Any]:
    model = answer.candidate.model
    return {
        "answer": answer.text,
        "model": model.name,
        "provider": model.provider,
        "tier": model.tier.value,
        "promptTokens": answer.prompt_tokens,
        "completionTokens": answer.completion_tokens,
        "cached": answer.cached,
        "cost": round(answer.cost, 2),
        "threadId": thread_id,
        "documentUri": file_uri(document) if document else None,
        "escalation": answer.escalation,
    }


def status_json(status: Status) -> dict[str, Any]:
    """The ``frugal/status`` notification (docs/protocol.md), camelCase: every field of the
    payload is written here and only here."""
    return {
        "used": round(status.used, 2),
        "limit": status.limit,
        "fraction": round(status.fraction, 4) if status.fraction is not None else None,
        "period": status.period,
        "burnPerMin": round(status.burn_per_min, 3),
        "daysLeft": round(status.days_left, 2) if status.days_left is not None else None,
        "tier": status.tier,
        "state": status.state,
        "busy": status.busy,
        "message": status.message,
        "platforms": [platform_json(p, status.timezone) for p in status.platforms],
        "tokensSaved": status.tokens_saved,
        "costPerAccepted": (
            round(status.cost_per_accepted, 2) if status.cost_per_accepted is not None else None
        ),
        "accepted": status.accepted,
        "burnSmoothedPerMin": round(status.burn_smoothed_per_min, 3),
        "exhaustionEta": iso(status.exhaustion_eta, status.timezone),
        "periodEnd": iso(status.period_end, status.timezone),
        "periodDaysLeft": _round(status.period_days_left),
        "peakHours": list(status.peak_hours),
        "pacingStep": status.pacing_step,
        "pacing": status.pacing,
        "pacingReason": status.pacing_reason,
        "savings": [{"kind": s.kind, "tokens": s.tokens} for s in status.savings],
        "store": status.store,
        "storeProblem": status.store_problem,
        "members": [
            {"member": m.member, "used": round(m.units, 2), "calls": m.calls}
            for m in status.members
        ],
        "scorecard": list(status.scorecard),
    }


def platform_json(platform: PlatformStatus, timezone: str = "") -> dict[str, Any]:
    """One entry of ``frugal/status`` ``platforms``."""
    return {
        "name": platform.name,
        "used": platform.used,
        "limit": platform.limit,
        "fraction": platform.fraction,
        "period": platform.period,
        "burnPerMin": round(platform.burn_per_min, 3),
        "daysLeft": _round(platform.days_left),
        "exhaustionEta": iso(platform.exhaustion_eta, timezone),
        "requestsAvailable": _round(platform.requests_available),
        "tokensAvailable": _round(platform.tokens_available),
        "coolingS": round(platform.cooling_s, 1),
        "coolingReason": platform.cooling_reason,
        "allowances": allowances_json(platform.allowances, lambda ts: iso(ts, timezone)),
    }


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None
