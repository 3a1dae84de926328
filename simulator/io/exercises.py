"""Worksheets for a class: seeded variants of a preset, an answer key, and a quiz link per exercise.

``make_exercises(preset, seed, count)`` draws ``count`` scenarios from ``numpy.random.default_rng(seed)``:
the preset's architecture with new inputs (1 decimal), targets, weights and biases (2 decimals) and a
learning rate from :data:`LEARNING_RATES`. The same arguments always give the same exercises, and
:func:`exercise_files` the same bytes (no dates, no randomness outside the seed).
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np

from ..core.backprop import StepRecord, step
from ..core.names import layer_mark, unit_label, unit_names
from ..core.presets import PRESET_TITLES, PRESETS
from ..core.scenario import Scenario, ScenarioError, scenario_to_json
from ..views.stages import Stage, build_stages
from .share import ViewOptions, encode

DEFAULT_APP_URL = "http://localhost:8501/"
LEARNING_RATES = (0.1, 0.25, 0.5, 1.0)
INPUT_DECIMALS, VALUE_DECIMALS = 1, 2  # x; target, weights and biases
ANSWER_DIGITS = 8  # significant digits in the answer key
MAX_EXERCISES = 50
QUIZ_STAGE = "forward.z1"
MAX_DRAWS = 1000  # per exercise; a degenerate draw is replaced by the next one
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the zip is byte-identical for the same arguments


@dataclass(frozen=True)
class Exercise:
    number: int  # 1-based
    scenario: Scenario
    link: str  # opens the exercise in the app, in quiz mode, at the first stage


# --- drawing ---------------------------------------------------------------


def _uniform(rng: np.random.Generator, low: float, high: float, shape, decimals: int) -> list:
    return np.round(rng.uniform(low, high, shape), decimals).tolist()


def _target(rng: np.random.Generator, template: Scenario) -> list:
    """A target the output activation can reach, 2 decimals (one-hot for softmax)."""
    size, activation = template.layers[-1], template.activations[-1]
    if activation == "softmax":
        return np.eye(size)[rng.integers(size)].tolist()
    low, high = {"sigmoid": (0.05, 0.95), "tanh": (-0.9, 0.9), "relu": (0.05, 1.0)}.get(activation, (-1.0, 1.0))
    return _uniform(rng, low, high, size, VALUE_DECIMALS)


def _draw(rng: np.random.Generator, template: Scenario) -> Scenario:
    layers = template.layers
    return template.replace(
        x=_uniform(rng, -1.0, 1.0, layers[0], INPUT_DECIMALS),
        target=_target(rng, template),
        weights=[_uniform(rng, -1.0, 1.0, (m, n), VALUE_DECIMALS) for m, n in zip(layers, layers[1:])],
        biases=None if template.biases is None else [_uniform(rng, -1.0, 1.0, n, VALUE_DECIMALS) for n in layers[1:]],
        learning_rate=float(rng.choice(LEARNING_RATES)),
        dataset=None,
    )


def _degenerate(record: StepRecord) -> bool:
    """Draws that teach little: a zero input or weight, an output already on target, a dead unit, no learning."""
    scenario = record.scenario
    return bool(
        np.any(scenario.x == 0)
        or any(np.any(w == 0) for w in scenario.weights)
        or np.all(np.abs(record.error) < 0.02)
        or any(np.any(d == 0) for d in record.deltas)
        or not record.new_loss < record.loss
    )


def _template(preset: str) -> Scenario:
    if preset not in PRESETS:
        raise ScenarioError([f"preset: must be one of {', '.join(sorted(PRESETS))}, got {preset!r}"])
    return PRESETS[preset]


def quiz_link(scenario: Scenario, app_url: str = DEFAULT_APP_URL) -> str:
    """A link that opens ``scenario`` in the app in quiz mode at the first stage."""
    params = encode(scenario, options=ViewOptions(stage=QUIZ_STAGE, quiz=True))
    return app_url + ("&" if "?" in app_url else "?") + urlencode(params, safe=",;:|")


def make_exercises(preset: str, seed: int, count: int, *, app_url: str = DEFAULT_APP_URL) -> list[Exercise]:
    """``count`` variants of ``preset`` drawn from ``numpy.random.default_rng(seed)``, degenerate draws skipped."""
    template = _template(preset)
    if not 1 <= count <= MAX_EXERCISES:
        raise ScenarioError([f"count: must be from 1 to {MAX_EXERCISES}, got {count}"])
    if seed < 0:
        raise ScenarioError([f"seed: must be 0 or more, got {seed}"])
    rng = np.random.default_rng(seed)
    exercises = []
    for number in range(1, count + 1):
        for _ in range(MAX_DRAWS):
            scenario = _draw(rng, template)
            if not _degenerate(step(scenario)):
                break
        else:
            raise ScenarioError([f"preset: {preset} gave no usable exercise in {MAX_DRAWS} draws"])
        exercises.append(Exercise(number, scenario, quiz_link(scenario, app_url)))
    return exercises


# --- text ------------------------------------------------------------------


def answer_number(value: float) -> str:
    """The answer key's format: 8 significant digits, as ``f"{v:.8g}"``."""
    return f"{float(value):.{ANSWER_DIGITS}g}"


