"""Browser part of the bench: the coverage page timed against the floor page, and 20 sessions.

Absolute browser times differ between machines, so the coverage page is measured against
the floor page (dashboard/bench_floor.py: one province choropleth_map and one table) in
the same run, on the same server machine and the same headless Chromium. Times are taken
on the page's own clock (performance.now): a probe script notes when plotly finishes
drawing a map figure (plotly_afterplot) and when the map then settles (MapLibre's `idle`
event, after its last frame). A render is done at the first `idle` after the last
afterplot of a map that follows the user's action:

- first render: from navigation to the map drawn. On the coverage page the time spent
  typing a user name and password is left out: navigation to the sign-in form, plus
  the sign-in click to the map drawn.
- filter change: from the click on an option to the map redrawn.

Each is a median over ROUNDS rounds in fresh browser contexts (cold browser cache), with
the floor and the coverage page taking turns so that machine load falls on both alike.
Needs playwright (dev dependency) and Debian's chromium.
"""

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import settings

# Rounds of each browser timing: with three, the same code's filter-change ratio read 1.62
# and 1.87 in two runs where seven rounds read 1.37 (7 December 2026).
ROUNDS = 5
CHROMIUM = os.environ.get("COVERAGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1500, "height": 1150}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
USER, PASSWORD = "bench", "floor-timing-passphrase"  # never the user name (accounts)
# Notes, on the page's clock, when a map figure is drawn and when its map settles.
PROBE = """
window.__bench = {after: [], idle: []};
const seen = new WeakSet();
function scan() {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const isMap = () => !!(gd._fullLayout && gd._fullLayout.map);
    if (gd.on && !seen.has(gd)) {
      seen.add(gd);
      gd.on('plotly_afterplot', () => {
        if (isMap()) window.__bench.after.push(performance.now());
      });
    }
    const sub = isMap() && gd._fullLayout.map._subplot;
    if (sub && sub.map && !seen.has(sub.map)) {
      seen.add(sub.map);
      sub.map.on('idle', () => window.__bench.idle.push(performance.now()));
    }
  }
  requestAnimationFrame(scan);
}
requestAnimationFrame(scan);
"""
# Once the script is idle and a map has been drawn after `since`, the page time of the last
# map event (afterplot or idle), provided the map has then been quiet for `quiet` ms:
# MapLibre settles before plotly's afterplot, and a resize may draw the figure again.
DRAWN = """([since, idleSelector, quiet]) => {
  const b = window.__bench;
  const after = b.after.filter(t => t > since);
  if (!after.length || !document.querySelector(idleSelector)) return null;
  const last = Math.max(...after, ...b.idle.filter(t => t > since));
  return performance.now() - last > quiet ? last : null;
}"""
QUIET_MS = 800


# For many sessions in one browser: pages draw no WebGL map, so that twenty maps rendered
# in software on two cores do not time (or load) the browser instead of the server.
NO_WEBGL = """
const getContext = HTMLCanvasElement.prototype.getContext;
HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
  return /webgl/i.test(type) ? null : getContext.call(this, type, ...rest);
};
"""


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(script: str, env: dict[str, str], timeout: float = 120) -> Iterator[tuple[str, int]]:
    """Run `streamlit run <script>` on a free port; yield its URL and process id."""
    port = _free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
        "--server.headless", "true", "--secrets.files", os.devnull,
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=settings.REPO_ROOT, env={**os.environ, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, timeout)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"streamlit not healthy at {url} after {timeout} s")


def _now(page) -> float:
    return page.evaluate("performance.now()")


def _drawn_after(page, since: float, timeout_s: float = 90) -> float:
    """Page time at which a map was drawn after `since`."""
    handle = page.wait_for_function(DRAWN, arg=[since, IDLE, QUIET_MS], timeout=timeout_s * 1000)
    return handle.json_value()


def _pick(page, box, option: str) -> float:
    """Open a select box, click `option`; return the page time of the click."""
    box.locator("input").click()
    item = page.locator('[role="option"]').filter(has_text=option).first
    item.wait_for()
    started = _now(page)
    item.click()
    return started


def time_floor(browser, url: str) -> tuple[float, float]:
    """Floor page: first render and filter change, in ms."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    page = context.new_page()
    try:
        page.goto(url)
        first = _drawn_after(page, 0)
        box = page.locator('[data-testid="stSelectbox"]').first
        clicked = _pick(page, box, "second")
        return first, _drawn_after(page, clicked) - clicked
    finally:
        context.close()


def sign_in(page) -> float:
    """Fill the sign-in form and click; return the page time of the click."""
    page.get_by_label("Username", exact=True).fill(USER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    started = _now(page)
    page.get_by_role("button", name="Sign in", exact=True).click()
    return started


def time_coverage(browser, url: str, change: tuple[str, str]) -> tuple[float, float]:
    """Coverage page: first render (typing left out) and one filter change, in ms."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    page = context.new_page()
    try:
        page.goto(url)
        page.get_by_label("Username", exact=True).wait_for()
        form_shown = _now(page)
        clicked = sign_in(page)
        first = form_shown + _drawn_after(page, clicked) - clicked
        label, option = change
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label)
        clicked = _pick(page, box, option)
        return first, _drawn_after(page, clicked) - clicked
    finally:
        context.close()


