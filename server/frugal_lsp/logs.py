"""Logging set-up: a file under FRUGAL_HOME/logs, and a filter that keeps keys out.

The filter is a last line of defence: nothing should log a key in the first place, but
if a foreign library does, every configured key value is masked before the record is
written anywhere.
"""

from __future__ import annotations

import logging
from pathlib import Path

from frugal_lsp.config import Config
from frugal_lsp.secrets import mask, secret_values, secret_variables

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class SecretFilter(logging.Filter):
    def __init__(self, env_names: set[str]) -> None:
        super().__init__()
        self.env_names = env_names

    def filter(self, record: logging.LogRecord) -> bool:
        values = secret_values(self.env_names)
        if values:
            record.msg, record.args = mask(record.getMessage(), values), None
        return True


def setup_logging(
    config: Config, log_dir: Path, verbose: bool = False, log_file: Path | None = None
) -> Path:
    """Log to ``log_file`` (default: log_dir/frugal-lsp.log); to stderr too when verbose."""
    path = log_file or log_dir / "frugal-lsp.log"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret_filter = SecretFilter(secret_variables(config))
    handlers: list[logging.Handler] = [logging.FileHandler(path, encoding="utf-8")]
    if verbose:
        handlers.append(logging.StreamHandler())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(secret_filter)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
