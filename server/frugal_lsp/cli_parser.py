"""The command line's grammar: every subcommand, its options, and the global options.

Global options (``--config``, ``--workspace``, ``-v``) are accepted before or after the
subcommand: ``frugal-lsp -v serve`` and ``frugal-lsp serve -v`` mean the same. A mistake
in the arguments is one line on stderr and exit 2, never a page of usage.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from frugal_lsp import __version__
from frugal_lsp.tasks import Task, Tier

USAGE_EXIT = 2


class Parser(argparse.ArgumentParser):
    """argparse, with errors as one line that says where to read more."""

    def error(self, message: str) -> NoReturn:
        where = self.prog.removeprefix("frugal-lsp").strip()
        hint = f"frugal-lsp help {where}".strip()
        self.exit(USAGE_EXIT, f"{self.prog}: {message} — see `{hint}`\n")


def _global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """The options every command takes; after a subcommand they must not reset the values
    given before it, hence SUPPRESS there."""
    unset: Any = argparse.SUPPRESS
    parser.add_argument(
        "--config",
        default=None if defaults else unset,
        help="config file (else frugal.toml, $FRUGAL_CONFIG, ...)",
    )
    parser.add_argument(
        "--workspace",
        default=None if defaults else unset,
        help="workspace root (default: the nearest folder above the file — or the current"
        " directory — holding frugal.toml or .git)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=False if defaults else unset,
        help="log to stderr too; show the traceback of an unexpected error",
    )


def host_port(value: str) -> str:
    """``HOST:PORT`` with a port from 1 to 65535 (argparse ``type=``)."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(
            f"{value!r}: expected HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:2087"
        )
    return f"{host or '127.0.0.1'}:{int(port)}"


def _positive_int(value: str) -> int:
    number = _number(value, int)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: expected a whole number of at least 1")
    return int(number)


def _positive_units(value: str) -> float:
    number = _number(value, float)
    if not number > 0:
        raise argparse.ArgumentTypeError(f"{value!r}: expected a positive number of units")
    return float(number)


def _number(value: str, kind: type[int] | type[float]) -> float:
    try:
        return kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: not a number") from None


def build_parser() -> Parser:
    parser = Parser(
        prog="frugal-lsp",
        description="A quota-aware AI coding language server: the same help, a fraction of the"
        " quota. Lines and characters are 0-based, as in LSP.",
        epilog="`frugal-lsp help COMMAND` shows a command's options. Exit codes: 0 ok, 2 invalid"
        " config or arguments, 3 no quota left, 4 every provider failed, 1 other.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"frugal-lsp {__version__}")
    _global_options(parser, defaults=True)
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    for name, (summary, add) in COMMAND_OPTIONS.items():
        command = sub.add_parser(name, help=summary, description=summary)
        add(command)
        _global_options(command, defaults=False)
    return parser


# -- each command's options ------------------------------------------------------------


def _position(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file")
    parser.add_argument("--line", type=int, required=True, help="0-based line")
    parser.add_argument("--character", type=int, default=0, help="0-based UTF-16 column")


def _plan(parser: argparse.ArgumentParser) -> None:
    _position(parser)
    parser.add_argument("--task", choices=[t.value for t in Task], default=Task.COMPLETION.value)
    parser.add_argument("--question", default="")
    parser.add_argument("--json", action="store_true", help="one JSON object (docs: README)")


def _ask(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file")
    parser.add_argument("--line", type=int, required=True, help="first line (0-based)")
    parser.add_argument("--end-line", type=int, help="last line (0-based, inclusive)")
    parser.add_argument("--question", required=True)
    parser.add_argument(
        "--task",
        choices=[t.value for t in Task],
        default=Task.ASK.value,
        help="a task asked about a selection, e.g. design (the advanced tier, design framing)",
    )
    parser.add_argument("--tier", choices=[t.value for t in Tier])
    parser.add_argument("--json", action="store_true")


def _complete(parser: argparse.ArgumentParser) -> None:
    _position(parser)
    parser.add_argument("--json", action="store_true")


def _status(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--team", action="store_true", help="spend per team member too")


def _report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--days", type=_positive_int, default=30, help="how many days back (default 30)"
    )
    parser.add_argument("--team", action="store_true", help="usage per team member too")
    parser.add_argument(
        "--html",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write a standalone HTML page (- or none: stdout)",
    )


def _credits(parser: argparse.ArgumentParser) -> None:
    credits_sub = parser.add_subparsers(
        dest="credits_command", required=True, metavar="add|remove|show", parser_class=Parser
    )
    add = credits_sub.add_parser("add", help="add N quota units to a credits balance")
    remove = credits_sub.add_parser("remove", help="take back N units topped up (an undo)")
    for command in (add, remove):
        command.add_argument("units", type=_positive_units)
        command.add_argument("--provider", help="a platform's quota (default: the overall budget)")
    show = credits_sub.add_parser("show", help="balances of every credits allowance")
    show.set_defaults(provider=None)
    for command in (add, remove, show):
        _global_options(command, defaults=False)


def _serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    parser.add_argument(
        "--tcp", metavar="HOST:PORT", type=host_port, help="listen on TCP instead of stdio"
    )
    parser.add_argument("--log-file", help="log here instead of FRUGAL_HOME/logs/frugal-lsp.log")


def _init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def _help(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("topic", nargs="*", metavar="COMMAND", help="e.g. `help credits add`")


def _completion(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=("bash", "zsh", "fish"))


def _eval(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--models", help="comma-separated model names or provider/name (default: every model)"
    )
    parser.add_argument(
        "--tasks", type=_positive_int, default=20, help="masked lines to mine (default 20)"
    )
    parser.add_argument(
        "--budget", type=_positive_units, help="quota units this run may spend at most"
    )
    parser.add_argument("--json", action="store_true", help="the scorecard rows as JSON")


def _none(parser: argparse.ArgumentParser) -> None:
    del parser


COMMAND_OPTIONS = {
    "plan": ("show what would be sent, without sending it", _plan),
    "ask": ("ask about lines of a file and print the answer", _ask),
    "complete": ("print an inline completion at a position", _complete),
    "status": ("quota used, limits, burn, forecast and pacing", _status),
    "report": ("usage per day, model, platform and task, with charts", _report),
    "eval": ("measure each model on masked lines of this workspace's code", _eval),
    "credits": ("top up, take back or show a credits balance", _credits),
    "serve": ("run the language server (stdio by default)", _serve),
    "demo": ("play a scripted editor session on the local model", _none),
    "doctor": ("check config, keys, providers, alert channels and the store", _none),
    "init": ("write a commented starter frugal.toml", _init),
    "paths": ("where config, ledger, cache, logs and answers live", _none),
    "help": ("this help, or a command's: `frugal-lsp help credits`", _help),
    "completion": ("print a shell completion script (bash, zsh, fish)", _completion),
}


def print_help(topic: list[str]) -> int:
    """``frugal-lsp help [COMMAND [SUBCOMMAND]]``."""
    parser: argparse.ArgumentParser = build_parser()
    for word in topic:
        choices = subcommands(parser)
        if word not in choices:
            known = ", ".join(choices) or "none"
            print(f"frugal-lsp help: no command {word!r} here (known: {known})", file=sys.stderr)
            return USAGE_EXIT
        parser = choices[word]
    parser.print_help()
    return 0


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}
