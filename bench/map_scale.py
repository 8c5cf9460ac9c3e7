"""Benchmark: a large parcel layer on the map, the naive path against the atlas's path.

    python -m bench.map_scale [--sizes 1000,10000,100000] [--no-browser]

For each N it generates realistic parcels (bench/parcels.py), writes them as the
importers do (GeoParquet with bbox covering and per-zoom geometry), and measures
side by side, in the same run:

- server time per rerun: what st_folium costs in Python each run (map build,
  layer JSON, Leaflet script), in process, median of 3;
- bytes sent: the script and feature-group JSON st_folium hands the browser;
- when /usr/bin/chromium exists: time from opening the page until the layer is
  drawn, through a real `streamlit run` (bench/scale_app.py), and for the
  optimised path the time to redraw after a pan (a rerun);

then the real app (dashboard/app.py) with the 100k layer loaded: cold start,
a state-level view, a pan, and a catalog filter change. It prints a table and
ends with `ratio naive/optimised at 100k: X.Xx` (server time plus draw time
where measured). Nothing here is a test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import warnings
from pathlib import Path

import folium
from streamlit_folium import _get_feature_group_string, generate_leaflet_string

from bench.parcels import parcels
from dashboard import assets, mapview, verbatim
from dashboard.render.text import esc
from dashboard.render.view import view_bounds
from geodata.importers.output import write_layer
from geodata.layers.index import LayerIndex
from geodata.layers.store import read_layer

ROOT = Path(__file__).resolve().parent.parent
warnings.filterwarnings("ignore")


STATE_VIEW = (34.2, -106.0, 6)  # New Mexico: a state-level view
PAN_VIEW = (39.3, -111.6, 6)  # Utah: where a pan lands
MAP_PX = (1200, 700)
PAN_JS = f"void window.map.setView([{PAN_VIEW[0]}, {PAN_VIEW[1]}], {PAN_VIEW[2]}, {{animate: false}})"
CHROMIUM = "/usr/bin/chromium"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(ln for ln in meminfo if ln.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores{mem}, {system}, Python {platform.python_version()}"


def base_map(view) -> folium.Map:
    m = assets.localise(folium.Map(location=[view[0], view[1]], zoom_start=view[2], tiles=None))
    m.options.update(min_zoom=3, max_zoom=18)
    return m


def payload_naive(gdf, view) -> tuple[float, int]:
    """One naive run: the whole layer in one folium.GeoJson with a tooltip, stock folium/branca."""
    verbatim.uninstall()
    try:
        return _payload_naive(gdf, view)
    finally:
        verbatim.install()


def _payload_naive(gdf, view) -> tuple[float, int]:
    t = time.perf_counter()
    m = base_map(view)
    folium.GeoJson(
        gdf[["unit_name", "manager", "gis_acres", "geometry"]],
        tooltip=folium.GeoJsonTooltip(["unit_name", "manager", "gis_acres"]),
    ).add_to(m)
    m.get_root().render()
    script = generate_leaflet_string(m)
    return time.perf_counter() - t, len(script.encode())


def payload_optimised(idx: LayerIndex, view) -> tuple[float, int, int, int]:
    """One optimised run: the view's slice of the index, as the app sends it."""
    t = time.perf_counter()
    m = base_map(view)
    m.get_root().render()
    script = generate_leaflet_string(m)
    part = idx.view(view_bounds(view[0], view[1], view[2], *MAP_PX), view[2])
    fg = mapview.imported_group("bench", part.geojson, [esc(f) for f in idx.fields], "#8c510a")
    fg_js = _get_feature_group_string(fg, m, 0)
    return time.perf_counter() - t, len(script.encode()) + len(fg_js.encode()), part.shown, part.total


