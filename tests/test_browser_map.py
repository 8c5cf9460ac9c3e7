"""Whole journeys on the map page in Debian's chromium: layout, wheel, clicks, filter pairs, offline reading."""

from __future__ import annotations

import json
import os
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard.layout import BOX_PX, MAP_PX
from dashboard.render.view import CONUS_BOX
from geodata.catalog.filters import Filters, apply_filters, facet_counts
from geodata.catalog.filterspec import SPEC
from geodata.catalog.load import LAYERS, load_catalog
from geodata.settings import SHIPPED_CATALOG

from .browser import ARTIFACTS, MAP_FRAME, ROOT, choose, open_app, wait_for, wait_idle

pytestmark = pytest.mark.browser

SCREENS = {"laptop": (1280, 720), "desktop": (1440, 900), "phone": (390, 844)}
SHOT_NAMES = {"laptop": "screenshot-1280x720.png", "desktop": "screenshot.png", "phone": "screenshot-390x844.png"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(SHIPPED_CATALOG)


# counts the map frame's loads from the page's own events: a frame rebuilt by a later run loads again
FRAME_LOADS = """
window.__mapFrameLoads = 0;
document.addEventListener('load', (e) => {
  if (e.target.tagName === 'IFRAME' && (e.target.title || '').includes('st_folium')) window.__mapFrameLoads++;
}, true);
"""


def new_page(chromium, size=(1280, 720)):
    ctx = chromium.new_context(viewport={"width": size[0], "height": size[1]})
    return ctx, ctx.new_page()


def map_window(page):
    return page.frame(url=lambda u: "streamlit_folium" in u)


def url_params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.evaluate("location.href")).query)


def metrics(page) -> dict[str, str]:
    """Each count over the map as the page shows it: label -> value."""
    out = {}
    for m in page.locator('[data-testid="stMetric"]').all():
        label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def located(df):
    return df[df.geometry.notna()]


def save_shot(page, name: str) -> None:
    """docs/ when ATLAS_UPDATE_SCREENSHOT is set (the README shows them), else test-artifacts/."""
    target = ROOT / "docs" if os.environ.get("ATLAS_UPDATE_SCREENSHOT") else ARTIFACTS
    target.mkdir(exist_ok=True)
    page.screenshot(path=str(target / name))


# ---------------------------------------------------------------- layout


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_map_is_the_first_screen(chromium, server, screen):
    width, height = SCREENS[screen]
    ctx, page = new_page(chromium, (width, height))
    try:
        # the slot holds the map's place before the map arrives: from the moment anything is drawn under it
        # (the tabs) its height never changes. The map comes first and the filters and tabs after it
        # (GEODATA_FIRST_PAGE=map): the map's frame is loaded once and never moves while they arrive.
        page.add_init_script(FRAME_LOADS)
        page.goto(server.url + "?basemap=none", wait_until="domcontentloaded")
        heights, tops = set(), set()
        probe = """() => {
            const slot = document.querySelector('.st-key-atlas_map_slot');
            const tabs = document.querySelector('[role="tablist"]');
            const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
            const drawn = f && f.contentDocument && f.contentDocument.querySelector('path.atlas-site');
            // Leaflet draws before Streamlit gives the frame its height; only a frame one can see can move
            const shown = drawn && f.clientHeight >= 100;
            const top = shown ? Math.round(f.getBoundingClientRect().top + window.scrollY) : null;
            return [slot && tabs ? Math.round(slot.getBoundingClientRect().height) : null, !!drawn, top];
        }"""

        def sample():
            h, drawn, top = page.evaluate(probe)
            if h is not None:
                heights.add(h)
            if top is not None:
                tops.add(top)
            return drawn and h is not None

        wait_for(sample, timeout=90, interval=0.05, what="the map drawn and the tabs under it")
        wait_idle(page)
        sample()
        box = page.locator(MAP_FRAME).bounding_box()
        assert heights == {BOX_PX}, f"the map's slot was {sorted(heights)} px high while the page drew"
        assert len(tops) == 1, f"the drawn map moved while the rest of the page arrived: tops {sorted(tops)}"
        assert page.evaluate("window.__mapFrameLoads") == 1, "the map's frame was loaded again"
        assert page.get_by_role("combobox", name="Project phase").count() == 1
        assert abs(box["height"] - MAP_PX) <= 1
        legend = page.frame_locator(MAP_FRAME).locator("details.atlas-legend summary").bounding_box()
        assert legend["y"] + legend["height"] <= height, "the legend's button is on the first screen"
        visible_h = min(box["y"] + box["height"], height) - box["y"]
        visible = max(visible_h, 0) * min(box["width"], width - box["x"])
        if screen == "phone":
            assert box["y"] < height * 0.6, f"on a phone the map starts {box['y']:.0f} px down"
            assert visible >= 0.3 * width * height
        else:
            assert visible >= 0.5 * width * height, f"map is {visible / (width * height):.0%} of the first screen"
        for name in ("Continental US", "Desert north of Phoenix", "Filtered records"):
            b = page.get_by_role("button", name=name).bounding_box()
            assert b["y"] + b["height"] <= height and b["x"] + b["width"] <= width, f"{name} is off screen"
        legend = page.frame_locator(MAP_FRAME).locator("details.atlas-legend")
        assert legend.get_attribute("open") is None, "the legend starts closed"
        # the opening view shows the whole lower 48 at every size (a phone opens a zoom further out)
        w, s, e, n = map_window(page).evaluate(
            "(() => { const b = window.map.getBounds(); "
            "return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
        )
        assert w <= CONUS_BOX[0] and e >= CONUS_BOX[2] and s <= CONUS_BOX[1] and n >= CONUS_BOX[3], (w, s, e, n)
        page.wait_for_timeout(500)
        save_shot(page, SHOT_NAMES[screen])
    finally:
        ctx.close()


