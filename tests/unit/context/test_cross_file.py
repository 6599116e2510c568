"""Cross-file context: the definitions other files give the code at the cursor, in every
policy, inside the budget, shown in ``plan``, and never stale in the prompt memo."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.config import ContextConfig
from frugal_lsp.context import ContextBuilder
from frugal_lsp.context.workspace import WorkspaceIndex
from frugal_lsp.providers.fim import render
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import counter
from tests.unit.context.conftest import build, doc_at

UTILS = '''def parse_date(text: str, *, strict: bool = True) -> "Date":
    """Parse an ISO date."""
    secret_body = "never sent"
    return secret_body


def unrelated_helper(x):
    return x
'''
MODELS = '''from .base import Record


class Invoice(Record):
    """One invoice."""

    def __init__(self, number: str) -> None:
        self.number = number

    def total(self, currency: str = "EUR") -> float:
        return 0.0

    def add_line(self, item: str, price: float) -> None:
        pass
'''
BASE = """class Record:
    def save(self, *, validate: bool = True) -> None:
        pass
"""
APP = """from pkg.utils import parse_date
from pkg import models


class Billing:
    def __init__(self) -> None:
        self.invoice = models.Invoice("1")

    def run(self, raw: str) -> float:
        when = parse_date(
        return self.invoice.total()
"""


def project(root: Path) -> None:
    doc_at(root, "pkg/__init__.py", "")
    doc_at(root, "pkg/utils.py", UTILS)
    doc_at(root, "pkg/models.py", MODELS)
    doc_at(root, "pkg/base.py", BASE)


def builder_for(root: Path, **config: object) -> tuple[ContextBuilder, WorkspaceIndex]:
    index = WorkspaceIndex(root)
    index.build()
    config.setdefault("completion_cross_file_share", 0.25)  # off by default for completions
    cfg = ContextConfig(**config)  # type: ignore[arg-type]
    return ContextBuilder(cfg, counter(), root, index), index


def test_the_called_function_and_the_attribute_class_come_from_other_files(
    workspace: Path,
) -> None:
    project(workspace)
    app = doc_at(workspace, "app.py", APP)
    builder, _ = builder_for(workspace, completion_max_tokens=1024)
    line = APP.split("\n").index("        when = parse_date(")
    prompt = build(builder, app, line, len("        when = parse_date("))
    code = prompt.messages[-1].content
    assert "def parse_date(text: str, *, strict: bool = True)" in code
    assert "never sent" not in code  # signatures, not bodies
    assert 'def total(self, currency: str = "EUR")' in code  # self.invoice -> Invoice
    assert "def save(self, *, validate: bool = True)" in code  # Invoice's base class
    assert "unrelated_helper" not in code
    assert prompt.origins[0] == "cross-file: pkg/utils.py:1 parse_date"
    assert any(o.startswith("cross-file: pkg/models.py:") for o in prompt.origins)
    assert prompt.prompt_tokens <= 1024
    assert code.count("def total(") == 1  # the outline already holds the method


def test_fim_templates_get_other_files_where_the_family_expects_them(workspace: Path) -> None:
    project(workspace)
    app = doc_at(workspace, "app.py", APP)
    builder, _ = builder_for(workspace)
    line = APP.split("\n").index("        when = parse_date(")
    prompt = build(builder, app, line, len("        when = parse_date("))
    assert prompt.fim is not None
    qwen = render("qwen", prompt.fim)
    assert qwen is not None
    assert "<|file_sep|>pkg/utils.py\ndef parse_date(" in qwen
    assert qwen.index("<|file_sep|>pkg/utils.py") < qwen.index("<|file_sep|>app.py")


def test_cross_file_snippets_stay_within_their_share_of_the_budget(workspace: Path) -> None:
    project(workspace)
    app = doc_at(workspace, "app.py", APP)
    for share in (0.0, 0.05, 0.25):
        builder, _ = builder_for(
            workspace, completion_max_tokens=256, completion_cross_file_share=share
        )
        line = APP.split("\n").index("        when = parse_date(")
        prompt = build(builder, app, line, len("        when = parse_date("))
        tc = counter()
        snippets = prompt.fim.snippets if prompt.fim else ()
        spent = sum(tc.count(s.text) + tc.count(s.path) + 3 for s in snippets)
        assert spent <= int(256 * share) + 2
        assert prompt.prompt_tokens <= 256
        if share == 0.0:
            assert prompt.origins == ()


def test_ask_and_explain_show_other_files_definitions(workspace: Path) -> None:
    project(workspace)
    app = doc_at(workspace, "app.py", APP)
    builder, _ = builder_for(workspace)
    line = APP.split("\n").index("        return self.invoice.total()")
    ask = build(builder, app, line, 8, task=Task.ASK, question="What does total return?")
    assert "## Definitions in other files" in ask.text
    assert "def total(self, currency" in ask.text
    assert ask.origins
    explain = build(
        builder, app, line, 8, task=Task.EXPLAIN_ERROR, diagnostic="TypeError: total() got x"
    )
    assert "def total(self, currency" in explain.text


def test_javascript_requires_resolve_relative_paths_and_index_files(workspace: Path) -> None:
    doc_at(
        workspace,
        "lib/base-cmd.js",
        "class BaseCommand {\n  constructor (npm) {\n    this.npm = npm\n  }\n\n"
        "  async execWorkspaces (args) {\n    return args\n  }\n}\nmodule.exports = BaseCommand\n",
    )
    doc_at(
        workspace,
        "lib/utils/index.js",
        "/** Split a spec into name and version. */\nfunction splitSpec (spec, sep = '@') {\n"
        "  return spec.split(sep)\n}\nmodule.exports = { splitSpec }\n",
    )
    text = (
        "const BaseCommand = require('./base-cmd.js')\n"
        "const { splitSpec } = require('./utils')\n\n"
        "class Install extends BaseCommand {\n  async exec (args) {\n"
        "    const [name] = splitSpec(args[0])\n    \n  }\n}\n"
    )
    cmd = doc_at(workspace, "lib/install.js", text)
    builder, _ = builder_for(workspace)
    prompt = build(builder, cmd, 6, 4)
    code = prompt.messages[-1].content
    assert "function splitSpec (spec, sep = '@') {" in code
    assert "// Split a spec into name and version." in code
    assert "async execWorkspaces (args) {" in code  # the base class's methods
    assert "cross-file: lib/utils/index.js:2 splitSpec" in prompt.origins


def test_without_an_index_or_with_cross_file_off_nothing_changes(workspace: Path) -> None:
    project(workspace)
    app = doc_at(workspace, "app.py", APP)
    line = APP.split("\n").index("        when = parse_date(")
    plain = build(ContextBuilder(ContextConfig(), counter(), workspace), app, line, 8)
    index = WorkspaceIndex(workspace)
    index.build()
    off = ContextBuilder(ContextConfig(cross_file=False), counter(), workspace, index)
    assert build(off, app, line, 8).text == plain.text
    assert plain.origins == ()


def test_a_change_in_another_file_is_not_hidden_by_the_prompt_memo(workspace: Path) -> None:
    project(workspace)
    app = doc_at(workspace, "app.py", APP)
    builder, index = builder_for(workspace)
    line = APP.split("\n").index("        when = parse_date(")
    first = build(builder, app, line, len("        when = parse_date("))
    assert "strict: bool = True" in first.text
    index.update(workspace / "pkg/utils.py", UTILS.replace("strict: bool = True", "lenient: bool"))
    second = build(builder, app, line, len("        when = parse_date("))
    assert "lenient: bool" in second.text and "strict: bool" not in second.text


def test_methods_of_one_class_share_its_class_line(workspace: Path) -> None:
    from frugal_lsp.context.policies.base import by_file
    from frugal_lsp.context.workspace import CrossSnippet

    a = CrossSnippet("t.py", 4, "Text.plain", "class Text:\n    def plain(self) -> str:")
    b = CrossSnippet("t.py", 9, "Text.pad", "class Text:\n    def pad(self, n: int) -> None:")
    assert by_file([b, a]) == [
        ("t.py", "class Text:\n    def plain(self) -> str:\n    def pad(self, n: int) -> None:")
    ]


CONN = """import typing

if typing.TYPE_CHECKING:

    class BaseConn(typing.Protocol):
        def send_request(self, method: str, url: str) -> None: ...
        def read_reply(self, *, amt: int = -1) -> bytes: ...
"""
POOL = """class Pool:  # BaseConn: only the return annotation names it here
    def _get_conn(self, timeout: float | None = None) -> "BaseConn | None":
        return None

    def urlopen(self, method: str, url: str) -> bytes:
        conn = self._get_conn(timeout=3.0)
        conn.send_request(method, url)
        return conn.
"""


def test_a_call_result_takes_the_class_its_indexed_return_annotation_names(
    workspace: Path,
) -> None:
    doc_at(workspace, "net/__init__.py", "")
    doc_at(workspace, "net/conn.py", CONN)
    pool = doc_at(workspace, "net/pool.py", POOL)
    builder, index = builder_for(workspace, completion_max_tokens=1024)
    entry = index.file("net/conn.py")
    assert entry is not None  # a class defined under `if TYPE_CHECKING:` is indexed
    assert {"BaseConn", "read_reply"} <= {s.name for s in entry.symbols}
    assert "fast_path" not in {s.name for s in entry.symbols}  # other guards: not indexed
    last = POOL.rstrip("\n").split("\n")
    prompt = build(builder, pool, len(last) - 1, len(last[-1]))
    code = prompt.messages[-1].content
    # conn = self._get_conn() -> BaseConn: its member the file does not show yet
    assert "def read_reply(self, *, amt: int = -1) -> bytes" in code
    assert any(o.startswith("cross-file: net/conn.py:") for o in prompt.origins)


def test_return_annotations_name_a_class_or_nothing() -> None:
    from frugal_lsp.context.workspace.returns import call_results, return_class

    assert return_class("    def f(self) -> BaseConn:") == "BaseConn"
    assert return_class('def f() -> "Optional[pkg.Conn]":') == "Conn"
    assert return_class("def f(\n    x: int,\n) -> Conn | None:") == "Conn"
    assert return_class("def f() -> list[Conn]:") == ""  # a container, not a Conn
    assert return_class("def f() -> int | str:") == ""
    assert return_class("def f() -> Self:") == ""
    assert return_class("def f():") == ""
    assert call_results("    conn = await self._get(t)  # x") == [("conn", "self", "_get")]
    assert call_results("a = mod.make(1); b = build()") == [
        ("a", "mod", "make"),
        ("b", "", "build"),
    ]
    assert call_results("self.a = f()") == []  # an attribute, not a local


def segment_outline(workspace: Path, used: str) -> list[str]:
    """The lines of the ``Segment`` outline (seg.py) for a file using it with ``used``."""
    from frugal_lsp.context.workspace.crossfile import CrossFile

    lines = ["from seg import Segment", "", "s: Segment = make()", used, "s."]
    index = WorkspaceIndex(workspace)
    index.build()
    found = CrossFile(index).snippets(
        workspace / "use.py", "python", lines[0], lines, 4, 2, range(0, 5)
    )
    return next(s for s in found if s.name == "Segment").text.split("\n")


def test_class_members_that_share_name_parts_with_the_code_near_the_cursor_come_first(
    workspace: Path,
) -> None:

    members = "\n".join(f"    def member_{i}(self) -> None: ..." for i in range(30))
    doc_at(
        workspace, "seg.py", f"class Segment:\n{members}\n    def pad_right(self) -> None: ...\n"
    )
    body = segment_outline(workspace, "s.pad_left(2)")
    assert body[1] == "    def pad_right(self) -> None: ..."  # pad_left is near the cursor
    assert body[2] == "    def member_0(self) -> None: ..."  # then source order
