"""Helpers for real-browser tests: a `streamlit run` server on a free port, and Chromium."""

import contextlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from appdb import accounts

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SCREENSHOTS = REPO / "tests" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    env: dict[str, str], timeout: float = 60, secrets: Path | None = None, port: int | None = None
):
    """Serve dashboard/app.py with extra environment; yield its base URL.

    Streamlit reads its secrets from `secrets` only (an empty file when None), never from
    a developer's own .streamlit/secrets.toml: that could switch sign-in to their provider.
    """
    port = port or free_port()
    empty = tempfile.NamedTemporaryFile("w", suffix=".toml")  # noqa: SIM115 - closed below
    cmd = [
        sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
        "--server.port", str(port), "--server.headless", "true",
        "--secrets.files", str(secrets or empty.name),
    ]  # fmt: skip
    log = open(REPO / "tests" / f".server-{port}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **env}, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        Path(log.name).unlink(missing_ok=True)
        empty.close()


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


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the app's script has finished running."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)


def map_colour_share(page) -> float:
    """Share of the map canvas's pixels that are coloured (not white or transparent)."""
    canvas = page.locator("canvas.maplibregl-canvas").first
    if canvas.count() == 0:
        return 0.0
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB").resize((64, 64))
    pixels = np.asarray(image).reshape(-1, 3)
    return float((pixels <= 245).any(axis=1).mean())


def wait_for_map(page, timeout_s: float = 40) -> None:
    """Wait until the WebGL map canvas has drawn the provinces in colour."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if map_colour_share(page) > 0.05:
            return
        page.wait_for_timeout(500)
    raise TimeoutError("the map canvas never showed colour")


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    box.locator("input").click()
    page.locator('[role="option"]').filter(has_text=option).first.click()
    wait_idle(page)


def add_account(app_db: Path, name: str, role: str, password: str) -> None:
    """Create a local account in the app database a test server will use."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COVERAGE_APP_DB", str(app_db))
        accounts.add(name, role, password)


@contextlib.contextmanager
def served_with_account(store_file: Path, folder: Path, user: str, role: str, password: str):
    """Serve the app on a store, with an app database holding one local account."""
    app_db = folder / "app.sqlite"
    add_account(app_db, user, role, password)
    with streamlit_server({"COVERAGE_DB": str(store_file), "COVERAGE_APP_DB": str(app_db)}) as url:
        yield url


def sign_in(page, user: str, password: str) -> None:
    """Sign in through the app's form and wait for the signed-in app."""
    page.get_by_label("Username", exact=True).fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Sign out").wait_for(timeout=30_000)
    wait_idle(page)
