"""``workspace/executeCommand``: the commands of docs/protocol.md, one thin handler each.

A task's own command comes from the task table (``TASKS``: its ``command`` and ``door``);
each door is one handler factory here. The other commands are listed in ``COMMANDS``."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from frugal_lsp.context import ContextRequest, Document
from frugal_lsp.context.policies import TASKS, Door
from frugal_lsp.conversation import history_for
from frugal_lsp.errors import BadParams, ContextExcluded, FrugalError, InvalidRequest, Unconfigured
from frugal_lsp.lsp import convert
from frugal_lsp.lsp.answers import deliver, plan_with_history, planning_engine, stronger_plan
from frugal_lsp.lsp.server import FrugalServer
from frugal_lsp.lsp.settings import TIERS
from frugal_lsp.tasks import Task, Tier

REQUEST_FAILED = -32803
T = TypeVar("T")


def jsonrpc_errors(
    handler: Callable[..., Awaitable[T]],
) -> Callable[..., Awaitable[T]]:
    """Bad arguments become InvalidParams, engine failures RequestFailed with our message."""

    @functools.wraps(handler)
    async def wrapped(ls: FrugalServer, *args: Any) -> T:
        try:
            return await handler(ls, *args)
        except (BadParams, InvalidRequest) as exc:
            raise JsonRpcInvalidParams(str(exc)) from exc
        except FrugalError as exc:
            ls.log_once("%s: %s", handler.__name__, exc)
            raise JsonRpcException(str(exc), code=REQUEST_FAILED) from exc

    return wrapped


Handler = Callable[..., Awaitable[Any]]


def register(server: FrugalServer) -> None:
    for name, handler in (task_commands() | COMMANDS).items():
        server.command(name)(jsonrpc_errors(handler))


def task_commands() -> dict[str, Handler]:
    """The command of every task with a front door, read from the task table."""
    return {spec.command: DOORS[spec.door](task) for task, spec in TASKS.items() if spec.command}


def selection_door(task: Task) -> Handler:
    """{uri, range, question?, template?, tier?}: a question about a selection, threaded."""

    async def ask_selection(ls: FrugalServer, *args: Any) -> dict[str, Any]:
        obj = convert.arg_object(args)
        uri = convert.raw_string(obj, "uri", required=True)
        start, end = convert.raw_range(obj.get("range"))
        question = convert.raw_string(obj, "question") or TASKS[task].question
        document = open_document(ls, uri)
        request = ContextRequest(document, task, start, end, question=question)
        thread = ls.threads.open(uri, request, start.line, end.line)
        asked = convert.raw_string(obj, "template") or question
        history = history_for(thread.turns, asked)
        plan = plan_with_history(ls, request, history, _tier(obj) or ls.tier)
        return await deliver(ls, thread, asked, plan)

    return ask_selection


def diagnostic_door(task: Task) -> Handler:
    """{uri, diagnostic}: explain an editor diagnostic (its message, or a traceback)."""

    async def explain_error(ls: FrugalServer, *args: Any) -> dict[str, Any]:
        obj = convert.arg_object(args)
        uri = convert.raw_string(obj, "uri", required=True)
        diagnostic = obj.get("diagnostic")
        if not isinstance(diagnostic, dict) or not isinstance(diagnostic.get("message"), str):
            raise BadParams("`diagnostic` must be an LSP Diagnostic with a `message`")
        start, end = convert.raw_range(diagnostic.get("range"))
        document = open_document(ls, uri)
        message = diagnostic["message"]
        request = ContextRequest(document, task, start, end, diagnostic=message)
        thread = ls.threads.open(uri, request, start.line, end.line)
        plan = plan_with_history(ls, request, thread.turns, ls.tier)
        return await deliver(ls, thread, f"Explain: {message.splitlines()[0][:120]}", plan)

    return explain_error


async def ask_again_stronger(ls: FrugalServer, *args: Any) -> dict[str, Any]:
    thread_id = convert.raw_string(convert.arg_object(args), "threadId", required=True)
    thread = ls.threads.get(thread_id)
    if thread is None or thread.last is None:
        raise BadParams(f"no conversation `{thread_id}` — ask about a selection first")
    question = thread.last.question
    plan = stronger_plan(ls, thread)
    if plan is None:
        raise Unconfigured(
            f"no model stronger than {thread.last.model} can take this question — add an"
            ' advanced [[models]] entry (tier = "advanced") to frugal.toml'
        )
    avoid = frozenset({thread.last.model})
    return await deliver(ls, thread, f"{question} (again, stronger model)", plan, avoid)


async def estimate(ls: FrugalServer, *args: Any) -> dict[str, Any]:
    obj = convert.arg_object(args)
    document = open_document(ls, convert.raw_string(obj, "uri", required=True))
    start, end = convert.raw_range(obj.get("range"))
    task = _selection_task(convert.raw_string(obj, "task") or Task.ASK.value)
    question = convert.raw_string(obj, "question") or TASKS[task].question
    request = ContextRequest(document, task, start, end, question=question)
    return convert.estimate_json(planning_engine(ls).plan(request, ls.tier))


def _selection_task(name: str) -> Task:
    """The task named by ``frugal.estimate``'s ``task``: one with a selection door."""
    doors = [t for t, spec in TASKS.items() if spec.door is Door.SELECTION]
    for task in doors:
        if task.value == name:
            return task
    names = ", ".join(t.value for t in doors)
    raise BadParams(f"`task` must be one of {names} (the selection commands' tasks), not {name!r}")


async def clear_conversation(ls: FrugalServer, *args: Any) -> None:
    thread_id = convert.raw_string(convert.arg_object(args), "threadId") if args else ""
    ls.threads.clear(thread_id or None)


async def accept_completion(ls: FrugalServer, *args: Any) -> None:
    completion_id = convert.raw_string(convert.arg_object(args), "id", required=True)
    if ls.accept_completion(completion_id):
        ls.quota.refresh()


async def set_tier(ls: FrugalServer, *args: Any) -> None:
    if not args or args[0] not in TIERS:
        raise BadParams(f"expected one of {', '.join(TIERS)}")
    ls.set_tier(None if args[0] == "auto" else Tier(args[0]))
    ls.quota.refresh()


async def status(ls: FrugalServer, *args: Any) -> dict[str, Any] | None:
    current = ls.quota.current()
    return convert.status_json(current) if current else None


def open_document(ls: FrugalServer, uri: str) -> Document:
    document = ls.document(uri)
    if document is None:
        raise BadParams(f"{uri}: not an open document — open it in the editor first")
    if ls.too_large(document):
        raise BadParams(f"{uri}: too large to ask about (completion.max_document_bytes)")
    if ls.excluded(document.path):
        raise ContextExcluded(f"{document.path.name} is excluded: nothing from it is sent")
    return document


def _tier(obj: dict[str, Any]) -> Tier | None:
    value = obj.get("tier")
    if value in (None, "", "auto"):
        return None
    if value not in TIERS:
        raise BadParams(f"`tier` must be one of {', '.join(TIERS)}")
    return Tier(value)


DOORS: dict[Door, Callable[[Task], Handler]] = {
    Door.SELECTION: selection_door,
    Door.DIAGNOSTIC: diagnostic_door,
}
COMMANDS: dict[str, Handler] = {
    "frugal.askAgainStronger": ask_again_stronger,
    "frugal.estimate": estimate,
    "frugal.clearConversation": clear_conversation,
    "frugal.acceptCompletion": accept_completion,
    "frugal.setTier": set_tier,
    "frugal.status": status,
}
