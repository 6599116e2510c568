"""What each subcommand does: read the arguments, call the engine, print the result.

Failures are raised as our error tree and become one line in ``cli.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from frugal_lsp.config import Config, load_config
from frugal_lsp.context import ContextRequest
from frugal_lsp.context.document import Document, Position, line_count, line_utf16_length
from frugal_lsp.errors import InvalidRequest
from frugal_lsp.paths import StatePaths
from frugal_lsp.tasks import Task, Tier


def find_workspace(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / "frugal.toml").is_file() or (folder / ".git").exists():
            return folder
    return start


def workspace_of(args: argparse.Namespace) -> Path:
    """``--workspace``, else the nearest folder above the FILE argument (where its
    frugal.toml is), else above the current directory."""
    if args.workspace:
        return Path(args.workspace).expanduser().resolve()
    file = getattr(args, "file", None)
    if file:
        target = Path(file).expanduser().resolve()
        return find_workspace(target if target.is_dir() else target.parent)
    return find_workspace(Path.cwd())


def _config(args: argparse.Namespace) -> Config:
    return load_config(workspace_of(args), args.config)


def _with_engine(args: argparse.Namespace, run: Callable[[Any], Any]) -> Any:
    """Build the engine, run the coroutine function ``run(engine)``, always close it; the
    alerts this run crossed, and alert deliveries that failed, are shown on stderr."""
    from frugal_lsp.engine import Engine
    from frugal_lsp.logs import setup_logging

    config = _config(args)
    paths = StatePaths.resolve()
    paths.ensure()
    setup_logging(config, paths.logs, args.verbose)

    async def go() -> Any:
        engine = Engine(config, paths, workspace_of(args))
        try:
            return await run(engine)
        finally:
            await engine.aclose()
            _show_alerts(engine)

    return asyncio.run(go())


def _show_alerts(engine: Any) -> None:
    for event in engine.alerts.drain():
        print(f"frugal-lsp: alert: {event.text}", file=sys.stderr)
    for failure in engine.notifier.failures:
        print(f"frugal-lsp: alert not delivered: {failure}", file=sys.stderr)


def _document(args: argparse.Namespace) -> Document:
    return Document.from_file(args.file)  # read first: a bad path is the first thing to say


def _request(
    args: argparse.Namespace, document: Document, task: Task, end: Position | None = None
) -> ContextRequest:
    position = Position(args.line, getattr(args, "character", 0))
    return ContextRequest(document, task, position, end, question=getattr(args, "question", ""))


def cmd_plan(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console  # rich: not imported by `serve`

    document = _document(args)

    async def run(engine: Any) -> Any:
        engine.index_workspace()
        return engine.plan(_request(args, document, Task(args.task))), engine.config.source

    plan, source = _with_engine(args, run)
    if args.json:
        print(json.dumps(plan.to_json(), indent=2))
    else:
        print(console.plan_text(plan, source))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console  # rich: not imported by `serve`

    document = _document(args)
    end_line = args.end_line if args.end_line is not None else args.line
    last = line_count(document.text) - 1
    width = line_utf16_length(document.text, end_line) if 0 <= end_line <= last else 0
    end = Position(end_line, width)
    args.character = 0
    tier = Tier(args.tier) if args.tier else None
    stream = None if args.json else console.stream_to_stdout

    async def run(engine: Any) -> Any:
        engine.index_workspace()
        return await engine.answer(_request(args, document, _asked(args.task), end), tier, stream)

    answer = _with_engine(args, run)
    print(
        json.dumps(console.answer_json(answer), indent=2)
        if args.json
        else console.answer_footer(answer)
    )
    return 0


def _asked(name: str) -> Task:
    """``ask --task``: a task whose front door is a selection (the task table says which)."""
    from frugal_lsp.context.policies import TASKS, Door

    asked = [t.value for t, spec in TASKS.items() if spec.door is Door.SELECTION]
    if name not in asked:
        raise InvalidRequest(
            f"ask --task {name}: not asked about a selection — one of {', '.join(asked)}"
        )
    return Task(name)


def cmd_complete(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console  # rich: not imported by `serve`

    document = _document(args)

    async def run(engine: Any) -> Any:
        engine.index_workspace()
        return await engine.complete(_request(args, document, Task.COMPLETION))

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
    if args.json:
        print(json.dumps(console.status_dump(status), indent=2))
    else:
        print(console.status_text(status, args.team))
        for note in status.scorecard:
            print(f"scorecard: {note}")
    return 0


def _account(args: argparse.Namespace) -> tuple[Config, Any]:
    """The config and a quota account over the ledger — no engine, no providers."""
    from frugal_lsp.quota.account import QuotaAccount
    from frugal_lsp.quota.allowances import project_id
    from frugal_lsp.store.factory import open_ledger

    config = _config(args)
    paths = StatePaths.resolve()
    paths.ensure()
    account = QuotaAccount(config, open_ledger(config, paths))
    account.project, account.project_name = project_id(str(workspace_of(args)))
    return config, account


def cmd_report(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console, html, quality, terminal
    from frugal_lsp.report.usage import gather

    target = _html_target(args.html)
    config, account = _account(args)
    with console.progress(f"reading {args.days} days of the ledger"):
        usage = gather(account, args.days, team=args.team)
        measured = _quality(config, account, args.days)
    account.ledger.close()
    if args.html is None:
        terminal.render(usage, console.rich_console())
        print("\n".join(quality.text_lines(measured)))
    elif target is None:
        sys.stdout.write(html.render(usage, quality.html(measured)))
    else:
        target.write_text(html.render(usage, quality.html(measured)), encoding="utf-8")
        print(f"wrote {target}")
    return 0


def _quality(config: Config, account: Any, days: int) -> Any:
    """The scorecard and the cascade's account of the period (``report/quality.py``)."""
    import time

    from frugal_lsp.report import quality
    from frugal_lsp.store.factory import open_scorecards

    now = time.time()
    groups = account.ledger.spend_groups(now - days * 86400, now)
    coefficients = {m.key: m.coefficient for m in config.models}
    store = open_scorecards(config, StatePaths.resolve())
    try:
        return quality.gather(store, now - days * 86400, groups, coefficients)
    finally:
        store.close()


