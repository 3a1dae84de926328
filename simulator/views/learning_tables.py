"""pandas tables for learning by doing: gradient checks, a mistake beside the correct numbers, a quiz score."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ..core.gradcheck import AGREEMENT, StageGradientCheck
from .formatting import number
from .quiz import QuizScore, value_label

AGREE, DISAGREE = "background-color: rgba(0,114,178,0.18)", "background-color: rgba(213,94,0,0.35)"


def _entry(index: tuple[int, ...]) -> str:
    return "[" + ",".join(str(i + 1) for i in index) + "]"


def gradient_check_table(check: StageGradientCheck) -> pd.DataFrame:
    """One row per entry: backprop's ∂E/∂w, the central difference, their relative error and whether they agree."""
    return pd.DataFrame(gradient_check_rows(check)).set_index("parameter")


def gradient_check_rows(check: StageGradientCheck) -> list[dict]:
    """:func:`gradient_check_table`'s rows, the first key naming the row."""
    letter = "W" if check.kind == "weights" else "b"
    rows = [
        {
            "parameter": f"{letter}{check.layer}{_entry(index)}",
            "backprop ∂E/∂w": float(check.analytic[index]),
            "finite difference": float(check.numeric[index]),
            "relative error": float(check.relative_error[index]),
            "agree": bool(check.relative_error[index] <= AGREEMENT),
        }
        for index in np.ndindex(check.analytic.shape)
    ]
    return rows


def gradient_check_styled(frame: pd.DataFrame) -> Styler:
    """Rows coloured by agreement: blue when backprop and the finite difference agree, vermillion when not."""

    def colour(row: pd.Series) -> list[str]:
        return [AGREE if row["agree"] else DISAGREE] * len(row)

    return frame.style.apply(colour, axis=1).format(
        {"backprop ∂E/∂w": number, "finite difference": number, "relative error": "{:.1e}"}
    )


def mistake_comparison_table(correct_stage, mistaken_stage, masks=None) -> pd.DataFrame:
    """Every value of a stage, entry by entry: the correct number, the mistaken one and whether they differ."""
    return pd.DataFrame(mistake_comparison_rows(correct_stage, mistaken_stage, masks)).set_index("value")


def mistake_comparison_rows(correct_stage, mistaken_stage, masks=None) -> list[dict]:
    """:func:`mistake_comparison_table`'s rows, the first key naming the row."""
    rows = []
    for key, mistaken in mistaken_stage.values.items():
        right = np.asarray(correct_stage.values[key], dtype=float)
        mistaken = np.asarray(mistaken, dtype=float)
        differs = (right != mistaken) if masks is None else np.asarray(masks[key])
        for index in np.ndindex(right.shape):
            rows.append(
                {
                    "value": value_label(key) + (_entry(index) if right.size > 1 else ""),
                    "correct": float(right[index]),
                    "with the mistake": float(mistaken[index]),
                    "differs": bool(differs[index]),
                }
            )
    return rows


def quiz_summary_table(score: QuizScore) -> pd.DataFrame:
    """Stage by stage: right at the first try, and how many attempts it took."""
    return pd.DataFrame(
        {
            "right first try": [score.first_try[s] for s in score.first_try],
            "attempts": [score.attempts[s] for s in score.first_try],
        },
        index=pd.Index(list(score.first_try), name="stage"),
    )
