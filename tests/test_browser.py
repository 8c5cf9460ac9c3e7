"""The app in Debian's chromium against the real app server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from urllib.parse import urlparse

import pytest

from geodata.catalog.filters import Filters, apply_filters
from geodata.catalog.load import LAYERS, load_catalog
from geodata.settings import SHIPPED_CATALOG

from .browser import ARTIFACTS, MAP_FRAME, StreamlitServer, choose, open_app, require_chromium, wait_for, wait_idle
from .conftest import CatalogCopy

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SITE = "paducah-gaseous-diffusion-plant"
# A site under OUTLINE_ACRES, so its inside is clickable (the real INL outline is larger: edge-only).
CLICK_SITE = "edwards-afb"


@pytest.fixture(scope="module")
def hostile_catalog(tmp_path_factory):
    d = tmp_path_factory.mktemp("catalog")
    shutil.copytree(SHIPPED_CATALOG, d, dirs_exist_ok=True)
    copy = CatalogCopy(d)
    copy.edit_site(HOSTILE_SITE, name=HOSTILE, description=HOSTILE)
    return load_catalog(d)


@pytest.fixture(scope="module")
def server(hostile_catalog, tmp_path_factory):
    require_chromium()
    s = StreamlitServer(
        env={"GEODATA_CATALOG": str(hostile_catalog.directory), "GEODATA_HOME": str(tmp_path_factory.mktemp("home"))}
    )
    yield s
    s.stop()


@pytest.fixture
def page(chromium, server, request):
    ctx = chromium.new_context(viewport={"width": 1500, "height": 1300})
    page = ctx.new_page()
    page.requests = []
    page.dialogs = []
    page.on("request", lambda r: page.requests.append((r.resource_type, r.url)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    ctx.close()


def current_url(page) -> str:
    """The address bar: Streamlit updates it with replaceState, which page.url does not follow."""
    return page.evaluate("location.href")


def located(df):
    return df[df.geometry.notna()]


def site_paths(frame) -> int:
    return frame.locator("path.atlas-site").count()


def test_map_draws_all_three_layers_from_local_assets(page, server, hostile_catalog):
    frame = open_app(page, server, "basemap=none")
    n_sites = len(located(hostile_catalog.sites))
    wait_for(lambda: site_paths(frame) == n_sites, what=f"{n_sites} site outlines")
    n_fac = len(located(hostile_catalog.facilities))
    wait_for(lambda: frame.locator(".fac-marker").count() == n_fac, what=f"{n_fac} facility markers")
    # the next run redraws the layers, and MarkerCluster adds its markers in chunks: wait, do not sample once
    wait_for(
        lambda: frame.locator("path.atlas-investment").count() + frame.locator(".marker-cluster").count() > 0,
        what="investments drawn (as markers or clusters)",
    )
    legend = frame.locator(".atlas-legend")
    assert legend.is_visible() and legend.get_attribute("open") is None  # closed: it would cover the map
    legend.locator("summary").click()
    assert "Exclusion" in legend.inner_text()
    foreign = [
        (t, u)
        for t, u in page.requests
        if t in ("script", "stylesheet", "font") and urlparse(u).hostname != "127.0.0.1"
    ]
    assert foreign == [], foreign
    page.wait_for_timeout(500)
    # docs/ screenshots (1280x720, 1440x900, 390x844) come from tests/test_browser_map.py
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app.png"))


def map_window(page):
    return page.frame(url=lambda u: "streamlit_folium" in u)


def test_phase_filter_changes_what_is_drawn_without_remounting_the_map(page, server, hostile_catalog):
    frame = open_app(page, server)
    expected = len(located(apply_filters(hostile_catalog, "sites", Filters(phase=("context",)))))
    assert expected < len(located(hostile_catalog.sites))
    # Mark the live Leaflet map and move it: both must survive the filter change.
    map_window(page).evaluate("window.__atlasProbe = 'same map'; window.map.setView([36, -95], 6, {animate: false})")
    choose(page, "Project phase", "Context", exact=False)
    wait_for(lambda: site_paths(frame) == expected, what=f"{expected} context sites drawn")
    n_fac = len(located(apply_filters(hostile_catalog, "facilities", Filters(phase=("context",)))))
    wait_for(lambda: frame.locator(".fac-marker").count() == n_fac, what="context facilities")
    win = map_window(page)
    assert win.evaluate("window.__atlasProbe") == "same map", "the map was remounted"
    assert win.evaluate("window.map.getZoom()") == 6


def test_clicking_a_site_shows_its_sources(page, server, hostile_catalog):
    row = hostile_catalog.sites.loc[hostile_catalog.sites["id"] == CLICK_SITE].iloc[0]
    c = row.geometry.representative_point()
    frame = open_app(page, server, f"lat={c.y:.4f}&lon={c.x:.4f}&z=10&basemap=none")
    iframe = page.locator(MAP_FRAME)
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    details = page.locator(".rec")
    details.first.wait_for(timeout=30_000)
    text = details.first.inner_text()
    assert row["name"] in text
    for sid in row["sources"]:
        src = hostile_catalog.sources[sid]
        assert src.title in text and src.date.text in text
        if src.url:
            assert page.locator(f'.rec a[href="{src.url}"]').count() == 1
    assert "confidence" in text and row["geometry_quality"] in text
    wait_for(lambda: "sel=" + CLICK_SITE in current_url(page), what="the selection in the URL")
    assert frame.locator("path.leaflet-interactive").count() > 0


def test_hostile_name_shows_as_text_and_runs_nothing(page, server, hostile_catalog):
    row = hostile_catalog.sites.loc[hostile_catalog.sites["id"] == HOSTILE_SITE].iloc[0]
    c = row.geometry.representative_point()
    frame = open_app(page, server, f"lat={c.y:.4f}&lon={c.x:.4f}&z=12&basemap=none&sel={HOSTILE_SITE}")
    iframe = page.locator(MAP_FRAME)
    box = iframe.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.first.wait_for(timeout=15_000)
    assert HOSTILE in tooltip.first.inner_text()
    details = page.locator(".rec").first
    details.wait_for(timeout=30_000)
    assert HOSTILE in details.inner_text()
    page.get_by_role("tab", name="Table").click()
    page.wait_for_timeout(1000)
    assert page.locator("img[src='x']").count() == 0
    assert frame.locator("img[src='x']").count() == 0
    assert page.dialogs == []


def test_a_copied_url_restores_the_filters(page, server, hostile_catalog, chromium):
    frame = open_app(page, server)
    choose(page, "Managing agency", "DOE", exact=False)
    expected = len(located(apply_filters(hostile_catalog, "sites", Filters(agency=("DOE",)))))
    wait_for(lambda: site_paths(frame) == expected, what="DOE sites")
    wait_for(lambda: "agency=DOE" in current_url(page), what="agency in the URL")
    copied = current_url(page)
    other = chromium.new_page(viewport={"width": 1500, "height": 1300})
    try:
        other.goto(copied, wait_until="domcontentloaded")
        frame2 = other.frame_locator(MAP_FRAME)
        frame2.locator("path.atlas-site").first.wait_for(state="attached", timeout=60_000)
        wait_for(lambda: frame2.locator("path.atlas-site").count() == expected, what="restored DOE sites")
        # the map comes first and the filters a moment later (map first): the chip is waited for, not sampled
        other.get_by_role("button", name="Remove DOE").first.wait_for(timeout=30_000)
    finally:
        other.close()


def add_from_details(page, server, site_id: str, shortlist: str) -> None:
    page.goto(server.url + f"?basemap=none&sel={site_id}", wait_until="domcontentloaded")
    page.locator(".rec").first.wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_role("button", name=f"Add to shortlist '{shortlist}'").click()
    page.get_by_role("button", name=f"Remove from shortlist '{shortlist}'").wait_for(timeout=30_000)


def download_after_calm(page, button: str, path, attempts: int = 3) -> None:
    """Click a download button once the app is idle; a click that a late rerun swallowed is retried."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        wait_idle(page)
        try:
            with page.expect_download(timeout=20_000) as dl:
                page.get_by_role("button", name=button, exact=True).click()
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            continue
        dl.value.save_as(path)
        return


