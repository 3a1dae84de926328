// The walk: the browser turns the pages Python computed once per scenario (simulator/views/walk.py).
// Prev/Next/Reset/End, the picker, the clicker keys, auto-play, Back/Forward and a click on a unit all
// change the shown stage here, with no message to the server. A step past what was sent (blank the
// answer, the quiz, or out of a large network's window of stages: data.first to the last sent) or a
// Reveal asks the server, which sends the next piece.
//
// Paint: every part of the page that changes with the stage (graph, formulas, code, tables…) holds one
// piece per stage, in place and skipped by `content-visibility: hidden` until shown. Each is built, drawn
// and laid out once while the page is idle, the shown stage's neighbours first (reading a size inside a
// skipped piece lays it out, unseen, and the browser keeps that layout). A step hides one piece and shows
// another in each part: nothing is parsed, drawn or measured (docs/walk.md, "Paint").
// (STEP, MODIFIERS, typing and svgButton come first, from simulator/ui/keys.py; moduleUrl, katex, plotly and
// zoomed from walk_common.js.)

// Not Plotly's "responsive": its ResizeObserver would redraw a graph each time it is shown (its box grows
// from 0 high); the walk redraws the shown graph itself when the column's width changes.
const CONFIG = (id) => ({ displayModeBar: true, displaylogo: false, modeBarButtons: [["toImage"]], responsive: false,
  toImageButtonOptions: { format: "png", scale: 2, filename: `backprop-${id}` } });
const TABLES_ROOM = 200;  // px kept under a lecture graph for the stage's tables (3 rows and a caption)
const NEAR = 1;  // stages each side of the shown one drawn ahead at once (walk.prepare)
const QUIET = 3000;  // ms without a step before the other stages are drawn ahead too
const AWAY = "bp-away";  // walk.css: a piece put aside, skipped (content-visibility: hidden), its layout kept
const cache = new Map();  // LaTeX → KaTeX's HTML: a formula shown in two stages is rendered once
const idle = window.requestIdleCallback || ((work) => setTimeout(() => work({ timeRemaining: () => 8 }), 40));

// A display formula is a .bp-display (walk.css styles it exactly as KaTeX styles .katex-display); only the
// shown stage's formulas also carry .katex-display, so the page's formula fitting (style.py) and anyone
// looking for "the formula" find the shown ones, never the 11 put aside.
function tex(latex, display = true) {
  const key = (display ? "D" : "I") + latex;
  if (!cache.has(key)) {
    const html = window.__bpKatex.renderToString(latex, { displayMode: display, throwOnError: false });
    cache.set(key, display ? html.replace('class="katex-display', 'class="bp-display') : html);
  }
  return cache.get(key);
}

const scratch = document.createElement("div");
function escaped(words) {  // our own sentences as text, never markup
  scratch.textContent = words;
  return scratch.innerHTML;
}

function text(element, words) {  // a text node's data changes: no child list mutation for observers to chase
  const node = element.firstChild;
  if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) {
    if (node.data !== words) node.data = words;
  } else if (element.textContent !== words) {
    element.textContent = words;
  }
  if (element.hidden !== !words) element.hidden = !words;
}

function set(element, property, value) {  // the same value twice would still invalidate style
  if (element[property] !== value) element[property] = value;
}

function comparison(page) {
  if (!page.compare) return "";
  if (page.compare.same) return '<p class="bp-small">This stage\'s numbers are the same as in the correct step.</p>';
  return `<b>Correct vs with the mistake</b><div class="bp-pair"><div><p class="bp-small">Correct</p>`
    + `${tex(page.compare.correct)}</div><div><p class="bp-small">With the mistake</p>`
    + `${tex(page.compare.mistaken)}</div></div>${page.compare.table}`;
}

const FORMULAS = ["formula", "shapes", "substituted", "compare"];  // the parts that hold display formulas

// Each part of the page (walk.html's data-part) as HTML for one stage; "" leaves the part empty.
const PARTS = {
  explanation: (page) => escaped(page.explanation),
  formula: (page) => tex(page.formula),
  shapes: (page, data) => (page.shapes && data.form === "matrix" ? tex("\\small " + page.shapes) : ""),
  substituted: (page) => tex("\\small " + page.substituted),
  code: (page) => escaped(page.code),
  after: (page) => page.after.map((m) => `<div class="bp-metric"><div>${escaped(m.label)}</div>`
    + `<b>${escaped(m.value)}</b><span class="${m.good ? "bp-good" : "bp-bad"}">${escaped(m.delta)}</span></div>`).join(""),
  check: (page) => (page.check ? `<b>Gradient check</b>: backprop against the central difference `
    + `[E(w + ε) − E(w − ε)] / 2ε${page.check.table}<p class="bp-small">${page.check.verdict}</p>` : ""),
  compare: comparison,
  caption: (page, data) => escaped([data.legend ? `${page.caption}. ${data.legend}` : "",
    page.marked ? "Dotted vermillion: differs from the correct step." : ""].filter(Boolean).join(" ")),
  tables: (page, data) => (page.hidden && data.tables
    ? '<p class="bp-small">The tables of this stage are hidden until Reveal.</p>' : "")
    + page.tables.map((table) => `<div class="bp-table-box">${table}</div>`).join(""),
  "graph-table": (page) => page.graph_table,
};