def test_the_filters_and_tabs_come_even_when_the_map_cannot_load(chromium, server):
    # the map's first report brings the rest of the first page; a frame that never loads must not leave the
    # page without its filters (a timer asks for them instead)
    ctx, page = new_page(chromium)
    try:
        page.route("**/component/streamlit_folium.st_folium/**", lambda route: route.abort())
        page.goto(server.url, wait_until="domcontentloaded")
        page.get_by_role("combobox", name="Project phase").wait_for(timeout=60_000)
        page.get_by_role("tab", name="Table").wait_for(timeout=30_000)
        assert page.get_by_text("Loading the filters").count() == 0
    finally:
        ctx.close()


def test_details_open_beside_the_map_without_moving_the_page(chromium, server, catalog):
    ctx, page = new_page(chromium)
    try:
        open_app(page, server, "basemap=none")
        wait_idle(page)
        page.get_by_role("tab", name="Table").click()
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]')
        before = main.evaluate("e => e.scrollTop")
        g = grid.bounding_box()
        page.mouse.click(g["x"] + 17, g["y"] + 54)  # the first row's tick box, under the toolbar and header
        page.locator(".rec").first.wait_for(timeout=30_000)
        wait_idle(page)
        assert abs(main.evaluate("e => e.scrollTop") - before) < 5, "picking a row scrolled the page"
        details = page.locator(".st-key-atlas_details").bounding_box()
        frame_box = page.locator(MAP_FRAME).bounding_box()
        assert details["x"] >= frame_box["x"] + frame_box["width"] - 5, "details are beside the map"
        assert details["height"] <= BOX_PX + 1, "the details box is no taller than the map's"
        sel = url_params(page)["sel"][0]
        assert sel in set(catalog.sites["id"])
        # the add button is at the top of the details, not under them
        details_box = page.locator(".st-key-atlas_details")
        assert details_box.get_by_role("button", name="Clear selection").count() == 1
    finally:
        ctx.close()


def test_on_a_phone_the_details_open_as_a_sheet_over_the_map(chromium, server):
    # the columns stack on a phone: the details would open under the map, off the first screen
    ctx, page = new_page(chromium, SCREENS["phone"])
    try:
        open_app(page, server, "basemap=none")
        wait_idle(page)
        scrolled = "() => [window.scrollY, document.querySelector('[data-testid=stMain]').scrollTop]"
        before = page.evaluate(scrolled)
        page.get_by_role("combobox", name="Find a place").click()
        page.keyboard.type("Desert north")
        page.get_by_role("option", name="Site: Desert north of Phoenix (Crystal Land search area)").click()
        details = page.locator(".st-key-atlas_details")
        details.locator(".rec").first.wait_for(timeout=30_000)
        wait_idle(page)
        assert page.evaluate(scrolled) == before, "opening the details moved the page"
        sheet, frame = details.bounding_box(), page.locator(MAP_FRAME).bounding_box()
        # over the map's lower part, on the first screen, and the map's centre (the selection) above it
        assert frame["x"] - 1 <= sheet["x"] and sheet["x"] + sheet["width"] <= frame["x"] + frame["width"] + 1
        assert sheet["y"] + sheet["height"] <= frame["y"] + frame["height"] + 12
        assert frame["y"] + frame["height"] / 2 < sheet["y"] < SCREENS["phone"][1] - 150
        title = details.get_by_text("Desert north of Phoenix (Crystal Land search area)").first.bounding_box()
        assert title["y"] + title["height"] <= SCREENS["phone"][1], "the record's name is on the first screen"
        assert details.evaluate("e => e.scrollHeight > e.clientHeight + 100"), "the sheet scrolls inside"
        one_line = """els => els.every(e => {
            const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length === 1;
        })"""
        kinds = details.locator("td.word")
        assert kinds.count() and kinds.evaluate_all(one_line), "a word in the nearby table broke across lines"
        close = details.get_by_role("button", name="Clear selection").bounding_box()
        assert close["y"] + close["height"] <= SCREENS["phone"][1], "closing is at hand, not under the details"
        details.get_by_role("button", name="Clear selection").click()
        wait_for(lambda: not details.is_visible(), what="the sheet closed")
    finally:
        ctx.close()