def _given(value: float, decimals: int) -> str:
    return f"{float(value):.{decimals}f}"


def answer_text(value, fmt: Callable[[float], str] = answer_number) -> str:
    """A number, a row vector [a, b] or a matrix [[a, b], [c, d]] (row by row)."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return fmt(array)
    if array.ndim == 1:
        return "[" + ", ".join(fmt(v) for v in array) + "]"
    return "[" + ", ".join(answer_text(row, fmt) for row in array) + "]"


_SYMBOLS = (
    ("new_output", "o after the step"),
    ("new_loss", "E after the step"),
    ("error", "e = o − t"),
    ("loss", "E"),
    ("update_W", "ΔW{l}"),
    ("update_b", "Δb{l}"),
    ("lr_dW", "η·∂E/∂W{l}"),
    ("new_W", "W{l} new"),
    ("new_b", "b{l} new"),
    ("delta", "δ{l}"),
    ("dW", "∂E/∂W{l}"),
    ("db", "∂E/∂b{l}"),
    ("z", "z{l}"),
    ("a", "a{l}"),
)


def symbol(name: str) -> str:
    """The symbol on screen for a value's code name: ``dW2`` → ∂E/∂W⁽²⁾, ``new_loss`` → E after the step."""
    for prefix, text in _SYMBOLS:
        rest = name[len(prefix) :]
        if name.startswith(prefix) and (rest.isdigit() if "{l}" in text else not rest):
            return text.format(l=layer_mark(int(rest)) if rest else "")
    return name


def shape_text(value) -> str:
    shape = np.shape(value)
    if not shape:
        return "number"
    rows, cols = (1, shape[0]) if len(shape) == 1 else shape
    return f"{rows}×{cols}"


def network_text(scenario: Scenario) -> str:
    """One line: sizes, activations, loss, biases."""
    sizes = "-".join(str(n) for n in scenario.layers)
    activations = ", ".join(scenario.activations)
    if scenario.biases is None:
        biases = "no biases"
    else:
        biases = "biases trained" if scenario.train_biases else "biases frozen (they keep their values)"
    loss = {"half_squared_error": "half squared error E = ½ Σ (o − t)²", "cross_entropy": "cross-entropy"}
    return f"{sizes} network; activations {activations} (hidden to output); {loss.get(scenario.loss)}; {biases}."


CONVENTIONS = (
    "Row vectors: z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f(z⁽ˡ⁾), with a⁽⁰⁾ = x; W⁽ˡ⁾[i][j] is the weight from "
    "unit i of layer l−1 to unit j of layer l. e = o − t, δ⁽ˡ⁾ = ∂E/∂z⁽ˡ⁾, ∂E/∂W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾. "
    "Update: W new = W − η·∂E/∂W (ΔW = −η·∂E/∂W). The hidden deltas use the weights of the forward pass."
)


