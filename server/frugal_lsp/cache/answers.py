"""The exact answer cache (diskcache under FRUGAL_HOME, owner-only permissions).

Key: a hash of provider + model + the exact messages + the generation parameters, so a
cached answer is only ever reused for a byte-identical request. Only deterministic
requests (temperature 0) are cached. The cache stores the hash and the answer, never
the prompt, so code and secrets in prompts do not end up on disk twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import diskcache

from frugal_lsp.config import CacheConfig
from frugal_lsp.providers.base import ProviderRequest


@dataclass(frozen=True)
class CachedAnswer:
    text: str
    prompt_tokens: int
    completion_tokens: int


def cache_key(provider: str, request: ProviderRequest) -> str:
    payload = {
        "provider": provider,
        "model": request.model,
        "messages": [[m.role, m.content] for m in request.messages],
        "fim": asdict(request.fim) if request.fim else None,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "stop": list(request.stop),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


class AnswerCache:
    def __init__(self, folder: Path, config: CacheConfig) -> None:
        self.config = config
        self._cache: diskcache.Cache | None = None
        self.folder = folder

    def _open(self) -> diskcache.Cache:
        if self._cache is None:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.folder, 0o700)
            limit = self.config.size_limit_mb * 1024 * 1024
            self._cache = diskcache.Cache(str(self.folder), size_limit=limit)
            for item in self.folder.iterdir():
                if item.is_file():
                    os.chmod(item, 0o600)
        return self._cache

    def usable(self, request: ProviderRequest) -> bool:
        return self.config.enabled and request.temperature == 0

    def get(self, provider: str, request: ProviderRequest) -> CachedAnswer | None:
        if not self.usable(request):
            return None
        raw = self._open().get(cache_key(provider, request))
        return CachedAnswer(**raw) if isinstance(raw, dict) else None

    def put(self, provider: str, request: ProviderRequest, answer: CachedAnswer) -> None:
        if self.usable(request) and answer.text:
            self._open().set(
                cache_key(provider, request), asdict(answer), expire=self.config.ttl_s or None
            )

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