# ---------------------------------------------------------------- wheel and clicks


def test_the_wheel_scrolls_the_page_until_the_map_is_clicked(chromium, server):
    ctx, page = new_page(chromium)
    try:
        open_app(page, server, "basemap=none")
        wait_idle(page)
        win = map_window(page)
        zoom = win.evaluate("window.map.getZoom()")
        box = page.locator(MAP_FRAME).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 150)
        page.mouse.wheel(0, 300)
        main = page.locator('[data-testid="stMain"]')
        wait_for(lambda: main.evaluate("e => e.scrollTop") > 100, what="the page scrolled by the wheel")
        assert win.evaluate("window.map.getZoom()") == zoom, "the wheel zoomed the map"
        main.evaluate("e => e.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        box = page.locator(MAP_FRAME).bounding_box()
        page.mouse.click(box["x"] + box["width"] - 120, box["y"] + 90)  # north of the border: arms the wheel
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -400)
        wait_for(lambda: win.evaluate("window.map.getZoom()") > zoom, what="the map zoomed after a click")
    finally:
        ctx.close()


def test_a_click_inside_a_large_area_opens_it(chromium, server, catalog):
    large = catalog.sites[catalog.sites["area_acres"] > 100_000]
    site = large[large["id"] == "desert-north-of-phoenix"].iloc[0]
    c = site.geometry.representative_point()
    ctx, page = new_page(chromium, (1440, 900))
    try:
        open_app(page, server, f"basemap=none&lat={c.y:.4f}&lon={c.x:.4f}&z=10")
        wait_idle(page)
        win = map_window(page)
        # a point of the map where the topmost thing is a large area's fill (not its edge, not another record)
        point = win.evaluate(
            """() => {
                const r = document.querySelector('.leaflet-container').getBoundingClientRect();
                for (let y = r.height * 0.3; y < r.height * 0.8; y += 23) {
                    for (let x = r.width * 0.3; x < r.width * 0.8; x += 23) {
                        const t = document.elementFromPoint(x, y);
                        if (t && (t.getAttribute('class') || '').includes('atlas-site-large')) {
                            // at least 12 px from where the hit changes: inside, not on the outline
                            const ok = [[12,0],[-12,0],[0,12],[0,-12]].every(d => {
                                const u = document.elementFromPoint(x + d[0], y + d[1]);
                                return u === t;
                            });
                            if (ok) return [x, y];
                        }
                    }
                }
                return null;
            }"""
        )
        assert point, "no point inside a large area is topmost on the map"
        box = page.locator(MAP_FRAME).bounding_box()
        page.mouse.click(box["x"] + point[0], box["y"] + point[1])
        wait_for(lambda: "sel" in url_params(page), what="a selection after clicking inside the area")
        assert url_params(page)["sel"][0] in set(large["id"])
        page.locator(".rec").first.wait_for(timeout=30_000)
    finally:
        ctx.close()