def edit_cell(page, grid, row: int, right: int, text: str) -> None:
    """Type into a table editor's cell: pick the row's first cell, move `right` cells, open its editor."""
    editor = page.locator("textarea.gdg-input")
    for _ in range(4):  # the grid is a canvas: a click during a redraw can miss, so look for the editor
        g = grid.bounding_box()
        page.mouse.click(g["x"] + 30, g["y"] + 35 * row + 17)  # under the 35 px header row
        for _ in range(right):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        try:
            editor.wait_for(timeout=3_000)
            break
        except Exception:
            page.keyboard.press("Escape")
            wait_idle(page)
    editor.fill(text)
    page.keyboard.press("Enter")


def test_shortlist_survives_a_reload_and_downloads_as_geojson(page, server, hostile_catalog, tmp_path):
    name = "Browser picks"
    first, second = "savannah-river-site", "fort-bliss"
    page.goto(server.url + f"?basemap=none&sel={first}", wait_until="domcontentloaded")
    page.locator(".rec").first.wait_for(timeout=60_000)
    page.get_by_role("tab", name="Shortlist").click()
    page.get_by_role("button", name="New shortlist").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Create").click()
    page.get_by_role("button", name=f"Add to shortlist '{name}'").wait_for(timeout=30_000)
    page.keyboard.press("Escape")
    add_from_details(page, server, first, name)
    add_from_details(page, server, second, name)

    page.reload(wait_until="domcontentloaded")  # a new session: only the store remembers
    page.locator(".rec").first.wait_for(timeout=60_000)
    page.get_by_role("button", name=f"Remove from shortlist '{name}'").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Shortlist").click()
    # a note typed in the table survives a look at another tab (only the open tab runs), then saves
    page.get_by_role("button", name="Save changes").wait_for(timeout=30_000)
    wait_idle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    wait_idle(page)
    edit_cell(page, grid, row=2, right=2, text="check water rights")  # row 2's note (the name is read-only)
    page.get_by_text("Unsaved changes").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Table").click()
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    wait_idle(page)
    page.get_by_role("tab", name="Shortlist").click()
    page.get_by_text("Unsaved changes").wait_for(timeout=30_000)
    wait_idle(page)
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text(f"Saved '{name}'").wait_for(timeout=30_000)
    path = tmp_path / "shortlist.geojson"
    download_after_calm(page, "GeoJSON", path)
    import geopandas as gpd

    back = gpd.read_file(path)
    assert list(back["id"]) == [first, second]
    assert list(back["rank"]) == [1, 2]
    names = dict(zip(hostile_catalog.sites["id"], hostile_catalog.sites["name"], strict=True))
    assert list(back["name"]) == [names[first], names[second]]
    assert list(back["note"].fillna("")) == ["", "check water rights"]
    assert back.geometry.notna().all()


