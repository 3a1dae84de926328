"""Hypothesis strategies for random valid scenarios."""

import copy

from hypothesis import strategies as st

from simulator import Scenario

HIDDEN_ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]
values = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


def _matrix(draw, rows, cols):
    return [[draw(values) for _ in range(cols)] for _ in range(rows)]


@st.composite
def scenarios(draw, max_layers: int = 4, max_units: int = 4) -> Scenario:
    layers = draw(st.lists(st.integers(1, max_units), min_size=2, max_size=max_layers))
    loss = draw(st.sampled_from(["half_squared_error", "cross_entropy"]))
    output_choices = ["sigmoid", "softmax"] if loss == "cross_entropy" else HIDDEN_ACTIVATIONS + ["softmax"]
    output = draw(st.sampled_from(output_choices))
    if output == "softmax" and layers[-1] < 2:
        layers[-1] = 2
    activations = [draw(st.sampled_from(HIDDEN_ACTIVATIONS)) for _ in layers[2:]] + [output]
    weights = [_matrix(draw, layers[l], layers[l + 1]) for l in range(len(layers) - 1)]
    biases = draw(st.booleans()) and [[draw(values) for _ in range(n)] for n in layers[1:]] or None
    if loss == "cross_entropy" and output == "softmax":
        # Whole-number shares keep every target in [0, 1] with a sum within rounding of 1.
        shares = [draw(st.integers(0, 4)) for _ in range(layers[-1])]
        shares[0] += sum(shares) == 0
        target = [share / sum(shares) for share in shares]
    elif loss == "cross_entropy":
        target = [draw(st.floats(0.0, 1.0)) for _ in range(layers[-1])]
    else:
        target = [draw(values) for _ in range(layers[-1])]
    return Scenario(
        layers=layers,
        activations=activations,
        loss=loss,
        weights=weights,
        biases=biases,
        train_biases=draw(st.booleans()),
        x=[draw(values) for _ in range(layers[0])],
        target=target,
        learning_rate=draw(st.sampled_from([0.01, 0.1, 0.5, 1.0])),
    )


# --- hostile input (issue 7) ---------------------------------------------------

ACTIVATIONS_ = HIDDEN_ACTIVATIONS + ["softmax"]
LOSS_PAIRS = [(a, "half_squared_error") for a in ACTIVATIONS_] + [
    ("sigmoid", "cross_entropy"),
    ("softmax", "cross_entropy"),
]


@st.composite
def with_dataset(draw, scenario: Scenario, max_examples: int = 6) -> Scenario:
    """The scenario with a small dataset of examples that fit it."""
    n_in, n_out = scenario.layers[0], scenario.layers[-1]
    count = draw(st.integers(1, max_examples))
    if scenario.loss == "cross_entropy":
        targets = [scenario.target.tolist()] * count  # already valid for the loss
    else:
        targets = [[draw(values) for _ in range(n_out)] for _ in range(count)]
    dataset = [([draw(values) for _ in range(n_in)], t) for t in targets]
    return scenario.replace(dataset=[{"x": x, "target": t} for x, t in dataset])


magnitudes = st.sampled_from([0.0, 1e-300, 1e-6, 1.0, 1e3, 1e5, 1e6])


@st.composite
def extreme_scenarios(draw) -> Scenario:
    """Every activation/loss pair at the size limits (up to 8 layers of 16 units) with values up to ±1e6.

    About half are "wild": deep, wide, linear or ReLU hidden layers and weights and inputs near ±1e6,
    the kind of network whose step leaves the float range.
    """
    output, loss = draw(st.sampled_from(LOSS_PAIRS))
    wild = draw(st.booleans())
    sizes = st.integers(8, 16) if wild else st.integers(1, 16)
    layers = draw(st.lists(sizes, min_size=4 if wild else 2, max_size=8))
    if output == "softmax":
        layers[-1] = max(2, layers[-1])
    hidden_choices = ["linear", "relu"] if wild else HIDDEN_ACTIVATIONS
    hidden = [draw(st.sampled_from(hidden_choices)) for _ in layers[2:]]
    scale = draw(st.sampled_from([1e6, 5e5]) if wild else magnitudes)
    signed = st.sampled_from([1.0, 0.5, -0.5, -1.0])

    def values_of(n, size=scale):
        return [draw(signed) * size for _ in range(n)]

    weights = [[values_of(layers[l + 1]) for _ in range(layers[l])] for l in range(len(layers) - 1)]
    biases = [values_of(n) for n in layers[1:]] if draw(st.booleans()) else None
    if loss == "cross_entropy":
        n = layers[-1]
        target = [1.0 / n] * n if output == "softmax" else [draw(st.sampled_from([0.0, 0.5, 1.0]))] * n
    else:
        target = values_of(layers[-1], draw(magnitudes))
    return Scenario(
        layers=layers,
        activations=[*hidden, output],
        loss=loss,
        weights=weights,
        biases=biases,
        train_biases=draw(st.booleans()),
        x=values_of(layers[0], scale if wild else draw(magnitudes)),
        target=target,
        learning_rate=draw(st.sampled_from([1e-4, 0.5, 1.0, 100.0])),
    )