@pytest.mark.parametrize("screen", ["laptop", "phone"])
def test_a_first_click_on_a_map_taller_than_the_screen_selects_and_keeps_the_page_still(chromium, server, screen):
    # the map runs past the screen's bottom: focusing it used to scroll the page between press and release,
    # so the first click landed as a drag and selected nothing
    ctx, page = new_page(chromium, SCREENS[screen])
    try:
        open_app(page, server, "basemap=none&lat=33.9&lon=-112.15&z=9")
        wait_idle(page)
        box = page.locator(MAP_FRAME).bounding_box()
        assert box["y"] + box["height"] > SCREENS[screen][1], "the map must run past the first screen"
        point = map_window(page).evaluate(
            """() => {
                const paths = [...document.querySelectorAll('path.atlas-site')];
                for (const p of paths) {
                    const b = p.getBoundingClientRect();
                    const x = b.x + b.width / 2, y = b.y + b.height / 2;
                    const small = b.width > 20 && b.width < 200 && y < 300;
                    if (small && document.elementFromPoint(x, y) === p) return [x, y];
                }
                return null;
            }"""
        )
        assert point, "no site outline is topmost in the map's upper part"
        scrolled = "() => [window.scrollY, document.querySelector('[data-testid=stMain]').scrollTop]"
        before = page.evaluate(scrolled)
        page.mouse.click(box["x"] + point[0], box["y"] + point[1])
        wait_for(lambda: "sel" in url_params(page), what="a selection from the first click")
        assert page.evaluate(scrolled) == before, "the click scrolled the page"
    finally:
        ctx.close()


def test_no_record_hides_under_an_icon(chromium, server, catalog):
    """At the opening view every site pin is topmost; where an investment and a plant share a spot,
    the investment (circle or cluster) is on top, so it can be seen and clicked."""
    ctx, page = new_page(chromium, (1440, 900))
    try:
        open_app(page, server, "basemap=none")
        wait_idle(page)
        win = map_window(page)
        hidden = win.evaluate(
            """() => {
              // pins of the map's view only: Alaska's lie west of the opening view of the lower 48
              const box = document.querySelector('.leaflet-container').getBoundingClientRect();
              return Array.from(document.querySelectorAll('.atlas-site-pin')).filter(e => {
                const r = e.getBoundingClientRect();
                const x = r.x + r.width / 2, y = r.y + r.height / 2;
                return x > box.left && x < box.right && y > box.top && y < box.bottom;
              }).filter(e => {
                const r = e.getBoundingClientRect();
                const t = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                return !(t && (t.getAttribute('class') || '').includes('atlas-site-pin'));
              }).length;
            }"""
        )
        assert win.evaluate("document.querySelectorAll('.atlas-site-pin').length") > 0
        assert hidden == 0, f"{hidden} site pins are under something at the opening view"
        fac = catalog.facilities[catalog.facilities["id"] == "fac-tsmc-arizona"].iloc[0].geometry
        inv = located(catalog.investments)
        near = inv[inv.geometry.distance(fac) < 1e-6]
        assert len(near), "an investment sits at the TSMC plant in the shipped catalog"
        win.evaluate(f"window.map.setView([{fac.y}, {fac.x}], 14, {{animate: false}})")
        page.wait_for_timeout(800)
        top = win.evaluate(
            f"""() => {{
                const p = window.map.latLngToContainerPoint([{fac.y}, {fac.x}]);
                const r = document.querySelector('.leaflet-container').getBoundingClientRect();
                const t = document.elementFromPoint(r.x + p.x, r.y + p.y);
                if (!t) return '';
                if (t.closest('.fac-marker')) return 'facility';
                if (t.closest('.marker-cluster')) return 'cluster';
                return (t.getAttribute('class') || '').includes('atlas-investment') ? 'investment' : t.tagName;
            }}"""
        )
        assert top in ("cluster", "investment"), f"topmost at the TSMC plant: {top}"
    finally:
        ctx.close()


# ---------------------------------------------------------------- filter pairs


def _label(catalog, name: str, key: str) -> str:
    spec = SPEC[name]
    return catalog.vocab.label(spec.vocab, key) if spec.vocab and spec.labels else key


def _top_value(catalog, name: str, filters: Filters) -> str:
    total: dict[str, int] = {}
    for layer in SPEC[name].layers:
        for k, v in facet_counts(catalog, layer, filters, name).items():
            total[k] = total.get(k, 0) + v
    return max(total, key=lambda k: total[k])


PAIRS = [
    ("phase", "company", "button"),
    ("phase", "status", "row"),
    ("agency", "state", "map"),
    ("sector", "phase", "tab"),
]


def _expected(catalog, filters: Filters) -> dict[str, str]:
    return {layer.capitalize(): str(len(apply_filters(catalog, layer, filters))) for layer in LAYERS}


