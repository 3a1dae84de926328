"""Scenario files: JSON text in, a validated and computable scenario out, size and encoding checked first."""

from __future__ import annotations

import json

from ..core.record import check_computable
from ..core.scenario import MAX_FILE_BYTES, Scenario, ScenarioError, scenario_from_dict, scenario_to_json
from .files import read_limited


def scenario_from_json(text: str | bytes) -> Scenario:
    """Parse a scenario file's text; size, encoding, syntax, content and overflow problems raise ScenarioError."""
    if isinstance(text, str):
        if len(text) > MAX_FILE_BYTES:  # every character takes at least one byte
            raise ScenarioError([f"file: must be at most 1 MB, got {len(text) / 1e6:.1f} MB or more"])
        try:
            text = text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise ScenarioError(
                [f"file: is not valid Unicode text (a lone surrogate at character {err.start})"]
            ) from None
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError([f"file: must be at most 1 MB, got {len(text) / 1e6:.1f} MB"])
    try:
        data = json.loads(text, parse_constant=float)
    except UnicodeDecodeError:
        raise ScenarioError(["file: is not UTF-8 text"]) from None
    except json.JSONDecodeError as err:
        raise ScenarioError([f"file: is not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})"]) from None
    except RecursionError:
        raise ScenarioError(["file: is nested too deeply to be a scenario"]) from None
    except ValueError:  # Python reads at most 4,300 digits of a whole number
        raise ScenarioError(["file: holds a number with too many digits (more than 4,300)"]) from None
    scenario = scenario_from_dict(data)
    problems = check_computable(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario(path: str) -> Scenario:
    """Read and validate a scenario file (a regular file of at most 1 MB)."""
    return scenario_from_json(read_limited(path))


def save_scenario(scenario: Scenario, path: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(scenario_to_json(scenario) + "\n")