# Text a user might type or paste: numbers in every notation, markup, and the characters that broke things.
NASTY_TEXT = [
    "",
    " ",
    "abc",
    "1e9",
    "-1e9",
    "1e400",
    "-0,5",
    "0,5",
    "1,000",
    "1_000",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "Infinity",
    "−2",
    "²",
    "¹",
    "⁰",
    "١٢",
    "٣",
    "1" * 5000,
    "9" * 4301,
    "\ud800",
    "\udfff",
    "\x00",
    "\n",
    "\u202e",
    "=",
    "==",
    "![p](http://127.0.0.1:9/x.png)",
    "[Click](https://evil.example/login)",
    "<script>alert(1)</script>",
    "`",
    "$x$",
    "0x10",
    "1/2",
    "3-2-1",
    "3, 2, 1",
    "2--1",
    "0.5, 0.1, -0.2",
    "1;2;3",
    ",,,",
    "|",
    ":",
    "1:2",
    "1,2:3|4,5:6",
]
nasty_text = st.one_of(
    st.sampled_from(NASTY_TEXT), st.text(max_size=40), st.text(st.characters(codec="utf-8"), max_size=8)
)
number_like = st.from_regex(r"\A[ ]?[+−-]?[0-9]{0,4}[.,]?[0-9]{0,4}([eE][+-]?[0-9]{1,4})?[ ]?\Z")
typed_text = st.one_of(nasty_text, number_like, st.lists(number_like, max_size=6).map(", ".join))

LINK_KEYS = [
    "layers",
    "act",
    "loss",
    "x",
    "t",
    "lr",
    "data",
    "frozen",
    "stage",
    "mode",
    "quiz",
    "blank",
    "spotlight",
    "hide",
    "mistake",
    "round",
    "notation",
    "form",
    "speed",
    "batch",
    "w1",
    "w2",
    "w3",
    "b1",
    "b2",
    "w0",
    "w01",
    "w²",
    "b¹",
    "w⁰",
    "",
    "=",
    "zzz",
    "W1",
    "w99",
]
link_keys = st.one_of(st.sampled_from(LINK_KEYS), st.text(max_size=12))
link_values = st.one_of(typed_text, st.lists(typed_text, min_size=1, max_size=3))


@st.composite
def query_dicts(draw):
    """What a URL's query can turn into: Streamlit's to_dict() (the last of repeated keys wins), or lists of values."""
    pairs = draw(st.lists(st.tuples(link_keys, typed_text), max_size=8))
    if draw(st.booleans()):
        return dict(pairs)
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


@st.composite
def hostile_json(draw) -> str | bytes:
    """A scenario file as a student might send it: a valid one, broken in one or more places."""
    import json

    data = json.loads(json.dumps(_plain(draw(scenarios(max_layers=4, max_units=4)))))
    hostile = st.one_of(
        st.sampled_from([None, True, [], {}, "abc", 1e6 + 1, -0.0, 10**30, [[[]]], {"x": 1}]),
        st.integers(),
        st.floats(),
        nasty_text,
    ).map(copy.deepcopy)  # sampled containers are shared objects: poked twice, one could end up inside itself
    for _ in range(draw(st.integers(0, 3))):
        _poke(draw, data, hostile)
    text = json.dumps(data, allow_nan=True)
    tweak = draw(
        st.sampled_from(
            ["none", "digits", "nesting", "surrogate", "escaped_surrogate", "bytes", "literal", "big", "cut"]
        )
    )
    if tweak == "digits":
        return text.replace('"version": 1', '"version": ' + "1" * draw(st.sampled_from([4300, 4301, 6000])), 1)
    if tweak == "nesting":
        depth = draw(st.sampled_from([50, 5_000, 100_000]))
        return text.replace('"x": [', '"x": ' + "[" * depth + "]" * (depth - 1) + ",[", 1)
    if tweak == "surrogate":
        return text.replace('"loss": "', '"loss": "\ud800', 1)
    if tweak == "escaped_surrogate":
        return text.replace('"loss": "', '"loss": "\\ud800', 1)
    if tweak == "bytes":
        raw = text.encode()
        cut = draw(st.integers(0, len(raw)))
        return raw[:cut] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"])) + raw[cut:]
    if tweak == "literal":
        literal = draw(st.sampled_from(["NaN", "Infinity", "-Infinity"]))
        return text.replace('"learning_rate": ', f'"learning_rate": {literal}, "_": ', 1)
    if tweak == "big":
        size = draw(st.sampled_from([999_000, 1_000_001]))
        return text.replace('"loss": "', '"loss": "' + "a" * (size - len(text)), 1)
    if tweak == "cut":
        return text[: draw(st.integers(0, len(text)))]
    return text


def _plain(scenario: Scenario) -> dict:
    from simulator import scenario_to_dict

    return scenario_to_dict(scenario)


def _poke(draw, data, hostile) -> None:
    """Replace one value somewhere inside ``data`` with a hostile one."""
    node = data
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            node = child
            continue
        node[key] = draw(hostile)
        return


def view_options():
    """Valid view options for share links."""
    from simulator.core.mistakes import MISTAKES
    from simulator.io.share import HIDEABLE, ViewOptions

    return st.builds(
        ViewOptions,
        stage=st.none() | st.sampled_from(["forward.z1", "forward.a2", "loss", "delta.2", "update.b1", "apply"]),
        lecture=st.booleans(),
        quiz=st.booleans(),
        blank=st.booleans(),
        spotlight=st.booleans(),
        hide=st.frozensets(st.sampled_from(HIDEABLE)),
        mistake=st.none() | st.sampled_from(sorted(MISTAKES)),
        round=st.none() | st.integers(1, 17),
        notation=st.sampled_from(["zad", "mazur"]),
        form=st.sampled_from(["matrix", "scalar"]),
        speed=st.floats(0.5, 30.0),
        batch=st.sampled_from(["example", "full"]),
    )
