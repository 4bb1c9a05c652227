"""Loads the browser code of the app's elements while someone signs in, so the map draws sooner.

Streamlit's frontend fetches and runs the code of an element type only when the first
element of that type arrives: after the sign-in click, the map waited for the plotly
bundle (about 4.7 MB, most of a second of the browser's main thread) and the table,
filters and metrics for theirs, while the server was busy with the page. The sign-in
screen has the browser fetch and compile those modules at once, and run them when the
user starts filling in the form (first focus or key press), so that the work happens
while they type. A module URL is loaded and run once per page, so the frontend finds them
ready later. Nothing is read from the store or shown. A bundle missing from Streamlit's
build (another version) is skipped; tests/test_app_access.py checks the pinned one has all.
"""

import functools
import json
import re
from pathlib import Path

import streamlit as st

# The bundles of the element types the first page after sign-in shows, the map's first.
BUNDLES = (
    "PlotlyChart", "DataFrame", "Selectbox", "Multiselect", "Metric", "Slider",
    "DownloadButton", "ButtonGroup",
)  # fmt: skip
FOLDER = Path(st.__file__).parent / "static" / "static" / "js"
# Fetched and compiled at once with everything they import (modulepreload: no work on the
# page's main thread), run on the first focus or key press. Each is imported from the URL
# of Streamlit's own entry script, so that it is the very module the frontend imports later.
SCRIPT = """<script>
(() => {
  if (window.__elementPreload) return;
  window.__elementPreload = true;
  const entry = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!entry) return;
  const url = name => new URL(name, entry.src).href;
  for (const name of %s) {
    const link = Object.assign(document.createElement("link"), {rel: "modulepreload"});
    link.href = url(name);
    link.crossOrigin = "";
    document.head.appendChild(link);
  }
  const run = () => {
    document.removeEventListener("focusin", run, true);
    document.removeEventListener("keydown", run, true);
    for (const name of %s) import(url(name)).catch(() => {});
  };
  document.addEventListener("focusin", run, true);
  document.addEventListener("keydown", run, true);
})();
</script>"""
# A bundle's static imports: `import{a as b}from"./x.js"` or `import"./x.js"`.
STATIC_IMPORT = re.compile(r'import(?:\{[^}]*\}from)?"\./([\w.-]+\.js)"')


@functools.cache
def bundle_files() -> tuple[str, ...]:
    """File names of BUNDLES in the installed Streamlit's frontend, in order; missing skipped."""
    found = [sorted(FOLDER.glob(f"{name}.*.js")) for name in BUNDLES]
    return tuple(files[0].name for files in found if len(files) == 1)


@functools.cache
def module_files() -> tuple[str, ...]:
    """The bundles and every module they import, directly or not, the bundles first."""
    seen, todo = list(bundle_files()), list(bundle_files())
    while todo:
        text = (FOLDER / todo.pop()).read_text(encoding="utf-8", errors="replace")
        for name in STATIC_IMPORT.findall(text):
            if name not in seen and (FOLDER / name).is_file():
                seen.append(name)
                todo.append(name)
    return tuple(seen)


def render() -> None:
    """Render the (invisible) script that has the browser load the bundles."""
    if bundle_files():
        script = SCRIPT % (json.dumps(module_files()), json.dumps(bundle_files()))
        st.html(script, unsafe_allow_javascript=True, width="content")