def _html_target(value: str | None) -> Path | None:
    """Where `report --html FILE` writes; checked before the ledger is read."""
    if value is None or value == "-":
        return None
    path = Path(value).expanduser()
    if path.is_dir():
        raise InvalidRequest(f"report --html {value}: is a directory — name a file, e.g. r.html")
    if not path.parent.is_dir():
        raise InvalidRequest(
            f"report --html {value}: folder {path.parent} does not exist — create it first"
        )
    return path


def cmd_credits(args: argparse.Namespace) -> int:
    from frugal_lsp.report import console  # rich: not imported by `serve`

    config, account = _account(args)
    try:
        verb = args.credits_command
        if verb == "add":
            _check_credits_target(config, args.provider, verb)
            account.ledger.add_credits(args.units, args.provider)
        elif verb == "remove":  # an undo: also for top-ups stored where they do not count
            _check_provider(config, args.provider, verb)
            topped, _ = account.ledger.credits(args.provider)
            if args.units > topped:
                raise InvalidRequest(
                    f"credits remove {args.units:,.0f}: only {topped:,.0f} units were topped"
                    " up there — see `frugal-lsp credits show`"
                )
            account.ledger.add_credits(-args.units, args.provider)
        print(console.credits_text(config, account))
    finally:
        account.ledger.close()
    return 0


def _check_provider(config: Config, provider: str | None, verb: str) -> None:
    if provider is not None and provider not in {p.name for p in config.providers}:
        names = ", ".join(p.name for p in config.providers) or "none configured"
        raise InvalidRequest(f"credits {verb} --provider {provider}: no such provider ({names})")


def _check_credits_target(config: Config, provider: str | None, verb: str) -> None:
    """Top-ups only make sense for an allowance with period = "credits"."""
    _check_provider(config, provider, verb)
    if provider is None:
        period, label, fix = config.budget.period, "the budget", "[budget] period"
    else:
        quotas = config.provider(provider).quotas
        quota = next((q for q in quotas if q.period == "credits"), quotas[0] if quotas else None)
        if quota is None:
            raise InvalidRequest(
                f"credits {verb} --provider {provider}: it has no [providers.quota] — add one"
                ' with period = "credits" to keep a balance there'
            )
        period, label, fix = quota.period, f"provider `{provider}`", "its quota's period"
    if period != "credits":
        raise InvalidRequest(
            f"credits {verb}: {label} has period {period!r}, not a credits balance — nothing"
            f' stored; set {fix} = "credits" to top it up'
        )


def cmd_serve(args: argparse.Namespace) -> int:
    from frugal_lsp.lsp.app import serve

    workspace = Path(args.workspace).resolve() if args.workspace else None
    log_file = Path(args.log_file) if args.log_file else None
    return serve(args.config, workspace, args.tcp, log_file, args.verbose)


def cmd_demo(args: argparse.Namespace) -> int:
    from frugal_lsp.demo import run_demo

    return asyncio.run(run_demo())


def cmd_doctor(args: argparse.Namespace) -> int:
    from frugal_lsp.doctor import run_doctor

    return run_doctor(args.config, workspace_of(args))


def cmd_init(args: argparse.Namespace) -> int:
    from frugal_lsp.starter import write_starter

    path = write_starter(workspace_of(args) / "frugal.toml", args.force)
    print(f"wrote {path} — edit it, then run `frugal-lsp doctor`")
    return 0


def cmd_paths(args: argparse.Namespace) -> int:
    from frugal_lsp.cli_extras import paths_text

    print(paths_text(args.config, workspace_of(args)))
    return 0


def cmd_help(args: argparse.Namespace) -> int:
    from frugal_lsp.cli_parser import print_help

    return print_help(args.topic)


def cmd_completion(args: argparse.Namespace) -> int:
    from frugal_lsp.cli_extras import completion_script

    sys.stdout.write(completion_script(args.shell))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from frugal_lsp.cli_eval import run_eval

    return run_eval(args, _with_engine, workspace_of(args))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "plan": cmd_plan,
    "ask": cmd_ask,
    "complete": cmd_complete,
    "status": cmd_status,
    "report": cmd_report,
    "eval": cmd_eval,
    "credits": cmd_credits,
    "serve": cmd_serve,
    "demo": cmd_demo,
    "doctor": cmd_doctor,
    "init": cmd_init,
    "paths": cmd_paths,
    "help": cmd_help,
    "completion": cmd_completion,
}
