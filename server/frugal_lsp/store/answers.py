"""The exact answer cache: diskcache under FRUGAL_HOME (owner-only), or the team's Redis.

Key: a hash of provider + model + the exact messages + the generation parameters, so a
cached answer is only ever reused for a byte-identical request. Only deterministic
requests (temperature 0) are cached. The cache stores the hash and the answer, never
the prompt, so code and secrets in prompts do not end up on disk twice. On the team
store, answers live under the team's namespace only: one member's answer serves the
whole team, never another namespace.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from frugal_lsp.config import CacheConfig, LiveConfig
from frugal_lsp.providers.base import ProviderRequest
from frugal_lsp.store.base import AnswerStore
from frugal_lsp.store.embedded import DiskAnswers


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
        "fim_template": request.fim_template if request.fim else None,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "stop": list(request.stop),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


class AnswerCache:
    """Exact answers by request hash, in the store's answer side (disk, or the team's Redis)."""

    def __init__(
        self, folder: Path, config: CacheConfig | LiveConfig, backend: AnswerStore | None = None
    ):
        self._config = config
        self.folder = folder
        self.backend: AnswerStore = backend or DiskAnswers(folder, self.config.size_limit_mb)

    @property
    def config(self) -> CacheConfig:
        """``[cache]`` of the config in force (the engine's LiveConfig), or the one given."""
        given = self._config
        return given.base.cache if isinstance(given, LiveConfig) else given

    def usable(self, request: ProviderRequest) -> bool:
        return self.config.enabled and request.temperature == 0

    def get(self, provider: str, request: ProviderRequest) -> CachedAnswer | None:
        if not self.usable(request):
            return None
        raw = self.backend.get(cache_key(provider, request))
        return CachedAnswer(**raw) if raw is not None else None

    def put(self, provider: str, request: ProviderRequest, answer: CachedAnswer) -> None:
        if self.usable(request) and answer.text:
            self.backend.set(cache_key(provider, request), asdict(answer), self.config.ttl_s)

    def close(self) -> None:
        self.backend.close()
