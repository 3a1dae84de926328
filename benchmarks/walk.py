"""The walk's figures: a key press or a click → the new stage painted in Chromium at 1280×800, against
switching two precomputed static divs in the same page (two blocks of text, and two static copies of what
the walk shows at stages 1 and 2: its graph's SVG, formulas and tables, with no script); websocket
frames per step; the server's cost of building the walk and its size. Prints a table; with
``--against REV`` the same browser measurement also runs on commit REV's app (exported with
``git archive``), so before and after come from one run.

    python benchmarks/walk.py [--rounds 3] [--against main] [--server] [--builds 25] [--slowdown 2]

The server's figure is the walk's **cold build** as an edit pays it: the seed with a new Input x each time
(a new scenario, so nothing of the walk is cached; the process is warm, as a server's is), built and
packed the way the page does (``walk_view._built`` then ``packed``), CPU time of one process
(``time.process_time``), median of ``--builds`` after 3 warm-up builds (x₃ = k/1000, as the brief of issue 16
measured); then as many with x₃ random in [−1, 1] (as ``load.py --edit x``'s students type it: signs and
widths change, so fewer label placements are reused); then with W⁽¹⁾'s first cell random in [−1, 1] instead
(``load.py``'s default edit: an edge label's width changes); then as many with every memo of the package emptied before
each (formatting, text sizes, layout placements: a fresh server's first build, the worst case an edit can
meet). Each tree is measured in its
own Python process, the two taking turns build by build, so both see the same moment's machine load; the
ratio rows are this tree's median over REV's. ``--server`` skips the browser.

How "painted" is timed, in the page, the same way for the walk and the static divs:
- start: the input event's own ``event.timeStamp`` (when Chromium received the key or made the click),
  read by a capture listener installed before the page's scripts. It counts any wait before the page's
  handlers run, e.g. behind a graph being drawn ahead.
- end: the second ``requestAnimationFrame`` callback after the event. The first runs just before the
  frame that holds the new stage is rendered (style, layout, paint); the second runs once that frame has
  been produced.
- also, the browser's own figure (Event Timing, the measure behind INP): from the same ``timeStamp`` to the
  moment the next frame after the handlers was presented on screen (after raster and the compositor, which
  the second ``requestAnimationFrame`` does not wait for), in steps of 8 ms; a press under 16 ms is not
  reported by the browser and counts as 16.
A click is ``page.mouse.click`` on the button's centre (Next, or Prev on the way back); a key is
ArrowRight (ArrowLeft on the way back). Each round steps through every stage forward and back, then
does the same number of static switches, so both see the same machine load. The walk is measured
after every stage has been drawn ahead (``Walk.ready``), and separately on its first pass right after
the page loaded ("first pass"). Figures are medians; under load compare the ratios, not the times.

``--slowdown N`` has DevTools run the page's main thread N× slower (``Emulation.setCPUThrottlingRate``): a
slower machine's page, on this one (raster and the compositor keep their speed; the trace rows grow with it).

Last, a CDP trace of one more walk forward and back by key and as many switches of the static text divs
(``trace CPU`` rows): the main thread's CPU time (``tdur``) of the task that handled each key and of the frame
after it, in all and by phase (style, layout, prepaint, paint, layerize). Tracing slows the page, so these rows
come after the timed ones; CPU time moves far less with the machine's load than wall time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator import SEED, build_stages, step  # noqa: E402
from simulator.views.walk import walk  # noqa: E402
from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, running_script  # noqa: E402

VIEWPORT = {"width": 1280, "height": 800}
PAUSE = 0.15  # s between presses: longer than a frame, shorter than a student reads
TIMER = """(() => {
  window.__bpTimes = [];
  window.__bpShows = [];
  window.__bpEvents = [];  // [type, timeStamp] of each key and click, matched to the browser's Event Timing entries
  const presented = new Map();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) presented.set(entry.name + '@' + entry.startTime, entry.duration);
  }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  window.__bpPresented = () => window.__bpEvents.map(([type, start]) => presented.get(type + '@' + start) ?? 16);
  const painted = (event) => {
    const start = event.timeStamp;
    performance.mark('bp-press-' + (event.key || event.type));  // found in a trace (traced_frames)
    window.__bpEvents.push([event.type, start]);
    requestAnimationFrame(() => requestAnimationFrame(() => {
      window.__bpTimes.push(performance.now() - start);
      if (window.__bpLastPaint !== undefined) window.__bpShows.push(window.__bpLastPaint);
    }));
  };
  window.addEventListener('keydown', painted, true);
  window.addEventListener('click', painted, true);
})()"""  # installed before the page's own scripts, so it hears every key and click first
STATIC = """() => {  // two precomputed divs in the walk, switched by a key of their own (x) or a button
  const box = document.createElement('div');
  box.id = 'bpStatic';
  box.hidden = true;
  box.innerHTML = '<button id=bpFlip style="height:40px">Flip</button>'
    + '<div id=bpA style="height:400px;overflow:hidden">' + 'A 0.24 '.repeat(600) + '</div>'
    + '<div id=bpB style="height:400px;overflow:hidden;display:none">' + 'B 0.56 '.repeat(600) + '</div>';
  const walk = document.querySelector('.bp-walk');  // inside it: a click there is the walk's, no message
  walk.insertBefore(box, walk.querySelector('.bp-body'));
  const flip = () => {
    const a = document.getElementById('bpA'), b = document.getElementById('bpB');
    [a.style.display, b.style.display] = [b.style.display, a.style.display];
  };
  window.addEventListener('keydown', (event) => {
    if (event.key !== 'x') return;
    event.stopImmediatePropagation();  // as the walk does with its keys
    flip();
  }, true);
  box.querySelector('#bpFlip').addEventListener('click', flip);
}"""
SHOWN = "(on) => { document.getElementById('bpStatic').hidden = !on; }"
COPY = """() => {  // what the walk shows now (its body, the pieces put aside left out), as a static copy
  const copy = document.querySelector('.bp-walk .bp-body').cloneNode(true);
  copy.querySelectorAll('.bp-away').forEach((piece) => piece.remove());
  copy.querySelectorAll('[data-part]').forEach((part) => part.removeAttribute('data-part'));  // not the walk's
  (window.__bpCopies = window.__bpCopies || []).push(copy);
}"""
COPIES = """() => {  // the two copies (stages 1 and 2) as two static divs, switched by y or their own button
  const [a, b] = window.__bpCopies;
  const box = document.createElement('div');
  box.id = 'bpCopies';
  box.hidden = true;
  box.innerHTML = '<button id=bpFlipCopies style="height:40px">Flip</button>';
  b.style.display = 'none';
  box.append(a, b);
  document.querySelector('.bp-walk').append(box);  // after the walk's own body: its queries find that first
  const flip = () => { [a.style.display, b.style.display] = [b.style.display, a.style.display]; };
  window.addEventListener('keydown', (event) => {
    if (event.key !== 'y') return;
    event.stopImmediatePropagation();
    flip();
  }, true);
  box.querySelector('#bpFlipCopies').addEventListener('click', flip);
}"""
COPIES_SHOWN = "(on) => { document.getElementById('bpCopies').hidden = !on; }"
READY = """() => {
  const w = window.__backpropWalk;
  if (!w || !w.data) return false;
  if ('ready' in w) return w.ready === w.built;  // this tree: every stage's pieces and graph drawn ahead
  return document.querySelectorAll('.bp-graph .js-plotly-plot').length >= w.data.stages.length;  // before
}"""


def server_figures() -> dict[str, float]:
    record = step(SEED)
    text = json.dumps(walk(record, build_stages(record)), separators=(",", ":"), ensure_ascii=False)
    return {
        "walk of the seed: KiB raw": len(text.encode()) / 1024,
        "walk of the seed: KiB gzip": len(gzip.compress(text.encode())) / 1024,
    }


COLD = """
import dataclasses, json, sys, time
import numpy as np
from simulator.core.presets import SEED
from simulator.core.scenario import scenario_to_json
from simulator.ui import walk_view
from simulator.views.walk import WalkView, packed

