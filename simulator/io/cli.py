"""``python -m simulator`` / ``backprop-sim``: walk through, train and check scenarios."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence

import numpy as np

from ..core.backprop import step
from ..core.datasets import DATASETS, fit_problems, with_dataset
from ..core.gradcheck import GradientCheck, gradient_check, stage_gradient_check
from ..core.mistakes import MISTAKES, inapplicable
from ..core.presets import PRESETS, SEED
from ..core.scenario import Scenario, ScenarioError
from ..core.training import DIVERGED, MAX_STEPS, MODES, REACHED, train
from ..views.formatting import notebook_values
from ..views.stages import build_stages
from .csv_data import load_dataset
from .scenario_files import load_scenario


def _lists(arrays) -> list | None:
    return None if arrays is None else [np.asarray(a).tolist() for a in arrays]


def _scenario(args: argparse.Namespace) -> Scenario:
    if getattr(args, "preset", None):
        return PRESETS[args.preset]
    return SEED if args.scenario is None else load_scenario(args.scenario)


def walkthrough(args: argparse.Namespace) -> None:
    scenario = _scenario(args)
    record = step(scenario, mistake=args.mistake, digits=args.round)
    stages = build_stages(record, notation=args.notation, form=args.form or "matrix")
    reason = inapplicable(args.mistake, scenario)
    if reason:
        print(f"backprop-sim: {args.mistake} changes nothing here: {reason}", file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {
                    "output": record.output.tolist(),
                    "loss": record.loss,
                    "gradients": {"weights": _lists(record.weight_gradients), "biases": _lists(record.bias_gradients)},
                    "updated": {"weights": _lists(record.new_weights), "biases": _lists(record.new_biases)},
                    "new_output": record.new_output.tolist(),
                    "new_loss": record.new_loss,
                    "stages": [
                        {
                            "id": s.id,
                            "kind": s.kind,
                            "layer": s.layer,
                            "title": s.title,
                            "explanation": s.explanation,
                            "formula": s.formula,
                            "substituted": s.substituted,
                            "code": s.code,
                            "values": {k: v.tolist() for k, v in s.values.items()},
                            "nodes": list(s.nodes),
                            "edges": [list(e) for e in s.edges],
                        }
                        for s in stages
                    ],
                },
                indent=2,
                allow_nan=False,  # strict JSON: the engine never returns inf or NaN
            )
        )
        return
    for k, stage in enumerate(stages, start=1):
        print(f"[{k:>2}/{len(stages)}] {stage.title}")
        for line in textwrap.wrap(stage.explanation, 88):
            print(f"        {line}")
        print(f"        >>> {stage.code}")
        for line in stage.worked if args.form else ():
            print(f"        {line}")
        print(textwrap.indent(notebook_values(stage.values), " " * 8))
        print()


def _refuse(source: str, problems: list[str]) -> None:
    print(f"backprop-sim: {source} cannot be used:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    raise SystemExit(2)


def _with_data(args: argparse.Namespace, scenario: Scenario) -> Scenario:
    """The scenario with ``--data`` or ``--dataset``; a dataset that cannot be used ends with exit 2."""
    if args.data is None and args.dataset is None:
        return scenario
    source = args.data or f"--dataset {args.dataset}"
    try:
        if args.data is not None:
            dataset = load_dataset(args.data)
        else:
            dataset = DATASETS[args.dataset](args.size, args.noise, args.seed)
    except ScenarioError as err:
        _refuse(source, err.problems)
    misfit = [] if args.resize else fit_problems(dataset, scenario)
    if misfit:
        _refuse(source, [*misfit, "(add --resize to size the network's input and output layers to the data)"])
    try:
        return with_dataset(scenario, dataset, resize=args.resize)
    except ScenarioError as err:
        _refuse(source, err.problems)


def train_command(args: argparse.Namespace) -> None:
    scenario = _with_data(args, _scenario(args))
    run = train(scenario, args.steps, mode=args.batch, target_loss=args.target_loss)
    trained = run.scenario
    if run.diverged_at is not None:
        print(f"backprop-sim: {DIVERGED.format(step=run.diverged_at)}", file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {
                    "batch": run.mode,
                    "examples": len(scenario.dataset or [None]),
                    "reached_target": run.reached_target,
                    "diverged_at": run.diverged_at,
                    "losses": run.losses.tolist(),
                    "weights": _lists(trained.weights),
                    "biases": _lists(trained.biases),
                },
                indent=2,
                allow_nan=False,  # strict JSON: the engine never returns inf or NaN
            )
        )
        return
    last = len(run.losses) - 1
    every = max(1, last // 10)
    for k in range(0, last + 1):
        if k % every == 0 or k == last:
            print(f"step {k:>7}: loss {run.losses[k]:.10g}")
    if run.reached_target:
        print(REACHED.format(step=run.steps, loss=run.losses[-1], target=args.target_loss))


def _mistaken_rows(scenario: Scenario, mistake: str) -> list[GradientCheck]:
    """The gradient stages of a step made with ``mistake``, against finite differences of the true loss."""
    rows = []
    for kind, letter in (("weights", "W"), ("biases", "b")) if scenario.biases is not None else (("weights", "W"),):
        for l in range(1, len(scenario.layers)):
            result = stage_gradient_check(scenario, l, kind, mistake=mistake)
            for index in np.ndindex(result.analytic.shape):
                name = f"{letter}{l}[{','.join(map(str, index))}]"
                rows.append(GradientCheck(name, float(result.analytic[index]), float(result.numeric[index])))
    return rows


def check(args: argparse.Namespace) -> None:
    scenario = _scenario(args)
    rows = _mistaken_rows(scenario, args.mistake) if args.mistake else gradient_check(scenario)
    if args.mistake:
        print(f"gradients from a step with the mistake {args.mistake}: {MISTAKES[args.mistake].description}")
    print(f"{'parameter':<12} {'analytic':>16} {'numeric':>16} {'relative error':>15}")
    for row in rows:
        print(f"{row.parameter:<12} {row.analytic:>16.9e} {row.numeric:>16.9e} {row.relative_error:>15.2e}")
    print(f"largest relative error: {max(r.relative_error for r in rows):.2e}")


def _write(path: str, data: bytes) -> None:
    """Write a file, or stop with exit 2 and the reason on stderr."""
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as err:
        print(f"backprop-sim: cannot write {path} ({err.strerror})", file=sys.stderr)
        raise SystemExit(2) from None


def exercise_command(args: argparse.Namespace) -> None:
    import os

    from .exercises import exercise_files

    files = exercise_files(args.preset, args.seed, args.count, app_url=args.app_url)
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as err:
        print(f"backprop-sim: cannot create {args.out} ({err.strerror})", file=sys.stderr)
        raise SystemExit(2) from None
    for name, data in files.items():
        _write(os.path.join(args.out, name), data)
    print(f"wrote {len(files)} files to {args.out}: {', '.join(files)}")


def notebook_command(args: argparse.Namespace) -> None:
    from .notebook_export import notebook_bytes

    data = notebook_bytes(_scenario(args), mistake=args.mistake, digits=args.round, app_url=args.app_url)
    if args.output == "-":
        sys.stdout.buffer.write(data)
        return
    _write(args.output, data)
    print(f"wrote {args.output}")


def _whole(low: int, high: int):
    """An argparse type: a whole number from ``low`` to ``high``."""

    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high:,}, got {value}")
        return value

    return read


def _loss_target(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number 0 or more, got {text!r}")
    return value


def _from_zero(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number 0 or more, got {text!r}")
    return int(text)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, got {text!r}")
    return value


def _steps(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_STEPS:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_STEPS:,}, got {value}")
    return value


_MISTAKE_IDS = ", ".join(MISTAKES)


def _mistake(text: str) -> str:
    if text not in MISTAKES:
        raise argparse.ArgumentTypeError(f"unknown mistake {text!r}; choose one of {_MISTAKE_IDS}")
    return text


def _round(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of significant digits, got {text!r}") from None
    if not 1 <= value <= 17:
        raise argparse.ArgumentTypeError(f"must be from 1 to 17 significant digits, got {value}")
    return value


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="backprop-sim", description="Step through backpropagation.")
    commands = root.add_subparsers(dest="command", required=True)

    walk = commands.add_parser("walkthrough", help="every stage of one training step, in order")
    walk.add_argument("scenario", nargs="?", help="scenario JSON file (default: the seed notebook's network)")
    walk.add_argument("--preset", choices=sorted(PRESETS), help="use a built-in scenario instead of a file")
    walk.add_argument("--json", action="store_true", help="print one JSON object")
    walk.add_argument("--mistake", type=_mistake, help=f"make a classic mistake: {_MISTAKE_IDS}")
    walk.add_argument("--round", type=_round, metavar="K", help="paper mode: round each value to K significant digits")
    walk.add_argument("--form", choices=["matrix", "scalar"], help="also print each stage's shapes or unit sums")
    walk.add_argument("--notation", choices=["zad", "mazur"], default="zad", help="z/a/δ or Mazur's net/out")
    walk.set_defaults(run=walkthrough)

    trainer = commands.add_parser("train", help="N steps of gradient descent")
    trainer.add_argument("scenario", nargs="?", help="scenario JSON file")
    trainer.add_argument("--preset", choices=sorted(PRESETS), help="use a built-in scenario instead of a file")
    trainer.add_argument("--steps", type=_steps, required=True)
    trainer.add_argument("--json", action="store_true", help="print one JSON object")
    trainer.add_argument("--batch", choices=MODES, default="example", help="one update per example, or per pass")
    trainer.add_argument("--target-loss", type=_loss_target, help="stop once the mean loss is at or below this")
    data = trainer.add_mutually_exclusive_group()
    data.add_argument("--data", help="CSV file: columns x1, x2, … (inputs) and t1, t2, … (targets)")
    data.add_argument("--dataset", choices=sorted(DATASETS), help="a built-in set")
    trainer.add_argument("--size", type=_from_zero, help="examples in the built-in set (1 to 256)")
    trainer.add_argument("--noise", type=_fraction, help="noise of the built-in set (0 to 1)")
    trainer.add_argument("--seed", type=_from_zero, default=0, help="seed of the built-in set (default 0)")
    trainer.add_argument("--resize", action="store_true", help="size the input and output layers to the data")
    trainer.set_defaults(run=train_command)

    checker = commands.add_parser("check", help="compare backprop's gradients with finite differences")
    checker.add_argument("scenario", nargs="?", help="scenario JSON file")
    checker.add_argument("--preset", choices=sorted(PRESETS), help="use a built-in scenario instead of a file")
    checker.add_argument("--mistake", type=_mistake, help="check the gradients of a step made with this mistake")
    checker.set_defaults(run=check)

    from ..core.mistakes import MISTAKES
    from ..core.rounding import MAX_DIGITS, MIN_DIGITS
    from .exercises import DEFAULT_APP_URL, MAX_EXERCISES

    sheets = commands.add_parser("exercise", help="a worksheet, its answer key and quiz links, for a class")
    sheets.add_argument("--preset", choices=sorted(PRESETS), default="seed", help="the network to vary (default: seed)")
    sheets.add_argument("--seed", type=_whole(0, 2**32 - 1), default=0, help="random seed: same seed, same files")
    sheets.add_argument("--count", type=_whole(1, MAX_EXERCISES), default=10, help="number of exercises (default: 10)")
    sheets.add_argument("--out", required=True, help="directory to write the files into (created if missing)")
    sheets.add_argument("--app-url", default=DEFAULT_APP_URL, help=f"the app's address (default: {DEFAULT_APP_URL})")
    sheets.set_defaults(run=exercise_command, scenario=None)

    notebook = commands.add_parser("notebook", help="the walkthrough as a runnable Jupyter notebook (NumPy only)")
    notebook.add_argument("scenario", nargs="?", help="scenario JSON file (default: the seed notebook's network)")
    notebook.add_argument("--preset", choices=sorted(PRESETS), help="use a built-in scenario instead of a file")
    notebook.add_argument("-o", "--output", default="-", help="the .ipynb file to write (default: standard output)")
    notebook.add_argument("--mistake", choices=list(MISTAKES), help="make one classic mistake all through the step")
    notebook.add_argument(
        "--round", type=_whole(MIN_DIGITS, MAX_DIGITS), metavar="K", help="paper mode: round to K significant digits"
    )
    notebook.add_argument("--app-url", default=DEFAULT_APP_URL, help=f"the app's address (default: {DEFAULT_APP_URL})")
    notebook.set_defaults(run=notebook_command)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in ("train", "check") and args.scenario is None and args.preset is None:
        parser().error(f"{args.command}: give a scenario file or --preset")
    try:
        args.run(args)
    except ScenarioError as err:
        source = args.scenario or "scenario"
        print(f"backprop-sim: {source} is not a valid scenario:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0
