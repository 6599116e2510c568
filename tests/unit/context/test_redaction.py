"""Planted secrets of every kind never reach the prompt, and each one is counted."""

from __future__ import annotations

import time
from pathlib import Path

from frugal_lsp.context import ContextBuilder
from frugal_lsp.context.redact import redact
from frugal_lsp.tasks import Task
from tests.unit.context.conftest import build, doc_at

PEM_BODY = [
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
    "LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo",
    "zZ2r3QJ9zJ2y8Ul1bd9sT1Bh0pJ8Xq",
]
SECRETS = {
    "openai": "sk-" + "Tq3vB8xLmN2pR7sK9wY4zA1cE6fH0jU5",
    "openai-project": "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78",
    "anthropic": "sk-ant-api03-" + "Zx98Yw76Vu54Ts32Rq10Po98Nm76Lk54Ji32",
    "github": "ghp_" + "1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R",
    "slack": "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "google": "AIza" + "SyD3x4mPl3K3y-1234567890abcdefGHIJK",
    "aws-id": "AKIA" + "QWERTYUIOP123456",
    "aws-secret": "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY",
    "bearer": "eyJhbGciOiJIUzI1NiJ9" + "aB3dE5fG7hI9jK1lM3nO5pQ7",
    "url-password": "s3cr3t-P4ss",
    "entropy": "f8Kq2Lm9Xz4Rt7Wv1Yb6Nc3Pd5Hs0Ju8",
}
SOURCE = f'''import requests

OPENAI = "{SECRETS["openai"]}"
PROJECT_KEY = "{SECRETS["openai-project"]}"
CLAUDE = "{SECRETS["anthropic"]}"
GH = "{SECRETS["github"]}"
SLACK = "{SECRETS["slack"]}"
MAPS = "{SECRETS["google"]}"
AWS_ACCESS_KEY_ID = "{SECRETS["aws-id"]}"
aws_secret_access_key = "{SECRETS["aws-secret"]}"
DB = "postgres://admin:{SECRETS["url-password"]}@db.internal:5432/app"
SALT = "{SECRETS["entropy"]}"
KEY = """-----BEGIN RSA PRIVATE KEY-----
{chr(10).join(PEM_BODY)}
-----END RSA PRIVATE KEY-----"""


def call(url):
    headers = {{"Authorization": "Bearer {SECRETS["bearer"]}"}}
    return requests.get(url, headers=headers, auth=(OPENAI, PROJECT_KEY, CLAUDE, GH, SLACK,
                        MAPS, AWS_ACCESS_KEY_ID, aws_secret_access_key, DB, SALT, KEY))
'''
SECRET_COUNT = len(SECRETS) + 1  # + the private key block


def test_no_planted_secret_survives(builder: ContextBuilder, workspace: Path) -> None:
    doc = doc_at(workspace, "app.py", SOURCE)
    for task in (Task.COMPLETION, Task.ASK):
        prompt = build(builder, doc, 20, 4, task, question="what is sent?")
        text = prompt.text + (prompt.fim.prefix + prompt.fim.suffix if prompt.fim else "")
        for name, secret in SECRETS.items():
            assert secret not in text, name
        assert all(line not in text for line in PEM_BODY)
        assert "<redacted:" in text


def test_secrets_stay_redacted_across_builds_and_edits(
    builder: ContextBuilder, workspace: Path
) -> None:
    """Redacted blocks are remembered between builds: a remembered block must still hide its
    secret, and a secret typed into an already-seen block must be caught."""
    doc = doc_at(workspace, "app.py", SOURCE)
    for _ in range(2):  # the second build is served from the remembered blocks
        prompt = build(builder, doc, 20, 4)
        assert SECRETS["openai"] not in prompt.text and "<redacted:" in prompt.text
    token = "ghp_" + "9z8Y7x6W5v4U3t2S1r0Q9p8O7n6M5l4K3j2I"
    lines = SOURCE.split("\n")
    lines.insert(19, f"TOKEN = {token!r}")  # typed just above the cursor: inside the prompt
    edited = doc_at(workspace, "app.py", "\n".join(lines))
    edited.version = 2
    prompt = build(builder, edited, 21, 4)
    assert "TOKEN = " in prompt.text and token not in prompt.text


def test_every_secret_is_counted_once() -> None:
    result = redact(SOURCE)
    assert result.count == SECRET_COUNT
    assert result.text.count("\n") == SOURCE.count("\n")  # line numbers still match


def test_question_and_traceback_are_redacted_too(builder: ContextBuilder, workspace: Path) -> None:
    doc = doc_at(workspace, "q.py", "def f():\n    return 1\n")
    question = f"why does {SECRETS['openai']} fail?"
    prompt = build(builder, doc, 1, 4, Task.ASK, question=question)
    assert SECRETS["openai"] not in prompt.text and prompt.redactions == 1


def test_ordinary_code_is_left_alone() -> None:
    code = 'name = "some_long_identifier_name_here"\npath = "/usr/local/lib/python3.11/x.py"\n'
    assert redact(code).count == 0


def test_redaction_is_fast_on_a_large_file() -> None:
    text = "\n".join(f"    value_{i} = compute(item_{i}, 'label {i}')" for i in range(5000))
    start = time.perf_counter()
    redact(text)
    assert time.perf_counter() - start < 0.5  # behaviour bound, not a benchmark