def median_of(fn, runs: int = 3):
    results = [fn() for _ in range(runs)]
    order = sorted(range(runs), key=lambda i: results[i][0])
    return results[order[runs // 2]]


# ------------------------------------------------------------------ browser


def browser_available() -> bool:
    return os.path.exists(CHROMIUM)


def map_frame(page):
    """The st_folium iframe (page.frame(url=...) misses it in this Playwright/Chromium pair)."""
    handle = page.query_selector('iframe[title="streamlit_folium.st_folium"]')
    return handle.content_frame() if handle else None


def wait_drawn(page, previous: int, timeout_s: float) -> float:
    """Seconds until window.__atlasDrawn (in the map frame) passes `previous`."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        frame = map_frame(page)
        if frame is not None:
            try:
                if (frame.evaluate("window.__atlasDrawn || 0") or 0) > previous:
                    return time.perf_counter() - start
            except Exception:  # the frame is being replaced
                pass
        time.sleep(0.02)
    raise TimeoutError(f"not drawn within {timeout_s:.0f} s")


def drawn_count(page) -> int:
    frame = map_frame(page)
    return frame.evaluate("window.__atlasDrawn || 0") if frame else 0


def last_logged(log: Path, kind: str) -> float | None:
    if not log.exists():
        return None
    values = [float(line.split()[1]) for line in log.read_text().splitlines() if line.startswith(kind)]
    return values[-1] if values else None


def browser_bench(layer: Path, mode: str, chromium, timeout_s: float) -> dict:
    from tests.browser import StreamlitServer

    log = Path(tempfile.mkstemp(suffix=".log")[1])
    env = {
        "BENCH_MODE": mode,
        "BENCH_LAYER": str(layer),
        "BENCH_LOG": str(log),
        "BENCH_VIEW": ",".join(map(str, STATE_VIEW)),
    }
    server = StreamlitServer(env=env, script=ROOT / "bench" / "scale_app.py")
    try:
        page = chromium.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server.url, wait_until="domcontentloaded")  # warm-up: caches, server modules
        wait_drawn(page, 0, timeout_s)
        page.close()
        page = chromium.new_page(viewport={"width": 1400, "height": 900})
        t = time.perf_counter()
        page.goto(server.url, wait_until="domcontentloaded")
        wait_drawn(page, 0, timeout_s)
        first = time.perf_counter() - t
        out = {"first_draw": first, "server_logged": last_logged(log, mode)}
        if mode == "optimised":
            before = drawn_count(page)
            frame = map_frame(page)
            t = time.perf_counter()
            frame.evaluate(PAN_JS)
            wait_drawn(page, before, timeout_s)
            out["pan_draw"] = time.perf_counter() - t
            out["server_logged_pan"] = last_logged(log, mode)
        page.close()
        return out
    finally:
        server.stop()
        log.unlink(missing_ok=True)


def app_bench(layer: Path, chromium) -> dict:
    """The real app with the layer imported: cold start, state view, pan, catalog filter change."""
    from tests.browser import MAP_FRAME, StreamlitServer

    home = Path(tempfile.mkdtemp(prefix="bench-home-"))
    (home / "layers").mkdir()
    try:
        os.link(layer, home / "layers" / "bench.parquet")
    except OSError:  # another file system
        (home / "layers" / "bench.parquet").write_bytes(layer.read_bytes())
    log = home / "timing.log"
    t = time.perf_counter()
    server = StreamlitServer(env={"GEODATA_HOME": str(home), "GEODATA_TIMING_LOG": str(log)})
    health = time.perf_counter() - t
    try:
        page = chromium.new_page(viewport={"width": 1500, "height": 1200})
        t = time.perf_counter()
        page.goto(server.url + "?basemap=none", wait_until="domcontentloaded")
        page.frame_locator(MAP_FRAME).locator("path.atlas-site").first.wait_for(state="attached", timeout=120_000)
        cold_catalog = time.perf_counter() - t
        wait_drawn(page, 0, 120)
        out = {"health": health, "cold_catalog": cold_catalog, "cold_total": health + cold_catalog}
        page.close()
        page = chromium.new_page(viewport={"width": 1500, "height": 1200})
        lat, lon, z = STATE_VIEW
        t = time.perf_counter()
        page.goto(server.url + f"?basemap=none&lat={lat}&lon={lon}&z={z}", wait_until="domcontentloaded")
        wait_drawn(page, 0, 120)
        out["state_view_draw"] = time.perf_counter() - t
        time.sleep(1.0)
        out["state_view_server"] = last_logged(log, "app")
        frame = map_frame(page)
        before = drawn_count(page)
        t = time.perf_counter()
        frame.evaluate(PAN_JS)
        wait_drawn(page, before, 120)
        out["pan_draw"] = time.perf_counter() - t
        time.sleep(1.0)
        out["pan_server"] = last_logged(log, "app")
        # a catalog filter change, layer hidden: the curated catalog view alone
        page.get_by_text("bench (").first.click()  # the layer's checkbox in the sidebar
        time.sleep(2.0)
        sites = page.frame_locator(MAP_FRAME).locator("path.atlas-site")
        n_before = sites.count()
        box = page.get_by_role("combobox", name="Project phase")
        box.click()
        page.keyboard.type("Context")
        t = time.perf_counter()
        page.get_by_role("option", name="Context", exact=False).first.click()
        while sites.count() == n_before and time.perf_counter() - t < 30:
            time.sleep(0.01)
        map_frame(page).evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        out["catalog_filter_draw"] = time.perf_counter() - t
        time.sleep(1.0)
        out["catalog_server"] = last_logged(log, "app")
        page.close()
        return out
    finally:
        server.stop()


def fmt_s(v) -> str:
    return "—" if v is None else (f"{v * 1000:,.0f} ms" if v < 1 else f"{v:,.2f} s")


def fmt_b(n) -> str:
    return f"{n / 2**20:,.1f} MB" if n >= 2**20 else f"{n / 1024:,.0f} KB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--timeout", type=float, default=240, help="seconds to wait for a naive draw")
    ap.add_argument(
        "--app-only",
        action="store_true",
        help="only the real-app figures, with a layer of the largest size (needs chromium)",
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    use_browser = browser_available() and not args.no_browser
    print(f"machine: {machine()}")
    print(
        f"view: state-level (New Mexico, zoom {STATE_VIEW[2]}), map {MAP_PX[0]}x{MAP_PX[1]} px; "
        f"browser: {'headless ' + CHROMIUM if use_browser else 'not measured'}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    if args.app_only:
        if not use_browser:
            raise SystemExit("--app-only needs /usr/bin/chromium")
        from tests.browser import browser

        layer = tmp / f"parcels_{max(sizes)}.parquet"
        write_layer(parcels(max(sizes)), layer)
        with browser() as chromium:
            print_app(app_bench(layer, chromium))
        return
    rows, totals, app = [], {}, None
    chromium_ctx = None
    if use_browser:
        from tests.browser import browser

        chromium_ctx = browser()
        chromium = chromium_ctx.__enter__()
    try:
        for n in sizes:
            gdf = parcels(n)
            layer = tmp / f"parcels_{n}.parquet"
            t = time.perf_counter()
            write_layer(gdf, layer)
            write_s = time.perf_counter() - t
            t = time.perf_counter()
            idx = LayerIndex.from_file(layer, "bench", value=esc)  # as the app opens a layer
            index_s = time.perf_counter() - t
            loaded = read_layer(layer, with_bands=False)
            naive_s, naive_b = median_of(lambda g=loaded: payload_naive(g, STATE_VIEW))
            opt_s, opt_b, shown, total = median_of(lambda i=idx: payload_optimised(i, STATE_VIEW))
            nb = ob = {}
            if use_browser:
                nb = browser_bench(layer, "naive", chromium, args.timeout)
                ob = browser_bench(layer, "optimised", chromium, args.timeout)
            rows.append((n, "naive", naive_s, naive_b, n, nb.get("first_draw"), None, nb.get("server_logged")))
            rows.append(
                (
                    n,
                    "optimised",
                    opt_s,
                    opt_b,
                    shown,
                    ob.get("first_draw"),
                    ob.get("pan_draw"),
                    ob.get("server_logged_pan"),
                )
            )
            totals[n] = (naive_s + (nb.get("first_draw") or 0), opt_s + (ob.get("first_draw") or 0))
            print(
                f"  N={n:,}: written as GeoParquet in {fmt_s(write_s)}, loaded and indexed in {fmt_s(index_s)}; "
                f"{total:,} parcels in the view, {shown:,} drawn",
                flush=True,
            )
            if n == max(sizes) and use_browser:
                app = app_bench(layer, chromium)
    finally:
        if chromium_ctx is not None:
            chromium_ctx.__exit__(None, None, None)
    print()
    head = (
        f"{'N':>8}  {'path':<10} {'server/rerun':>13} {'bytes sent':>11} {'features':>9} {'first draw':>11} "
        f"{'pan redraw':>11} {'server (app log)':>17}"
    )
    print(head)
    print("-" * len(head))
    for n, path, s, b, feats, first, pan, logged in rows:
        print(
            f"{n:>8,}  {path:<10} {fmt_s(s):>13} {fmt_b(b):>11} {feats:>9,} {fmt_s(first):>11} {fmt_s(pan):>11} "
            f"{fmt_s(logged):>17}"
        )
    print()
    for n, (naive, opt) in totals.items():
        print(f"N={n:,}: naive {fmt_s(naive)} vs optimised {fmt_s(opt)} (server + first draw): {naive / opt:.1f}x")
    if app:
        print_app(app)
    big = max(totals)
    print()
    print(f"ratio naive/optimised at {big // 1000}k: {totals[big][0] / totals[big][1]:.1f}x")


def print_app(app: dict) -> None:
    print()
    print("real app (dashboard/app.py) with the largest layer imported:")
    print(
        f"  cold start: server ready {fmt_s(app['health'])} + first page with the catalog drawn "
        f"{fmt_s(app['cold_catalog'])} = {fmt_s(app['cold_total'])}"
    )
    print(
        f"  state-level view drawn {fmt_s(app['state_view_draw'])} (page open to canvas painted); "
        f"server run {fmt_s(app['state_view_server'])}"
    )
    print(f"  pan to another state: redrawn {fmt_s(app['pan_draw'])}; server run {fmt_s(app['pan_server'])}")
    print(
        f"  catalog view (layer hidden, phase filter changed): redrawn {fmt_s(app['catalog_filter_draw'])}; "
        f"server run {fmt_s(app['catalog_server'])}"
    )


if __name__ == "__main__":
    main()
