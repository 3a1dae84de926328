"""``python -m simulator`` / ``backprop-sim``: walk through, train and check scenarios.

The arguments each command takes, read and checked here; :mod:`.commands` runs them.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from ..core.datasets import DATASETS
from ..core.messages import escaped, quote
from ..core.mistakes import MISTAKES
from ..core.numbers import NumberError, read_number
from ..core.presets import DEFAULT_PRESET, PRESETS
from ..core.rounding import MAX_DIGITS, MIN_DIGITS
from ..core.scenario import ScenarioError
from ..core.training import EXAMPLE, MODES
from ..views.forms import FORMS
from ..views.notation import NOTATIONS, ZAD
from .commands import check, exercise_command, notebook_command, train_command, walkthrough
from .exercises import DEFAULT_APP_URL, MAX_EXERCISES
from .files import app_url_problem

MAX_STEPS = 20_000  # steps of one `train` run (the app's limit): seconds, and at most about 1 MB of --json
MAX_PRINTED = 20  # problems printed, then "…and K more"
APP_URL_HELP = f"the app's http(s) address (default: {DEFAULT_APP_URL})"


class _Parser(argparse.ArgumentParser):
    """argparse's parser with short, visible error messages: argparse quotes a bad value whole
    ("invalid choice: '999…'" for 5,000 characters, "unrecognized arguments" with raw controls)."""

    def error(self, message: str):
        super().error(escaped(message))


def _app_url(text: str) -> str:
    problem = app_url_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)  # ASCII digits only: int() also reads "١٢" and "1_0"


def _whole(low: int, high: int, unit: str = ""):
    """An argparse type: a whole number from ``low`` to ``high`` (of ``unit``, named in the messages)."""
    of, after = (f" of {unit}", f" {unit}") if unit else ("", "")

    def read(text: str) -> int:
        if not _WHOLE.fullmatch(text.strip()):
            raise argparse.ArgumentTypeError(f"must be a whole number{of}, got {quote(text)}")
        value = int(text) if len(text) <= 24 else None  # longer is out of range, and int() would be slow
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high:,}{after}, got {quote(text)}")
        return value

    return read


def _number(text: str) -> float:
    """The one rule for typed numbers (ASCII digits, no "inf", "nan" or underscores)."""
    try:
        return read_number(text)
    except NumberError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _loss_target(text: str) -> float:
    value = _number(text)
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number 0 or more, got {quote(text)}")
    return value


_from_zero = _whole(0, 2**32 - 1)


def _fraction(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, got {quote(text)}")
    return value


_MISTAKE_IDS = ", ".join(MISTAKES)


def _mistake(text: str) -> str:
    if text not in MISTAKES:
        raise argparse.ArgumentTypeError(f"unknown mistake {quote(text)}; choose one of {_MISTAKE_IDS}")
    return text


def _walkthrough_arguments(commands) -> None:
    """backprop-sim walkthrough [scenario] [--preset] [--json] [--mistake] [--round] [--form] [--notation]"""
    walk = commands.add_parser("walkthrough", help="every stage of one training step, in order")
    walk.add_argument("scenario", nargs="?", help="scenario JSON file (default: the seed notebook's network)")
    walk.add_argument("--preset", choices=sorted(PRESETS), help="use a built-in scenario instead of a file")
    walk.add_argument("--json", action="store_true", help="print one JSON object")
    walk.add_argument("--mistake", type=_mistake, help=f"make a classic mistake: {_MISTAKE_IDS}")
    walk.add_argument(
        "--round",
        type=_whole(MIN_DIGITS, MAX_DIGITS, "significant digits"),
        metavar="K",
        help="paper mode: round each value to K significant digits",
    )
    walk.add_argument("--form", choices=list(FORMS), help="also print each stage's shapes or unit sums")
    walk.add_argument("--notation", choices=list(NOTATIONS), default=ZAD.id, help="z/a/δ or Mazur's net/out")
    walk.set_defaults(run=walkthrough)


def _train_arguments(commands) -> None:
    """backprop-sim train [scenario] --steps N [--batch] [--target-loss] [--data | --dataset …]"""
    trainer = commands.add_parser("train", help="N steps of gradient descent")
    trainer.add_argument("scenario", nargs="?", help="scenario JSON file")
    trainer.add_argument("--preset", choices=sorted(PRESETS), help="use a built-in scenario instead of a file")
    trainer.add_argument("--steps", type=_whole(0, MAX_STEPS), required=True)
    trainer.add_argument("--json", action="store_true", help="print one JSON object")
    trainer.add_argument("--batch", choices=MODES, default=EXAMPLE, help="one update per example, or per pass")
    trainer.add_argument("--target-loss", type=_loss_target, help="stop once the mean loss is at or below this")
    data = trainer.add_mutually_exclusive_group()
    data.add_argument("--data", help="CSV file: columns x1, x2, … (inputs) and t1, t2, … (targets)")
    data.add_argument("--dataset", choices=sorted(DATASETS), help="a built-in set")
    trainer.add_argument("--size", type=_from_zero, help="examples in the built-in set (1 to 256)")
    trainer.add_argument("--noise", type=_fraction, help="noise of the built-in set (0 to 1)")
    trainer.add_argument("--seed", type=_from_zero, default=0, help="seed of the built-in set (default 0)")
    trainer.add_argument("--resize", action="store_true", help="size the input and output layers to the data")
    trainer.set_defaults(run=train_command)


def _check_arguments(commands) -> None:
    """backprop-sim check [scenario] [--preset] [--mistake]"""
    checker = commands.add_parser("check", help="compare backprop's gradients with finite differences")
    checker.add_argument("scenario", nargs="?", help="scenario JSON file")
    checker.add_argument("--preset", choices=sorted(PRESETS), help="use a built-in scenario instead of a file")
    checker.add_argument("--mistake", type=_mistake, help="check the gradients of a step made with this mistake")
    checker.set_defaults(run=check)


def _exercise_arguments(commands) -> None:
    """backprop-sim exercise --out DIR [--preset] [--seed] [--count] [--app-url]"""
    sheets = commands.add_parser("exercise", help="a worksheet, its answer key and quiz links, for a class")
    sheets.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default=DEFAULT_PRESET,
        help=f"the network to vary (default: {DEFAULT_PRESET})",
    )
    sheets.add_argument("--seed", type=_whole(0, 2**32 - 1), default=0, help="random seed: same seed, same files")
    sheets.add_argument("--count", type=_whole(1, MAX_EXERCISES), default=10, help="number of exercises (default: 10)")
    sheets.add_argument("--out", required=True, help="directory to write the files into (created if missing)")
    sheets.add_argument("--app-url", default=DEFAULT_APP_URL, type=_app_url, help=APP_URL_HELP)
    sheets.set_defaults(run=exercise_command, scenario=None)


def _notebook_arguments(commands) -> None:
    """backprop-sim notebook [scenario] [-o FILE] [--mistake] [--round] [--app-url]"""
    notebook = commands.add_parser("notebook", help="the walkthrough as a runnable Jupyter notebook (NumPy only)")
    notebook.add_argument("scenario", nargs="?", help="scenario JSON file (default: the seed notebook's network)")
    notebook.add_argument("--preset", choices=sorted(PRESETS), help="use a built-in scenario instead of a file")
    notebook.add_argument("-o", "--output", default="-", help="the .ipynb file to write (default: standard output)")
    notebook.add_argument("--mistake", choices=list(MISTAKES), help="make one classic mistake all through the step")
    notebook.add_argument(
        "--round", type=_whole(MIN_DIGITS, MAX_DIGITS), metavar="K", help="paper mode: round to K significant digits"
    )
    notebook.add_argument("--app-url", default=DEFAULT_APP_URL, type=_app_url, help=APP_URL_HELP)
    notebook.set_defaults(run=notebook_command)


def parser() -> argparse.ArgumentParser:
    root = _Parser(prog="backprop-sim", description="Step through backpropagation.")
    commands = root.add_subparsers(dest="command", required=True)
    for add in (_walkthrough_arguments, _train_arguments, _check_arguments, _exercise_arguments, _notebook_arguments):
        add(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in ("train", "check") and args.scenario is None and args.preset is None:
        parser().error(f"{args.command}: give a scenario file or --preset")
    try:
        args.run(args)
    except ScenarioError as err:
        source = quote(args.scenario, 80) if args.scenario else "scenario"
        print(f"backprop-sim: {source} is not a valid scenario:", file=sys.stderr)
        for problem in err.problems[:MAX_PRINTED]:
            print(f"  {problem}", file=sys.stderr)
        if len(err.problems) > MAX_PRINTED:
            print(f"  …and {len(err.problems) - MAX_PRINTED:,} more", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0
