"""Share links: the whole scenario, the stage and the view options in a URL query string.

Two declarative tables drive writing the state into the URL and reading it back (as
TensorFlow Playground's ``state.ts``): one codec per scenario parameter, and
:data:`VIEW_OPTIONS`, one entry per view option with its default, encoder and
validating decoder. Reading never raises: a parameter that cannot be used is named in
``problems`` and only that field falls back to the default (see
``scenario_with_fallback``); unknown parameters are named and ignored. Every piece of
user text in a problem is quoted and cut to 40 characters (:func:`simulator.core.messages.quote`).

Numbers in links are plain ASCII decimals (``0.5``, ``-1e-3``); vectors are separated by
``,``, matrix rows by ``;``, layer sizes by ``-`` and dataset examples by ``|`` (``x:target``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.fallback import scenario_with_fallback
from ..core.messages import MAX_LISTED, listed, quote
from ..core.mistakes import MISTAKES
from ..core.numbers import number_or_text, plain
from ..core.presets import PRESETS
from ..core.scenario import MAX_DATASET, MAX_LAYERS, MAX_UNITS, Scenario, key_name, layer_problems, scenario_to_dict
from ..core.training import EXAMPLE, MODES
from ..views.forms import FORMS, MATRIX
from ..views.notation import NOTATIONS, ZAD

MAX_PARAM_LENGTH = 100_000  # reachable: the server refuses a whole URL past about 128 KB (HTTP 400)
DATASET_LINK_CHARS = 4_000  # a longer dataset is left out of links (download the scenario file instead)
HIDEABLE = ("editor", "tabs", "code", "tables", "narration", "title")
MIN_SPEED, MAX_SPEED = 0.5, 30.0
MAX_DIGITS = 17
MAX_PROBLEMS = 20  # problems of one link listed one by one, then "…and K more"

_STAGE_ID = re.compile(r"[A-Za-z0-9_.]{1,40}")
_NUMBERED = re.compile(r"([wb])([1-9][0-9]?)")


# --- scenario fields ---------------------------------------------------------


def _format(value: float) -> str:
    return repr(float(value))


def encode_vector(values) -> str:
    return ",".join(_format(v) for v in values)


def _parts(text: str, separator: str, most: int, what: str) -> list[str]:
    """``text`` split at ``separator``, refusing more than ``most`` parts before reading any of them."""
    parts = text.split(separator, most)
    if len(parts) > most:
        raise ValueError(f"more than {most} {what}")
    return parts


def decode_vector(text: str) -> list:
    return [number_or_text(part) for part in _parts(text, ",", MAX_UNITS, "numbers")]


def encode_matrix(rows) -> str:
    return ";".join(encode_vector(row) for row in rows)


def decode_matrix(text: str) -> list:
    return [decode_vector(row) for row in _parts(text, ";", MAX_UNITS, "rows")]


def _size(part: str) -> int | float | str:
    short = part.strip()
    return int(short) if len(short) <= 3 and short.isascii() and short.isdigit() else number_or_text(part)


def _decode_layers(text: str) -> list:
    # A few sizes too many are read, so the schema names the count; thousands are refused unread.
    return [_size(part) for part in _parts(text, "-", 4 * MAX_LAYERS, "layer sizes")]


def _decode_activations(text: str) -> list:
    return _parts(text, ",", 4 * MAX_LAYERS, "activations")


def _encode_dataset(dataset) -> str:
    return "|".join(f"{encode_vector(example['x'])}:{encode_vector(example['target'])}" for example in dataset)


def _decode_dataset(text: str) -> list:
    examples = []
    for part in _parts(text, "|", MAX_DATASET, "examples"):
        x, sep, target = part.partition(":")
        if not sep or ":" in target:
            raise ValueError("each example must be written x:target")
        examples.append({"x": decode_vector(x), "target": decode_vector(target)})
    return examples


# query parameter: (scenario field, reader)
_SCENARIO_PARAMS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "layers": ("layers", _decode_layers),
    "act": ("activations", _decode_activations),
    "loss": ("loss", str),
    "x": ("x", decode_vector),
    "t": ("target", decode_vector),
    "lr": ("learning_rate", number_or_text),
    "data": ("dataset", _decode_dataset),
}


def _may_fit(scenario: Scenario) -> bool:
    """False when the dataset cannot fit a link whatever its numbers: each takes at least two characters."""
    return scenario.dataset is None or 2 * sum(x.size + t.size for x, t in scenario.dataset) <= DATASET_LINK_CHARS


def dataset_fits_link(scenario: Scenario) -> bool:
    """Whether the scenario's dataset (if any) is short enough to travel in a link."""
    if not _may_fit(scenario):
        return False
    data = scenario_to_dict(scenario)["dataset"]
    return data is None or len(_encode_dataset(data)) <= DATASET_LINK_CHARS


