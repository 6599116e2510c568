"""Diagnostic text is untrusted input; credential files and links out of the workspace stay
home; secrets written the ways config files write them are redacted."""

from __future__ import annotations

from pathlib import Path

import pytest

from frugal_lsp.config import ContextConfig
from frugal_lsp.context import ContextBuilder
from frugal_lsp.context.redact import redact
from frugal_lsp.tasks import Task
from frugal_lsp.tokens import counter
from tests.unit.context.conftest import build, doc_at

APP = "def handler(request):\n    return load(request)\n"
PLANTED = {
    ".aws/credentials": "[default]\naws_access_key_id = MARKER_AWS_FILE\n",
    ".netrc": "machine api.example.com\n  login bob\n  password MARKER_NETRC_FILE\n",
    ".npmrc": "//registry.npmjs.org/:_authToken=MARKER_NPMRC_FILE\n",
    ".pypirc": "[pypi]\nusername = __token__\npassword = MARKER_PYPIRC_FILE\n",
    "notes.py": "def notes():\n    return 'MARKER_UNOPENED_FILE'\n",
}


def plant(folder: Path) -> str:
    """The planted files, and a traceback naming each (relative and absolute)."""
    lines = ["Traceback (most recent call last):"]
    for name, text in PLANTED.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        lines += [f'  File "{name}", line 2, in notes', f'  File "{path}", line 3, in notes']
    return "\n".join([*lines, "KeyError: 1"])


def test_without_a_workspace_root_nothing_is_read_from_disk(tmp_path: Path) -> None:
    """`rootUri: null`: the open document's folder is not a workspace to read from."""
    builder = ContextBuilder(ContextConfig(), counter(), None)
    doc = doc_at(tmp_path, "app.py", APP)
    traceback = plant(tmp_path) + f'\n  File "{doc.path}", line 2, in handler'
    prompt = build(builder, doc, 1, 4, Task.EXPLAIN_ERROR, diagnostic=traceback)
    assert "MARKER_" not in prompt.text  # no planted file's content (the paths are named)
    assert "def handler(request):" in prompt.text  # the open document itself is quoted


def test_credential_files_in_the_workspace_are_never_read(tmp_path: Path) -> None:
    custom = ContextConfig(exclude=("build/**",))  # the user's list replaces the defaults
    builder = ContextBuilder(custom, counter(), tmp_path)
    doc = doc_at(tmp_path, "app.py", APP)
    prompt = build(builder, doc, 1, 4, Task.EXPLAIN_ERROR, diagnostic=plant(tmp_path))
    for marker in ("AWS", "NETRC", "NPMRC", "PYPIRC"):
        assert f"MARKER_{marker}_FILE" not in prompt.text
    assert "MARKER_UNOPENED_FILE" in prompt.text  # an ordinary workspace file still helps


@pytest.mark.parametrize(
    "name", [".netrc", "_netrc", ".npmrc", ".pypirc", ".aws/credentials", ".ssh/id_ed25519"]
)
def test_credential_files_are_excluded_whatever_the_config(tmp_path: Path, name: str) -> None:
    builder = ContextBuilder(ContextConfig(exclude=()), counter(), tmp_path)
    assert builder.is_excluded(doc_at(tmp_path, name, "x\n").path)
    assert builder.is_excluded(Path.home() / name)  # outside the workspace too


def test_a_link_out_of_the_workspace_is_excluded(tmp_path: Path) -> None:
    workspace, outside = tmp_path / "ws", tmp_path / "elsewhere"
    workspace.mkdir()
    outside.mkdir()
    (outside / "settings.py").write_text("KEY = 'MARKER_OUTSIDE'\n", encoding="utf-8")
    (workspace / "settings.py").symlink_to(outside / "settings.py")
    (workspace / "env.txt").symlink_to(workspace / ".env")
    (workspace / ".env").write_text("A=1\n", encoding="utf-8")
    (workspace / "real.py").write_text("x = 1\n", encoding="utf-8")
    (workspace / "alias.py").symlink_to(workspace / "real.py")
    builder = ContextBuilder(ContextConfig(), counter(), workspace)
    assert builder.is_excluded(workspace / "settings.py")  # its target is outside
    assert builder.is_excluded(workspace / "env.txt")  # its target is excluded
    assert not builder.is_excluded(workspace / "alias.py")  # a link inside stays usable
    traceback = 'File "settings.py", line 1, in <module>\nNameError: x'
    doc = doc_at(workspace, "app.py", APP)
    prompt = build(builder, doc, 1, 4, Task.EXPLAIN_ERROR, diagnostic=traceback)
    assert "MARKER_OUTSIDE" not in prompt.text


HEX32 = "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"
EVASIONS = {
    "yaml-password": ("password: Hunter2Hunter2", "Hunter2Hunter2"),
    "yaml-token": (f"api_token: {HEX32}", HEX32),
    "netrc-inline": ("machine h login bob password s3cr3tNetrc", "s3cr3tNetrc"),
    "netrc-line": ("  password s3cr3tNetrc2", "s3cr3tNetrc2"),
    "getenv-fallback": ('db_passwd = os.getenv("X") or "fallbackPw123"', "fallbackPw123"),
    "getenv-default": ('secret = os.environ.get("S", "defaultSecret9")', "defaultSecret9"),
    "dotenv": ("export DB_PASSWORD=pa55w0rdEnv", "pa55w0rdEnv"),
    "ini": ("secret_key = k3y-v4lue-1234", "k3y-v4lue-1234"),
}


@pytest.mark.parametrize("kind", sorted(EVASIONS))
def test_secrets_written_as_config_files_write_them_are_redacted(kind: str) -> None:
    line, secret = EVASIONS[kind]
    redacted = redact(line)
    assert secret not in redacted.text and redacted.count >= 1


@pytest.mark.parametrize(
    "line",
    [
        "self.password = password",
        "token: str",
        "password = get_password()",
        "auth_token = None",
        'secret_key = os.environ["SECRET_KEY"]',
        "tokens = tokenize(text)",
        "reset your password here",
        "    token = self._next()",
    ],
)
def test_code_that_merely_names_secrets_is_left_alone(line: str) -> None:
    assert redact(line).text == line
