"""Backprop Simulator's engine: pure NumPy, one small function per stage of backpropagation."""

from .core.activations import ACTIVATIONS, Activation
from .core.boundary import output_curve, output_grid
from .core.datasets import DATASETS, Dataset, with_dataset
from .core.experiments import mistake_losses, paper_drift
from .core.fallback import scenario_with_fallback
from .core.gradcheck import GradientCheck, gradient_check, nudge_curve, stage_gradient_check
from .core.history import History
from .core.losses import LOSSES, Loss
from .core.mistakes import MISTAKES, divergence
from .core.names import unit_names
from .core.presets import PRESETS, SEED
from .core.record import StepRecord, step
from .core.scenario import Scenario, ScenarioError, scenario_from_dict, scenario_to_dict, scenario_to_json
from .core.training import TrainingRun, train, train_chunks
from .io.csv_data import dataset_from_csv, dataset_to_csv
from .io.exercises import Exercise, make_exercises
from .io.scenario_files import load_scenario, save_scenario, scenario_from_json
from .io.worksheets import exercise_files, exercise_zip
from .views.quiz import check_answer, parse_answer, quiz_score
from .views.stages import Stage, build_stages

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