def _median(values: list[float]) -> float:
    return round(statistics.median(values))


def compare(store: Path, rounds: int = ROUNDS, change=("Occupation", "Tuk-tuk drivers")) -> dict:
    """Floor against coverage page on `store`: medians in ms and their ratios."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        env = _app_env(store, Path(folder))
        with (
            serve("dashboard/bench_floor.py", env) as (floor_url, _),
            serve("dashboard/app.py", env) as (app_url, _),
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            floor, app = [], []
            time_floor(browser, floor_url)  # warm-up: the servers' first imports are not timed
            time_coverage(browser, app_url, change)
            for _ in range(rounds):
                floor.append(time_floor(browser, floor_url))
                app.append(time_coverage(browser, app_url, change))
            browser.close()
    result = {
        "floor_first_ms": _median([f for f, _ in floor]),
        "floor_rerun_ms": _median([r for _, r in floor]),
        "coverage_first_ms": _median([f for f, _ in app]),
        "coverage_rerun_ms": _median([r for _, r in app]),
    }
    result["first_render_ratio"] = round(result["coverage_first_ms"] / result["floor_first_ms"], 2)
    result["filter_change_ratio"] = round(result["coverage_rerun_ms"] / result["floor_rerun_ms"], 2)
    return result


def _app_env(store: Path, folder: Path) -> dict[str, str]:
    """Environment of a bench server: the store, and an app database with the bench account."""
    from appdb import accounts

    app_db = folder / "app.sqlite"
    saved = os.environ.get("COVERAGE_APP_DB")
    os.environ["COVERAGE_APP_DB"] = str(app_db)
    try:
        accounts.add(USER, "viewer", PASSWORD)
    finally:
        if saved is None:
            os.environ.pop("COVERAGE_APP_DB")
        else:
            os.environ["COVERAGE_APP_DB"] = saved
    return {"COVERAGE_DB": str(store), "COVERAGE_APP_DB": str(app_db)}


def sign_in_all(pages, url: str) -> None:
    """Open the app in every page and sign them all in at once.

    force=True: no waiting for animation frames, which background tabs hardly get.
    """
    for page in pages:
        page.goto(url)
    busy = 180_000  # twenty tabs on two cores: a tab may wait long for its turn
    for page in pages:
        page.get_by_label("Username", exact=True).fill(USER, force=True, timeout=busy)
        page.get_by_label("Password", exact=True).fill(PASSWORD, force=True, timeout=busy)
        page.get_by_role("button", name="Sign in", exact=True).click(force=True, timeout=busy)
    for page in pages:
        page.get_by_role("button", name="Sign out").wait_for(timeout=180_000)
        page.wait_for_selector(IDLE, timeout=180_000)


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the select box labelled `label`, without waiting for the rerun."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).locator("input")
    choice = page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):  # a busy server can re-render the box while its list opens
        box.click(force=True, timeout=180_000)
        try:
            choice.wait_for(timeout=20_000)
            choice.click(force=True, timeout=20_000)  # the list may close again before it
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            continue
        return


def _memory_mb(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    values = {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith("Vm")}
    return {"peak_rss_mb": round(values["VmHWM"] / 1024), "rss_mb": round(values["VmRSS"] / 1024)}


CHANGES = [("Sex", "Women"), ("Age band", "25-34"), ("Sex", "Men"), ("Age band", "All")]


def app_memory(store: Path, sessions: int = 20) -> dict:
    """The app server's memory after `sessions` sessions signed in and changed filters."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        env = _app_env(store, Path(folder))
        with serve("dashboard/app.py", env) as (url, pid), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(NO_WEBGL)
            pages = [context.new_page() for _ in range(sessions)]
            started = time.perf_counter()
            sign_in_all(pages, url)
            for label, option in CHANGES:
                for page in pages:
                    pick(page, label, option)
                for page in pages:
                    page.wait_for_timeout(300)
                    page.wait_for_selector(IDLE, timeout=180_000)
            figures = _memory_mb(pid) | {"sessions": sessions}
            figures["seconds"] = round(time.perf_counter() - started)
            browser.close()
    return figures
