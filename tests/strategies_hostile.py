"""Hypothesis generators of what a hostile visitor sends (issue 15): long runs, huge links, CSV files
of up to 1 MB, typed numbers of every script. Large inputs are built from a few small draws (a unit
repeated n times), so generating 1 MB costs no more than generating 10 bytes."""

from hypothesis import strategies as st

from .strategies import LINK_KEYS, nasty_text, typed_text

MAX_LINK = 200_000  # characters of a whole link the timing property covers
MAX_FILE = 1_000_000

INVISIBLE = "\u202e\u202d\u2066\u2069\u200b\u200d\u200e\ufeff\u2028\u2029\x00\x1b\r\t\x7f\u00ad"
# The pieces a number can be made of, and a few that are not, for runs that trip backtracking patterns.
UNITS = ["9", "1.", ".", "e", "1e", "-", ",", "0,", " ", ";", "|", ":", "x", "_", "٣", "𝟙", "−", "+", "\u202e"]
units = st.lists(st.sampled_from(UNITS), min_size=1, max_size=3).map("".join)


def sizes(most: int) -> st.SearchStrategy[int]:
    """0 to ``most``, spread over the orders of magnitude (and ``most`` itself), so most cases are quick
    and every run still meets the largest inputs."""
    return st.one_of(st.just(most), st.integers(0, 6).flatmap(lambda m: st.integers(0, min(most, 10**m))))


