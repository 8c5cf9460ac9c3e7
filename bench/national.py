"""National scale, both backends side by side: 1,000,000 parcels in the data folder's files and in PostGIS.

    python -m bench.national                   # 1,000,000 parcels (about 15-25 minutes on 2 cores)
    python -m bench.national --parcels 100000  # a quicker check

For each backend: the import (`geodata import file … -o` vs `--to db`) in its
own process, timed, with its peak memory; then the real app (streamlit) on that
backend in headless Chromium: the server time of a state-level view and of a
pan (from GEODATA_TIMING_LOG), pan to redrawn as the browser sees it, the app
process's peak memory, and 8 browser sessions panning at once (median and 95th
percentile of the server time of their runs). The PostgreSQL server is a local
throwaway one (geodata.db.local) in a temporary folder. The last line is the
summary. Not run by the tests or CI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.map_scale import PAN_JS, STATE_VIEW, drawn_count, machine, map_frame, wait_drawn

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("state_server", "pan_server", "pan_draw", "concurrent_median", "concurrent_p95", "rss")
BACK_JS = f"void window.map.setView([{STATE_VIEW[0]}, {STATE_VIEW[1]}], {STATE_VIEW[2]}, {{animate: false}})"


def timed_child(args: list[str], env: dict) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, output) of a child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{out[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, out


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def logged(log: Path, start: int = 0) -> list[float]:
    if not log.exists():
        return []
    return [float(x.split()[1]) for x in log.read_text().splitlines()[start:] if x.startswith("app ")]


def settle(log: Path, quiet: float = 1.0, timeout: float = 60) -> None:
    """Wait until the app has logged no run for `quiet` seconds (st_folium's bounds report starts one)."""
    n, since, deadline = len(logged(log)), time.perf_counter(), time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        time.sleep(0.1)
        m = len(logged(log))
        if m != n:
            n, since = m, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            return


def app_figures(env: dict, log: Path, chromium, sessions: int, pans: int) -> dict:
    from tests.browser import StreamlitServer

    server = StreamlitServer(env={**env, "GEODATA_TIMING_LOG": str(log)})
    lat, lon, z = STATE_VIEW
    url = server.url + f"?basemap=none&lat={lat}&lon={lon}&z={z}"
    try:
        page = chromium.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(url, wait_until="domcontentloaded")  # warm-up: opens the layer, fills caches
        wait_drawn(page, 0, 600)
        settle(log)
        page.close()
        out = {}
        page = chromium.new_page(viewport={"width": 1500, "height": 1000})
        start = len(logged(log))
        page.goto(url, wait_until="domcontentloaded")
        wait_drawn(page, 0, 600)
        settle(log)
        out["state_server"] = max(logged(log, start))  # the run that drew the state view (the slowest of the load)
        pan_server, pan_draw = [], []
        for k in range(3):
            before, start = drawn_count(page), len(logged(log))
            t = time.perf_counter()
            map_frame(page).evaluate(PAN_JS if k % 2 == 0 else BACK_JS)
            wait_drawn(page, before, 300)
            pan_draw.append(time.perf_counter() - t)
            settle(log)
            pan_server.append(max(logged(log, start)))
        out["pan_server"] = statistics.median(pan_server)
        out["pan_draw"] = statistics.median(pan_draw)
        page.close()
        # sessions at once: each pans back and forth; every run they cause is logged
        pages = []
        for _ in range(sessions):
            p = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
            p.goto(url, wait_until="domcontentloaded")
            pages.append(p)
        for p in pages:
            wait_drawn(p, 0, 600)
        settle(log, quiet=2.0)
        start = len(logged(log))
        t = time.perf_counter()
        for k in range(pans):
            before = [drawn_count(p) for p in pages]
            for p in pages:  # all at once: setView returns at once, the reruns overlap on the server
                map_frame(p).evaluate(PAN_JS if k % 2 == 0 else BACK_JS)
            for p, b in zip(pages, before, strict=True):
                wait_drawn(p, b, 300)
        settle(log, quiet=2.0)
        runs = sorted(logged(log, start))
        out["concurrent_wall"] = time.perf_counter() - t
        out["concurrent_runs"] = len(runs)
        out["concurrent_median"] = statistics.median(runs)
        out["concurrent_p95"] = runs[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))]
        out["rss"] = peak_rss_mb(server.proc.pid)
        for p in pages:
            p.context.close()
        return out
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--pans", type=int, default=6, help="pans per session in the concurrent test")
    args = ap.parse_args()
    from geodata.db import local
    from tests.browser import browser, require_chromium

    reason = local.missing_reason()
    if reason:
        raise SystemExit(f"needs PostgreSQL with PostGIS: {reason}")
    require_chromium()
    n = args.parcels
    work = Path(tempfile.mkdtemp(prefix="bench-national-", dir="/tmp"))
    os.chmod(work, 0o755)
    print(f"machine: {machine()}")
    print(f"{n:,} parcels; state view: New Mexico at zoom {STATE_VIEW[2]}; {args.sessions} sessions x {args.pans} pans")
    try:
        t = time.perf_counter()
        source = work / "parcels-source.parquet"
        # in a child: a child forked from a bench process holding the generated layer would count that
        # memory as its own peak (ru_maxrss includes the image from before exec), as the first 1M run did
        generate = f"from bench.parcels import parcels; parcels({n}).to_parquet({str(source)!r})"
        subprocess.run([sys.executable, "-c", generate], cwd=ROOT, check=True)
        print(
            f"generated the source layer in {time.perf_counter() - t:,.1f} s ({source.stat().st_size / 2**20:,.0f} MB)"
        )
        server = local.start(work / "pg")
        from geodata.db import schema

        schema.init(server.url)
        home = work / "home"
        (home / "layers").mkdir(parents=True)
        base = {k: v for k, v in os.environ.items() if k != "GEODATA_DATABASE_URL"}
        base["PYTHONPATH"] = str(ROOT)
        cli = [sys.executable, "-m", "geodata", "import", "file", str(source)]
        backends = {
            "file": ({**base, "GEODATA_HOME": str(home)}, [*cli, "-o", str(home / "layers" / "bench.parquet")]),
            "postgis": (
                {**base, "GEODATA_HOME": str(work / "empty-home"), "GEODATA_DATABASE_URL": server.url},
                [*cli, "--to", "db", "--name", "bench"],
            ),
        }
        results = {}
        with browser() as chromium:
            for name, (env, command) in backends.items():
                seconds, peak, _ = timed_child(command, env)
                print(f"{name}: import {seconds:,.1f} s, peak memory {peak:,.0f} MB")
                try:
                    figures = app_figures(env, work / f"{name}.log", chromium, args.sessions, args.pans)
                except TimeoutError as exc:  # a figure that could not be taken is reported, not guessed
                    print(f"{name}: app figures not taken: {exc}")
                    figures = dict.fromkeys(FIGURES, float("nan"))
                results[name] = {"import_s": seconds, "import_mb": peak, **figures}
                print(f"{name}: " + ", ".join(f"{k}={v:.3f}" for k, v in figures.items()))
        print()
        print(f"| {n:,} parcels | file | postgis |")
        print("| --- | --- | --- |")
        rows = [
            ("import (s)", "import_s", "{:,.1f}"),
            ("import peak memory (MB)", "import_mb", "{:,.0f}"),
            ("state view, server (ms)", "state_server", "ms"),
            ("pan, server (ms)", "pan_server", "ms"),
            ("pan to redrawn in Chromium (s)", "pan_draw", "{:,.2f}"),
            ("app peak memory (MB)", "rss", "{:,.0f}"),
            (f"{args.sessions} sessions panning: server median (s)", "concurrent_median", "{:,.2f}"),
            (f"{args.sessions} sessions panning: server p95 (s)", "concurrent_p95", "{:,.2f}"),
        ]
        for label, key, fmt in rows:
            cells = [
                f"{results[b][key] * 1000:,.0f}" if fmt == "ms" else fmt.format(results[b][key])
                for b in ("file", "postgis")
            ]
            print(f"| {label} | {cells[0]} | {cells[1]} |")
        f, p = results["file"], results["postgis"]
        p95 = max(f["concurrent_p95"], p["concurrent_p95"])
        print(
            f"national {n:,}: file server={f['state_server'] * 1000:.0f} ms pan={f['pan_draw']:.2f} s "
            f"rss={f['rss']:.0f} MB; postgis server={p['state_server'] * 1000:.0f} ms pan={p['pan_draw']:.2f} s "
            f"rss={p['rss']:.0f} MB; {args.sessions} sessions p95={p95:.2f} s"
        )
    finally:
        local.stop(work / "pg")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
