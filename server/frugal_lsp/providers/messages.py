"""What a provider's error response says, made into our messages.

The provider's own message (OpenAI, Anthropic and FastAPI shapes), shortened to its head
and tail — proxies name the cause near the end, after a traceback — the fix a 4xx calls
for, and the wait a 429 asked for (saying so when it was capped).
"""

from __future__ import annotations

import json
import re

from frugal_lsp.providers.ratelimits import Headers, parse_retry_after

_DETAIL_MAX = 600  # a proxy's message often names the cause near its end: keep head and tail


def error_message(body_text: str) -> str:
    """The provider's own error message (OpenAI and Anthropic shapes), else the raw text."""
    text = body_text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        return _shortened(text)
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return _shortened(str(error["message"]))
    if isinstance(error, str):
        return _shortened(error)
    if isinstance(data, dict) and isinstance(data.get("detail"), str):  # FastAPI servers
        return _shortened(str(data["detail"]))
    return _shortened(text)


def is_anthropic_error(body_text: str) -> bool:
    """Whether the body is Anthropic's own error shape (``{"type": "error", "error": …}``)."""
    try:
        data = json.loads(body_text)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("type") == "error"


def _shortened(text: str) -> str:
    """At most ``_DETAIL_MAX`` characters: the head and the tail, where causes are named."""
    text = " ".join(text.split())
    if len(text) <= _DETAIL_MAX:
        return text
    half = _DETAIL_MAX // 2
    return f"{text[:half]} … {text[-half:]}"


_MODEL_WORDS = re.compile(r"\bmodel", re.IGNORECASE)


def client_error_fix(status: int, detail: str = "") -> str:
    """What to do about a 4xx the provider sent (its message, when it gave one, helps)."""
    if status == 404 or (status == 400 and _MODEL_WORDS.search(detail)):
        return "check the model name and base_url"
    if status == 413:
        return "the prompt is too large; lower the context budget"
    return "the provider rejected the request"


def retry_advice(wait: float | None, headers: Headers) -> str:
    """How long to wait, saying so when the provider asked for longer than we wait."""
    if wait is None:
        return "retry later"
    asked = parse_retry_after(headers, cap=False)
    if asked is not None and asked > wait:
        return (
            f"retry after {wait:g}s (it asked for {asked:g}s; frugal-lsp waits at most {wait:g}s)"
        )
    return f"retry after {wait:g}s"
