"""Ask threads: follow-ups keep the newest history that fits, clear forgets."""

from __future__ import annotations

from pathlib import Path

from frugal_lsp.context import ContextRequest, Document, Message, Position, Prompt, Scope
from frugal_lsp.conversation import Conversations, Turn, stronger, trim_history
from frugal_lsp.tasks import Task, Tier
from frugal_lsp.tokens import counter

REQUEST = ContextRequest(
    Document(Path("/ws/a.py"), "x = 1\n", "python"), Task.ASK, Position(0, 0), Position(0, 5)
)


def prompt() -> Prompt:
    messages = (Message("system", "You answer."), Message("user", "the code and question"))
    return Prompt(Task.ASK, "python", Scope("selection", "", 0, 0), messages, 100, 20, 20)


def test_a_selection_keeps_its_thread_until_cleared() -> None:
    threads = Conversations()
    first = threads.open("file:///ws/a.py", REQUEST, 0, 0)
    assert threads.open("file:///ws/a.py", REQUEST, 0, 0) is first
    assert threads.open("file:///ws/a.py", REQUEST, 0, 3) is not first
    assert threads.clear(first.id) == 1
    assert threads.open("file:///ws/a.py", REQUEST, 0, 0).id != first.id


def test_history_goes_before_the_new_question_newest_first_within_budget() -> None:
    tokens = counter()
    turns = [Turn(f"question {i}", "answer " * 50, "basic", "m") for i in range(5)]
    kept = trim_history(turns, tokens, 130)
    assert [t.question for t in kept] == ["question 3", "question 4"]
    followed = Conversations(history_tokens=130).with_history(prompt(), turns, tokens)
    roles = [m.role for m in followed.messages]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
    assert followed.messages[-1].content == "the code and question"
    assert followed.prompt_tokens > prompt().prompt_tokens


def test_asking_again_escalates_to_the_advanced_tier() -> None:
    assert stronger("basic") is Tier.ADVANCED
    assert stronger("specialized") is Tier.ADVANCED