# --- view options ------------------------------------------------------------


@dataclass(frozen=True)
class ViewOptions:
    """How the page shows the scenario; every field travels in links (see :data:`VIEW_OPTIONS`)."""

    stage: str | None = None  # stage id, e.g. "forward.z1"
    lecture: bool = False  # mode=lecture
    quiz: bool = False
    blank: bool = False  # the current stage's numbers hidden until revealed
    spotlight: bool = False
    hide: frozenset[str] = field(default_factory=frozenset)  # page parts from HIDEABLE
    mistake: str | None = None  # an id of simulator.core.mistakes.MISTAKES
    round: int | None = None  # paper mode: significant digits, 1–17
    notation: str = ZAD.id  # zad (z, a, δ) or mazur (net, out)
    form: str = MATRIX  # matrix or scalar
    speed: float = 3.0  # auto-play: seconds per stage, 0.5–30
    batch: str = EXAMPLE  # one update per example, or "full" batch
    intro: bool = True  # the first-time "Start here"; a lecturer's link switches it off with intro=0


class _Partly(ValueError):
    """Part of a value could be used: ``value`` is that part, the message says what was dropped."""

    def __init__(self, value: Any, reason: str):
        super().__init__(reason)
        self.value = value


def _read_stage(text: str) -> str:
    if not _STAGE_ID.fullmatch(text):
        raise ValueError(f"{quote(text)} is not a stage id")
    return text


def _read_mode(text: str) -> bool:
    if text != "lecture":
        raise ValueError(f'{quote(text)} is not "lecture"')
    return True


def _read_flag(text: str) -> bool:
    flag = {"1": True, "true": True, "0": False, "false": False}.get(text.lower())
    if flag is None:
        raise ValueError(f"{quote(text)} is not 1 or 0")
    return flag


def _write_flag(value: bool) -> str:
    return "1" if value else "0"


