"""The configuration: the schema everyone reads, and how a file becomes one.

* ``schema.py`` — the dataclasses and allowed values (pure data; every layer may read it);
* ``reader.py`` — the validating ``Reader`` that records every problem with its key path;
* ``sections.py`` — one reader per TOML section;
* ``catalog.py`` — the built-in model catalog and the no-file defaults;
* ``load.py`` — discovery and loading (``load_config``, ``parse_config``, ``find_config_file``).

The package re-exports the schema and the three loading functions, so callers write
``from frugal_lsp.config import Config, load_config``. Nothing here imports a layer above
(context, providers, store, ...): the loading side needs only ``tasks``, ``errors``,
``paths``, ``local_model`` and ``secrets``, which is why every layer may import it.
"""

from __future__ import annotations

from frugal_lsp.config import schema
from frugal_lsp.config.live import LiveConfig, live
from frugal_lsp.config.load import find_config_file, load_config, parse_config
from frugal_lsp.config.schema import *  # noqa: F403 (the schema's __all__)

__all__ = [*schema.__all__, "LiveConfig", "find_config_file", "live", "load_config", "parse_config"]