def _check(page, catalog, filters: Filters, where: str) -> None:
    want = _expected(catalog, filters)
    wait_for(lambda: {k: metrics(page).get(k) for k in want} == want, what=f"counts {want} {where}")
    params = url_params(page)
    for name in ("phase", "company", "status", "agency", "state", "sector"):
        value = getattr(filters, name)
        if value:
            assert params.get(SPEC[name].url) == [",".join(value)], f"{name} in the URL {where}: {params}"
    sites = len(located(apply_filters(catalog, "sites", filters)))
    frame = page.frame_locator(MAP_FRAME)
    wait_for(lambda: frame.locator(".atlas-site-pin").count() == sites, what=f"{sites} site pins drawn {where}")
    assert page.get_by_text("ignored").count() == 0


@pytest.mark.parametrize("first,second,action", PAIRS, ids=[f"{a}+{b}+{c}" for a, b, c in PAIRS])
def test_two_filters_survive_every_other_action_and_the_link(chromium, server, catalog, first, second, action):
    a = _top_value(catalog, first, Filters())
    b = _top_value(catalog, second, Filters(**{first: (a,)}))
    filters = Filters(**{first: (a,), second: (b,)})
    ctx, page = new_page(chromium, (1440, 900))
    try:
        open_app(page, server, "basemap=none")
        wait_idle(page)
        choose(page, SPEC[first].label, _label(catalog, first, a))
        wait_idle(page)
        choose(page, SPEC[second].label, _label(catalog, second, b))
        wait_idle(page)
        _check(page, catalog, filters, "after picking both")
        if action == "button":
            page.get_by_role("button", name="Desert north of Phoenix").click()
            wait_idle(page)
            page.get_by_role("button", name="Continental US").click()
        elif action == "row":
            page.get_by_role("tab", name="Table").click()
            grid = page.locator('[data-testid="stDataFrame"]').first
            grid.scroll_into_view_if_needed()
            g = grid.bounding_box()
            page.mouse.click(g["x"] + 17, g["y"] + 54)
            page.locator(".rec").first.wait_for(timeout=30_000)
        elif action == "map":
            box = page.locator(MAP_FRAME).bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.click(box["x"] + 40, box["y"] + box["height"] - 60)
        else:
            page.get_by_role("tab", name="Charts").click()
            wait_idle(page)
            page.get_by_role("tab", name="Score").click()
        wait_idle(page)
        _check(page, catalog, filters, f"after the {action}")
        link = page.evaluate("location.href")
    finally:
        ctx.close()
    ctx, fresh = new_page(chromium, (1440, 900))
    try:
        fresh.goto(link, wait_until="domcontentloaded")
        fresh.frame_locator(MAP_FRAME).locator("path.atlas-site").first.wait_for(state="attached", timeout=60_000)
        wait_idle(fresh)
        _check(fresh, catalog, filters, "in a fresh browser from the link")
    finally:
        ctx.close()


# ---------------------------------------------------------------- offline reading


def test_offline_basemap_has_place_names_and_interstates(chromium, server, catalog):
    site = catalog.sites[catalog.sites["id"] == "desert-north-of-phoenix"].iloc[0].geometry.centroid
    ctx, page = new_page(chromium, (1280, 720))
    try:
        frame = open_app(page, server, f"basemap=none&lat={site.y:.4f}&lon={site.x:.4f}&z=9")
        wait_idle(page)
        labels = frame.locator(".atlas-place-label")
        wait_for(lambda: labels.count() > 3, what="place labels on the offline basemap")
        names = " ".join(labels.all_inner_texts())
        assert "Phoenix" in names
        roads = frame.locator(".atlas-road-label")
        wait_for(lambda: "I-17" in " ".join(roads.all_inner_texts()), what="the I-17 label")
        save_shot(page, "screenshot-offline-phoenix.png")
    finally:
        ctx.close()


OVERLAPS_JS = """() => {
    const box = e => e.getBoundingClientRect();
    const hit = (a, b) => a.left < b.right - 1 && a.right > b.left + 1 && a.top < b.bottom - 1 && a.bottom > b.top + 1;
    const labels = [...document.querySelectorAll('.atlas-place-label')].map(e => [e.innerText, box(e)]);
    const marks = [...document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon')].map(box);
    const out = [];
    labels.forEach(([n, a], i) => {
        labels.slice(i + 1).forEach(([m, b]) => { if (hit(a, b)) out.push(n + ' / ' + m); });
        marks.forEach(b => { if (hit(a, b)) out.push(n + ' under a marker'); });
    });
    return [labels.length, out];
}"""


