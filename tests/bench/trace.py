"""The keystroke trace: what an editor sends while someone types the corpus back in.

Each ``Piece`` is opened as ``head + indent + "\\n" + tail`` (the function cut out, the
cursor on an indented empty line) and its body is typed one character per keystroke;
Enter inserts the newline together with the next line's indentation, as auto-indent
does. Every keystroke carries the gap until the next one (fixed seed):

* inside words: tens of ms (log-normal, median 75 ms, clipped to 25–280 ms);
* after a space: median 100 ms;
* after Enter (a line end): a pause of 300–1500 ms;
* after punctuation ``( , : ; = { [ .``: a pause of 300–1500 ms with probability 0.35.

The model's answer at each keystroke is decided here too (``Keystroke.reply``), so the
server run and the baselines see the same answers: the rest of the line the user is
about to type, right in full half of the time, otherwise right only in its first half
and then wrong.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from tests.bench.corpus import Piece

PAUSE_MIN_MS, PAUSE_MAX_MS = 300, 1500
PAUSE_AFTER = set("(,:;={[.")
PAUSE_PROBABILITY = 0.35
RIGHT_PROBABILITY = 0.5
WRONG_TAIL = "__guess()"


@dataclass(frozen=True)
class Keystroke:
    piece: int  # index into the corpus
    offset: int  # document offset (Python str index) where ``text`` is inserted
    line: int  # the cursor (0-based) *after* the keystroke
    character: int  # UTF-16 column after the keystroke
    text: str  # what the keystroke inserts ("\\n" + indentation for Enter)
    gap_ms: float  # time until the next keystroke (or the end of the piece)
    reply: str  # what the model says if asked right after this keystroke

    @property
    def pause(self) -> bool:
        return self.gap_ms >= PAUSE_MIN_MS


@dataclass(frozen=True)
class Session:
    """One piece: the text the editor opens, then its keystrokes."""

    piece: Piece
    index: int
    opened: str
    keystrokes: list[Keystroke]

    @property
    def final(self) -> str:
        return self.piece.head + self.piece.body + self.piece.tail


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _gap(rng: random.Random, typed: str, enter: bool) -> float:
    if enter or (typed in PAUSE_AFTER and rng.random() < PAUSE_PROBABILITY):
        return rng.uniform(PAUSE_MIN_MS, PAUSE_MAX_MS)
    median = 100.0 if typed == " " else 75.0
    return min(280.0, max(25.0, median * math.exp(rng.gauss(0.0, 0.45))))


def _reply(rng: random.Random, rest_of_line: str) -> str:
    if not rest_of_line.strip():
        return "pass" if rng.random() < 0.5 else "return None"
    if rng.random() < RIGHT_PROBABILITY:
        return rest_of_line
    return rest_of_line[: max(1, len(rest_of_line) // 2)] + WRONG_TAIL


def session_for(piece: Piece, index: int, rng: random.Random) -> Session:
    lines = piece.body.splitlines()
    first_indent = _indent(lines[0])
    opened = piece.head + first_indent + "\n" + piece.tail
    # the stream of keystrokes: characters, and Enter as "\n" + the next line's indentation
    strokes: list[str] = list(lines[0][len(first_indent) :])
    for line in lines[1:]:
        strokes.append("\n" + _indent(line))
        strokes.extend(line[len(_indent(line)) :])
    keys: list[Keystroke] = []
    offset = len(piece.head) + len(first_indent)
    line_no = piece.head.count("\n")
    line_text = first_indent
    typed_stream = "".join(strokes)
    position_in_stream = 0
    for stroke in strokes:
        enter = stroke.startswith("\n")
        position_in_stream += len(stroke)
        if enter:
            line_no += 1
            line_text = stroke[1:]
        else:
            line_text += stroke
        rest = typed_stream[position_in_stream:].split("\n", 1)[0]
        gap = _gap(rng, stroke[-1] if not enter else "\n", enter)
        keys.append(
            Keystroke(index, offset, line_no, _utf16(line_text), stroke, gap, _reply(rng, rest))
        )
        offset += len(stroke)
    return Session(piece, index, opened, keys)


def build_trace(pieces: list[Piece], seed: int) -> list[Session]:
    rng = random.Random(seed)
    return [session_for(piece, i, rng) for i, piece in enumerate(pieces)]


def typed_characters(sessions: list[Session]) -> int:
    """Characters the user typed: Enter counts one, auto-indentation none."""
    return sum(1 for s in sessions for k in s.keystrokes)
