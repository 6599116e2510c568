"""Windows of recently edited files: the one most like the code above the cursor comes
after the definitions, within their share, named ``recent: path:line`` in ``plan``; the
current file, excluded files and files edited too long ago never give one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from frugal_lsp.config import ContextConfig, parse_config
from frugal_lsp.context import ContextBuilder
from frugal_lsp.context.workspace import RecentEdits, WorkspaceIndex
from frugal_lsp.context.workspace.recent import (
    MAX_FILES,
    MIN_SIMILARITY,
    STEP,
    WINDOW_ROWS,
    Windows,
    line_names,
)
from frugal_lsp.errors import ConfigError
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import counter
from tests.unit.context.conftest import build, doc_at

PAD = "\n\n\n\n"  # blank rows between sections: windows are cut every 4 rows
CHART = """def render_chart(canvas, series, palette):
    width = canvas.width
    for point in series.points:
        canvas.plot(point.x, point.y, palette.next())
    canvas.flush()
"""
LOAD = """def load_invoice(store, number, currency):
    record = store.fetch("invoice", number)
    if record is None:
        raise MissingInvoice(number)
    amount = convert_amount(record.amount, record.currency, currency)
    return Invoice(record.number, amount, record.customer)
"""
MAIL = """def send_reminder(mailer, customer, overdue_days):
    message = mailer.compose(customer.email, template="reminder")
    message.attach_statement(customer.statement(overdue_days))
    mailer.deliver(message, retries=3)
"""
HANDLERS = "\n".join(["import store", PAD, CHART, PAD, LOAD, PAD, MAIL])
APP = """from billing import Billing


def load_credit_note(store, number, currency):
    record = store.fetch("credit_note", number)
    if record is None:
        raise MissingInvoice(number)
    amount = convert_amount(record.amount, record.currency, currency)
    return
"""
CURSOR_ROW = (
    APP.split("\n").index("    amount = convert_amount(record.amount, record.currency, currency)")
    + 1
)
QUERY = APP.split("\n")[:CURSOR_ROW][-10:]  # the ten rows above the cursor
LOAD_ROW = HANDLERS.split("\n").index("def load_invoice(store, number, currency):")


def recent_builder(
    root: Path, index: WorkspaceIndex | None = None, **config: object
) -> tuple[ContextBuilder, RecentEdits]:
    config.setdefault("completion_cross_file_share", 0.25)  # off by default for completions
    builder = ContextBuilder(ContextConfig(**config), counter(), root, index)  # type: ignore[arg-type]
    recent = RecentEdits(root, builder.is_excluded)
    builder.recent = recent
    return builder, recent


def edit(recent: RecentEdits, root: Path, name: str, text: str) -> Path:
    """What didChange does: the editor's text, not what is on disk."""
    path = (root / name).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    recent.edited(path, text, "python")
    return path


def test_the_window_most_like_the_code_above_the_cursor_is_chosen(workspace: Path) -> None:
    recent = RecentEdits(workspace, lambda p: False)
    edit(recent, workspace, "handlers.py", HANDLERS)
    found = recent.similar(workspace / "app.py", "python", QUERY)
    assert found is not None and found.source == "recent"
    assert found.path == "handlers.py"
    assert found.line == LOAD_ROW  # its window, blank rows above it left out
    assert 'record = store.fetch("invoice", number)' in found.text
    assert "canvas" not in found.text and "mailer" not in found.text
    assert found.origin == f"recent: handlers.py:{found.line + 1}"


def test_nothing_below_the_minimum_similarity(workspace: Path) -> None:
    recent = RecentEdits(workspace, lambda p: False)
    edit(recent, workspace, "handlers.py", HANDLERS)
    unlike = [
        "def parse_header(raw_bytes, encoding):",
        "    head, _, tail = raw_bytes.partition(b':')",
    ]
    assert recent.similar(workspace / "app.py", "python", unlike) is None
    windows = Windows.of(HANDLERS)
    score, w = windows.best(frozenset({"raw_bytes", "encoding", "head", "tail", "store"}), 0.0)
    assert 0 < score <= MIN_SIMILARITY and w >= 0  # shares "store" only: noise


def test_the_current_file_never_counts(workspace: Path) -> None:
    recent = RecentEdits(workspace, lambda p: False)
    edit(recent, workspace, "app.py", APP + "\n" + LOAD)  # its own text holds the best match
    query = QUERY
    assert recent.similar(workspace / "app.py", "python", query) is None
    edit(recent, workspace, "handlers.py", HANDLERS)
    found = recent.similar(workspace / "app.py", "python", query)
    assert found is not None and found.path == "handlers.py"


def test_excluded_and_credential_files_never_give_a_window(workspace: Path) -> None:
    (workspace / ".gitignore").write_text("generated/\n", encoding="utf-8")
    builder, recent = recent_builder(workspace, exclude=("private_*.py",))
    query = QUERY
    for name in ("private_billing.py", "generated/handlers.py", ".aws/handlers.py"):
        edit(recent, workspace, name, HANDLERS)
    assert recent.entries() == []
    assert recent.similar(workspace / "app.py", "python", query) is None
    app = doc_at(workspace, "app.py", APP)
    assert build(builder, app, CURSOR_ROW).origins == ()


def test_a_file_excluded_after_its_edit_is_dropped_not_sent(workspace: Path) -> None:
    excluded: set[str] = set()
    recent = RecentEdits(workspace, lambda p: p.name in excluded)
    edit(recent, workspace, "handlers.py", HANDLERS)
    query = QUERY
    assert recent.similar(workspace / "app.py", "python", query) is not None
    excluded.add("handlers.py")  # e.g. a .gitignore rule written since
    assert recent.similar(workspace / "app.py", "python", query) is None
    assert recent.entries() == []


