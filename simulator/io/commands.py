"""What each ``backprop-sim`` command does, given its parsed arguments (:mod:`.cli` parses them)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap

import numpy as np

from ..core.datasets import DATASETS, fit_problems, with_dataset
from ..core.gradcheck import GradientCheck, gradient_check, stage_gradient_check
from ..core.messages import quote
from ..core.mistakes import MISTAKES, inapplicable
from ..core.presets import PRESETS, SEED
from ..core.record import step
from ..core.scenario import Scenario, ScenarioError
from ..core.training import DIVERGED, EXAMPLE, REACHED, train
from ..views.formatting import givens, notebook_values
from ..views.forms import MATRIX
from ..views.notation import notation_named
from ..views.stages import build_stages
from .csv_data import load_dataset
from .scenario_files import load_scenario


def _lists(arrays) -> list | None:
    return None if arrays is None else [np.asarray(a).tolist() for a in arrays]


def _scenario(args: argparse.Namespace) -> Scenario:
    if getattr(args, "preset", None):
        return PRESETS[args.preset]
    return SEED if args.scenario is None else load_scenario(args.scenario)


def _step(scenario: Scenario, args: argparse.Namespace):
    """The step with ``--mistake`` and ``--round``; exit 2 naming the option when only it overflows."""
    try:
        return step(scenario, mistake=args.mistake, digits=args.round)
    except ScenarioError as err:
        options = " and ".join(o for o, v in (("--mistake", args.mistake), ("--round", args.round)) if v is not None)
        _refuse(f"{options or 'the scenario'} (it overflows)", err.problems)


def walkthrough(args: argparse.Namespace) -> None:
    scenario = _scenario(args)
    record = _step(scenario, args)
    stages = build_stages(record, notation=args.notation, form=args.form or MATRIX)
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
    print("Given: the input, the target, the learning rate and the weights, as the notebook sets them up")
    print(textwrap.indent(notebook_values(givens(scenario)), " " * 8))
    print()
    for k, stage in enumerate(stages, start=1):
        print(f"[{k:>2}/{len(stages)}] {stage.title}")
        for line in textwrap.wrap(stage.explanation, 88):
            print(f"        {line}")
        print(f"        >>> {stage.code}")
        for line in stage.worked if args.form else ():
            print(f"        {line}")
        printout = notation_named(args.notation).code(notebook_values(stage.values), tuple(scenario.layers))
        print(textwrap.indent(printout, " " * 8))
        print()


def _refuse(source: str, problems: list[str]) -> None:
    print(f"backprop-sim: {source} cannot be used:", file=sys.stderr)
    problems = [*problems[:20], f"…and {len(problems) - 20:,} more"] if len(problems) > 20 else problems
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    raise SystemExit(2)


def _with_data(args: argparse.Namespace, scenario: Scenario) -> Scenario:
    """The scenario with ``--data`` or ``--dataset``; a dataset that cannot be used ends with exit 2."""
    if args.data is None and args.dataset is None:
        return scenario
    source = quote(args.data, 80) if args.data is not None else f"--dataset {args.dataset}"
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


MAX_UPDATES = 200_000  # steps × examples with --batch example: about 40 s for 8 layers × 16 units


def train_command(args: argparse.Namespace) -> None:
    scenario = _with_data(args, _scenario(args))
    examples = len(scenario.dataset or [None])
    if args.batch == EXAMPLE and args.steps * examples > MAX_UPDATES:
        _refuse(
            f"--steps {args.steps:,}",
            [
                f"{args.steps:,} steps of {examples} examples are {args.steps * examples:,} updates, at most "
                f"{MAX_UPDATES:,} with --batch example: use fewer steps or --batch full"
            ],
        )
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
        print(f"backprop-sim: cannot write {quote(path, 80)} ({err.strerror})", file=sys.stderr)
        raise SystemExit(2) from None


def exercise_command(args: argparse.Namespace) -> None:
    from .worksheets import exercise_files  # imported when used: the other commands start faster

    files = exercise_files(args.preset, args.seed, args.count, app_url=args.app_url)
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as err:
        print(f"backprop-sim: cannot create {quote(args.out, 80)} ({err.strerror})", file=sys.stderr)
        raise SystemExit(2) from None
    for name, data in files.items():
        _write(os.path.join(args.out, name), data)
    print(f"wrote {len(files)} files to {quote(args.out, 80)}: {', '.join(files)}")


def notebook_command(args: argparse.Namespace) -> None:
    from .notebook_export import notebook_bytes  # nbformat takes a while to import

    data = notebook_bytes(_scenario(args), mistake=args.mistake, digits=args.round, app_url=args.app_url)
    if args.output == "-":
        sys.stdout.buffer.write(data)
        return
    _write(args.output, data)
    print(f"wrote {quote(args.output, 80)}")
