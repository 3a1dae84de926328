// The walk: the browser turns the pages Python computed once per scenario (simulator/views/walk.py).
// Prev/Next/Reset/End, the picker, the clicker keys, auto-play, Back/Forward and a click on a unit all
// change the shown stage here, with no message to the server. A step past what was sent (blank the
// answer, the quiz) or a Reveal asks the server, which sends the next piece.
// (STEP, MODIFIERS, typing and svgButton come first, from simulator/ui/keys.py.)

const CONFIG = (id) => ({ displayModeBar: true, displaylogo: false, modeBarButtons: [["toImage"]], responsive: true,
  toImageButtonOptions: { format: "png", scale: 2, filename: `backprop-${id}` } });
const TABLES_ROOM = 200;  // px kept under a lecture graph for the stage's tables (3 rows and a caption)
const cache = new Map();  // LaTeX → KaTeX's HTML: a stage shown twice is rendered once

function moduleUrl(name) {
  const index = document.querySelector('script[src*="static/js/index"]');
  return new URL(name, index ? index.src : new URL("static/js/", document.baseURI)).href;
}

async function libraries(data) {  // Streamlit's own KaTeX and Plotly.js, already in the browser's cache
  if (!window.__bpKatex) window.__bpKatex = (await import(moduleUrl(data.katex))).default;
  if (!window.Plotly) await import(moduleUrl(data.plotly));
}

function tex(latex, display = true) {
  const key = (display ? "D" : "I") + latex;
  if (!cache.has(key)) {
    cache.set(key, window.__bpKatex.renderToString(latex, { displayMode: display, throwOnError: false }));
  }
  return cache.get(key);
}

function escaped(words) {  // our own sentences as text, never markup
  const div = document.createElement("div");
  div.textContent = words;
  return div.innerHTML;
}

function fill(element, html) {
  if (element.__bpHtml !== html) {
    element.innerHTML = html;
    element.__bpHtml = html;
  }
  element.hidden = !html;
}

function text(element, words) {
  if (element.textContent !== words) element.textContent = words;
  element.hidden = !words;
}

function zoomed(figure, scale) {  // the whole graph larger: sizes, fonts and widths alike, so nothing moves apart
  const times = (value) => (Array.isArray(value) ? value.map((v) => v * scale) : value * scale);
  const data = figure.data.map((trace) => {
    const copy = { ...trace };
    if (trace.line) copy.line = { ...trace.line, width: times(trace.line.width ?? 2) };
    if (trace.marker) {
      copy.marker = { ...trace.marker, size: times(trace.marker.size ?? 6) };
      if (trace.marker.line) copy.marker.line = { ...trace.marker.line, width: times(trace.marker.line.width ?? 0) };
    }
    return copy;
  });
  const layout = figure.layout;
  const annotations = (layout.annotations || []).map((note) => ({ ...note, font: { ...note.font,
    size: times(note.font.size) }, borderpad: times(note.borderpad ?? 1) }));
  return { data, layout: { ...layout, height: Math.floor(layout.height * scale), annotations } };
}

function stageUrl(id) {
  const url = new URL(window.location.href);
  url.searchParams.set("stage", id);
  return url.pathname + url.search + url.hash;
}

function othersOf(search) {  // the query string without the stage
  const params = new URLSearchParams(search);
  params.delete("stage");
  params.sort();
  return params.toString();
}

class Walk {
  constructor() {
    this.index = 0;
    this.unit = null;  // the unit whose inspector is open; it follows Prev/Next
    this.timer = null;
    this.plots = new Map();  // stage id → its drawn graph, for this.data.version
    this.onKey = this.onKey.bind(this);
    this.onPop = this.onPop.bind(this);
    this.onLeave = this.onLeave.bind(this);
    window.addEventListener("keydown", this.onKey, true);
    window.addEventListener("pointerdown", this.onLeave, true);
    window.addEventListener("focusin", this.onLeave, true);
    window.addEventListener("popstate", this.onPop, true);
    this.observer = new MutationObserver(() => svgButton());
    this.observer.observe(document.body, { childList: true, subtree: true });
  }

  get last() { return this.data.count - 1; }
  get shipped() { return this.data.stages.length; }

