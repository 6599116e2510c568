"""The config in force for one engine: the one object its collaborators read it from.

``base`` is what the file and the editor settings say; ``current`` is ``base`` with the
pacing step applied (smaller context, longer debounce: ``quota/pacing.apply``). The
engine changes them (``Engine.reconfigure``, ``Engine._apply_pacing``); the account, its
buckets, the alerts, the pacer, the router, the answer cache and the context builder
read them on every use, so a change reaches all of them at once.
"""

from __future__ import annotations

from frugal_lsp.config.schema import Config


class LiveConfig:
    def __init__(self, config: Config) -> None:
        self.base = config
        self.current = config

    def replace(self, config: Config) -> None:
        """A new config (editor settings or frugal.toml changed); not paced until told."""
        self.base = self.current = config


def live(config: Config | LiveConfig) -> LiveConfig:
    """``config`` as a LiveConfig: the engine's own, or a fixed one (a collaborator made
    on its own, as in tests)."""
    return config if isinstance(config, LiveConfig) else LiveConfig(config)