def _choice(*names: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        if text not in names:
            raise ValueError(f"{quote(text)} is not one of {', '.join(names)}")
        return text

    return read


def _read_hide(text: str) -> frozenset[str]:
    parts = [part.strip() for part in _parts(text, ",", 4 * len(HIDEABLE), "parts") if part.strip()]
    kept = frozenset(part for part in parts if part in HIDEABLE)
    unknown = [part for part in parts if part not in HIDEABLE]
    if unknown:
        names = ", ".join(quote(part) for part in unknown[:3]) + (", …" if len(unknown) > 3 else "")
        raise _Partly(kept, f"{names} not one of {', '.join(HIDEABLE)}")
    return kept


def _write_hide(value: frozenset[str]) -> str:
    return ",".join(name for name in HIDEABLE if name in value)


def _read_round(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,2}", text) or not 1 <= int(text) <= MAX_DIGITS:
        raise ValueError(f"{quote(text)} is not a whole number of digits from 1 to {MAX_DIGITS}")
    return int(text)


def _read_speed(text: str) -> float:
    if plain(text) is None or not MIN_SPEED <= float(plain(text)) <= MAX_SPEED:
        raise ValueError(f"{quote(text)} is not a number of seconds from {MIN_SPEED:g} to {MAX_SPEED:g}")
    return float(plain(text))


def _write_speed(value: float) -> str:
    short = f"{value:g}"
    return short if float(short) == value else repr(float(value))


@dataclass(frozen=True)
class ViewOption:
    """One view option: its ``ViewOptions`` field, query parameter, encoder and validating decoder;
    its default is the field's.

    ``read`` raises ValueError with a reason quoting the text when it cannot use it.
    """

    name: str
    param: str
    write: Callable[[Any], str]
    read: Callable[[str], Any]

    @property
    def default(self) -> Any:
        return getattr(_DEFAULT_VIEW, self.name)


_DEFAULT_VIEW = ViewOptions()


VIEW_OPTIONS: tuple[ViewOption, ...] = (
    ViewOption("stage", "stage", str, _read_stage),
    ViewOption("lecture", "mode", lambda value: "lecture", _read_mode),
    ViewOption("quiz", "quiz", _write_flag, _read_flag),
    ViewOption("blank", "blank", _write_flag, _read_flag),
    ViewOption("spotlight", "spotlight", _write_flag, _read_flag),
    ViewOption("hide", "hide", _write_hide, _read_hide),
    ViewOption("mistake", "mistake", str, _choice(*MISTAKES)),
    ViewOption("round", "round", str, _read_round),
    ViewOption("notation", "notation", str, _choice(*NOTATIONS)),
    ViewOption("form", "form", str, _choice(*FORMS)),
    ViewOption("speed", "speed", _write_speed, _read_speed),
    ViewOption("batch", "batch", str, _choice(*MODES)),
    ViewOption("intro", "intro", _write_flag, _read_flag),
)


# --- links -------------------------------------------------------------------


@dataclass(frozen=True)
class SharedView:
    scenario: Scenario
    stage: str | None
    options: ViewOptions
    problems: tuple[str, ...]

    @property
    def lecture(self) -> bool:
        return self.options.lecture


def encode(
    scenario: Scenario, stage: str | None = None, lecture: bool = False, options: ViewOptions | None = None
) -> dict[str, str]:
    """Query parameters for a scenario and the view: only options that differ from their default are written.

    ``stage`` and ``lecture``, when given, take precedence over ``options``. A dataset longer than
    :data:`DATASET_LINK_CHARS` characters is left out (see :func:`dataset_fits_link`).
    """
    data = scenario_to_dict(scenario)
    params = {
        "layers": "-".join(str(n) for n in data["layers"]),
        "act": ",".join(data["activations"]),
        "loss": data["loss"],
        **{f"w{l + 1}": encode_matrix(w) for l, w in enumerate(data["weights"])},
        "x": encode_vector(data["x"]),
        "t": encode_vector(data["target"]),
        "lr": _format(data["learning_rate"]),
    }
    if data["biases"] is not None:
        params.update({f"b{l + 1}": encode_vector(b) for l, b in enumerate(data["biases"])})
    if not data["train_biases"]:
        params["frozen"] = "1"
    dataset = None if data["dataset"] is None or not _may_fit(scenario) else _encode_dataset(data["dataset"])
    if dataset is not None and len(dataset) <= DATASET_LINK_CHARS:
        params["data"] = dataset
    options = options or ViewOptions()
    options = dataclasses.replace(options, stage=stage or options.stage, lecture=lecture or options.lecture)
    for option in VIEW_OPTIONS:
        value = getattr(options, option.name)
        if value != option.default:
            params[option.param] = option.write(value)
    return params


def _known(key: Any) -> bool:
    return isinstance(key, str) and (key in _KNOWN or _NUMBERED.fullmatch(key) is not None)


def _texts(params: Mapping[str, Any], problems: list[str]) -> dict[str, str]:
    """One text per parameter. A repeated parameter (a list of values, as ``parse_qs`` gives) counts
    as its last value, as Streamlit's ``query_params.to_dict()`` does; differing repeats are named."""
    texts = {}
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            if not value:
                continue
            if len(set(map(str, value))) > 1 and _known(key):
                problems.append(
                    f"{key_name(key)}: given {len(value)} times, the last one ({_short(value[-1])}) is used"
                )
            value = value[-1]
        if not isinstance(key, str):
            problems.append(f"{key_name(key)}: unknown parameter, ignored")
        elif isinstance(value, str) or not _known(key):
            texts[key] = value if isinstance(value, str) else ""  # an unknown key is only named
        else:
            problems.append(f"{key}: ignored, its value is not text")
    return texts


def _short(value: Any) -> str:
    return quote(value) if isinstance(value, str) else key_name(value)


def _numbered(texts: dict[str, str], prefix: str, count: int, problems: list[str]) -> list[str] | None:
    """The texts of w1…wN (or b1…): None when there are none; numbers beyond ``count`` are dropped."""
    found = sorted((int(m[2]), k) for k in texts if (m := _NUMBERED.fullmatch(k)) and m[1] == prefix)
    if not found:
        return None
    what = "weight matrices" if prefix == "w" else "bias vectors"
    if [n for n, _ in found] != list(range(1, len(found) + 1)):
        problems.append(f"{prefix}1…: ignored, the {what} must be numbered {prefix}1, {prefix}2, … without gaps")
        return None
    for _, key in found[count:]:
        problems.append(f"{key}: ignored, the network has {count} {what}")
    return [texts[key] for _, key in found[:count]]


def _read_scenario(texts: dict[str, str], default: Scenario, problems: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"version": 1}
    for param, (name, read) in _SCENARIO_PARAMS.items():
        if param not in texts:
            continue
        text = texts[param]
        if len(text) > MAX_PARAM_LENGTH:
            problems.append(f"{param}: ignored, longer than {MAX_PARAM_LENGTH:,} characters")
            continue
        try:
            data[name] = read(text)
        except ValueError as err:
            problems.append(f"{param}: ignored, could not be read ({err})")
    layers = data.get("layers")
    count = (len(layers) if layers is not None and not layer_problems(layers) else len(default.layers)) - 1
    for prefix, name, read in (("w", "weights", decode_matrix), ("b", "biases", decode_vector)):
        found = _numbered(texts, prefix, min(count, MAX_LAYERS), problems)
        if found is None:
            continue
        if any(len(text) > MAX_PARAM_LENGTH for text in found):
            problems.append(f"{prefix}1…: ignored, one is longer than {MAX_PARAM_LENGTH:,} characters")
            continue
        try:
            data[name] = [read(text) for text in found]
        except ValueError as err:
            problems.append(f"{prefix}1…: ignored, could not be read ({err})")
    if any(k in texts for k in ("layers", "w1")):  # a link that describes a network says all of it
        data.setdefault("biases", None)
        data.setdefault("dataset", None)
        data.setdefault("train_biases", True)
    if "frozen" in texts:
        try:
            data["train_biases"] = not _read_flag(texts["frozen"])
        except ValueError as err:
            problems.append(f"frozen: {err}; the biases are kept frozen (the safe reading)")
            data["train_biases"] = False
    return data


def _read_options(texts: dict[str, str], problems: list[str]) -> ViewOptions:
    values = {}
    for option in VIEW_OPTIONS:
        if option.param not in texts:
            continue
        try:
            values[option.name] = option.read(texts[option.param])
        except _Partly as err:
            values[option.name] = err.value
            problems.append(f"{option.param}: {err}, ignored")
        except ValueError as err:
            problems.append(f"{option.param}: ignored, {err}")
    return ViewOptions(**values)


_KNOWN = {*_SCENARIO_PARAMS, "frozen", "preset", *(option.param for option in VIEW_OPTIONS)}


def _preset(texts: dict[str, str], default: Scenario, problems: list[str]) -> Scenario:
    """``preset=two_outputs``: that preset is the starting point the other parameters change."""
    if "preset" not in texts:
        return default
    name = texts["preset"]
    if name not in PRESETS:
        problems.append(f"preset: ignored, {_short(name[:40])} is not one of {', '.join(PRESETS)}")
        return default
    return PRESETS[name]


def decode(params: Mapping[str, Any], default: Scenario) -> SharedView:
    """Read query parameters back; never raises. Every field that cannot be used is named in ``problems``
    and takes the default's value, every other field is kept."""
    problems: list[str] = []
    texts = _texts(params, problems)
    unknown = [k for k in texts if not _known(k)]
    problems.extend(f"{key_name(k)}: unknown parameter, ignored" for k in unknown[:MAX_LISTED])
    if len(unknown) > MAX_LISTED:
        problems.append(f"…and {len(unknown) - MAX_LISTED:,} more unknown parameters, ignored")
    default = _preset(texts, default, problems)
    data = _read_scenario(texts, default, problems)
    scenario, found = scenario_with_fallback(data, default)
    problems.extend(found)
    options = _read_options(texts, problems)
    return SharedView(scenario, options.stage, options, tuple(listed(problems, MAX_PROBLEMS)))
