"""Worksheets: deterministic per seed, in the stated number formats, answer keys that agree with the engine."""

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from simulator import PRESETS, SEED, ScenarioError, build_stages, scenario_from_json, step
from simulator.io.exercises import LEARNING_RATES, make_exercises
from simulator.io.share import decode
from simulator.io.worksheet_text import symbol
from simulator.io.worksheets import exercise_files, exercise_zip

from .test_app import shown_code

SHEETS = ("worksheet.md", "worksheet.html", "answers.md", "answers.html")


@pytest.fixture(scope="module")
def seed_files() -> dict[str, bytes]:
    return exercise_files("seed", 7, 10)


def scenarios_of(files: dict[str, bytes]) -> list:
    names = sorted(name for name in files if name.startswith("exercise-"))
    return [scenario_from_json(files[name]) for name in names]


def test_files_are_byte_identical_for_the_same_arguments(seed_files):
    assert sorted(seed_files) == sorted([*SHEETS, *(f"exercise-{k:02d}.json" for k in range(1, 11))])
    assert exercise_files("seed", 7, 10) == seed_files
    assert exercise_zip("seed", 7, 10) == exercise_zip("seed", 7, 10)
    assert exercise_files("seed", 8, 10)["worksheet.md"] != seed_files["worksheet.md"]
    # The first exercises of a longer set are the same exercises.
    assert exercise_files("seed", 7, 12)["exercise-03.json"] == seed_files["exercise-03.json"]


