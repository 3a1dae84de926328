"""Worksheets and answer keys for a set of exercises, in Markdown and printable HTML, and the files of a set.

The same arguments always give the same bytes (no dates, no randomness outside the seed).
"""

from __future__ import annotations

import html
import io
import zipfile

import numpy as np

from ..core.presets import PRESET_TITLES
from ..core.record import step
from ..core.scenario import scenario_to_json
from ..views.stages import Stage, build_stages
from .exercises import DEFAULT_APP_URL, Exercise, make_exercises
from .worksheet_text import (
    CONVENTIONS,
    answer_text,
    formats_text,
    given_blocks,
    network_text,
    summary_text,
    symbol,
    task_text,
)

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the zip is byte-identical for the same arguments


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
        task_rows += [[str(k), s.title, task_text(s), " "] for k, s in enumerate(stages, start=1)]
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
            f'<tr><td class="num">{k}</td><td>{_e(s.title)}</td><td>{_e(task_text(s))}</td>'
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
            f"<p>{_e(summary_text(exercise.scenario))}</p>"
            '<table class="values tasks"><thead><tr><th>stage</th><th>value</th><th>answer</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{_html_link(exercise)}</section>"
        )
    return _page("Backpropagation answer key", body)


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


__all__ = ["answers_html", "answers_markdown", "exercise_files", "exercise_zip", "worksheet_html", "worksheet_markdown"]