def formats_text() -> str:
    rates = ", ".join(f"{r:g}" for r in LEARNING_RATES)
    return (
        f"Inputs x have {INPUT_DECIMALS} decimal; targets, weights and biases {VALUE_DECIMALS} decimals; "
        f"the learning rate η is one of {rates}. The answer key gives every value to {ANSWER_DIGITS} significant "
        f'digits (Python\'s f"{{v:.{ANSWER_DIGITS}g}}", so 0.00017700555 and 1.7700555e-05 are both exact to '
        f"{ANSWER_DIGITS} digits). Work to at least 4 significant digits; the app's quiz checks what you type."
    )


def _matrix_rows(matrix: np.ndarray, row_names, col_names, decimals: int) -> list[list[str]]:
    header = ["", *col_names]
    return [header, *[[r, *(_given(v, decimals) for v in row)] for r, row in zip(row_names, matrix)]]


def given_blocks(scenario: Scenario) -> list[tuple[str, list[list[str]]]]:
    """What a student is given, as (caption, table rows); the first row of a table is its header."""
    names = [[unit_label(n) for n in layer] for layer in unit_names(scenario.layers)]
    blocks = [
        ("x (input)", [names[0], [_given(v, INPUT_DECIMALS) for v in scenario.x]]),
        ("t (target)", [names[-1], [_given(v, VALUE_DECIMALS) for v in scenario.target]]),
    ]
    for l, weights in enumerate(scenario.weights, start=1):
        blocks.append((f"W{layer_mark(l)}", _matrix_rows(weights, names[l - 1], names[l], VALUE_DECIMALS)))
        if scenario.biases is not None:
            blocks.append(
                (f"b{layer_mark(l)}", [names[l], [_given(v, VALUE_DECIMALS) for v in scenario.biases[l - 1]]])
            )
    return blocks


def _task(stage: Stage) -> str:
    return ", ".join(f"{symbol(k)} ({shape_text(v)})" for k, v in stage.values.items())


# --- Markdown --------------------------------------------------------------


def _md_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _heading(preset: str, seed: int, count: int, what: str) -> list[str]:
    command = f"backprop-sim exercise --preset {preset} --seed {seed} --count {count}"
    return [
        f"# Backpropagation {what}: {PRESET_TITLES.get(preset, preset)}",
        "",
        f"Preset `{preset}`, seed {seed}, {count} exercise{'s' * (count != 1)}; made by `{command}`.",
        "",
    ]


def worksheet_markdown(exercises: list[Exercise], preset: str, seed: int) -> str:
    stages = build_stages(step(exercises[0].scenario))
    lines = _heading(preset, seed, len(exercises), "worksheet")
    lines += [
        f"**Network.** {network_text(exercises[0].scenario)}",
        "",
        f"**Conventions.** {CONVENTIONS}",
        "",
        f"**Number formats.** {formats_text()}",
        "",
        "**Task.** For each exercise, do one training step by hand, stage by stage, and fill in the table.",
        "Each exercise has a link that opens it in the app in quiz mode, to check your answers stage by stage.",
        "",
    ]
    for exercise in exercises:
        lines += [f"## Exercise {exercise.number}", "", f"η (learning rate) = {exercise.scenario.learning_rate:g}", ""]
        for caption, rows in given_blocks(exercise.scenario):
            lines += [f"{caption}:", "", _md_table(rows), ""]
        task_rows = [["#", "stage", "find", "your answer"]]
        task_rows += [[str(k), s.title, _task(s), " "] for k, s in enumerate(stages, start=1)]
        lines += [
            _md_table(task_rows),
            "",
            f"[Open exercise {exercise.number} in the app (quiz mode)]({exercise.link})",
            "",
        ]
    return "\n".join(lines)


def answers_markdown(exercises: list[Exercise], preset: str, seed: int) -> str:
    lines = _heading(preset, seed, len(exercises), "answer key")
    lines += [f"**Number formats.** {formats_text()}", "", f"**Conventions.** {CONVENTIONS}", ""]
    for exercise in exercises:
        lines += [f"## Exercise {exercise.number}", ""]
        for k, stage in enumerate(build_stages(step(exercise.scenario)), start=1):
            lines.append(f"{k}. {stage.title} (`{stage.id}`)")
            lines += [f"    - {symbol(name)} (`{name}`) = {answer_text(v)}" for name, v in stage.values.items()]
        lines += ["", f"[Open exercise {exercise.number} in the app (quiz mode)]({exercise.link})", ""]
    return "\n".join(lines)