function fit(pieces) {  // a display formula wider than its column scaled down (never below 9 px), as style.py does
  const found = pieces.flatMap((piece) => [...piece.querySelectorAll(".bp-display > .katex")]);
  for (const formula of found) formula.style.fontSize = "";
  const sizes = found.map((formula) => {  // all reads, then all writes: one layout
    const box = formula.parentNode, room = box.clientWidth, need = box.scrollWidth - 2;  // less KaTeX's strut
    // scaled to the whole width, strut included: to the strut-less one, the last digit stayed 2 px outside
    return room && need > room ? Math.max(9, Math.floor(parseFloat(getComputedStyle(formula).fontSize) * room / (need + 2) * 10) / 10) : 0;
  });
  found.forEach((formula, k) => { if (sizes[k]) formula.style.fontSize = `${sizes[k]}px`; });
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
    this.urls = [];  // URL writes not made yet: [history, stage id], made after the paint (address)
    this.pages = [];  // per stage: its pieces, part → element, and its drawn graph (for this.built)
    this.ready = null;  // the version whose every stage has been drawn ahead
    this.width = 0;  // the graph column's width, kept by a ResizeObserver: a step never measures
    this.onKey = this.onKey.bind(this);
    this.onPop = this.onPop.bind(this);
    this.onLeave = this.onLeave.bind(this);
    window.addEventListener("keydown", this.onKey, true);
    window.addEventListener("pointerdown", this.onLeave, true);
    window.addEventListener("focusin", this.onLeave, true);
    window.addEventListener("popstate", this.onPop, true);
    this.observer = new MutationObserver(() => svgButton());
    this.observer.observe(document.body, { childList: true, subtree: true });
    this.resized = new ResizeObserver((entries) => this.resize(entries[entries.length - 1].contentRect.width));
    this.parted = new ResizeObserver((entries) => this.narrowed(entries));
  }

  get last() { return this.data.count - 1; }
  get first() { return this.data.first || 0; }  // the first stage sent (a large network's walk: a window)
  get shipped() { return this.first + this.data.stages.length; }  // one past the last stage sent
  sent(index) { return index >= this.first && index < this.shipped; }
  page(index) { return this.data.stages[index - this.first]; }

  mount(root, data, trigger) {
    const fresh = !this.data || data.index !== this.data.index || data.version !== this.data.version;
    if (root !== this.root || data.version !== this.built) this.clear(root, data.version);
    this.trigger = trigger;
    if (fresh) this.told = data.ids[data.index];  // the stage the server knows
    this.data = data;
    if (fresh || !this.sent(this.index)) this.index = data.index;
    if (!root.__bpWired) this.wire(root);
    this.picker();
    const graphs = plotly(data);
    katex(data).then(() => { this.show(this.index, null); this.schedule(); return graphs; })
      .then(() => { this.graph(this.index, this.width || this.box.clientWidth); this.prepare(); });
  }

  clear(root, version) {  // a new scenario or view: every piece goes, the graphs' listeners with them
    for (const page of this.pages) if (page && page.plot) window.Plotly.purge(page.plot);
    for (const slot of root.querySelectorAll("[data-part], .bp-graph")) {
      slot.replaceChildren();
      slot.__bpShown = null;
    }
    this.root = root;
    this.built = version;
    this.pages = [];
    this.job = null;
    clearTimeout(this.quiet);
    this.slots = Object.fromEntries([...root.querySelectorAll("[data-part]")].map((s) => [s.dataset.part, s]));
    this.box = root.querySelector(".bp-graph");
    this.width = 0;
    this.scale = null;
    this.resized.disconnect();
    this.resized.observe(this.box);
    this.parted.disconnect();
    for (const part of FORMULAS) if (this.slots[part]) this.parted.observe(this.slots[part]);
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
    // A pointer press on a step button does not give it the focus: focusing it restyled every :focus-within
    // ancestor of the page in the same frame as the new stage. A field that had the focus still loses it (so
    // the clicker keys step, and the field's value is committed as before). Tab still reaches the buttons.
    root.querySelector(".bp-strip").addEventListener("mousedown", (event) => {
      if (!event.target.closest("button")) return;
      event.preventDefault();
      const focused = document.activeElement;
      if (focused && focused !== document.body && !root.contains(focused)) focused.blur();
    });
    root.querySelector(".bp-picker").addEventListener("change", (event) => {
      event.target.blur();  // the clicker keys step again at once (a focused <select> keeps them)
      this.go(Number(event.target.value), "push");
    });
  }

  // Stages drawn ahead while the page is idle: the shown stage's neighbours after every step (the next press finds
  // its stage built), the others only once the page has been QUIET a while (a visit that looks at one stage never
  // draws the other eleven graphs). A jump (End, the picker) to a stage not drawn yet draws it then.
  prepare() {
    if (!window.Plotly || !this.root || this.ready === this.built) return;
    const job = (this.job = {}), built = this.built, from = this.index;
    clearTimeout(this.quiet);
    const near = (k) => 2 * Math.abs(k - from) - (k > from);  // the next stage, the previous, the one after…
    const order = [...this.data.stages.keys()].map((k) => k + this.first).filter((k) => k !== from)
      .sort((a, b) => near(a) - near(b));
    const soon = order.filter((k) => Math.abs(k - from) <= NEAR), later = order.filter((k) => Math.abs(k - from) > NEAR);
    this.drawAhead(job, soon, () => {
      this.quiet = setTimeout(() => this.drawAhead(job, later, () => { this.ready = built; }), QUIET);
    });
  }

  drawAhead(job, stages, done) {  // these stages' pieces built and laid out unseen, in idle time; then done()
    const page = (k) => this.pages[k] || {};
    const work = stages.flatMap((k) => [
      ...(page(k).parts ? [] : [() => this.ahead(Object.values(this.pieces(k)))]),
      ...(page(k).plot ? [] : [() => this.ahead([this.plot(k)])]),
    ]);
    const next = (deadline) => {
      if (job !== this.job || !this.root.isConnected) return;  // a step since: the new stage's neighbours first
      if (work.length) work.shift()();  // one piece of work per idle time at least, more while it lasts
      while (work.length && deadline.timeRemaining() > 4) work.shift()();
      if (work.length) idle(next);
      else done();
    };
    if (work.length) idle(next);
    else done();
  }

  ahead(pieces) {  // pieces built aside, laid out now while they are skipped: their formulas fitted
    fit(pieces);
    for (const piece of pieces) {
      const inside = piece.querySelector(".main-svg") || piece.firstElementChild;
      if (inside) inside.getBoundingClientRect();  // a size read inside a skipped piece lays it out, unseen
      if (this.width) piece.__bpFitted = this.width;  // before the column's width is known: fitted when shown
    }
  }

  pieces(index) {  // stage index's piece in every part, put aside; built now if the idle time has not reached it
    const page = (this.pages[index] ||= {});
    if (page.parts) return page.parts;
    page.parts = {};
    for (const [part, html] of Object.entries(PARTS)) {
      const piece = document.createElement("span");  // a span: valid in the <p> and <pre> parts too
      piece.className = `bp-piece ${AWAY}`;
      const inner = html(this.page(index), this.data);
      if (inner) piece.innerHTML = `<div class="bp-in">${inner}</div>`;  // the part's box: skipped while aside
      page.parts[part] = piece;
      this.slots[part].append(piece);
    }
    return page.parts;
  }

  plot(index, shown = false) {  // stage index's graph, drawn once (ahead, while idle, put aside) and kept
    const page = (this.pages[index] ||= {});
    if (page.plot) return page.plot;
    const stage = this.page(index);
    const plot = document.createElement("div");
    plot.className = `bp-plot bp-piece ${AWAY}`;
    this.box.append(plot);
    if (shown) this.swap(this.box, plot);
    const figure = this.fitted(stage.figure);
    window.Plotly.newPlot(plot, figure.data, figure.layout, CONFIG(stage.id));
    plot.__bpWidth = this.box.clientWidth;
    plot.on("plotly_click", (event) => {
      const unit = (event.points || []).map((p) => p.customdata).find((c) => typeof c === "string");
      if (unit) { this.unit = unit; this.inspect(); }
    });
    page.plot = plot;
    return plot;
  }

  swap(slot, piece) {  // one piece put aside (skipped, layout kept), another shown
    const old = slot.__bpShown;
    if (old === piece) return;
    if (old) {
      old.classList.add(AWAY);
      for (const formula of old.__bpDisplays || []) formula.classList.remove("katex-display");
    }
    piece.classList.remove(AWAY);
    piece.__bpDisplays ||= [...piece.getElementsByClassName("bp-display")];
    for (const formula of piece.__bpDisplays) formula.classList.add("katex-display");
    slot.__bpShown = piece;
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
    this.written();
    this.trigger("action", { ...action, at: this.data.ids[this.index] });
  }

  step(offset) {
    const page = this.page(this.index);
    if (offset > 0 && page.hidden && this.data.blank) return this.ask({ kind: "reveal" });  // the press reveals
    this.go(this.index + offset, "push");
  }

  go(index, history) {
    index = Math.max(0, Math.min(index, this.last));
    if (index === this.index && history !== null) return this.show(index, null);
    if (!this.sent(index) || this.data.server_steps) return this.ask({ kind: "go", to: index });
    this.show(index, history);
  }

  // Only swaps: the column's width comes from a ResizeObserver, the URL is written after the paint (address).
  show(index, history) {
    const t0 = performance.now();
    const page = this.page(index), $ = (selector) => this.root.querySelector(selector);
    this.address(history, page.id);
    const width = this.width || this.box.clientWidth;
    this.index = index;
    const parts = this.pieces(index);
    for (const part in parts) this.swap(this.slots[part], parts[part]);
    if (window.Plotly) this.graph(index, width);  // before Plotly is in, the text alone (mount draws the graph)
    text($(".bp-title"), page.heading);
    text($(".bp-narration"), page.narration.join(" "));  // a change is what a screen reader announces
    $(".bp-narration").classList.toggle("bp-visually-hidden", !this.data.narration);
    set($(".bp-reveal"), "hidden", !(page.hidden && this.data.blank));
    // aria-disabled, not disabled: Streamlit's tabs watch `disabled` below them and answer each change with a walk
    // of the whole panel for a focusable element (a forced layout: 8 ms on the first Next). A press at an end steps
    // nowhere (go clamps it).
    set($(".bp-prev"), "ariaDisabled", String(index === 0));
    set($(".bp-next"), "ariaDisabled", String(index === this.last && !(page.hidden && this.data.blank)));
    set($(".bp-picker"), "value", String(index));
    // Take this step shows at the update only (walk.css): the body's attribute changes there alone, since any change
    // of it sends the browser through the whole page looking for that one element.
    const apply = page.id === "apply";
    if (document.body.hasAttribute("data-bp-apply") !== apply) document.body.toggleAttribute("data-bp-apply", apply);
    if (this.unit) this.inspect();
    // Pieces built for this show (the first stage, a jump past the ones drawn ahead) are fitted before their first
    // paint: fitted after it, a loaded page showed its wide formulas cut off until the next frame came (seconds, once).
    const unfitted = Object.values(parts).filter((piece) => piece.__bpFitted === undefined);
    if (unfitted.length) fit(unfitted);
    for (const piece of unfitted) piece.__bpFitted = width;
    this.refit(Object.values(parts), width);
    window.__bpLastPaint = performance.now() - t0;
    this.prepare();
    this.root.dispatchEvent(new CustomEvent("bp-stage", { detail: { index, id: page.id } }));
  }

  // The URL follows the stage once the frame that shows it is out: a same-document navigation done in the step
  // cost its frame the URL's update and the browser's look at the page's icons (an SVG decoded per step, docs/walk.md
  // "Round 6"). Writes keep their order; anything that talks to the server or reads the URL writes them first.
  address(history, id) {
    if (!history) return;
    this.urls.push([history, id]);
    if (this.urls.length === 1) requestAnimationFrame(() => setTimeout(() => this.written()));
  }

  written() {  // the pending URL writes made now
    for (const [history, id] of this.urls.splice(0)) {
      if (history === "push") window.history.pushState(window.history.state, "", stageUrl(id));
      else window.history.replaceState(window.history.state, "", stageUrl(id));
    }
  }

  resize(width) {  // the column's width, kept for the steps; the shown graph drawn again at a new one (debounced)
    this.width = width;
    const plot = this.box.__bpShown;
    if (!plot || Math.abs(plot.__bpWidth - width) <= 1) return;
    clearTimeout(this.redraw);
    this.redraw = setTimeout(() => { if (this.box.__bpShown === plot) this.graph(this.index, this.width); }, 100);
  }

  // A part's own column can change width while the graph's does not (the page's layout settling under load): its
  // shown formulas are fitted again in the next frame, the others when next shown (before their paint). A step
  // changes the parts' heights only, which this passes over.
  narrowed(entries) {
    const changed = entries.filter((entry) => {
      const slot = entry.target, width = Math.round(entry.contentRect.width), was = slot.__bpWidth;
      slot.__bpWidth = width;
      return was !== width;
    }).map((entry) => entry.target);
    if (!changed.length) return;
    requestAnimationFrame(() => {  // not inside the observer: a fit changes the part's height, a loop for it
      for (const slot of changed) {
        for (const piece of slot.children) if (piece !== slot.__bpShown) delete piece.__bpFitted;
        if (slot.__bpShown) fit([slot.__bpShown]);
      }
    });
  }

  refit(pieces, width) {  // pieces fitted at another width (a resize since) are fitted again after the paint
    if (pieces.every((piece) => Math.abs(piece.__bpFitted - width) <= 1)) return;
    requestAnimationFrame(() => setTimeout(() => {
      fit(pieces);
      for (const piece of pieces) piece.__bpFitted = width;
    }));
  }

  graph(index, width) {
    const plot = this.plot(index, true);
    this.swap(this.box, plot);
    if (Math.abs(plot.__bpWidth - width) > 1) {  // the column changed since it was drawn: drawn again, once
      plot.__bpWidth = width;
      const figure = this.fitted(this.page(index).figure);
      window.Plotly.react(plot, figure.data, figure.layout, CONFIG(this.page(index).id));
    }
  }

  fitted(figure) {  // the whole graph scaled to its column: smaller on a phone, larger on a projector
    const width = this.box.clientWidth;
    if (!this.scale || Math.abs(this.scale.width - width) > 1) {  // one scale for every stage: the graph never jumps
      const layout = figure.layout;
      let scale = width / layout.xaxis.range[1];  // laid out for this width: wider only moves centres apart
      if (this.data.lecture && scale > 1) {  // larger as far as the screen's height allows, never smaller for it
        const room = window.innerHeight - this.box.getBoundingClientRect().top - TABLES_ROOM;
        scale = Math.max(1, Math.min(scale, room / layout.height));
      }
      this.scale = { width, value: Math.floor(100 * (this.data.lecture ? scale : Math.min(1, scale))) / 100 };
    }
    const scale = this.scale.value, fit = scale > 0.3 && Math.abs(scale - 1) >= 0.02 ? zoomed(figure, scale) : figure;
    return { data: fit.data, layout: { ...fit.layout, width } };  // drawn at the column's width, not Plotly's 700
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
    const html = (lines.length
      ? lines.map(([line]) => `<div>${tex(line, false)}</div>`).join("")
      : '<p class="bp-small">Nothing computed at this unit yet: step forward.</p>') + chainHtml;
    const element = this.root.querySelector(".bp-inspector-lines");
    if (element.__bpHtml !== html) {
      element.innerHTML = html;
      element.__bpHtml = html;
    }
  }

  schedule() {
    clearTimeout(this.timer);
    if (!this.data.autoplay) return;
    this.timer = setTimeout(() => {
      const page = this.page(this.index);
      if (this.index >= this.last && !(page.hidden && this.data.blank)) return this.ask({ kind: "pause" });
      this.step(1);
      if (this.sent(this.index) && !this.data.server_steps) this.schedule();
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
    this.written();
    if (id === this.told) return;
    this.told = id;
    if (window.__bpRemember) window.__bpRemember("stage", id);  // walk_view.stage_sync, in the main script
  }

  onPop(event) {  // Back/Forward that only change the stage: turn the page here, Streamlit need not rerun
    if (!this.root || !this.root.isConnected) return;
    this.urls = [];  // the browser moved in the history: a write still pending would add an entry after it
    const id = new URLSearchParams(window.location.search).get("stage");
    const index = this.data.ids.indexOf(id);
    if (othersOf(window.location.search) !== othersOf(this.data.search) || !this.sent(index)) return;
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
    clearTimeout(walk.quiet);
    walk.job = null;
    window.removeEventListener("keydown", walk.onKey, true);
    window.removeEventListener("popstate", walk.onPop, true);
    window.removeEventListener("pointerdown", walk.onLeave, true);
    window.removeEventListener("focusin", walk.onLeave, true);
    walk.observer.disconnect();
    walk.resized.disconnect();
    walk.parted.disconnect();
    for (const page of walk.pages) if (page && page.plot) window.Plotly.purge(page.plot);
    document.body.classList.remove("bp-spotlight", "bp-lecture");
    document.body.removeAttribute("data-bp-apply");
    window.__backpropWalk = null;
  };
}