def emptied():
    # every memo of the package emptied (formatting, layout, names): a first build in a fresh server
    for name, module in list(sys.modules.items()):
        if name.startswith("simulator."):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def build(k, mode):
    drawn = round(float(np.random.default_rng(k).uniform(-1, 1)), 3)
    x3 = drawn if mode == "random" else k / 1000
    scenario = dataclasses.replace(SEED, x=np.array([0.5, 0.1, x3]))  # a new scenario: its walk is not cached
    if mode == "weight":  # W1's first cell instead, as load.py's students edit it by default
        first = np.array(SEED.weights[0], dtype=float)
        first[0, 0] = drawn
        scenario = dataclasses.replace(SEED, weights=(first, *SEED.weights[1:]))
    text = scenario_to_json(scenario, indent=None)
    if mode == "empty":
        emptied()
    started = time.process_time()
    sent = packed(walk_view._built(text, None, None, "zad", "matrix", WalkView()))
    return time.process_time() - started, len(sent)

for k in range(3):
    build(k, "x")
print("ready", flush=True)
for line in sys.stdin:  # "mode k": one build, answered with its CPU seconds and packed size
    mode, k = line.split()
    print(*build(int(k), mode), flush=True)
"""  # run in the tree measured, its own simulator package first on the path


MODES = {
    "x": "walk of the seed: cold build (x₃ = k/1000), CPU ms",
    "random": "the same, x₃ random in [−1, 1] (load.py --edit x), CPU ms",
    "weight": "the same, W⁽¹⁾₁₁ random in [−1, 1] (load.py's edit), CPU ms",
    "empty": "the same as the first, every memo emptied first, CPU ms",
}


def cold_builds(roots: dict[str, Path], builds: int) -> dict[str, dict[str, float]]:
    """The seed's walk built cold (a new x each time: :data:`MODES`), CPU ms per build, per tree (median of
    ``builds`` per mode), and the packed size sent, KiB. One process per tree, kept running; the trees take
    turns build by build (who goes first alternates), so both see the same moment's machine load."""
    children = {}
    for name, root in roots.items():
        script = f"import sys; sys.path.insert(0, {str(root)!r})\n" + COLD
        children[name] = subprocess.Popen(
            [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, cwd=root,
        )  # fmt: skip
    try:
        for child in children.values():
            assert child.stdout.readline().strip() == "ready"
        times = {name: {mode: [] for mode in MODES} for name in roots}
        sizes: dict[str, int] = {}
        for mode in MODES:
            for k in range(builds):
                order = list(children.items())
                for name, child in order if k % 2 == 0 else order[::-1]:
                    child.stdin.write(f"{mode} {100 + k}\n")
                    child.stdin.flush()
                    seconds, size = child.stdout.readline().split()
                    times[name][mode].append(1000 * float(seconds))
                    sizes[name] = int(size) if mode == "x" else sizes[name]
    finally:
        for child in children.values():
            child.stdin.close()
            child.wait()
    return {
        name: {
            **{MODES[mode]: statistics.median(times[name][mode]) for mode in MODES},
            "walk of the seed: packed KiB (sent)": sizes[name] / 1024,
        }
        for name in roots
    }


PHASES = {"UpdateLayoutTree": "style", "Layout": "layout", "PrePaint": "prepaint", "Paint": "paint"}
PHASES["Layerize"] = "layerize"  # trace event → phase of the frame


def frame_costs(trace: bytes) -> dict[str, list[dict[str, float]]]:
    """Per key (``bp-press-<key>`` marks), each press's main-thread CPU (the trace's ``tdur``, ms): the task that
    handled it, the frame after it in all, and that frame's phases (:data:`PHASES`). CPU time, not wall time: on a
    shared machine it moves far less than the milliseconds to the paint."""
    events = json.loads(trace)["traceEvents"]
    marks = sorted((e for e in events if e.get("name", "").startswith("bp-press-")), key=lambda e: e["ts"])
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    main = next(t for t, name in threads.items() if t[0] == marks[0]["pid"] and name == "CrRendererMain")
    spans = [e for e in events if (e.get("pid"), e.get("tid")) == main and e.get("ph") == "X"]
    spans.sort(key=lambda e: e["ts"])

    def cpu(event: dict) -> float:
        return event.get("tdur", event["dur"]) / 1000

    costs: dict[str, list[dict[str, float]]] = {}
    for mark in marks:
        at = mark["ts"]
        task = next((e for e in spans if e["name"] == "RunTask" and e["ts"] <= at <= e["ts"] + e["dur"]), None)
        frame = next((e for e in spans if e["name"] == "ProxyMain::BeginMainFrame" and e["ts"] > at), None)
        if task is None or frame is None:
            continue
        row = {"task": cpu(task), "frame": cpu(frame)} | {phase: 0.0 for phase in PHASES.values()}
        ends = dict.fromkeys(PHASES, 0)  # a Paint inside a Paint (a layer's own) is counted in the outer one
        inside = [e for e in spans if e["name"] in PHASES and frame["ts"] <= e["ts"] <= frame["ts"] + frame["dur"]]
        for e in inside:
            if e["ts"] >= ends[e["name"]]:
                row[PHASES[e["name"]]] += cpu(e)
                ends[e["name"]] = e["ts"] + e["dur"]
        costs.setdefault(mark["name"].removeprefix("bp-press-"), []).append(row)
    return costs


def traced_frames(browser, page, count: int) -> dict[str, float]:
    """CDP trace of ``count`` - 1 ArrowRight and as many ArrowLeft on the walk, then as many switches of the
    static text divs: medians of :func:`frame_costs`."""
    page.evaluate(SHOWN, False)
    page.locator(".bp-walk > .bp-body").scroll_into_view_if_needed()
    categories = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing", "benchmark"]
    browser.start_tracing(page=page, categories=categories)
    for k in range(2 * (count - 1)):
        page.keyboard.press("ArrowRight" if k < count - 1 else "ArrowLeft")
        time.sleep(PAUSE)
    page.evaluate(SHOWN, True)
    page.locator("#bpStatic").scroll_into_view_if_needed()
    time.sleep(0.3)
    for _ in range(2 * (count - 1)):
        page.keyboard.press("x")
        time.sleep(PAUSE)
    time.sleep(0.3)
    costs = frame_costs(browser.stop_tracing())
    page.evaluate(SHOWN, False)
    walk, static = costs.get("ArrowRight", []) + costs.get("ArrowLeft", []), costs.get("x", [])
    med = statistics.median
    figures = {
        f"trace CPU: {name}, {part}, ms": med([row[part] for row in rows])
        for name, rows in (("walk key", walk), ("static divs key", static))
        for part in ("task", "frame", *PHASES.values())
    }
    figures["trace CPU: walk frame, ratio to the static divs' frame"] = (
        figures["trace CPU: walk key, frame, ms"] / figures["trace CPU: static divs key, frame, ms"]
    )
    return figures


def _taken(page, action, presented: list[float] | None = None) -> list[float]:
    """Each press's ms to the second animation frame; with ``presented``, also appends each press's Event Timing
    duration there (to the frame presented, 8 ms steps; one under 16 ms is not reported and counts as 16)."""
    page.evaluate("window.__bpTimes = []; window.__bpShows = []; window.__bpEvents = []")
    action()
    time.sleep(0.5)
    if presented is not None:
        presented += page.evaluate("window.__bpPresented()")
    return page.evaluate("window.__bpTimes")


def _centre(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).first.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def browser_figures(url: str, rounds: int, slowdown: float = 1.0) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=VIEWPORT)
        if slowdown > 1:  # a slower machine's main thread, as DevTools emulates it (raster and compositor not)
            page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
        sent = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
        page.add_init_script(TIMER)
        page.goto(url + "/?intro=0")
        page.wait_for_selector(".bp-graph .main-svg", timeout=60_000)
        page.wait_for_function("() => window.__backpropWalk && window.__backpropWalk.data", timeout=60_000)
        count = page.evaluate("window.__backpropWalk.data.count")
        page.locator(".bp-walk > .bp-body").scroll_into_view_if_needed()

        def press(forward: str, back: str) -> None:  # through every stage and back
            for k in range(2 * (count - 1)):
                page.keyboard.press(forward if k < count - 1 else back)
                time.sleep(PAUSE)

        def click(forward: tuple[float, float], back: tuple[float, float]) -> None:
            for k in range(2 * (count - 1)):
                page.mouse.click(*(forward if k < count - 1 else back))
                time.sleep(PAUSE)

        first = _taken(page, lambda: [(page.keyboard.press("ArrowRight"), time.sleep(PAUSE)) for _ in range(count - 1)])
        for _ in range(count - 1):
            page.keyboard.press("ArrowLeft")
            time.sleep(PAUSE)
        page.wait_for_function(READY, timeout=180_000)
        time.sleep(1)
        page.evaluate(COPY)  # stage 1, as the walk shows it
        page.keyboard.press("ArrowRight")
        time.sleep(1)
        page.evaluate(COPY)  # stage 2
        page.keyboard.press("ArrowLeft")
        time.sleep(1)
        page.evaluate(STATIC)
        page.evaluate(COPIES)
        walk_keys, walk_clicks, static_keys, static_clicks, shows, frames = [], [], [], [], [], 0
        copy_keys, copy_clicks = [], []
        shown = {"walk keys": [], "walk clicks": [], "static keys": [], "static clicks": []}  # Event Timing
        for _ in range(rounds):
            page.evaluate(SHOWN, False)
            page.evaluate(COPIES_SHOWN, False)
            page.locator(".bp-walk > .bp-body").scroll_into_view_if_needed()
            nxt, prev = _centre(page, ".bp-next"), _centre(page, ".bp-prev")
            before = len(sent)
            walk_keys += _taken(page, lambda: press("ArrowRight", "ArrowLeft"), shown["walk keys"])
            shows += page.evaluate("window.__bpShows")
            walk_clicks += _taken(page, lambda n=nxt, p=prev: click(n, p), shown["walk clicks"])
            frames += len(sent) - before
            page.evaluate(SHOWN, True)
            page.locator("#bpStatic").scroll_into_view_if_needed()
            flip = _centre(page, "#bpFlip")
            static_keys += _taken(page, lambda: press("x", "x"), shown["static keys"])
            static_clicks += _taken(page, lambda f=flip: click(f, f), shown["static clicks"])
            page.evaluate(SHOWN, False)
            page.evaluate(COPIES_SHOWN, True)
            page.locator("#bpCopies").scroll_into_view_if_needed()
            flip = _centre(page, "#bpFlipCopies")
            copy_keys += _taken(page, lambda: press("y", "y"))
            copy_clicks += _taken(page, lambda f=flip: click(f, f))
        page.evaluate(COPIES_SHOWN, False)
        traced = traced_frames(browser, page, count)
        browser.close()
    med = statistics.median
    return {
        "static divs switched: key → painted, ms": med(static_keys),
        "static divs switched: click → painted, ms": med(static_clicks),
        "walk: key → stage painted, ms": med(walk_keys),
        "walk: click → stage painted, ms": med(walk_clicks),
        "static copies of stages 1 and 2 switched: key → painted, ms": med(copy_keys),
        "static copies of stages 1 and 2 switched: click → painted, ms": med(copy_clicks),
        "walk: key, ratio to static text divs": med(walk_keys) / med(static_keys),
        "walk: click, ratio to static text divs": med(walk_clicks) / med(static_clicks),
        "walk: key, ratio to static stage copies": med(walk_keys) / med(copy_keys),
        "walk: click, ratio to static stage copies": med(walk_clicks) / med(copy_clicks),
        "Event Timing (frame presented): static divs, key, ms": med(shown["static keys"]),
        "Event Timing (frame presented): static divs, click, ms": med(shown["static clicks"]),
        "Event Timing (frame presented): walk, key, ms": med(shown["walk keys"]),
        "Event Timing (frame presented): walk, click, ms": med(shown["walk clicks"]),
        "Event Timing: walk key, ratio to static text divs": med(shown["walk keys"]) / med(shown["static keys"]),
        "Event Timing: walk click, ratio to static text divs": med(shown["walk clicks"]) / med(shown["static clicks"]),
        "walk: first pass after load, key → painted, ms": med(first),
        "walk: show() in the page, ms": med(shows) if shows else float("nan"),
        "websocket frames sent per walk step": frames / (rounds * 4 * (count - 1)),
        **traced,
    }


