"""Backprop Simulator's engine: pure NumPy, one small function per stage of backpropagation."""

from .activations import ACTIVATIONS, Activation
from .backprop import StepRecord, step
from .boundary import output_curve, output_grid
from .datasets import DATASETS, Dataset, dataset_from_csv, dataset_to_csv, with_dataset
from .exercises import Exercise, exercise_files, exercise_zip, make_exercises
from .gradcheck import GradientCheck, gradient_check, nudge_curve, stage_gradient_check
from .history import History
from .losses import LOSSES, Loss
from .mistakes import MISTAKES, divergence, mistake_losses
from .presets import PRESETS, SEED
from .quiz import check_answer, parse_answer, quiz_score
from .rounding import paper_drift
from .scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    save_scenario,
    scenario_from_dict,
    scenario_from_json,
    scenario_to_dict,
    scenario_to_json,
    scenario_with_fallback,
)
from .stages import Stage, build_stages, unit_names
from .training import TrainingRun, train, train_chunks

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "LOSSES",
    "MISTAKES",
    "PRESETS",
    "SEED",
    "Activation",
    "Dataset",
    "Exercise",
    "GradientCheck",
    "History",
    "Loss",
    "Scenario",
    "ScenarioError",
    "Stage",
    "StepRecord",
    "TrainingRun",
    "build_stages",
    "check_answer",
    "dataset_from_csv",
    "dataset_to_csv",
    "divergence",
    "exercise_files",
    "exercise_zip",
    "gradient_check",
    "load_scenario",
    "make_exercises",
    "mistake_losses",
    "nudge_curve",
    "output_curve",
    "output_grid",
    "paper_drift",
    "parse_answer",
    "quiz_score",
    "save_scenario",
    "scenario_from_dict",
    "scenario_from_json",
    "scenario_to_dict",
    "scenario_to_json",
    "scenario_with_fallback",
    "stage_gradient_check",
    "step",
    "train",
    "train_chunks",
    "unit_names",
    "with_dataset",
]
