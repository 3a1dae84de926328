"""Predict, then reveal: read a typed answer, check it against a stage's values, say what went wrong.

Reading (:func:`parse_answer`): rows are separated by newlines or ``;``, the numbers of a row are read by
:mod:`simulator.core.numbers` (the one rule for typed numbers: "0,5" or "0,5 0,25" read as 0.5 and
0.5, 0.25; "1,2,3" and "0, 5" are lists; the minus sign "−" is fine).

Tolerance (:data:`TOLERANCE_TEXT`): an entry is right when it is within 0.1 % of the exact value, or when
it equals the exact value rounded to the significant digits the student typed, counting at least 3.
So 0.56 is accepted for 0.5597…, 0.6 is not, and 0.000 is not accepted for 1.77e-04.

Diagnosis (:func:`check_answer`): a wrong answer is compared with what each classic mistake
(:mod:`simulator.core.mistakes`) gives at that stage, then with common slips: the sign flipped, the learning
rate forgotten, the matrix transposed, one entry wrong. The first match is named in words; when none
matches, the verdict names the first factor to check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ..core.messages import capped, quote
from ..core.mistakes import MISTAKES
from ..core.names import layer_mark, unit_names
from ..core.numbers import MAX_TEXT_CHARS, plain, significant_digits, tokens
from ..core.record import StepRecord, step
from ..core.rounding import round_sig
from .chain import unit_chain
from .stages import Stage, build_stages

REL_TOL = 1e-3
MIN_DIGITS = 3
TOLERANCE_TEXT = (
    "An answer counts as right when each number is within 0.1 % of the exact value, or equals the exact "
    "value rounded to the significant digits you typed (at least 3)."
)
FULL_DIGITS = 17  # an answer given as numbers, not text, is taken at full precision

_ROWS = re.compile(r"[;\n]")


def _row(line: str, text: str) -> list[tuple[float, int]]:
    row = []
    for token in tokens(line):
        found = plain(token)
        if found is None:
            raise ValueError(f"could not read {quote(text)}: {quote(token)} is not a number")
        value = float(found)
        if not np.isfinite(value):
            raise ValueError(f"could not read {quote(text)}: {quote(token)} is not a finite number")
        row.append((value, significant_digits(token)))
    return row


def read_answer(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The numbers typed, and how many significant digits each was typed with (see the module doc)."""
    try:
        return _read_answer(text)
    except ValueError as err:
        raise ValueError(capped(str(err))) from None


def _read_answer(text: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(text, str) or not text.strip():
        raise ValueError("could not read an empty answer: type one number per value")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"could not read {quote(text)}: longer than {MAX_TEXT_CHARS:,} characters")
    rows = [_row(line, text) for line in _ROWS.split(text) if line.strip()]
    if len({len(row) for row in rows}) > 1:
        raise ValueError(f"could not read {quote(text)}: the rows have different lengths")
    values = np.array([[v for v, _ in row] for row in rows])
    digits = np.array([[d for _, d in row] for row in rows])
    return (values[0], digits[0]) if len(rows) == 1 else (values, digits)


def parse_answer(text: str) -> np.ndarray:
    """The numbers in ``text``: a 1-D array for one row, 2-D for several. ValueError quoting the text."""
    return read_answer(text)[0]


