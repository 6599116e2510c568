"""The workspace config that points frugal-lsp at the loopback fake provider."""

from __future__ import annotations


def fake_models_toml(fake_url: str) -> str:
    """``[[providers]]`` and ``[[models]]``: the fake, with one basic and one advanced model."""
    return f"""
[[providers]]
name = "fake"
kind = "openai"
base_url = "{fake_url}/v1"

[[models]]
name = "fake-basic"
provider = "fake"
tier = "basic"

[[models]]
name = "fake-advanced"
provider = "fake"
tier = "advanced"
"""
