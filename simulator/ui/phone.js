// A student's phone in a live class (simulator/ui/live_student.py): follows the lecturer and takes the
// prediction with no Streamlit run. A Web Worker polls the class's version (live_poll.py's GET route); when
// it moves, one POST to `/view` brings what to show (simulator/live/phone.py builds it, the stage shared by
// every phone); Send is one POST to `/answer`, checked on the server by the quiz's reader. The tab's token
// (sessionStorage: kept across a reload and a failover to another replica) and what this phone typed stay
// here; the server keeps only an HMAC of the token and the answer's diagnosis.
// (moduleUrl, libraries, zoomed and POLL_WORKER come first: walk_common.js and live_poll.py.)

const TOKEN_KEY = "backprop-class-token";
const NICK_KEY = "backprop-class-nickname";
const RETRY_MS = 3000;  // a view that did not come (a replica going down) is asked for again after this long

function tabToken() {
  let token = sessionStorage.getItem(TOKEN_KEY);
  if (!/^[A-Za-z0-9_-]{32}$/.test(token || "")) {
    const bytes = crypto.getRandomValues(new Uint8Array(24));
    token = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
    sessionStorage.setItem(TOKEN_KEY, token);
  }
  return token;
}

function sentKey(code, question) {
  return `backprop-class-sent-${code}-${question}`;
}

function show(element, words) {  // our own words or the server's, always as text
  element.textContent = words || "";
  element.hidden = !words;
}

class Phone {
  constructor(root, data) {
    this.root = root;
    this.data = data;
    this.token = tabToken();
    this.version = null;
    this.room = null;
    this.asked = 0;
    this.part = (name) => root.querySelector(`[data-phone="${name}"]`);
    this.part("form").addEventListener("submit", (event) => { event.preventDefault(); this.send(); });
    const nick = this.part("nick");
    nick.value = localStorage.getItem(NICK_KEY) || "";
    nick.addEventListener("input", () => { localStorage.setItem(NICK_KEY, nick.value.slice(0, 40)); this.title(); });
    this.title();
  }

  title() {
    const nick = this.part("nick").value.trim().slice(0, 40);
    show(this.part("title"), `Class ${this.data.code}` + (nick ? ` · ${nick}` : ""));
  }

  async post(path, body) {
    const late = new AbortController();
    const stop = setTimeout(() => late.abort(), 10000);
    try {
      const answer = await fetch(new URL(path, window.location.href).href, { method: "POST", cache: "no-store",
        credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        signal: late.signal });
      return { status: answer.status, body: await answer.json() };
    } finally {
      clearTimeout(stop);
    }
  }

  async refresh() {  // what to show now: asked when the version moved (or at mount)
    this.asked = Date.now();
    let got;
    try {
      got = await this.post(this.data.view_url, { token: this.token, dark: this.data.dark });
    } catch (error) {
      return;  // offline or a replica going down: the next poll asks again
    }
    if (got.status === 404) {
      this.gone(got.body.message);
    } else if (got.status === 200 && (this.version === null || got.body.version >= this.version)) {
      await this.draw(got.body);
    }
  }

  polled(version) {  // from the worker
    if (version === null) { this.refresh(); return; }  // gone: the view says so in words
    if (version !== this.version && Date.now() - this.asked > (this.fetching ? RETRY_MS : 0)) {
      this.fetching = true;
      this.refresh().finally(() => { this.fetching = false; });
    }
  }

  gone(message) {  // the class ended or expired: its words, and nothing of the stage left on screen
    show(this.part("gone"), message || "This class has ended.");
    this.root.classList.add("bp-gone");
  }

  async draw(view) {
    this.version = view.version;
    show(this.part("heading"), view.stage.heading);
    this.drawRoom(view.room);
    show(this.part("explanation"), view.stage.explanation);
    await libraries(this.data);
    this.part("formula").innerHTML = this.tex(view.stage.formula);
    this.part("substituted").innerHTML = this.tex("\\small " + view.stage.substituted);
    this.graph(view.stage.figure);
  }

  tex(latex) {
    return window.__bpKatex.renderToString(latex, { displayMode: true, throwOnError: false })
      .replace('class="katex-display', 'class="bp-display');
  }

  graph(figure) {
    const box = this.part("graph"), width = box.clientWidth || 360;
    const scale = Math.floor(100 * Math.min(1, width / figure.layout.xaxis.range[1])) / 100;
    const fit = scale > 0.3 && Math.abs(scale - 1) >= 0.02 ? zoomed(figure, scale) : figure;
    window.Plotly.react(box, fit.data, { ...fit.layout, width }, { staticPlot: true, displayModeBar: false,
      responsive: false });
  }

  drawRoom(room) {
    const same = this.room && this.room.kind === room.kind && this.room.question === room.question;
    this.room = room;
    const form = this.part("form"), field = this.part("field");
    const sent = room.question ? sessionStorage.getItem(sentKey(this.data.code, room.question)) : null;
    show(this.part("follow"), room.kind === "follow" ? room.text : "");
    form.hidden = room.kind !== "open";
    show(this.part("tolerance"), room.kind === "open" ? room.tolerance : "");
    if (room.kind === "open") {
      show(this.part("label"), room.label);
      if (!same) { field.value = ""; show(this.part("said"), ""); }
    }
    show(this.part("sent"), sent && room.kind === "open" ? `Sent: ${sent.slice(0, 60)}` : "");
    const verdict = this.part("verdict");
    verdict.className = "bp-verdict " + (room.right === true ? "bp-right" : room.right === false ? "bp-wrong" : "bp-info");
    show(verdict, room.kind === "revealed" ? room.text : "");
    show(this.part("mine"), room.kind === "revealed" && sent ? `You sent ${sent.slice(0, 60)}` : "");
    if (room.kind !== "open") show(this.part("said"), "");
  }

  async send() {
    const room = this.room, field = this.part("field"), said = this.part("said");
    if (!room || room.kind !== "open") return;
    const text = field.value, button = this.part("send");
    button.disabled = true;
    said.className = "bp-said";
    show(said, "Sending…");
    let got;
    try {
      got = await this.post(this.data.answer_url, { token: this.token, question: room.question, text });
    } catch (error) {
      got = { status: 0, body: { ok: false, message: "Not sent: no connection to the class. Press Send again." } };
    } finally {
      button.disabled = false;
    }
    said.className = "bp-said " + (got.body.ok ? "bp-right" : "bp-wrong");
    show(said, got.body.message);
    if (got.body.ok) {
      sessionStorage.setItem(sentKey(this.data.code, room.question), text);
      show(this.part("sent"), `Sent: ${text.slice(0, 60)}`);
    }
  }
}

export default function ({ data, parentElement }) {
  const root = parentElement.querySelector(".bp-phone");
  if (!root.__bpPhone || root.__bpPhone.data.view_url !== data.view_url) {
    if (root.__bpPhone) root.__bpPhone.worker.terminate();
    const phone = new Phone(root, data);
    phone.worker = new Worker(URL.createObjectURL(new Blob([POLL_WORKER], { type: "text/javascript" })));
    phone.worker.onmessage = (event) => phone.polled(event.data);
    phone.worker.postMessage({ url: new URL(data.poll_url, window.location.href).href, period: data.period * 1000 });
    root.__bpPhone = phone;
    phone.refresh();
  }
  return () => { if (root.__bpPhone) { root.__bpPhone.worker.terminate(); root.__bpPhone = null; } };
}