# --- HTML ------------------------------------------------------------------

_CSS = """
body { font: 11pt/1.4 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111; max-width: 48em;
       margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.45em; margin: 0 0 0.3em; }
h2 { font-size: 1.15em; margin: 0 0 0.4em; border-bottom: 1.5px solid #333; padding-bottom: 0.15em; }
p { margin: 0.35em 0; }
.intro { font-size: 0.92em; }
.exercise { margin-top: 1.6em; }
.given { display: flex; flex-wrap: wrap; gap: 0.6em 1.6em; align-items: flex-start; margin: 0.5em 0 0.8em; }
.given figure { margin: 0; }
.given figcaption { font-weight: bold; font-size: 0.9em; }
table { border-collapse: collapse; }
td, th { border: 1px solid #999; padding: 0.15em 0.5em; }
.given td { text-align: right; font-variant-numeric: tabular-nums; }
.given th { background: #eee; font-weight: normal; }
.tasks { width: 100%; font-size: 0.9em; }
.tasks th { background: #eee; text-align: left; }
.tasks td.answer { width: 42%; }
.tasks td.num { text-align: right; width: 1.5em; }
.values td { vertical-align: top; }
.values td.value { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.86em; }
.link { font-size: 0.85em; margin-top: 0.5em; }
.link .url { font-family: "DejaVu Sans Mono", monospace; font-size: 0.7em; color: #555; word-break: break-all; }
a { color: #0a4f9e; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  .exercise { break-before: page; margin-top: 0; }  /* the introduction is page 1, one exercise a page */
  .exercise, tr, figure { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_table(rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in rows[0])
    body = "".join(
        "<tr>" + f"<th>{_e(row[0])}</th>" + "".join(f"<td>{_e(c)}</td>" for c in row[1:]) + "</tr>"
        if rows[0][0] == ""
        else "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>"
        for row in rows[1:]
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _page(title: str, body: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _html_heading(preset: str, seed: int, count: int, what: str) -> list[str]:
    command = f"backprop-sim exercise --preset {preset} --seed {seed} --count {count}"
    return [
        f"<h1>Backpropagation {_e(what)}: {_e(PRESET_TITLES.get(preset, preset))}</h1>",
        f'<p class="intro">Preset <code>{_e(preset)}</code>, seed {seed}, {count} exercise{"s" * (count != 1)}; '
        f"made by <code>{_e(command)}</code>.</p>",
    ]


def _html_link(exercise: Exercise) -> str:
    url = _e(exercise.link)
    return (
        f'<p class="link"><a href="{url}">Open exercise {exercise.number} in the app (quiz mode)</a><br>'
        f'<span class="url">{url}</span></p>'
    )


def _answer_lines(stage: Stage) -> int:
    """Room to write: one line per row of every value (a 3×2 matrix needs three)."""
    return max(2, sum(np.atleast_2d(v).shape[0] for v in stage.values.values()))


def _minus(rows: list[list[str]]) -> list[list[str]]:
    """A typographic minus for print: −0.40 reads better than -0.40."""
    return [[cell.replace("-", "−") for cell in row] for row in rows]


def worksheet_html(exercises: list[Exercise], preset: str, seed: int) -> str:
    stages = build_stages(step(exercises[0].scenario))
    body = _html_heading(preset, seed, len(exercises), "worksheet")
    body += [
        f'<p class="intro"><b>Network.</b> {_e(network_text(exercises[0].scenario))}</p>',
        f'<p class="intro"><b>Conventions.</b> {_e(CONVENTIONS)}</p>',
        f'<p class="intro"><b>Number formats.</b> {_e(formats_text())}</p>',
        '<p class="intro"><b>Task.</b> For each exercise, do one training step by hand, stage by stage, and fill in '
        "the table. The link under each exercise opens it in the app in quiz mode, to check your answers.</p>",
    ]
    for exercise in exercises:
        given = "".join(
            f"<figure><figcaption>{_e(caption)}</figcaption>{_html_table(_minus(rows))}</figure>"
            for caption, rows in given_blocks(exercise.scenario)
        )
        tasks = "".join(
            f'<tr><td class="num">{k}</td><td>{_e(s.title)}</td><td>{_e(_task(s))}</td>'
            f'<td class="answer" style="height: {_answer_lines(s) * 1.25:.2f}em"></td></tr>'
            for k, s in enumerate(stages, start=1)
        )
        body.append(
            f'<section class="exercise"><h2>Exercise {exercise.number}</h2>'
            f"<p>η (learning rate) = {exercise.scenario.learning_rate:g}</p>"
            f'<div class="given">{given}</div>'
            '<table class="tasks"><thead><tr><th>#</th><th>stage</th><th>find</th><th>your answer</th></tr></thead>'
            f"<tbody>{tasks}</tbody></table>{_html_link(exercise)}</section>"
        )
    return _page("Backpropagation worksheet", body)


def _html_value(value) -> str:
    """The answer key's text of a value; a matrix one row a line."""
    array = np.asarray(value, dtype=float)
    if array.ndim < 2:
        return _e(answer_text(array))
    rows = [_e(answer_text(row)) for row in array]
    return "[" + ",<br>&nbsp;".join(rows) + "]"


