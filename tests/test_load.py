"""Under load: 20 browser sessions change filters on one server while a writer replaces the store.

The served store starts as demo version A (as of October 2026). A writer process builds
version B (another seed and size, as of November 2026) over it, and is stopped half-way
through its aggregates (holding the write lock, its private copy half-built) while
every session changes a filter; then it is let go and swaps B in while the sessions
change filters again; a last round runs after the swap. Each session must finish each
rerun without an error, and show the national covered count and the data date of one
version, A or B, never one from each; after the swap every session shows B. (Each build
draws its own record keys, so B's published counts are read from the store the writer
swapped in, once it has.)
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest

import browser
import i18n
from bench import bench_browser
from conftest import REPO
from data_access import reads
from demo import builder
from indicators import formatting
from store import storage

pytestmark = pytest.mark.browser

SESSIONS = 20
OCTOBER = dt.date(2026, 10, 31)
VERSIONS = {"A": (5, 4000, OCTOBER), "B": (6, 6000, dt.date(2026, 11, 30))}
SEXES = {"Women": "F", "Men": "M", "All": None}
KPI = '[data-testid="stMetric"]:has-text("Covered persons") [data-testid="stMetricValue"]'
# The script is idle and the covered-persons metric shows one of `values`.
SHOWS = """([idle, values]) => {
  const metric = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.includes('Covered persons'));
  const value = metric?.querySelector('[data-testid="stMetricValue"]')?.innerText;
  return !!document.querySelector(idle) && values.includes(value);
}"""


def expected(path, as_of: dt.date) -> dict:
    """What a session on October 2026 shows, per sex: data date caption, covered count."""
    con = storage.open_read(path)
    try:
        shown = {}
        for label, sex in SEXES.items():
            table = reads.load_coverage(con, reads.CoverageFilter(OCTOBER, sex=sex), 10)
            national = table.set_index("province_code").loc["KH"]
            shown[label] = formatting.kpi_text(national, "covered_count", "count", 10, "en")
        return {"date": f"Data as of {i18n.date_text(as_of, 'en')}", "covered": shown}
    finally:
        con.close()


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """The served store (version A), what A shows, and B's data date."""
    seed, people, as_of = VERSIONS["A"]
    path = tmp_path_factory.mktemp("load") / "coverage.duckdb"
    builder.build(people, seed=seed, as_of=as_of, path=path)
    b_date = f"Data as of {i18n.date_text(VERSIONS['B'][2], 'en')}"
    return path, {"A": expected(path, as_of), "B": {"date": b_date}}


def seen(page) -> tuple[str, str]:
    caption = page.locator('[data-testid="stSidebar"]').get_by_text("Data as of").inner_text()
    return caption.split(";")[0], page.locator(KPI).inner_text()


def settle(page, label: str, shown: dict, allowed: set[str]) -> str:
    """Wait for the rerun to show a covered count of that sex in an allowed version."""
    values = [shown[v]["covered"][label] for v in allowed]
    page.wait_for_function(SHOWS, arg=[browser.IDLE, values], timeout=90_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert all("Demo data" in a for a in alerts), alerts  # the demo banner, nothing else
    date, covered = seen(page)
    match = [
        v
        for v in sorted(allowed)
        if (shown[v]["date"], shown[v]["covered"][label]) == (date, covered)
    ]
    assert match, f"a mix: {date!r} with {covered!r} ({label})"
    return match[0]


def round_of_changes(pages, label: str, shown: dict, allowed: set[str]) -> list[str]:
    """Every session changes the sex filter at once; the versions they then show."""
    for page in pages:
        bench_browser.pick(page, "Sex", label)
    return [settle(page, label, shown, allowed) for page in pages]


def start_writer(served, pause) -> subprocess.Popen:
    seed, people, as_of = VERSIONS["B"]
    cmd = [sys.executable, "-m", "dashboard", "demo", "--people", str(people),
           "--seed", str(seed), "--as-of", as_of.isoformat()]  # fmt: skip
    env = {**os.environ, "COVERAGE_DB": str(served), "COVERAGE_PAUSE_AT": "store.cube",
           "COVERAGE_PAUSE_FILE": str(pause)}  # fmt: skip
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL)


def wait_paused(writer: subprocess.Popen, pause) -> None:
    deadline = time.monotonic() + 120
    while not pause.exists():
        assert writer.poll() is None, "the writer ended before its pause"
        assert time.monotonic() < deadline, "the writer never paused"
        time.sleep(0.1)


def test_twenty_sessions_change_filters_while_a_writer_replaces_the_store(
    chromium, versions, tmp_path
):
    served, shown = versions
    app_db = tmp_path / "app.sqlite"
    browser.add_account(app_db, bench_browser.USER, "viewer", bench_browser.PASSWORD)
    env = {"COVERAGE_DB": str(served), "COVERAGE_APP_DB": str(app_db)}
    with browser.streamlit_server(env) as url:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(bench_browser.NO_WEBGL)
        pages = [context.new_page() for _ in range(SESSIONS)]
        bench_browser.sign_in_all(pages, url)
        assert {seen(p) for p in pages} == {(shown["A"]["date"], shown["A"]["covered"]["All"])}
        pause = tmp_path / "paused"
        writer = start_writer(served, pause)
        wait_paused(writer, pause)  # the writer holds the lock, its copy half-built
        # Readers are not locked out: every session reruns while the writer holds the lock.
        assert round_of_changes(pages, "Women", shown, {"A"}) == ["A"] * SESSIONS
        assert writer.poll() is None  # still stopped half-way
        os.kill(writer.pid, signal.SIGCONT)  # it finishes and swaps B in during this round
        for page in pages:
            bench_browser.pick(page, "Sex", "Men")
        assert writer.wait(120) == 0
        shown["B"] = expected(served, VERSIONS["B"][2])
        assert shown["B"]["covered"] != shown["A"]["covered"]
        assert all(settle(page, "Men", shown, {"A", "B"}) for page in pages)
        assert round_of_changes(pages, "All", shown, {"A", "B"}) == ["B"] * SESSIONS
        context.close()


def test_the_app_restarts_cleanly_after_being_killed(chromium, versions, tmp_path):
    served, shown = versions
    app_db = tmp_path / "app.sqlite"
    browser.add_account(app_db, bench_browser.USER, "viewer", bench_browser.PASSWORD)
    env = {"COVERAGE_DB": str(served), "COVERAGE_APP_DB": str(app_db)}
    for attempt in range(2):
        with bench_browser.serve("dashboard/app.py", env) as (url, pid):
            page = chromium.new_page()
            page.goto(url)
            browser.wait_idle(page)
            browser.sign_in(page, bench_browser.USER, bench_browser.PASSWORD)
            browser.wait_for_map(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert seen(page)[0] in {shown["A"]["date"], shown["B"]["date"]}
            if attempt == 0:
                os.kill(pid, signal.SIGKILL)  # no shutdown: its snapshot links stay behind
            page.close()