  mount(root, data, trigger) {
    const fresh = !this.data || data.index !== this.data.index || data.version !== this.data.version;
    this.root = root;
    this.trigger = trigger;
    if (fresh) this.told = data.ids[data.index];  // the stage the server knows
    this.data = data;
    if (fresh || this.index >= this.shipped) this.index = data.index;
    if (!root.__bpWired) this.wire(root);
    this.picker();
    libraries(data).then(() => { this.show(this.index, null); this.schedule(); this.prerender(); });
  }

  wire(root) {
    root.__bpWired = true;
    const on = (selector, handler) => root.querySelector(selector).addEventListener("click", handler);
    on(".bp-reset", () => this.go(0, "push"));
    on(".bp-prev", () => this.step(-1));
    on(".bp-next", () => this.step(1));
    on(".bp-end", () => this.go(this.last, "push"));
    on(".bp-reveal", () => this.ask({ kind: "reveal" }));
    on(".bp-close", () => { this.unit = null; this.inspect(); });
    root.querySelector(".bp-picker").addEventListener("change", (event) => {
      event.target.blur();  // the clicker keys step again at once (a focused <select> keeps them)
      this.go(Number(event.target.value), "push");
    });
  }

  prerender() {  // every stage's formulas rendered while the page is idle: a step only swaps HTML
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 50));
    const data = this.data, pages = data.stages.slice();
    const next = () => {
      const page = pages.shift();
      if (!page) return;
      tex(page.formula);
      tex("\\small " + page.substituted);
      if (page.shapes) tex("\\small " + page.shapes);
      if (this.data === data && this.root.isConnected) this.plot(this.root.querySelector(".bp-graph"), page);
      idle(next);
    };
    idle(next);
  }

  picker() {
    const select = this.root.querySelector(".bp-picker");
    const key = this.data.titles.join("\n");
    if (select.__bpKey === key) return;
    select.__bpKey = key;
    select.replaceChildren(...this.data.titles.map((title, k) => new Option(title, String(k))));
  }

  ask(action) {  // the server's turn: one message
    clearTimeout(this.timer);
    this.trigger("action", { ...action, at: this.data.ids[this.index] });
  }

  step(offset) {
    const page = this.data.stages[this.index];
    if (offset > 0 && page.hidden && this.data.blank) return this.ask({ kind: "reveal" });  // the press reveals
    this.go(this.index + offset, "push");
  }

  go(index, history) {
    index = Math.max(0, Math.min(index, this.last));
    if (index === this.index && history !== null) return this.show(index, null);
    if (index >= this.shipped || this.data.server_steps) return this.ask({ kind: "go", to: index });
    this.show(index, history);
  }

  show(index, history) {
    const page = this.data.stages[index];
    const t0 = performance.now();
    this.index = index;
    const $ = (selector) => this.root.querySelector(selector);
    text($(".bp-title"), page.heading);
    text($(".bp-explanation"), page.explanation);
    fill($(".bp-formula"), tex(page.formula));
    fill($(".bp-shapes"), page.shapes && this.data.form === "matrix" ? tex("\\small " + page.shapes) : "");
    fill($(".bp-substituted"), tex("\\small " + page.substituted));
    text($(".bp-code"), page.code);
    $(".bp-reveal").hidden = !(page.hidden && this.data.blank);
    text($(".bp-hidden-note"), page.hidden && this.data.tables ? "The tables of this stage are hidden until Reveal." : "");
    fill($(".bp-tables"), page.tables.map((table) => `<div class="bp-table-box">${table}</div>`).join(""));
    fill($(".bp-after"), page.after.map((m) => `<div class="bp-metric"><div>${m.label}</div><b>${m.value}</b>`
      + `<span class="${m.good ? "bp-good" : "bp-bad"}">${m.delta}</span></div>`).join(""));
    fill($(".bp-check"), page.check ? `<b>Gradient check</b>: backprop against the central difference `
      + `[E(w + ε) − E(w − ε)] / 2ε${page.check.table}<p class="bp-small">${page.check.verdict}</p>` : "");
    fill($(".bp-compare"), this.comparison(page));
    fill($(".bp-graph-table"), page.graph_table);
    const legend = [this.data.legend ? `${page.caption}. ${this.data.legend}` : "",
      page.marked ? "Dotted vermillion: differs from the correct step." : ""];
    text($(".bp-caption"), legend.filter(Boolean).join(" "));
    text($(".bp-narration"), page.narration.join(" "));  // a change is what a screen reader announces
    $(".bp-narration").classList.toggle("bp-visually-hidden", !this.data.narration);
    $(".bp-prev").disabled = index === 0;
    $(".bp-next").disabled = index === this.last && !(page.hidden && this.data.blank);
    $(".bp-picker").value = String(index);
    document.body.dataset.bpStage = page.id;
    this.graph(page);
    this.inspect();
    if (history) {
      const url = stageUrl(page.id);
      if (history === "push") window.history.pushState(window.history.state, "", url);
      else window.history.replaceState(window.history.state, "", url);
    }
    window.__bpLastPaint = performance.now() - t0;
    this.root.dispatchEvent(new CustomEvent("bp-stage", { detail: { index, id: page.id } }));
  }

  comparison(page) {
    if (!page.compare) return "";
    if (page.compare.same) return '<p class="bp-small">This stage\'s numbers are the same as in the correct step.</p>';
    return `<b>Correct vs with the mistake</b><div class="bp-pair"><div><p class="bp-small">Correct</p>`
      + `${tex(page.compare.correct)}</div><div><p class="bp-small">With the mistake</p>`
      + `${tex(page.compare.mistaken)}</div></div>${page.compare.table}`;
  }

  graph(page) {  // each stage's graph is drawn once (ahead, while idle) and kept: a step only shows it
    const box = this.root.querySelector(".bp-graph");
    const width = box.clientWidth;  // read before the swap: no layout forced in between
    const plot = this.plot(box, page);
    if (this.shown && this.shown !== plot && this.shown.parentNode === box) this.shown.classList.add("bp-aside");
    plot.classList.remove("bp-aside");
    if (box.firstElementChild !== plot) box.prepend(plot);  // the page's first graph is the shown one
    this.shown = plot;
    if (plot.__bpWidth !== width) {  // the column changed since it was drawn
      plot.__bpWidth = width;
      const figure = this.fitted(box, page.figure);
      window.Plotly.react(plot, figure.data, figure.layout, CONFIG(page.id));
    }
  }

  plot(box, page) {  // the stage's drawn graph, drawn now if the idle time has not reached it yet
    if (this.plots.version !== this.data.version) {
      for (const old of box.querySelectorAll(".bp-plot")) window.Plotly.purge(old);
      box.replaceChildren();
      this.plots = Object.assign(new Map(), { version: this.data.version });
    }
    if (this.plots.has(page.id)) return this.plots.get(page.id);
    const plot = document.createElement("div");
    const aside = box.childElementCount > 0;  // drawn beside the shown one, unseen, then put away
    plot.className = aside ? "bp-plot bp-drawing" : "bp-plot";
    box.append(plot);
    const figure = this.fitted(box, page.figure);
    window.Plotly.newPlot(plot, figure.data, figure.layout, CONFIG(page.id));
    plot.__bpWidth = box.clientWidth;
    if (aside) plot.classList.replace("bp-drawing", "bp-aside");  // keep Plotly's own js-plotly-plot class
    plot.on("plotly_click", (event) => {
      const unit = (event.points || []).map((p) => p.customdata).find((c) => typeof c === "string");
      if (unit) { this.unit = unit; this.inspect(); }
    });
    this.plots.set(page.id, plot);
    return plot;
  }

  fitted(box, figure) {  // the whole graph scaled to its column: smaller on a phone, larger on a projector
    const layout = figure.layout;
    let scale = box.clientWidth / layout.xaxis.range[1];  // laid out for this width: wider only moves centres apart
    if (this.data.lecture && scale > 1) {  // larger as far as the screen's height allows, never smaller for it
      const room = window.innerHeight - box.getBoundingClientRect().top - TABLES_ROOM;
      scale = Math.max(1, Math.min(scale, room / layout.height));
    }
    scale = Math.floor(100 * (this.data.lecture ? scale : Math.min(1, scale))) / 100;
    return scale > 0.3 && Math.abs(scale - 1) >= 0.02 ? zoomed(figure, scale) : figure;
  }

  inspect() {
    const box = this.root.querySelector(".bp-inspector");
    const unit = this.unit && this.data.units[this.unit];
    box.hidden = !unit;
    if (!unit) return;
    const lines = unit.lines.filter(([, at]) => at <= this.index);
    this.root.querySelector(".bp-inspector-title").textContent = `How ${unit.label} was computed so far`;
    const chain = (unit.chain || []).filter(([, , at]) => at <= this.index);
    const chainHtml = chain.length
      ? `<p class="bp-chain-title"><strong>The chain rule at ${escaped(unit.label)}</strong></p>` + chain.map(([item, kind]) =>
        kind === "tex" ? `<div>${tex(item, false)}</div>` : `<p class="bp-small">${escaped(item)}</p>`).join("")
      : "";
    fill(this.root.querySelector(".bp-inspector-lines"), (lines.length
      ? lines.map(([line]) => `<div>${tex(line, false)}</div>`).join("")
      : '<p class="bp-small">Nothing computed at this unit yet: step forward.</p>') + chainHtml);
  }

  schedule() {
    clearTimeout(this.timer);
    if (!this.data.autoplay) return;
    this.timer = setTimeout(() => {
      const page = this.data.stages[this.index];
      if (this.index >= this.last && !(page.hidden && this.data.blank)) return this.ask({ kind: "pause" });
      this.step(1);
      if (this.index < this.shipped && !this.data.server_steps) this.schedule();
    }, this.data.speed * 1000);
  }

  onKey(event) {
    if (!this.root || !this.root.isConnected) return;
    if (event.altKey || event.ctrlKey || event.metaKey || MODIFIERS.has(event.key)) return;
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    if (typing(target)) return;
    const move = STEP[event.key] || 0;
    if (move) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
    if (this.data.autoplay) {  // any key pauses auto-play (one message: the server keeps the switch)
      this.data.autoplay = false;
      clearTimeout(this.timer);
      return this.ask({ kind: "pause" });
    }
    if (move) this.step(move);
  }

  onLeave(event) {  // about to use another part of the page: the server learns the stage first (one message)
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    if (!this.root || !this.root.isConnected || !target || !target.closest || target.closest(".bp-walk")) return;
    const id = this.data.ids[this.index];
    if (id === this.told) return;
    this.told = id;
    if (window.__bpRemember) window.__bpRemember("stage", id);  // walk_view.stage_sync, in the main script
  }

  onPop(event) {  // Back/Forward that only change the stage: turn the page here, Streamlit need not rerun
    if (!this.root || !this.root.isConnected) return;
    const id = new URLSearchParams(window.location.search).get("stage");
    const index = this.data.ids.indexOf(id);
    if (othersOf(window.location.search) !== othersOf(this.data.search) || index < 0 || index >= this.shipped) return;
    event.stopImmediatePropagation();
    this.show(index, null);
  }
}

