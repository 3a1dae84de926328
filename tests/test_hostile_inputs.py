"""What one hostile visitor sent (issue 15), each as a regression test: bounded time and memory, no
crash, messages that stay short text with every invisible character escaped."""

import contextlib
import os
import subprocess
import sys
import time
import tracemalloc
import unicodedata

import pytest

from simulator import SEED, parse_answer
from simulator.core.fields import parse_cell, parse_learning_rate, parse_vector
from simulator.core.messages import capped, listed, quote
from simulator.core.numbers import NumberError, number_or_text, read_number, read_numbers
from simulator.core.scenario import ScenarioError
from simulator.io.csv_data import DataError, dataset_from_csv
from simulator.io.share import decode

HIDDEN = {*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010), 0xFEFF}


def visible(message: str) -> bool:
    """No control, format, line/paragraph separator, bidi or zero-width character."""
    return not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or ord(c) in HIDDEN for c in message)


def costs(call, *args) -> tuple[float, float]:
    """Seconds, and peak MB of memory, that ``call(*args)`` takes (whatever it raises)."""
    started = time.perf_counter()
    with contextlib.suppress(ValueError):
        call(*args)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    with contextlib.suppress(ValueError):
        call(*args)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak


def csv_problems(data) -> list[str]:
    with pytest.raises(DataError) as raised:
        dataset_from_csv(data)
    return raised.value.problems


# --- linear time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reader",
    [
        number_or_text,
        lambda t: parse_cell(t),
        lambda t: parse_vector(t, "x"),
        parse_answer,
        lambda t: decode({"x": t}, SEED),
        lambda t: dataset_from_csv("x1,t1\n" + t + ",1\n"),
    ],
)
def test_long_digit_runs_are_read_in_linear_time(reader):
    # The old pattern [0-9]+\.?[0-9]* took seconds on 30,000 nines and an x (17.5 s in a link).
    seconds, _ = costs(reader, "9" * 60_000 + "x")
    assert seconds < 0.1


def test_a_csv_header_index_bomb_costs_nothing():
    # 7 digits cost 1 GB of peak memory; 20 digits grew until the process died.
    for header in ("x1,t9999999", "x1,t99999999999999999999", "x1,t" + "9" * 5000):
        seconds, peak = costs(dataset_from_csv, header + "\n1,2\n")
        assert seconds < 0.05 and peak < 1
        (problem,) = csv_problems(header + "\n1,2\n")
        assert "is not a column name" in problem and "at most 16 of each" in problem


def test_a_megabyte_of_blank_lines_is_quick():
    seconds, peak = costs(dataset_from_csv, "\n" * 999_999)
    assert seconds < 0.5 and peak < 50
    seconds, _ = costs(dataset_from_csv, "x1,t1\n" + "\r\n" * 400_000 + "1,2\n")
    assert seconds < 0.5


# --- CSV that crashed ----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [",", ";", '" "', '"\n"', "", " \n\t\n", ",,,\n,,,", '"'])
def test_csvs_without_a_header_get_a_message_not_an_index_error(data):
    (problem,) = csv_problems(data)
    assert problem.startswith(("file: is empty", "row 1: is not readable as CSV"))


def test_old_mac_and_excel_line_ends_are_read():
    assert dataset_from_csv("x1,t1\r0.5,1\r-0.5,0\r").x.tolist() == [[0.5], [-0.5]]
    assert dataset_from_csv(b"x1;t1\r\n0,5;1\r\n").x.tolist() == [[0.5]]


def test_csv_messages_escape_invisible_characters_and_stay_short():
    cells = ["\u202e1", "1\u200d", "\ufeff2", "a\x00b", "1" * 10_000, "\u2028"]
    problems = csv_problems("x1,t1\n" + "".join(f"{cell},1\n" for cell in cells * 30))
    assert len(problems) == 11 and problems[-1].startswith("…and ")
    assert all(visible(p) and len(p) <= 300 for p in problems)
    assert '"\\u202e1"' in problems[0]


@pytest.mark.parametrize("text", ["𝟙", "٠.٢٤", "0.2_4", "²", "1_000", "0x10", "inf", "NaN"])
def test_one_rule_for_numbers_everywhere(text):
    with pytest.raises(NumberError):
        read_number(text)
    with pytest.raises(ValueError):
        parse_answer(text)
    with pytest.raises(DataError):
        dataset_from_csv(f"x1,t1\n{text},1\n")
    assert decode({"x": f"{text},0,0"}, SEED).problems
    assert isinstance(number_or_text(text), str)


# --- typed numbers and the editor's messages -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,5, 0,1, -0,2", [0.5, 0.1, -0.2]),
        ("0,5597 0.3870", [0.5597, 0.387]),
        ("0,56 0,39", [0.56, 0.39]),
        ("-0,5", [-0.5]),
        ("−0,5; 1e-3", [-0.5, 0.001]),
        ("1,2,3", [1.0, 2.0, 3.0]),
        ("1, 5", [1.0, 5.0]),
    ],
)
def test_the_decimal_comma_rule(text, expected):
    assert read_numbers(text) == expected
    assert parse_vector(text, "x") == expected


def test_the_learning_rate_names_its_own_limit_and_quotes_what_was_typed():
    for typed in ("1e9", "101", "0", "-1"):
        with pytest.raises(ScenarioError) as raised:
            parse_learning_rate(typed)
        assert raised.value.problems == [f'learning_rate: must be greater than 0 and at most 100, got "{typed}"']
    assert parse_learning_rate("0,5") == 0.5


