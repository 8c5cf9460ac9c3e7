"""Helpers for browser tests: the real app server (`python -m dashboard`) on 127.0.0.1 and Debian's chromium.

Browser tests skip when /usr/bin/chromium is missing, except under CI (CI=true),
where they must run.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
ARTIFACTS = ROOT / "test-artifacts"


def require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium (.ci/run does)")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    def __init__(self, env: dict[str, str] | None = None, script: Path | None = None, poll_s: float = 0.3):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = ARTIFACTS / f"streamlit-{self.port}.log"
        ARTIFACTS.mkdir(exist_ok=True)
        full_env = {**os.environ, **(env or {})}
        self._log = open(self.log, "w")  # noqa: SIM115 - lives as long as the server
        # the app as the README starts it (python -m dashboard); another script with streamlit run
        start = ["-m", "streamlit", "run", str(script)] if script else ["-m", "dashboard"]
        self.proc = subprocess.Popen(
            [
                sys.executable,
                *start,
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=full_env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited; see {self.log}:\n{self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(self.url + "_stcore/health", timeout=2).status == 200:
                    return
            time.sleep(poll_s)
        self.stop()
        raise RuntimeError(f"streamlit did not answer on {self.url} within 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._log.close()


@contextlib.contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def wait_for(predicate, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last value {last!r})")


def wait_idle(page, quiet: float = 1.5, timeout: float = 60) -> None:
    """Wait until no script run has been in progress for `quiet` seconds.

    st_folium reports its first view back to the server, which starts another
    run; a click that lands during a run can be lost (a download button's
    deferred file is re-registered by every run), so clicks wait for calm.
    """
    running = page.locator("[data-test-script-state='running'], [data-test-script-state='initial']")
    deadline = time.time() + timeout
    calm_since = None
    while time.time() < deadline:
        if running.count():
            calm_since = None
        elif calm_since is None:
            calm_since = time.time()
        elif time.time() - calm_since >= quiet:
            return
        time.sleep(0.1)
    raise AssertionError(f"the app was still running after {timeout:.0f} s")


def open_app(page, server, query: str = ""):
    """Open the app and wait for the whole page: the map with its sites, then the filters and the tabs.

    `python -m dashboard` draws a session's first page map first and the rest a moment later, so a test
    that acted once the map was drawn could meet a sidebar still loading.
    """
    page.goto(server.url + (f"?{query}" if query else ""), wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.atlas-site").first.wait_for(state="attached", timeout=60_000)
    page.get_by_role("tab", name="Table").wait_for(timeout=60_000)
    return frame


def choose(page, label: str, option_text: str, exact: bool = True) -> None:
    """Pick an option in a sidebar multiselect by typing its text (opening "More filters" where it sits)."""
    page.get_by_role("button", name="Reset filters").wait_for(timeout=60_000)  # the whole sidebar is drawn
    box = page.get_by_role("combobox", name=label, exact=True)
    if not box.count():
        page.get_by_text("More filters", exact=False).first.click()
        box.wait_for(timeout=30_000)
    box.click()
    page.keyboard.type(option_text)
    page.get_by_role("option", name=option_text, exact=exact).first.click()
    page.keyboard.press("Escape")