def agrees(answer: np.ndarray, exact: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Entrywise: within :data:`REL_TOL` of ``exact``, or equal to it rounded to max(typed digits, 3)."""
    exact = np.asarray(exact, dtype=float)
    close = np.abs(answer - exact) <= REL_TOL * np.abs(exact)
    rounded = np.array(
        [round_sig(e, int(max(d, MIN_DIGITS))) == a for a, e, d in zip(answer.ravel(), exact.ravel(), digits.ravel())]
    ).reshape(exact.shape)
    return close | rounded


@dataclass(frozen=True)
class Verdict:
    correct: bool
    tolerance_text: str
    diagnosis: str  # "" when correct
    matched: str | None  # the mistake id or slip id the answer matches ("sign", "learning_rate", …), or None
    also: tuple[str, ...]  # further ids that give the same numbers
    wrong_entries: tuple[tuple[int, ...], ...]  # indices of the entries that are off, in order
    expected: np.ndarray  # the stage's value (to reveal)

    @property
    def first_wrong(self) -> tuple[int, ...] | None:
        return self.wrong_entries[0] if self.wrong_entries else None


SLIPS: Mapping[str, str] = MappingProxyType(
    {
        "sign": "the right size with the sign flipped",
        "learning_rate": "forgetting the learning rate η",
        "transposed": "the right numbers, transposed",
        "one_entry": "the right numbers except one entry",
    }
)

# The first factor to check, by stage kind, when no mistake or slip explains an answer.
FIRST_FACTOR: Mapping[str, str] = MappingProxyType(
    {
        "forward": "the weighted sum z = Σ aᵢ·wᵢⱼ (+ b) of the first wrong unit, then f(z)",
        "loss": "the error e = o − t, then E",
        "delta": "the error sent back (e, or Σ w·δ from the layer above), then the activation's slope",
        "gradient": "the product aᵢ·δⱼ for the first wrong entry",
        "update": "the product η·∂E/∂w, then w − η·∂E/∂w",
        "apply": "the forward pass with the new weights",
    }
)

_KEY = re.compile(r"^(lr_dW|update_W|update_b|new_W|new_b|dW|db|delta|z|a)(\d+)$")
_KEY_LABELS = {
    "z": "z{}",
    "a": "a{}",
    "delta": "δ{}",
    "dW": "∂E/∂W{}",
    "db": "∂E/∂b{}",
    "lr_dW": "η·∂E/∂W{}",
    "update_W": "ΔW{}",
    "update_b": "Δb{}",
    "new_W": "new W{}",
    "new_b": "new b{}",
}
_OTHER_LABELS = {"error": "e", "loss": "E", "new_output": "new o", "new_loss": "new E"}


def value_label(key: str) -> str:
    """ "delta2" → "δ⁽²⁾", "new_W1" → "new W⁽¹⁾", "loss" → "E"."""
    match = _KEY.match(key)
    if not match:
        return _OTHER_LABELS.get(key, key)
    return _KEY_LABELS[match.group(1)].format(layer_mark(match.group(2)))


def questions(stage: Stage) -> tuple[str, ...]:
    """The value keys a quiz asks for at a stage: what it computes, not the seed's printout of it."""
    return tuple(key for key in stage.values if not key.startswith(("lr_dW", "update_")))


def _stage(record: StepRecord, stage_id: str) -> Stage:
    for stage in build_stages(record):
        if stage.id == stage_id:
            return stage
    raise ValueError(f"stage: no stage {stage_id!r} in this step")


def _forgot_rate(record: StepRecord, key: str, value: np.ndarray) -> np.ndarray | None:
    """The value with η taken as 1, for the update stages' keys."""
    match = _KEY.match(key)
    if not match or match.group(1) not in ("lr_dW", "update_W", "update_b", "new_W", "new_b"):
        return None
    l, rate = int(match.group(2)), record.scenario.learning_rate
    if match.group(1) in ("lr_dW", "update_W", "update_b"):
        return value / rate
    kind = match.group(1)[-1]
    old = (record.scenario.weights if kind == "W" else record.scenario.biases)[l - 1]
    return old + (value - old) / rate


def _candidates(record: StepRecord, stage_id: str, key: str, expected: np.ndarray):
    """(id, words, values) for each classic mistake that changes this value, then the sign and η slips."""
    for mistake in MISTAKES.values():
        if mistake.id == record.mistake:
            continue
        stage = _stage(step(record.scenario, mistake=mistake.id, digits=record.digits), stage_id)
        values = np.atleast_1d(np.asarray(stage.values[key], dtype=float))
        if values.shape == expected.shape and not np.array_equal(values, expected):
            yield mistake.id, mistake.matches, values
    yield "sign", SLIPS["sign"], -expected
    forgot = _forgot_rate(record, key, expected)
    if forgot is not None:
        yield "learning_rate", SLIPS["learning_rate"], forgot


@dataclass(frozen=True)
class AnswerKey:
    """What an answer to one value of one stage is checked against: built once, then every check is values only."""

    label: str  # the value's symbol, "δ⁽²⁾"
    kind: str  # the stage's kind, for the first factor to check
    expected: np.ndarray  # at least 1-D
    candidates: tuple[tuple[str, str, np.ndarray], ...]  # (mistake or slip id, words, values) in the order tried


def answer_key(record: StepRecord, stage_id: str, value_key: str) -> AnswerKey:
    """The expected value and what each classic mistake and slip would give (the costly part of a check)."""
    stage = _stage(record, stage_id)
    if value_key not in stage.values:
        raise ValueError(f"value: stage {stage_id!r} has no value {value_key!r}; it has {', '.join(stage.values)}")
    expected = np.atleast_1d(np.asarray(stage.values[value_key], dtype=float))  # the loss is one number too
    expected.flags.writeable = False
    candidates = tuple(_candidates(record, stage_id, value_key, expected))
    return AnswerKey(value_label(value_key), stage.kind, expected, candidates)


def check_answer(record: StepRecord, stage_id: str, value_key: str, answer) -> Verdict:
    """Check a typed answer (text, or numbers taken at full precision) for one value of one stage."""
    return judge(answer_key(record, stage_id, value_key), answer)


def _tried(key: AnswerKey, answer: np.ndarray):
    """The key's candidates, then the transposed slip when the answer is a matrix typed the other way round."""
    yield from key.candidates
    expected = key.expected
    if expected.ndim == 2 and min(expected.shape) > 1 and answer.ndim == 2 and answer.T.shape == expected.shape:
        yield "transposed", SLIPS["transposed"], expected


def judge(key: AnswerKey, answer) -> Verdict:
    """Check a typed answer against a prepared :class:`AnswerKey` (no stage is built: microseconds)."""
    expected, label = key.expected, key.label
    if isinstance(answer, str):
        values, digits = read_answer(answer)
    else:
        values = np.asarray(answer, dtype=float)
        digits = np.full(values.shape, FULL_DIGITS)
    if values.size != expected.size:
        shape = (
            "one number" if expected.size == 1 else f"{expected.size} numbers ({' × '.join(map(str, expected.shape))})"
        )
        return Verdict(False, TOLERANCE_TEXT, f"{label} has {shape}; you typed {values.size}.", None, (), (), expected)
    flat, typed = values.reshape(expected.shape), digits.reshape(expected.shape)
    wrong = tuple(tuple(int(i) for i in index) for index in zip(*np.nonzero(~agrees(flat, expected, typed))))
    if not wrong:
        return Verdict(True, TOLERANCE_TEXT, "", None, (), (), expected)
    matches = []
    for candidate, words, target in _tried(key, values):
        # A transposed answer is compared as typed, turned back; everything else entry by entry in order.
        compared, compared_digits = (values.T, digits.T) if candidate == "transposed" else (flat, typed)
        if np.all(agrees(compared, target, compared_digits)):
            matches.append((candidate, words))
    if not matches and expected.size > 1 and len(wrong) == 1:
        matches.append(("one_entry", SLIPS["one_entry"]))
    if matches:
        names = " — or ".join(words for _, words in matches)
        diagnosis = f"Your {label} matches {names}."
        if matches[0][0] == "one_entry":
            diagnosis += f" Check entry {', '.join(str(i + 1) for i in wrong[0])}."
        return Verdict(
            False, TOLERANCE_TEXT, diagnosis, matches[0][0], tuple(m for m, _ in matches[1:]), wrong, expected
        )
    where = "" if expected.size == 1 else f" from entry {', '.join(str(i + 1) for i in wrong[0])} on"
    diagnosis = f"Your {label} is off{where}. Check {FIRST_FACTOR[key.kind]}."
    return Verdict(False, TOLERANCE_TEXT, diagnosis, None, (), wrong, expected)


@dataclass(frozen=True)
class QuizScore:
    first_try: Mapping[str, bool]  # stage id → right at the first attempt (giving up counts as wrong)
    attempts: Mapping[str, int]

    @property
    def right(self) -> int:
        return sum(self.first_try.values())

    @property
    def total(self) -> int:
        return len(self.first_try)

    @property
    def summary(self) -> str:
        missed = [stage_id for stage_id, right in self.first_try.items() if not right]
        text = f"{self.right} of {self.total} stages right at the first try."
        return text + (f" To revisit: {', '.join(missed)}." if missed else "")


def quiz_score(attempts: Iterable[tuple[str, bool]]) -> QuizScore:
    """Summarise (stage id, right?) attempts in order; a "show me" is an attempt that is not right."""
    first, counts = {}, {}
    for stage_id, right in attempts:
        first.setdefault(stage_id, bool(right))
        counts[stage_id] = counts.get(stage_id, 0) + 1
    return QuizScore(MappingProxyType(first), MappingProxyType(counts))


def hint(record: StepRecord, stage: Stage) -> str:
    """The first factor to check at a stage, before giving up: for a δ its chain of local factors."""
    if stage.kind == "delta":
        chain = unit_chain(record, unit_names(record.scenario.layers)[stage.layer][0])
        first, *rest = chain.factors
        then = "".join(f", then times {f.symbol} = {f.formula}" for f in rest)
        return f"Start with the first unit: {chain.symbol} = {' · '.join(f.symbol for f in chain.factors)}. " + (
            f"Check {first.symbol} = {first.formula} first{then}."
        )
    return f"Check {FIRST_FACTOR[stage.kind]}."


def diagnosed(diagnoses: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """(stage id, matched id) pairs of wrong answers → one line per mistake or slip, naming its stages."""
    stages: dict[str, list[str]] = {}
    for stage_id, matched in diagnoses:
        stages.setdefault(matched, [])
        if stage_id not in stages[matched]:
            stages[matched].append(stage_id)
    words = {**SLIPS, **{m.id: m.matches for m in MISTAKES.values()}}
    return tuple(f"{words.get(m, m)[:1].upper()}{words.get(m, m)[1:]} ({', '.join(ids)})" for m, ids in stages.items())