@st.composite
def long_runs(draw, most: int = MAX_LINK) -> str:
    """A short prefix, a unit repeated up to ``most`` characters in all, a short suffix: "9"*n + "x"."""
    unit = draw(units)
    count = draw(sizes(max(0, most - 20) // len(unit)))
    return draw(st.sampled_from(["", "-", "0,", "1e"])) + unit * count + draw(st.sampled_from(["", "x", "e", "9"]))


numbers_text = st.one_of(
    typed_text,
    long_runs(2_000),
    st.text(st.characters(categories=("Nd", "No", "Nl", "Pd", "Zs", "Cf")), max_size=12),
    st.text(st.sampled_from("0123456789.,;-−+eE _" + INVISIBLE), max_size=40),
)


@st.composite
def huge_links(draw) -> dict:
    """Query dicts of at most :data:`MAX_LINK` characters: many parameters, or one or two very long ones."""
    params: dict[str, str] = {}
    budget = MAX_LINK
    if draw(st.booleans()):
        for key in draw(st.lists(st.sampled_from(LINK_KEYS), min_size=1, max_size=3)):
            value = draw(long_runs(budget // 2))
            params[key] = value
            budget -= len(key) + len(value)
    count = draw(sizes(1_000))
    filler = draw(st.sampled_from(["1", "1,2,3", "", "a" * 100]))
    for i in range(count):
        if budget < 20 + len(filler):
            break
        params[f"k{i}"] = filler
        budget -= 20 + len(filler)
    return params


HEADERS = [
    "x1,t1",
    "x1,x2,t1",
    "x1;t1",
    "X1, T1",
    "y1,x1",
    "x1,t99999999999999999999",
    "x1,t9999999",
    "x0,t1",
    ",",
    ";",
    '" "',
    '"',
    "",
    "x1,t1,t1",
    ",".join(f"x{i}" for i in range(1, 40)) + ",t1",
]
cells = st.one_of(
    st.sampled_from(["0", "1", "-0,5", "0.5", "1e6", "1e7", "nan", "inf", "", " ", "𝟙", "0.2_4", "٠.٢٤"]),
    st.text(max_size=6),
    st.text(st.sampled_from(INVISIBLE + "09.,;\"'"), max_size=6),
)


@st.composite
def csv_files(draw) -> str | bytes:
    """A CSV file of up to :data:`MAX_FILE` bytes: a header, some drawn rows, then maybe a long run of
    rows, blank lines, one huge cell or a stray quote; line ends of every kind."""
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    header = draw(st.one_of(st.sampled_from(HEADERS), st.text(max_size=20)))
    rows = draw(st.lists(st.lists(cells, min_size=1, max_size=4).map(",".join), max_size=8))
    text = end.join([header, *rows]) + end
    repeat = draw(st.sampled_from(["", "1,0" + end, end, " " + end, "1" * 100 + end, '"' + end]))
    if repeat:
        text += repeat * draw(sizes(max(0, MAX_FILE - len(text.encode())) // len(repeat.encode())))
    if draw(st.booleans()):
        text = text.encode()[:MAX_FILE]
        return text if draw(st.booleans()) else b"\xef\xbb\xbf" + text[: MAX_FILE - 3]
    return text


answers = st.one_of(numbers_text, nasty_text, long_runs(30_000))


@st.composite
def big_json(draw) -> str:
    """Scenario files of up to 1 MB: long lists, long strings, deep nesting, many keys, long numbers."""
    n = draw(sizes(MAX_FILE // 8))
    shape = draw(st.sampled_from(["list", "string", "nest", "keys", "number", "dataset"]))
    if shape == "list":
        return '{"version": 1, "x": [' + "1e6," * n + "1]}"
    if shape == "string":
        return '{"loss": "' + draw(units) * n + '"}'
    if shape == "nest":
        depth = min(n, 100_000)
        return "[" * depth + "]" * depth
    if shape == "keys":
        return "{" + ",".join(f'"k{i}": 0' for i in range(min(n, 60_000))) + "}"
    if shape == "number":
        return '{"learning_rate": ' + "9" * min(n, MAX_FILE - 30) + "}"
    example = '{"x": [0.5, 0.5, 0.5], "target": [0.5]},'
    return '{"dataset": [' + example * min(n // 40, 24_000) + '{"x": [1], "target": [1]}]}'


# What a hostile command line holds: numbers of other scripts, underscores, huge digit runs, controls.
ODD_OPTIONS = ["0", "1", "3", "17", "20001", "١٢", "1_0", "²", "𝟙", "-1", "nan", "inf", "1e309", "0x10", " 1", ""]
option_text = st.one_of(
    st.sampled_from([*ODD_OPTIONS, "9" * 5_000, "\u202e1", "javascript:alert(1)//", "http://a b/", "https://x.org"]),
    st.text(max_size=12),
    long_runs(5_000),
)
FILE = "\0file"  # stands for the drawn scenario file in an argv (the test writes it)
DATA = "\0data"  # and for the drawn CSV file

_CHOICES = {
    "--mistake": ["slope_from_z", "plus_update", "nope"],
    "--form": ["matrix", "scalar", "tensor"],
    "--notation": ["zad", "mazur", "x" * 100],
    "--batch": ["example", "full", "mini"],
    "--preset": ["seed", "xor", "two_outputs", "\u202e"],
    "--dataset": ["xor", "circle", "moons"],
}
_OPTIONS = {
    "walkthrough": ["--json", "--mistake", "--round", "--form", "--notation", "--preset"],
    "train": ["--json", "--batch", "--target-loss", "--data", "--dataset", "--size", "--noise", "--seed", "--resize"],
    "check": ["--mistake", "--preset"],
    "notebook": ["--mistake", "--round", "--app-url", "--preset"],
    "exercise": ["--seed", "--count", "--app-url", "--preset"],
}
_FLAGS = {"--json", "--resize"}


@st.composite
def cli_argv(draw) -> list[str]:
    """``backprop-sim`` arguments: a command, maybe the drawn file, and a few options with odd values."""
    command = draw(st.sampled_from(sorted(_OPTIONS)))
    argv = [command]
    if command != "exercise" and draw(st.booleans()):
        argv.append(FILE)
    if command == "train":
        argv += ["--steps", draw(st.one_of(st.sampled_from(["0", "1", "3"]), option_text))]
        if FILE not in argv:
            argv += ["--preset", draw(st.sampled_from(["seed", "xor"]))]
    if command == "check" and FILE not in argv:
        argv += ["--preset", draw(st.sampled_from(_CHOICES["--preset"]))]
    for option in draw(st.lists(st.sampled_from(_OPTIONS[command]), max_size=3, unique=True)):
        if option in _FLAGS:
            argv.append(option)
        elif option == "--data":
            argv += [option, DATA]
        else:
            argv += [option, draw(st.one_of(st.sampled_from(_CHOICES.get(option, ["1"])), option_text))]
    if command == "notebook":
        argv += ["-o", "-"]
    return argv
