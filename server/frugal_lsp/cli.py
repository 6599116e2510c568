"""The command line: a thin front end over the engine (the LSP layer is the other one).

This module is the one place where a command's failure becomes what the user sees: one
line on stderr and an exit code (0 ok, 2 invalid config or arguments, 3 no quota left,
4 every provider failed, 1 other, 141 the reader of stdout went away). A traceback is
printed only with ``-v``. The grammar is in ``cli_parser.py``, the commands in
``cli_commands.py``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Sequence

from frugal_lsp.cli_parser import USAGE_EXIT, build_parser
from frugal_lsp.errors import (
    ConfigError,
    FrugalError,
    InvalidRequest,
    ProviderError,
    QuotaExhausted,
    Unconfigured,
)

EXIT_CODES: list[tuple[type[Exception], int]] = [
    (ConfigError, 2),
    (InvalidRequest, USAGE_EXIT),
    (Unconfigured, 2),
    (QuotaExhausted, 3),
    (ProviderError, 4),
    (FrugalError, 1),
]
BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, what a shell reports for `cmd | head`


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from frugal_lsp.cli_commands import COMMANDS  # after parsing: `--help` stays fast

    try:
        return COMMANDS[args.command](args)
    except FrugalError as exc:
        return _fail(str(exc), next(c for kind, c in EXIT_CODES if isinstance(exc, kind)), args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _pipe_closed()
    except OSError as exc:  # a file or socket the command needed: say which, and why
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}", 1, args)
    except Exception as exc:  # a bug: one line, and the traceback behind -v
        message = f"internal error — {type(exc).__name__}: {exc}"
        hint = "" if args.verbose else " (run again with -v for the traceback)"
        return _fail(message + hint, 1, args)


def _fail(message: str, code: int, args: object) -> int:
    if getattr(args, "verbose", False):
        traceback.print_exc()
    with contextlib.suppress(BrokenPipeError):
        print(f"frugal-lsp: {message}", file=sys.stderr)
    return code


def _pipe_closed() -> int:
    """`frugal-lsp status | head -1`: stop quietly; point stdout at /dev/null so the
    interpreter's final flush does not raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return BROKEN_PIPE_EXIT
