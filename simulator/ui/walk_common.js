// What the walk (walk.js) and a phone in a live class (phone.js) both need: Streamlit's own KaTeX and
// Plotly.js, loaded from the page's bundle, and a graph scaled as a whole to its column.

function moduleUrl(name) {
  const index = document.querySelector('script[src*="static/js/index"]');
  return new URL(name, index ? index.src : new URL("static/js/", document.baseURI)).href;
}

// Streamlit's own KaTeX and Plotly.js, already in the browser's cache, fetched side by side: the walk shows a
// stage's text once KaTeX is in and its graph once Plotly is (evaluating and compiling Plotly is over a second
// of a page's main thread).
async function katex(data) {
  if (!window.__bpKatex) window.__bpKatex = (await import(moduleUrl(data.katex))).default;
}

async function plotly(data) {
  if (!window.Plotly) await import(moduleUrl(data.plotly));
}

async function libraries(data) {
  await Promise.all([katex(data), plotly(data)]);
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