def answers_html(exercises: list[Exercise], preset: str, seed: int) -> str:
    body = _html_heading(preset, seed, len(exercises), "answer key")
    body += [
        f'<p class="intro"><b>Number formats.</b> {_e(formats_text())}</p>',
        f'<p class="intro"><b>Conventions.</b> {_e(CONVENTIONS)}</p>',
    ]
    for exercise in exercises:
        rows = []
        for k, stage in enumerate(build_stages(step(exercise.scenario)), start=1):
            for i, (name, value) in enumerate(stage.values.items()):
                first = f'<td rowspan="{len(stage.values)}">{k}. {_e(stage.title)}</td>' if i == 0 else ""
                rows.append(
                    f"<tr>{first}<td>{_e(symbol(name))} <code>{_e(name)}</code></td>"
                    f'<td class="value">{_html_value(value)}</td></tr>'
                )
        body.append(
            f'<section class="exercise"><h2>Exercise {exercise.number}</h2>'
            f"<p>{_e(_summary(exercise.scenario))}</p>"
            '<table class="values tasks"><thead><tr><th>stage</th><th>value</th><th>answer</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{_html_link(exercise)}</section>"
        )
    return _page("Backpropagation answer key", body)


def _summary(scenario: Scenario) -> str:
    parts = [f"x = {answer_text(scenario.x)}", f"t = {answer_text(scenario.target)}", f"η = {scenario.learning_rate:g}"]
    return ", ".join(parts)


# --- files -----------------------------------------------------------------


def exercise_files(preset: str, seed: int, count: int, *, app_url: str = DEFAULT_APP_URL) -> dict[str, bytes]:
    """Every file of a worksheet set, by name: the sheets, the answer keys and one scenario JSON per exercise."""
    exercises = make_exercises(preset, seed, count, app_url=app_url)
    files = {
        "worksheet.md": worksheet_markdown(exercises, preset, seed),
        "worksheet.html": worksheet_html(exercises, preset, seed),
        "answers.md": answers_markdown(exercises, preset, seed),
        "answers.html": answers_html(exercises, preset, seed),
    }
    width = max(2, len(str(count)))
    files |= {f"exercise-{e.number:0{width}d}.json": scenario_to_json(e.scenario) + "\n" for e in exercises}
    return {name: text.encode("utf-8") for name, text in files.items()}


def exercise_zip(preset: str, seed: int, count: int, *, app_url: str = DEFAULT_APP_URL) -> bytes:
    """The files of :func:`exercise_files` in one zip, byte-identical for the same arguments."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(exercise_files(preset, seed, count, app_url=app_url).items()):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


__all__ = [
    "DEFAULT_APP_URL",
    "Exercise",
    "LEARNING_RATES",
    "answers_html",
    "answers_markdown",
    "exercise_files",
    "exercise_zip",
    "make_exercises",
    "quiz_link",
    "worksheet_html",
    "worksheet_markdown",
]