def test_zip_holds_the_same_files_with_a_fixed_date(seed_files):
    archive = zipfile.ZipFile(io.BytesIO(exercise_zip("seed", 7, 10)))
    assert {info.filename: archive.read(info) for info in archive.infolist()} == seed_files
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_cli_writes_the_same_files(tmp_path, seed_files):
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "exercise", "--preset", "seed", "--seed", "7", "--count", "10"]
        + ["--out", str(tmp_path / "sheets")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    written = {path.name: path.read_bytes() for path in (tmp_path / "sheets").iterdir()}
    assert written == seed_files


def decimals(value: float) -> int:
    return next(k for k in range(10) if round(value, k) == value)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_exercises_use_the_stated_number_formats(preset):
    files = exercise_files(preset, 3, 6)
    template = PRESETS[preset]
    for scenario in scenarios_of(files):
        assert scenario.layers == template.layers and scenario.activations == template.activations
        assert (scenario.biases is None) == (template.biases is None)
        assert scenario.train_biases == template.train_biases and scenario.dataset is None
        assert max(decimals(v) for v in scenario.x) <= 1
        assert max(decimals(v) for v in scenario.target) <= 2
        for array in (*scenario.weights, *(scenario.biases or ())):
            assert max(decimals(v) for v in array.ravel()) <= 2
        assert scenario.learning_rate in LEARNING_RATES
    sheet = files["worksheet.md"].decode()
    assert "1 decimal" in sheet and "2 decimals" in sheet and "8 significant digits" in sheet
    # The given tables print inputs with exactly 1 decimal, everything else with 2.
    tables = re.findall(r"^(\S+)(?: \(\w+\))?:\n\n((?:\|.*\|\n)+)", sheet, flags=re.M)
    assert len(tables) == 6 * (2 + len(template.weights) * (1 + (template.biases is not None)))
    for caption, table in tables:
        rows = [row.strip("|").split("|") for row in table.splitlines()[2:]]
        cells = [
            cell.strip() for row in rows for cell in (row if caption in ("x", "t") or caption[0] == "b" else row[1:])
        ]
        pattern = r"-?\d\.\d" if caption == "x" else r"-?\d\.\d\d"
        assert cells and all(re.fullmatch(pattern, cell) for cell in cells), (caption, cells)


def test_degenerate_draws_are_skipped():
    for exercise in make_exercises("seed", 1, 30):
        record = step(exercise.scenario)
        assert np.all(exercise.scenario.x != 0)
        assert all(np.all(w != 0) for w in exercise.scenario.weights)
        assert record.new_loss < record.loss
        assert np.any(np.abs(record.error) >= 0.02)


def answer_sections(markdown: str) -> list[list[tuple[str, str, str]]]:
    """Per exercise: (stage id, value name, value text) from the answer key's lines."""
    sections = []
    for part in re.split(r"^## Exercise \d+$", markdown, flags=re.M)[1:]:
        rows, stage = [], None
        for line in part.splitlines():
            if found := re.match(r"\d+\. .* \(`([a-zW0-9.]+)`\)$", line):
                stage = found[1]
            elif found := re.match(r"    - .* \(`(\w+)`\) = (.*)$", line):
                rows.append((stage, found[1], found[2]))
        sections.append(rows)
    return sections


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_answer_agrees_with_the_engine(preset):
    files = exercise_files(preset, 11, 4)
    sections = answer_sections(files["answers.md"].decode())
    html = files["answers.html"].decode()
    scenarios = scenarios_of(files)
    assert len(sections) == len(scenarios) == 4
    for scenario, rows in zip(scenarios, sections):
        expected = [(s.id, name, value) for s in build_stages(step(scenario)) for name, value in s.values.items()]
        assert [(stage, name) for stage, name, _ in rows] == [(stage, name) for stage, name, _ in expected]
        for (stage, name, text), (_, _, value) in zip(rows, expected):
            printed = np.array(json.loads(text), dtype=float)
            assert printed.shape == np.shape(value), f"{stage} {name}"
            # Exact to the 8 printed significant digits.
            assert np.array_equal(printed, np.vectorize(lambda v: float(f"{v:.8g}"))(value)), f"{stage} {name}"
            assert np.allclose(printed, value, rtol=1e-7, atol=0), f"{stage} {name}"
            assert symbol(name) in html


def test_seed_answer_key_reads_like_the_notebook():
    # Exercise 1 of the seed's worksheet with the seed notebook's own numbers put in, as a check on the parser.
    record = step(SEED)
    stage = next(s for s in build_stages(record) if s.id == "forward.a1")
    assert [float(f"{v:.8g}") for v in stage.values["a1"]] == [0.55971365, 0.38698582]
    assert symbol("dW2") == "∂E/∂W⁽²⁾" and symbol("new_loss") == "E after the step" and symbol("delta1") == "δ⁽¹⁾"


def links_in(markdown: str) -> list[str]:
    return re.findall(r"\[Open exercise \d+ in the app \(quiz mode\)\]\((.*?)\)", markdown)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_link_opens_its_exercise_in_quiz_mode(preset):
    files = exercise_files(preset, 5, 5, app_url="https://teach.example/app/")
    sheet = files["worksheet.md"].decode()
    links = links_in(sheet)
    assert links == links_in(files["answers.md"].decode())
    for link, scenario in zip(links, scenarios_of(files), strict=True):
        assert link.startswith("https://teach.example/app/?")
        assert f'href="{link.replace("&", "&amp;")}"' in files["worksheet.html"].decode()
        view = decode(dict(parse_qsl(urlsplit(link).query)), SEED)
        assert view.problems == ()
        assert view.scenario == scenario
        assert view.options.quiz is True
        assert view.stage == "forward.z1"


def test_html_is_a_printable_page(seed_files):
    page = seed_files["worksheet.html"].decode()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count('<section class="exercise">') == 10
    assert "@media print" in page and "break-before: page" in page
    assert "<script" not in page and "http" not in page.split("<body>")[0]  # self-contained: no external assets
    answers = seed_files["answers.html"].decode()
    assert answers.count('<section class="exercise">') == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", 1, 3), "preset: must be one of"),
        (("seed", 1, 0), "count: must be from 1 to 50"),
        (("seed", -1, 3), "seed: must be 0 or more"),
    ],
)
def test_bad_arguments_are_named(args, message):
    with pytest.raises(ScenarioError, match=message):
        make_exercises(*args)


def test_cli_refuses_bad_arguments(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "exercise", "--count", "51", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "must be from 1 to 50" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "exercise", [*make_exercises("seed", 7, 3), *make_exercises("two_outputs", 2, 2)], ids=lambda e: e.link[-12:]
)
def test_every_exercise_link_opens_the_app_in_quiz_mode_on_its_exercise(exercise):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(Path(__file__).parents[1] / "streamlit_app.py"), default_timeout=60)
    for key, value in parse_qsl(urlsplit(exercise.link).query):
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["scenario"] == exercise.scenario
    assert app.session_state["stage"] == "forward.z1"
    assert app.session_state["link_problems"] == []
    assert app.session_state["quiz"] is True
    asked = [w.key for w in app.text_input if (w.key or "").startswith("quiz_forward.z1")]
    assert asked, "the quiz asks for z⁽¹⁾ before showing it"
    assert "z1 = ?" in shown_code(app)