def test_at_most_max_files_are_remembered_the_oldest_edit_leaves(workspace: Path) -> None:
    recent = RecentEdits(workspace, lambda p: False)
    edit(recent, workspace, "handlers.py", HANDLERS)
    for n in range(MAX_FILES):
        edit(recent, workspace, f"other{n}.py", f"def other_{n}(alpha, beta):\n    return alpha\n")
    assert len(recent.entries()) == MAX_FILES
    assert "handlers.py" not in {e.rel for e in recent.entries()}
    assert recent.entries()[0].rel == f"other{MAX_FILES - 1}.py"  # the latest first
    query = QUERY
    assert recent.similar(workspace / "app.py", "python", query) is None


def test_a_changed_file_is_cut_into_windows_again(workspace: Path) -> None:
    recent = RecentEdits(workspace, lambda p: False)
    edit(recent, workspace, "handlers.py", HANDLERS)
    query = QUERY
    before = recent.similar(workspace / "app.py", "python", query)
    assert before is not None and "MissingInvoice" in before.text
    edit(recent, workspace, "handlers.py", HANDLERS.replace("MissingInvoice", "InvoiceNotFound"))
    after = recent.similar(workspace / "app.py", "python", query)
    assert after is not None and "InvoiceNotFound" in after.text
    assert "MissingInvoice" not in after.text


def test_plan_names_the_window_after_the_definitions_and_it_is_redacted(workspace: Path) -> None:
    doc_at(workspace, "billing.py", "class Billing:\n    def charge(self, amount):\n        pass\n")
    index = WorkspaceIndex(workspace)
    index.build()
    builder, recent = recent_builder(workspace, index, completion_max_tokens=1024)
    key = "sk-proj-" + "Q" * 40
    edit(recent, workspace, "handlers.py", HANDLERS.replace('"invoice"', f'"invoice", key="{key}"'))
    text = APP.replace("    amount =", "    Billing().charge(\n    amount =")
    app = doc_at(workspace, "app.py", text)
    prompt = build(builder, app, CURSOR_ROW + 1)
    assert prompt.origins[0].startswith("cross-file: billing.py")
    assert prompt.origins[-1].startswith("recent: handlers.py:")
    assert 'record = store.fetch("invoice"' in prompt.text
    assert key not in prompt.text and "<redacted:" in prompt.text
    ask = build(builder, app, CURSOR_ROW, task=Task.ASK, question="Why?")
    assert any(o.startswith("recent: handlers.py:") for o in ask.origins)
    assert "## Definitions in other files" in ask.text


def test_the_window_takes_only_the_budget_the_definitions_leave(workspace: Path) -> None:
    builder, recent = recent_builder(workspace, completion_max_tokens=256)
    edit(recent, workspace, "handlers.py", HANDLERS)
    app = doc_at(workspace, "app.py", APP)
    assert build(builder, app, CURSOR_ROW).origins[-1].startswith("recent: handlers.py")
    small, recent = recent_builder(
        workspace, completion_max_tokens=256, completion_cross_file_share=0.05
    )
    edit(recent, workspace, "handlers.py", HANDLERS)
    assert build(small, app, CURSOR_ROW).origins == ()  # 12 tokens: no room for a window


def test_off_by_setting_and_not_hidden_by_the_prompt_memo(workspace: Path) -> None:
    off, recent = recent_builder(workspace, recent_windows=False)
    edit(recent, workspace, "handlers.py", HANDLERS)
    app = doc_at(workspace, "app.py", APP)
    assert build(off, app, CURSOR_ROW).origins == ()
    builder, recent = recent_builder(workspace)
    edit(recent, workspace, "handlers.py", HANDLERS)
    assert "MissingInvoice" in build(builder, app, CURSOR_ROW).text.split("app.py")[0]
    edit(recent, workspace, "handlers.py", HANDLERS.replace("MissingInvoice", "InvoiceNotFound"))
    assert "InvoiceNotFound" in build(builder, app, CURSOR_ROW).text


def test_recent_windows_is_a_checked_boolean_setting() -> None:
    assert parse_config({}).context.recent_windows is True
    assert parse_config({"context": {"recent_windows": False}}).context.recent_windows is False
    with pytest.raises(ConfigError, match="recent_windows"):
        parse_config({"context": {"recent_windows": "yes"}})


def test_the_bit_parallel_search_finds_the_exact_jaccard_best() -> None:
    text = "\n".join([HANDLERS, APP, CHART.replace("canvas", "surface"), LOAD, MAIL] * 3)
    windows = Windows.of(text)
    per_line = line_names(text)
    sets = [frozenset().union(*per_line[s : s + WINDOW_ROWS]) for s in windows.starts]
    assert windows.starts[1] - windows.starts[0] == STEP
    vocabulary = [*sorted(set().union(*sets)), "absent_name"]
    rng = random.Random(17)
    for _ in range(300):
        query = frozenset(rng.sample(vocabulary, rng.randint(1, 12)))
        floor = rng.choice([0.0, 0.1, 0.2, 0.4])
        scores = [len(query & s) / len(query | s) for s in sets]
        top = max(scores)
        score, w = windows.best(query, floor)
        if top > floor:
            assert (score, w) == (top, scores.index(top))
        else:
            assert (score, w) == (floor, -1)
