"""What the engine hands back: a Plan (nothing spent yet) and an Answer (what it cost)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from frugal_lsp.prompt import Prompt
from frugal_lsp.routing.router import Candidate, Route


@dataclass(frozen=True)
class Plan:
    """What would be sent, to which model, at what estimated cost — nothing spent yet."""

    prompt: Prompt
    route: Route

    def to_json(self) -> dict[str, Any]:
        chosen = self.route.chosen
        p = self.prompt
        return {
            "task": p.task.value,
            "language": p.language,
            "scope": {
                "kind": p.scope.kind,
                "name": p.scope.name,
                "start_line": p.scope.start_line,
                "end_line": p.scope.end_line,
            },
            "prompt_text": p.text,
            "prompt_tokens": p.prompt_tokens,
            "full_file_tokens": p.full_file_tokens,
            "max_output_tokens": p.max_output_tokens,
            "model": {
                "provider": chosen.model.provider,
                "name": chosen.model.name,
                "tier": chosen.model.tier.value,
            }
            if chosen
            else None,
            "estimated_cost": round(chosen.estimated_units, 2) if chosen else None,
            "estimated_usd": chosen.estimated_usd if chosen else None,
            "redactions": p.redactions,
            "context_from": list(p.origins),
            "routing": {
                "required_tier": self.route.required_tier.value,
                "reason": self.route.reason,
                "candidates": [c.label for c in self.route.candidates],
                "skipped": list(self.route.skipped),
            },
        }


@dataclass(frozen=True)
class Answer:
    text: str
    candidate: Candidate
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    cost: float  # quota units actually charged (0 for a cache hit)
    cost_usd: float | None
    call_id: int | None
    plan: Plan
    escalation: str | None = None  # the cascade asked again: "reason: weaker model" (cascade.py)
