"""Server overhead: time from sending ``textDocument/inlineCompletion`` to its response.

The server runs with ``debounce_ms = 0`` against the loopback fake, which answers at once,
so what is measured is the server (plus stdio and the client's JSON handling). Files are
real stdlib modules (``bisect.py``, ``_pydecimal.py``) cut to at most 100 / 1,000 / 5,000
lines at a statement boundary, so they stay valid Python.

Each round, on a different line of the function-dense middle of the file:

1. **miss**: type ``x`` at the end of the line (an incremental didChange), then ask at
   the cursor — a new prompt: context, route, reserve, call, settle (a line visited again
   gets another letter, so its prompt is new too);
2. **typing-through hit**: type the suggestion's first character, ask again;
3. type a character the suggestion does not have and ask (the suggestion is dropped: a
   second **miss**), then delete both characters and ask — the same prompt as in 1,
   answered from the exact answer cache (**cache hit**: the context is built again to
   find the cache key);
4. delete the ``x``: the file is valid code again, as a file being edited mostly is (with
   150 stray letters left in, tree-sitter's error recovery made each re-parse of the
   5,000-line file ~8 ms instead of ~0.4).

Each edit comes 30 ms after the previous answer, as the next keystroke of fast typing
would: what the server does once an answer is out (refreshing the quota status) happens
in that gap, as it does in an editor, instead of being charged to the next request.

Then the **floor**: the same edits, each followed by a request the server answers without
any work — what stdio and the two JSON-RPC stacks (and pygls applying the edit) cost on
their own, measured in the same run.
"""

from __future__ import annotations

import ast
import asyncio
import statistics
import sysconfig
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench.harness import Editor, frugal_toml, running_server
from tests.fakes.fake_provider import FakeProvider

SIZES = (100, 1000, 5000)
REPLY = "value + 1"
LETTERS = "xyzwqjk"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SOURCES = ("bisect.py", "_pydecimal.py")  # the first one long enough is cut to size
TIMEOUT_S = 10.0
# Before each edit: an editor's next keystroke comes tens of ms after an answer, so work the
# server does once an answer is out (the quota status refresh) is not charged to the next one.
KEYSTROKE_GAP_S = 0.03


@dataclass
class Timings:
    lines: int
    miss: list[float]
    through: list[float]
    cache: list[float]
    answered: int  # misses that came back with a suggestion
    floor: list[float] = field(default_factory=list)  # an edit, then a request doing nothing


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def sample_text(lines: int) -> str:
    """About ``lines`` lines of real, valid Python: the first stdlib file of SOURCES that is
    long enough, cut at the last statement start that fits and leaves valid code."""
    for name in SOURCES:
        text = (STDLIB / name).read_text(encoding="utf-8")
        rows = text.splitlines(keepends=True)
        if len(rows) < lines:
            continue
        for cut in sorted({c for c in _statement_starts(text) if c <= lines}, reverse=True):
            sample = "".join(rows[:cut])
            if _valid(sample):  # tree-sitter parses it without errors too
                return sample
    raise ValueError(f"no stdlib file in {SOURCES} has {lines} lines")


def _statement_starts(text: str) -> list[int]:
    return [n.lineno - 1 for n in ast.walk(ast.parse(text)) if isinstance(n, ast.stmt)]


def _valid(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def candidate_lines(text: str, rounds: int) -> list[int]:
    """Lines inside function bodies (indented, code, not too long), spread over the file."""
    rows = text.splitlines()
    good = [
        i
        for i, ln in enumerate(rows)
        if ln.startswith("        ")
        and ln.strip()
        and not ln.strip().startswith(("#", '"', "'"))
        and len(ln) < 90
        and not ln.rstrip().endswith(("\\", ",", "(", "["))
    ]
    step = max(1, len(good) // rounds)
    return (good[::step] * (rounds // max(1, len(good[::step])) + 1))[:rounds]


async def measure(editor: Editor, lines: int, rounds: int, workspace: Path) -> Timings:
    text = sample_text(lines)
    rows = text.splitlines()
    uri = editor.open(workspace / f"decimal_{lines}.py", text, "python")
    timings = Timings(lines, [], [], [], 0)
    warm = candidate_lines(text, 3)
    for row in warm:  # the first request parses the file: not what is measured here
        await _ask(editor, uri, row, len(rows[row]))
    visits: dict[int, int] = {}
    for row in candidate_lines(text, rounds):  # small files visit a line more than once:
        visits[row] = visits.get(row, -1) + 1  # type another letter, so a miss stays a miss
        end, letter = len(rows[row]), LETTERS[visits[row] % len(LETTERS)]
        await _round(editor, uri, row, end, letter, timings)
        await asyncio.sleep(KEYSTROKE_GAP_S)
        editor.delete(uri, row, end, end + 1)  # the line as it was: the file stays valid code
    for row in candidate_lines(text, rounds // 2):  # the same edits, with nothing to answer
        end = len(rows[row])
        await asyncio.sleep(KEYSTROKE_GAP_S)
        editor.insert(uri, row, end, "x")
        await _floor(editor, timings)
        await asyncio.sleep(KEYSTROKE_GAP_S)
        editor.delete(uri, row, end, end + 1)
        await _floor(editor, timings)
    editor.close(uri)
    return timings


async def _round(
    editor: Editor, uri: str, row: int, end: int, letter: str, timings: Timings
) -> None:
    """Type ``letter`` at the end of ``row`` and ask; type through, diverge, undo, ask again."""
    await asyncio.sleep(KEYSTROKE_GAP_S)
    editor.insert(uri, row, end, letter)
    miss = await _ask(editor, uri, row, end + 1)
    if miss is None:
        return
    timings.miss.append(miss[0])
    if not miss[1]:
        return
    timings.answered += 1
    await asyncio.sleep(KEYSTROKE_GAP_S)
    editor.insert(uri, row, end + 1, REPLY[0])
    through = await _ask(editor, uri, row, end + 2)
    if through is not None:
        timings.through.append(through[0])
    await asyncio.sleep(KEYSTROKE_GAP_S)
    editor.insert(uri, row, end + 2, "#")
    diverged = await _ask(editor, uri, row, end + 3)
    if diverged is not None:
        timings.miss.append(diverged[0])
    await asyncio.sleep(KEYSTROKE_GAP_S)
    editor.delete(uri, row, end + 1, end + 3)
    cached = await _ask(editor, uri, row, end + 1)
    if cached is not None:
        timings.cache.append(cached[0])


async def _floor(editor: Editor, timings: Timings) -> None:
    ping = editor.ping()
    if await editor.wait(ping, TIMEOUT_S) and (latency := ping.latency_ms()) is not None:
        timings.floor.append(latency)


async def _ask(editor: Editor, uri: str, line: int, character: int) -> tuple[float, int] | None:
    pending = editor.inline(uri, line, character)
    await editor.wait(pending, TIMEOUT_S)
    latency = pending.latency_ms()
    return None if latency is None else (latency, pending.items())


async def run_overhead(rounds: int = 150, sizes: tuple[int, ...] = SIZES) -> list[Timings]:
    out = []
    with (
        tempfile.TemporaryDirectory(prefix="frugal-overhead-") as tmp,
        FakeProvider(reply=REPLY) as fake,
    ):
        workspace, home = Path(tmp, "ws"), Path(tmp, "home")
        workspace.mkdir()
        (workspace / "frugal.toml").write_text(frugal_toml(fake.url, 0), "utf-8")
        async with running_server(workspace, home) as client:
            editor = Editor(client)
            for lines in sizes:
                out.append(await measure(editor, lines, rounds, workspace))
    return out