def exported(revision: str, folder: Path) -> Path:
    """Commit ``revision``'s tree, as files (no worktree, nothing in the repository changes)."""
    archive = folder / "tree.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), revision], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "tree", filter="data")
    return folder / "tree"


def measured(root: Path, rounds: int, slowdown: float = 1.0) -> dict[str, float]:
    """The browser figures of the app in ``root`` (its streamlit_app.py imports its own simulator)."""
    with running_script(root / "streamlit_app.py") as (url, _):
        return browser_figures(url, rounds, slowdown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="walks forward and back, and static blocks")
    parser.add_argument("--against", metavar="REV", help="also measure commit REV's app in the same run")
    parser.add_argument("--server", action="store_true", help="the server's figures only (no browser)")
    parser.add_argument("--builds", type=int, default=60, help="cold builds per tree and kind of edit")
    parser.add_argument("--slowdown", type=float, default=1.0, help="the page's main thread N× slower (CDP)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        roots = {"this tree": ROOT}
        if args.against:
            roots[args.against] = exported(args.against, Path(folder))
        columns = {name: dict(figures) for name, figures in cold_builds(roots, args.builds).items()}
        columns["this tree"].update(server_figures())
        if not args.server:
            for name, root in roots.items():
                columns[name].update(measured(root, args.rounds, args.slowdown))
    names = list(columns)
    print(f"{'1280×800, headless Chromium, medians':58s}" + "".join(f"{name:>14s}" for name in names))
    for row in columns[names[0]]:
        print(f"{row:58s}" + "".join(f"{columns[name].get(row, float('nan')):14.2f}" for name in names))
    if args.against:
        for row in MODES.values():
            ratio = columns["this tree"][row] / columns[args.against][row]
            print(f"{row.removesuffix(', CPU ms')}: this tree / {args.against} = {ratio:.2f}× the CPU")


if __name__ == "__main__":
    main()
