"""What a call costs once its usage is known, prompt-cache reads and writes included.

Platforms bill prompt tokens read from their prompt cache at a fraction of the input
price (Anthropic cache reads 0.1x, OpenAI cached input 10-50 %) and Anthropic bills cache
writes at 1.25x. A model's ``cached_input_price`` and ``cache_write_price`` (USD per
million tokens) say so; its quota coefficient for those tokens is ``cached_coefficient``
and ``cache_write_coefficient``, by default the coefficient scaled by the same price ratio
(the coefficient itself when a price is unknown). ``saved_*`` is what the call would have
cost with every prompt token at the plain price, minus what it did cost: what prompt
caching saved (negative when writes cost more than reads saved).
"""

from __future__ import annotations

from dataclasses import dataclass

from frugal_lsp.config import ModelConfig


@dataclass(frozen=True)
class Priced:
    units: float
    usd: float | None
    saved_units: float
    saved_usd: float | None


def coefficients(model: ModelConfig) -> tuple[float, float]:
    """Quota units per cache-read token and per cache-write token."""
    return (
        _scaled(model, model.cached_coefficient, model.cached_input_price),
        _scaled(model, model.cache_write_coefficient, model.cache_write_price),
    )


def _scaled(model: ModelConfig, given: float | None, price: float | None) -> float:
    if given is not None:
        return given
    if price is not None and model.input_price:
        return model.coefficient * price / model.input_price
    return model.coefficient


def price(
    model: ModelConfig, prompt: int, completion: int, cached: int = 0, cache_write: int = 0
) -> Priced:
    """Units and dollars of a call whose ``prompt`` tokens include ``cached`` read from
    and ``cache_write`` written to the prompt cache (clamped: never more than the prompt)."""
    cached = min(max(cached, 0), prompt)
    cache_write = min(max(cache_write, 0), prompt - cached)
    plain = prompt - cached - cache_write
    k_read, k_write = coefficients(model)
    k = model.coefficient
    units = (plain + completion) * k + cached * k_read + cache_write * k_write
    full_units = (prompt + completion) * k
    if model.input_price is None or model.output_price is None:
        return Priced(units, None, full_units - units, None)
    p_in = model.input_price
    p_read = model.cached_input_price if model.cached_input_price is not None else p_in
    p_write = model.cache_write_price if model.cache_write_price is not None else p_in
    usd = (plain * p_in + cached * p_read + cache_write * p_write) / 1e6
    usd += completion * model.output_price / 1e6
    full_usd = (prompt * p_in + completion * model.output_price) / 1e6
    return Priced(units, usd, full_units - units, full_usd - usd)