@pytest.mark.parametrize("view", ["us", "phoenix"])
def test_place_labels_never_overlap_each_other_or_the_records(chromium, server, catalog, view):
    query = "basemap=none"
    if view == "phoenix":
        query += "&lat=33.85&lon=-112.2&z=8"
    ctx, page = new_page(chromium, (1280, 720))
    try:
        frame = open_app(page, server, query)
        wait_idle(page)
        wait_for(lambda: frame.locator(".atlas-place-label").count() > 2, what="place labels")
        count, overlaps = map_window(page).evaluate(OVERLAPS_JS)
        assert count > 2 and overlaps == [], overlaps
    finally:
        ctx.close()


@pytest.mark.parametrize("screen", ["laptop", "phone"])
def test_failed_tiles_are_said_and_the_offline_basemap_offered(chromium, server, screen):
    ctx, page = new_page(chromium, SCREENS[screen])
    # no network here anyway; routing makes it certain and fast
    ctx.route("**/*", lambda r: r.abort() if "127.0.0.1" not in r.request.url else r.continue_())
    try:
        frame = open_app(page, server, "basemap=street")
        note = frame.locator(".atlas-tile-note")
        note.wait_for(timeout=30_000)
        assert "not loading" in note.inner_text()
        n, legend = note.bounding_box(), frame.locator("details.atlas-legend summary").bounding_box()
        apart = n["y"] >= legend["y"] + legend["height"] or n["x"] + n["width"] <= legend["x"]
        assert apart, "the note covers the legend's button"
        wait_idle(page)
        note.locator("button").click()
        wait_for(lambda: frame.locator(".atlas-place-label").count() > 0, what="labels after switching to none")
        assert frame.locator(".atlas-tile-note").count() == 0
        wait_for(lambda: url_params(page).get("basemap") == ["none"], what="the basemap in the link")
    finally:
        ctx.close()


def test_legend_names_rings_and_approximate_shapes(chromium, server):
    ctx, page = new_page(chromium, (1280, 720))
    try:
        frame = open_app(page, server, "basemap=none&sel=desert-north-of-phoenix")
        legend = frame.locator("details.atlas-legend")
        legend.locator("summary").click()
        text = legend.inner_text()
        assert "Approximate shape" in text and "km rings" in text and "Imported layers" in text
        dashed = map_window(page).evaluate(
            "Array.from(document.querySelectorAll('path.atlas-site')).filter("
            "p => p.getAttribute('stroke-dasharray') === '10 7').length"
        )
        assert dashed >= 1, "approximate outlines are drawn dashed"
    finally:
        ctx.close()


def test_place_search_jumps_offline(chromium, server):
    ctx, page = new_page(chromium, (1440, 900))
    try:
        open_app(page, server, "basemap=none")
        wait_idle(page)
        box = page.get_by_role("combobox", name="Find a place")
        box.click()
        page.keyboard.type("Flagstaff")
        page.get_by_role("option", name="Place: Flagstaff, AZ").click()
        win = map_window(page)
        wait_for(lambda: abs(win.evaluate("window.map.getCenter().lat") - 35.2) < 0.1, what="the map at Flagstaff")
        assert win.evaluate("window.map.getZoom()") >= 10
        payload = json.loads(win.evaluate("JSON.stringify(window.map.getCenter())"))
        assert abs(payload["lng"] + 111.65) < 0.1
    finally:
        ctx.close()


def test_a_typed_as_of_date_applies_on_enter(chromium, server, catalog):
    ctx, page = new_page(chromium, (1440, 900))
    try:
        open_app(page, server, "basemap=none")
        wait_idle(page)
        field = page.get_by_role("textbox", name="As reported on")
        field.scroll_into_view_if_needed()
        field.click()
        page.keyboard.type("2025-13")
        page.keyboard.press("Enter")
        # said in one line, quotes shown as quotes (an escaped entity once showed as &#x27;)
        page.get_by_text("Date not used: '2025-13' is not a real calendar date").wait_for(timeout=30_000)
        field.fill("")
        field.click()
        page.keyboard.type("2025-07-01")
        page.keyboard.press("Enter")  # no click elsewhere: Enter alone applies it
        wait_for(lambda: url_params(page).get("asof") == ["2025-07-01"], what="the as-of date in the link")
        page.get_by_text("As reported on 2025-07-01:").first.wait_for(timeout=30_000)
        wait_idle(page)
        expected = len(apply_filters(catalog, "investments", Filters(as_of=date(2025, 7, 1))))
        assert metrics(page)["Investments"] == str(expected)
    finally:
        ctx.close()
