"""Benchmark: how soon the catalog map is drawn, cold and warm, in Debian's chromium.

    python -m bench.page_open [--runs 5]

- cold start: from launching the app as the README does (`python -m dashboard`) to the first page with the
  catalog drawn
  (the browser is already running; the page is requested as soon as the server answers);
- warm: from asking for the page to the catalog drawn, the server already up (median and range of --runs).

"Drawn" is the first site outline in the map's frame. Targets: warm <= 2.5 s, cold <= 3 s.
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import urllib.request

from bench.map_scale import machine
from tests.browser import MAP_FRAME, StreamlitServer, browser


def drawn(page, url: str) -> float:
    t = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.frame_locator(MAP_FRAME).locator("path.atlas-site").first.wait_for(state="attached", timeout=120_000)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    with browser() as b:
        warmup = b.new_page()
        warmup.goto("about:blank")
        t0 = time.perf_counter()
        server = StreamlitServer(env={"GEODATA_HOME": tempfile.mkdtemp(prefix="bench-home-")})
        ready = time.perf_counter() - t0
        try:
            page = b.new_page(viewport={"width": 1280, "height": 720})
            first = drawn(page, server.url + "?basemap=none")
            cold = ready + first
            page.close()
            warm = []
            for _ in range(args.runs):
                page = b.new_page(viewport={"width": 1280, "height": 720})
                warm.append(drawn(page, server.url + "?basemap=none"))
                page.close()
            with urllib.request.urlopen(server.url + "_stcore/health", timeout=5):
                pass
        finally:
            server.stop()
    print(f"cold start: process start -> catalog map drawn  {cold:.2f} s  (server ready {ready:.2f} s)  target <= 3 s")
    print(
        f"warm: page open -> catalog map drawn  median {statistics.median(warm):.2f} s  "
        f"(min {min(warm):.2f}, max {max(warm):.2f}, {len(warm)} runs)  target <= 2.5 s"
    )


if __name__ == "__main__":
    main()
