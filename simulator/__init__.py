"""Backprop Simulator's engine: pure NumPy, one small function per stage of backpropagation."""

from .activations import ACTIVATIONS, Activation
from .backprop import StepRecord, step
from .gradcheck import GradientCheck, gradient_check
from .losses import LOSSES, Loss
from .presets import PRESETS, SEED
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
from .training import TrainingRun, train

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "PRESETS",
    "SEED",
    "Activation",
    "GradientCheck",
    "Loss",
    "Scenario",
    "ScenarioError",
    "Stage",
    "StepRecord",
    "TrainingRun",
    "build_stages",
    "gradient_check",
    "load_scenario",
    "save_scenario",
    "scenario_from_dict",
    "scenario_from_json",
    "scenario_to_dict",
    "scenario_to_json",
    "scenario_with_fallback",
    "step",
    "train",
    "unit_names",
]