const unpacked = new Map();  // version → the walk Python packed (walk.py packed()): unpacked once per version

async function unpack(text) {  // base64 → gzip → JSON
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return JSON.parse(await new Response(stream).text());
}

function withWalk(data) {  // the walk's pages beside this run's switches (index, autoplay, …)
  const { walk, ...rest } = data;
  return { ...unpacked.get(data.version), ...rest };
}

// Streamlit calls this again with new data on every rerun, without the cleanup in between.
export default function ({ data, parentElement, setTriggerValue }) {
  const walk = window.__backpropWalk || (window.__backpropWalk = new Walk());
  const root = parentElement.querySelector(".bp-walk");
  walk.latest = root;  // the newest mount's root, known before its pages are unpacked
  const call = (walk.calls = (walk.calls || 0) + 1);
  const mount = () => {
    if (window.__backpropWalk !== walk || walk.calls !== call) return;  // unmounted, or a newer run came meanwhile
    document.body.classList.toggle("bp-spotlight", data.spotlight);
    document.body.classList.toggle("bp-lecture", data.lecture);
    walk.mount(root, withWalk(data), setTriggerValue);
  };
  if (unpacked.has(data.version)) mount();
  else {
    unpack(data.walk).then((pages) => {
      if (unpacked.size > 1) unpacked.delete(unpacked.keys().next().value);  // this walk and the one before
      unpacked.set(data.version, pages);
      mount();
    });
  }
  return () => {
    if (walk.latest !== root) return;  // a new mount (the Lecture toggle moves the walk) already took the walk over
    clearTimeout(walk.timer);
    window.removeEventListener("keydown", walk.onKey, true);
    window.removeEventListener("popstate", walk.onPop, true);
    window.removeEventListener("pointerdown", walk.onLeave, true);
    window.removeEventListener("focusin", walk.onLeave, true);
    walk.observer.disconnect();
    document.body.classList.remove("bp-spotlight", "bp-lecture");
    delete document.body.dataset.bpStage;
    window.__backpropWalk = null;
  };
}