def test_upload_parcels_shows_a_layer_and_refuses_a_bad_file(page, server, tmp_path):
    good = tmp_path / "my parcels.geojson"
    good.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": HOSTILE, "owner": "BLM"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [[-112.3, 33.8], [-112.1, 33.8], [-112.1, 34.0], [-112.3, 34.0], [-112.3, 33.8]]
                            ],
                        },
                    }
                ],
            }
        )
    )
    bad = tmp_path / "sneaky.geojson"
    bad.write_text(
        '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>"
    )
    frame = open_app(page, server, "basemap=none&lat=33.9&lon=-112.2&z=10")
    page.get_by_text("Upload parcels").click()
    import_button = page.get_by_role("button", name="Import", exact=True)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    wait_for(import_button.is_enabled, what="the Import button enabled once the file is uploaded")
    wait_idle(page)
    import_button.click()
    page.get_by_text("Not imported:").wait_for(timeout=30_000)
    assert "GDAL VRT file" in page.get_by_text("Not imported:").inner_text()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    page.get_by_text("my parcels.geojson").wait_for(timeout=30_000)
    wait_idle(page)
    assert page.get_by_text("Not imported:").count() == 0, "the bad file's message outlived the next file"
    page.get_by_label("Layer name").fill("uploaded-parcels")
    page.get_by_label("Layer name").press("Enter")
    wait_idle(page)  # the two reruns (file, name) settle before the click
    wait_for(import_button.is_enabled, what="the Import button enabled")
    import_button.click()
    page.get_by_text("Imported layer 'uploaded-parcels'").wait_for(timeout=30_000)
    wait_for(
        lambda: map_window(page).evaluate("document.querySelectorAll('canvas').length") >= 1,
        what="the uploaded layer drawn on a canvas",
    )
    iframe = page.locator(MAP_FRAME).bounding_box()
    pt = json.loads(map_window(page).evaluate("JSON.stringify(window.map.latLngToContainerPoint([33.9, -112.2]))"))
    page.mouse.move(iframe["x"] + pt["x"], iframe["y"] + pt["y"])
    tip = frame.locator(".leaflet-tooltip")
    tip.first.wait_for(timeout=15_000)
    assert HOSTILE in tip.first.inner_text()
    assert frame.locator("img[src='x']").count() == 0 and page.dialogs == []


def test_who_declined_and_where_their_plants_are_in_two_clicks(page, server, hostile_catalog):
    """Companies tab, then the TSMC row: every TSMC record is ringed on the map and the table narrows to them."""
    from geodata.catalog.companies import touches

    book = hostile_catalog.companies
    expected = sum(
        int(located(df[touches(df, book, "tsmc")]).shape[0]) for df in (hostile_catalog.layer(n) for n in LAYERS)
    )
    assert expected >= 3, "TSMC's fab, parcel and investments"
    frame = open_app(page, server, "stance=declined&basemap=none")
    wait_idle(page)
    page.get_by_role("tab", name="Companies").click()  # click 1
    grid = page.locator("[data-testid='stDataFrame']").filter(has_text="TSMC").first
    grid.wait_for()
    assert frame.locator(".atlas-highlight").count() == 0
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 8, box["y"] + 35 + 17)  # click 2: the row's checkbox (one row: TSMC, declined)
    wait_for(lambda: frame.locator(".atlas-highlight").count() == expected, what=f"{expected} TSMC rings")
    ring = frame.locator(".atlas-highlight").first
    assert ring.evaluate("e => e.closest('.leaflet-pane').classList.contains('leaflet-companyHighlight-pane')")
    assert ring.evaluate("e => getComputedStyle(e).pointerEvents") == "none", "rings let clicks through"
    page.get_by_text("TSMC: stances as reported").wait_for()
    page.get_by_role("tab", name="Table").click()
    page.get_by_text("Only the records of TSMC").wait_for()
    facilities = page.get_by_role("radio", name="Facilities (")
    assert facilities.first.inner_text().startswith("Facilities (1)")
