"""The kinds of help frugal-lsp gives; routing and context policies key on them."""

from __future__ import annotations

from enum import StrEnum


class Task(StrEnum):
    COMPLETION = "completion"
    ASK = "ask"
    EXPLAIN_ERROR = "explain-error"
    DESIGN = "design"


class Tier(StrEnum):
    BASIC = "basic"
    ADVANCED = "advanced"
    SPECIALIZED = "specialized"


# The seed's quota matrix: how much one token costs on each tier.
DEFAULT_COEFFICIENTS: dict[Tier, float] = {
    Tier.BASIC: 1.0,
    Tier.ADVANCED: 3.5,
    Tier.SPECIALIZED: 2.0,
}
