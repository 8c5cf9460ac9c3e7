"""A team journey in a real browser with the app on PostGIS: a shared layer drawn from SQL, a parcel
added to a shared shortlist under the name the user typed, its history shown and an earlier version
restored. Needs Debian's chromium and PostgreSQL with PostGIS (skips without, except under CI)."""

from __future__ import annotations

import json

import psycopg
import pytest
import shapely

from geodata.importers.output import write_layer
from geodata.layers.pg_store import PgLayerStore
from geodata.shortlists.pg_store import PgShortlistStore

from .browser import ARTIFACTS, MAP_FRAME, StreamlitServer, browser, require_chromium, wait_for, wait_idle
from .test_browser import map_window
from .test_layers import grid_layer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def team_db(pg_server):
    from .conftest import local_db_name

    admin = pg_server.url.rsplit("/", 1)[0]
    with psycopg.connect(admin + "/postgres", autocommit=True) as con:
        con.execute("DROP DATABASE IF EXISTS browser_team WITH (FORCE)")
        con.execute(f"CREATE DATABASE browser_team TEMPLATE {local_db_name()}")
    yield admin + "/browser_team"


@pytest.fixture(scope="module")
def team(team_db, tmp_path_factory, catalog):
    require_chromium()
    gdf = grid_layer(300)
    PgLayerStore(team_db).save("az-db", lambda path: write_layer(gdf, path))
    site = catalog.sites[catalog.sites["role"] == "candidate"]["id"].iloc[0]
    shortlists = PgShortlistStore(team_db).acting_as("Ana")
    shortlists.create("Team picks")
    shortlists.add("Team picks", site, note="Ana's pick")
    home = tmp_path_factory.mktemp("home")  # stays empty: everything is in the database
    server = StreamlitServer(env={"GEODATA_DATABASE_URL": team_db, "GEODATA_HOME": str(home)})
    yield server, gdf, site, shortlists, home
    server.stop()


def test_team_journey_on_postgis(team):
    server, gdf, site, shortlists, home = team
    biggest = gdf.iloc[int(shapely.area(gdf.geometry.values).argmax())]
    centre = biggest.geometry.representative_point()
    parcel = f"az-db:{biggest['feature_id']}"
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1500, "height": 1300})
        page.goto(
            server.url + f"?basemap=none&lat={centre.y}&lon={centre.x}&z=10&sel={parcel}",
            wait_until="domcontentloaded",
        )
        frame = page.frame_locator(MAP_FRAME)
        frame.locator("path.atlas-site").first.wait_for(state="attached", timeout=60_000)
        wait_for(
            lambda: map_window(page).evaluate("document.querySelectorAll('canvas').length") >= 1,
            what="the database layer drawn on a canvas",
        )
        page.get_by_text("Shared with your team in postgresql://").wait_for(timeout=30_000)
        # the tooltip comes from the database's view query
        wait_idle(page)
        iframe = page.locator(MAP_FRAME).bounding_box()
        pt = json.loads(
            map_window(page).evaluate(f"JSON.stringify(window.map.latLngToContainerPoint([{centre.y}, {centre.x}]))")
        )
        page.mouse.move(iframe["x"] + pt["x"], iframe["y"] + pt["y"])
        tip = frame.locator(".leaflet-tooltip")
        tip.first.wait_for(timeout=15_000)
        assert biggest["unit_name"] in tip.first.inner_text()

        page.get_by_role("tab", name="Shortlist").click()
        page.get_by_label("Your name (recorded with each change)").fill("Ben")
        page.get_by_label("Your name (recorded with each change)").press("Enter")
        wait_idle(page)
        page.get_by_role("button", name="Add to shortlist 'Team picks'").click()
        page.get_by_role("button", name="Remove from shortlist 'Team picks'").wait_for(timeout=30_000)
        sl = shortlists.get("Team picks")
        assert sl.site_ids == [site, parcel]
        assert shortlists.history("Team picks")[-1].by == "Ben"

        wait_idle(page)
        page.get_by_text("History", exact=True).click()
        page.get_by_role("button", name="Restore this version").wait_for(timeout=30_000)
        history = page.locator('[data-testid="stExpander"]').filter(has_text="Restore this version")
        text = history.inner_text()
        assert "Ben" in text and f"added {parcel}" in text and "Ana" in text and f"It held: 1. {site}." in text
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "team-history-postgis.png"), full_page=True)
        wait_idle(page)
        page.get_by_role("button", name="Restore this version").click()
        page.get_by_text("Restored 'Team picks' as it was at version 2").wait_for(timeout=30_000)
        after = shortlists.get("Team picks")
        assert after.site_ids == [site] and after.items[0].note == "Ana's pick"
        assert shortlists.history("Team picks")[-1].by == "Ben"
        assert not list(home.iterdir())  # nothing went to the data folder