def test_a_long_quiz_answer_is_quoted_short_and_escaped():
    for answer in ("1" * 10_000 + "x", "0.5 \u202e0.1x", "a" * 30_000):
        with pytest.raises(ValueError) as raised:
            parse_answer(answer)
        assert len(str(raised.value)) <= 300 and visible(str(raised.value))


# --- the one quote ------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\x00", "\x1b", "\u2028", "\u00ad"])
def test_quote_escapes_every_invisible_character(char):
    quoted = quote(f"a{char}b")
    assert visible(quoted) and f"\\u{ord(char):04x}" in quoted or f"\\x{ord(char):02x}" in quoted


def test_quote_cuts_at_forty_and_messages_are_capped():
    assert quote("x" * 100) == '"' + "x" * 40 + '…"'
    assert len(capped("m" * 10_000)) == 300
    assert listed([str(i) for i in range(25)])[-1] == "…and 15 more"


# --- the command line ---------------------------------------------------------------------------


def cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_as_scenario_or_data_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for args in (("walkthrough", str(fifo)), ("train", "--preset", "xor", "--steps", "1", "--data", str(fifo))):
        done = cli(*args, timeout=20)
        assert done.returncode == 2 and "not a regular file" in done.stderr


def test_control_characters_in_file_names_are_escaped(tmp_path):
    done = cli("walkthrough", str(tmp_path / "a\x1b[31mred\u202e.json"))
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and "\u202e" not in done.stderr and "\\x1b" in done.stderr


@pytest.mark.parametrize("url", ["javascript:alert(1)//", "data:text/html,x", "http://", "http://a b/", "ftp://x/"])
def test_exercise_app_url_accepts_only_http(tmp_path, url):
    done = cli("exercise", "--out", str(tmp_path / "out"), "--app-url", url)
    assert done.returncode == 2 and "http:// or https://" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_mistake_that_overflows_gets_its_own_message(tmp_path):
    from simulator.core.scenario import scenario_from_dict, scenario_to_json

    layers = [1, 1, 1, 1, 1]
    data = {
        "version": 1,
        "layers": layers,
        "activations": ["linear", "linear", "linear", "sigmoid"],
        "loss": "half_squared_error",
        "weights": [[[1e6]]] * 4,
        "x": [1e6],
        "target": [0.0],
        "learning_rate": 100.0,
        "biases": None,
    }
    path = tmp_path / "big.json"
    path.write_text(scenario_to_json(scenario_from_dict(data)))
    assert cli("walkthrough", str(path)).returncode == 0
    done = cli("walkthrough", str(path), "--mistake", "slope_from_z")
    assert done.returncode == 2
    assert "--mistake (it overflows) cannot be used" in done.stderr and "not a valid scenario" not in done.stderr


def test_the_cli_step_limits(tmp_path):
    done = cli("train", "--preset", "seed", "--steps", "20001")
    assert done.returncode == 2 and "must be from 0 to 20,000" in done.stderr
    done = cli("train", "--preset", "xor", "--steps", "20000", "--dataset", "circle", "--size", "256", "--resize")
    assert done.returncode == 2 and "at most 200,000 with --batch example" in done.stderr


# --- training ticks bounded by time: chunks of any size give the same history --------------------


def test_training_in_small_chunks_equals_one_run_and_needs_no_replay():
    from simulator import PRESETS, History

    start = History.begin(PRESETS["xor"], "example")
    whole = start.train(37)
    pieces = start
    for chunk in (1, 2, 3, 5, 7, 19):
        pieces = pieces.train(chunk)
    assert pieces.last == whole.last == 37
    assert pieces.losses.tolist() == whole.losses.tolist()
    assert pieces.weights_at(37).flat().tolist() == whole.weights_at(37).flat().tolist()
    assert pieces.tip is not None and pieces.truncated(20).tip is None


def cli_here(*args: str) -> tuple[int, str]:
    """``backprop-sim args`` in this process (argparse's exit included): exit code and stderr."""
    import contextlib
    import io

    from simulator.io.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(list(args))
        except SystemExit as stop:
            code = stop.code
    return code, err.getvalue()


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("--steps", "١٢"),
        ("--steps", "1_0"),
        ("--steps", "²"),
        ("--seed", "𝟙"),
        ("--noise", "0.2_4"),
        ("--target-loss", "٠.٢٤"),
    ],
)
def test_the_cli_reads_numbers_by_the_one_rule(option, text):
    # int() and float() read "١٢" as 12 and "1_0" as 10; the editor, links, CSV and quiz refuse them.
    args = ["train", "--preset", "xor", *(() if option == "--steps" else ("--steps", "1")), option, text]
    code, err = cli_here(*args)
    assert code == 2 and f"argument {option}: " in err and f'"{text}"' in err


def test_the_cli_quotes_a_bad_choice_short_and_escaped():
    code, err = cli_here("walkthrough", "--form", "\u202e" + "9" * 5_000)
    assert code == 2
    (line,) = [line for line in err.splitlines() if "invalid choice" in line]
    assert len(line) <= 400 and "\u202e" not in line and "\\u202e" in line  # 300, after argparse's prefix
    code, err = cli_here("train", "--preset", "xor", "--steps", "9" * 5_000)
    assert code == 2 and 'must be from 0 to 20,000, got "999' in err and len(err.splitlines()[-1]) < 200


@pytest.mark.parametrize(
    ("key", "unit", "what"), [("layers", "-", "layer sizes"), ("act", ",", "activations"), ("hide", "1,", "parts")]
)
def test_a_link_part_split_a_hundred_thousand_times_is_refused_unread(key, unit, what):
    view = decode({key: unit * (100_000 // len(unit))}, SEED)
    assert any(f"more than 32 {what}" in p or f"more than 24 {what}" in p for p in view.problems), view.problems
    assert view.scenario == SEED
