"""The command line: a thin front end over the engine (the LSP layer is the other one)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from frugal_lsp import __version__
from frugal_lsp.config import Config, load_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position
from frugal_lsp.errors import ConfigError, FrugalError, ProviderError, QuotaExhausted
from frugal_lsp.paths import StatePaths
from frugal_lsp.tasks import Task, Tier

EXIT_CODES: list[tuple[type[Exception], int]] = [
    (ConfigError, 2),
    (QuotaExhausted, 3),
    (ProviderError, 4),
    (FrugalError, 1),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frugal-lsp",
        description="A quota-aware AI coding language server: the same help, a fraction of the"
        " quota. Lines and characters are 0-based, as in LSP.",
    )
    parser.add_argument("--version", action="version", version=f"frugal-lsp {__version__}")
    parser.add_argument("--config", help="config file (else frugal.toml, $FRUGAL_CONFIG, ...)")
    parser.add_argument(
        "--workspace", help="workspace root (default: nearest with frugal.toml or .git)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr too")
    sub = parser.add_subparsers(dest="command", required=True)

    plan = sub.add_parser("plan", help="show what would be sent, without sending it")
    _add_position(plan)
    plan.add_argument("--task", choices=[t.value for t in Task], default=Task.COMPLETION.value)
    plan.add_argument("--question", default="")
    plan.add_argument("--json", action="store_true")

    ask = sub.add_parser("ask", help="ask about lines of a file and print the answer")
    ask.add_argument("file")
    ask.add_argument("--line", type=int, required=True, help="first line (0-based)")
    ask.add_argument("--end-line", type=int, help="last line (0-based, inclusive)")
    ask.add_argument("--question", required=True)
    ask.add_argument("--tier", choices=[t.value for t in Tier])
    ask.add_argument("--json", action="store_true")

    complete = sub.add_parser("complete", help="print an inline completion at a position")
    _add_position(complete)
    complete.add_argument("--json", action="store_true")

    status = sub.add_parser("status", help="quota used, limits, burn, forecast and pacing")
    status.add_argument("--json", action="store_true")
    status.add_argument("--team", action="store_true", help="spend per team member too")

    report = sub.add_parser("report", help="usage per day, model, platform and task, with charts")
    report.add_argument("--days", type=int, default=30, help="how many days back (default 30)")
    report.add_argument("--team", action="store_true", help="usage per team member too")
    report.add_argument(
        "--html",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write a standalone HTML page (- or none: stdout)",
    )

    credits = sub.add_parser("credits", help="top up or show a credits balance")
    credits_sub = credits.add_subparsers(dest="credits_command", required=True)
    add = credits_sub.add_parser("add", help="add N quota units to a balance")
    add.add_argument("units", type=float)
    add.add_argument("--provider", help="a platform's quota (default: the overall budget)")
    credits_sub.add_parser("show", help="balances of every credits allowance")

    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    serve.add_argument("--log-file", help="log here instead of FRUGAL_HOME/logs/frugal-lsp.log")

    sub.add_parser("demo", help="play a scripted editor session on the local model")
    sub.add_parser("doctor", help="check config, keys and providers")
    init = sub.add_parser("init", help="write a commented starter frugal.toml")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def _add_position(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file")
    parser.add_argument("--line", type=int, required=True, help="0-based line")
    parser.add_argument("--character", type=int, default=0, help="0-based UTF-16 column")


def find_workspace(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / "frugal.toml").is_file() or (folder / ".git").exists():
            return folder
    return start


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = COMMANDS[args.command]
    try:
        return handler(args)
    except FrugalError as exc:
        print(f"frugal-lsp: {exc}", file=sys.stderr)
        return next(code for kind, code in EXIT_CODES if isinstance(exc, kind))
    except KeyboardInterrupt:
        return 130


# -- commands -------------------------------------------------------------------------


def _workspace(args: argparse.Namespace) -> Path:
    return Path(args.workspace).resolve() if args.workspace else find_workspace(Path.cwd())


def _config(args: argparse.Namespace) -> Config:
    return load_config(_workspace(args), args.config)


def _with_engine(args: argparse.Namespace, run: Callable[[Any], Any]) -> Any:
    """Build the engine, run the coroutine function ``run(engine)``, always close it."""
    from frugal_lsp.engine import Engine
    from frugal_lsp.logs import setup_logging

    config = _config(args)
    paths = StatePaths.resolve()
    paths.ensure()
    setup_logging(config, paths.logs, args.verbose)

    async def go() -> Any:
        engine = Engine(config, paths, _workspace(args))
        try:
            return await run(engine)
        finally:
            await engine.aclose()

    return asyncio.run(go())


def _request(args: argparse.Namespace, task: Task, end: Position | None = None) -> ContextRequest:
    document = Document.from_file(args.file)
    position = Position(args.line, getattr(args, "character", 0))
    return ContextRequest(document, task, position, end, question=getattr(args, "question", ""))


def cmd_plan(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console  # rich: not imported by `serve`

    async def run(engine: Any) -> Any:
        return engine.plan(_request(args, Task(args.task)))

    plan = _with_engine(args, run)
    print(json.dumps(plan.to_json(), indent=2) if args.json else console.plan_text(plan))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console  # rich: not imported by `serve`

    end_line = args.end_line if args.end_line is not None else args.line
    lines = Path(args.file).read_text(encoding="utf-8", errors="replace").split("\n")
    end = Position(end_line, len(lines[min(end_line, len(lines) - 1)]))
    args.character = 0
    tier = Tier(args.tier) if args.tier else None
    stream = None if args.json else console.stream_to_stdout

    async def run(engine: Any) -> Any:
        return await engine.answer(_request(args, Task.ASK, end), tier, stream)

    answer = _with_engine(args, run)
    print(
        json.dumps(console.answer_json(answer), indent=2)
        if args.json
        else console.answer_footer(answer)
    )
    return 0


def cmd_complete(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console  # rich: not imported by `serve`

    async def run(engine: Any) -> Any:
        return await engine.complete(_request(args, Task.COMPLETION))

    answer = _with_engine(args, run)
    if args.json:
        print(json.dumps(console.answer_json(answer) if answer else None, indent=2))
    else:
        print(answer.text if answer else "(no suggestion)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console  # rich: not imported by `serve`

    async def run(engine: Any) -> Any:
        return engine.status()

    status = _with_engine(args, run)
    print(
        json.dumps(console.status_json(status), indent=2)
        if args.json
        else console.status_text(status, args.team)
    )
    return 0


def _account(args: argparse.Namespace) -> tuple[Config, Any]:
    """The config and a quota account over the ledger — no engine, no providers."""
    from frugal_lsp.quota.account import QuotaAccount
    from frugal_lsp.store.factory import open_ledger

    config = _config(args)
    paths = StatePaths.resolve()
    paths.ensure()
    return config, QuotaAccount(config, open_ledger(config, paths))


def cmd_report(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console, html, terminal
    from frugal_lsp.report.usage import gather

    if args.days < 1:
        raise ConfigError(["--days: expected at least 1"])
    _, account = _account(args)
    with console.progress(f"reading {args.days} days of the ledger"):
        usage = gather(account, args.days, team=args.team)
    account.ledger.close()
    if args.html is None:
        terminal.render(usage, console.rich_console())
    elif args.html == "-":
        sys.stdout.write(html.render(usage))
    else:
        Path(args.html).write_text(html.render(usage), encoding="utf-8")
        print(f"wrote {args.html}")
    return 0


def cmd_credits(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console  # rich: not imported by `serve`

    config, account = _account(args)
    provider = getattr(args, "provider", None)
    if provider is not None and provider not in {p.name for p in config.providers}:
        names = ", ".join(p.name for p in config.providers) or "none configured"
        raise ConfigError([f"--provider {provider}: no such provider ({names})"])
    if args.credits_command == "add":
        if args.units <= 0:
            raise ConfigError(["credits add: expected a positive number of units"])
        account.ledger.add_credits(args.units, provider)
    print(console.credits_text(config, account))
    account.ledger.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from frugal_lsp.lsp.server import serve

    workspace = Path(args.workspace).resolve() if args.workspace else None
    log_file = Path(args.log_file) if args.log_file else None
    return serve(args.config, workspace, args.tcp, log_file, args.verbose)


def cmd_demo(args: argparse.Namespace) -> int:
    from frugal_lsp.lsp.demo import run_demo

    return asyncio.run(run_demo())


def cmd_doctor(args: argparse.Namespace) -> int:
    from frugal_lsp.doctor import run_doctor

    return run_doctor(args.config, _workspace(args))


def cmd_init(args: argparse.Namespace) -> int:
    from frugal_lsp.starter import write_starter

    path = write_starter(_workspace(args) / "frugal.toml", args.force)
    print(f"wrote {path} — edit it, then run `frugal-lsp doctor`")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "plan": cmd_plan,
    "ask": cmd_ask,
    "complete": cmd_complete,
    "status": cmd_status,
    "report": cmd_report,
    "credits": cmd_credits,
    "serve": cmd_serve,
    "demo": cmd_demo,
    "doctor": cmd_doctor,
    "init": cmd_init,
}
