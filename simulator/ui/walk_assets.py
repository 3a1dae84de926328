"""The walk's code and styles, served once per browser from the app's own route instead of with every mount.

A Components v2 component carries its ``js`` and ``css`` inside every message that mounts it: the walk's
60 KB of code and styles (KaTeX's rules, ``walk.css``, ``walk_common.js``, ``walk.js``) went out again with
every edit, 81 KiB a time over the websocket for a 13 KiB walk. Here they are two files at
``/bp-walk/<hash>/…``, named by a hash of their text, so a browser fetches them once and keeps them (a new
version has a new name); the component's own code is :data:`LOADER`, which fetches them (the styles first,
so the walk never shows unstyled) and hands each mount to ``walk.js``. The routes join the server's in
``streamlit_app.py`` (``st.App(routes=…)``), as the live class's do.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .keys import HELPERS

_HERE = Path(__file__).parent
CSS = (_HERE / "katex.css").read_text() + (_HERE / "walk.css").read_text()  # KaTeX 0.18 rules first: walk.css wins
JS = HELPERS + (_HERE / "walk_common.js").read_text() + (_HERE / "walk.js").read_text()
VERSION = hashlib.sha256((CSS + "\0" + JS).encode()).hexdigest()[:16]
JS_PATH, CSS_PATH = f"/bp-walk/{VERSION}/walk.js", f"/bp-walk/{VERSION}/walk.css"
KEEP = "public, max-age=31536000, immutable"  # the name changes with the text

# The component's code: resolves the two files against the page's own address (as the phone's routes are,
# so a base path or a proxy in front keeps working), loads the styles, imports walk.js once per page (the
# browser's module map keeps it), and passes every mount on in order; until then the walk's frame stays
# invisible. Streamlit calls a component again with new data on each rerun: each call waits its turn.
LOADER = (
    "const FILES = "
    + json.dumps({"js": JS_PATH.lstrip("/"), "css": CSS_PATH.lstrip("/")})
    + r""";
function walkCode() {  // one load per page and version (a server updated under an open page sends a new one)
  if (!window.__bpWalkCode || window.__bpWalkFiles !== FILES.js) {
    window.__bpWalkFiles = FILES.js;
    const url = (path) => new URL(path, window.location.href).href;
    const styled = new Promise((done) => {
      const css = url(FILES.css);
      if ([...document.querySelectorAll("link[data-bp-walk]")].some((l) => l.href === css && l.sheet)) return done();
      const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href: css });
      link.dataset.bpWalk = "";
      link.onload = () => {  // an older version's styles go once these apply
        for (const old of document.querySelectorAll("link[data-bp-walk]")) if (old !== link) old.remove();
        done();
      };
      link.onerror = () => done();
      document.head.append(link);
    });
    window.__bpWalkCode = styled.then(() => import(url(FILES.js))).then((module) => module.default);
    window.__bpWalkCode.catch(() => { window.__bpWalkCode = null; });  // offline for a moment: the next run tries again
  }
  return window.__bpWalkCode;
}
export default function (args) {
  let cleanup = null, gone = false;
  const root = args.parentElement.querySelector(".bp-walk");
  walkCode().then((mount) => {
    if (gone) return;
    root?.classList.add("bp-styled");
    args.parentElement.querySelector(".bp-walk-failed")?.remove();
    cleanup = mount(args);
  }).catch(() => {
    if (gone || args.parentElement.querySelector(".bp-walk-failed")) return;
    const note = Object.assign(document.createElement("p"), { className: "bp-walk-failed" });
    note.textContent = "The stages could not be loaded (the connection dropped?). Reload the page to try again.";
    args.parentElement.prepend(note);
  });
  return () => { gone = true; if (cleanup) cleanup(); };
}
"""
)
HIDDEN_UNTIL_STYLED = ".bp-walk:not(.bp-styled) { visibility: hidden; }"


async def _code(request: Request) -> Response:
    return Response(JS, media_type="text/javascript", headers={"Cache-Control": KEEP})


async def _styles(request: Request) -> Response:
    return Response(CSS, media_type="text/css", headers={"Cache-Control": KEEP})


def routes() -> list[Route]:
    """The walk's two files, for ``st.App(routes=…)``."""
    return [Route(JS_PATH, _code, methods=["GET"]), Route(CSS_PATH, _styles, methods=["GET"])]
