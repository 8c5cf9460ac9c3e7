"""The folium map the app builds: local assets only, every text escaped."""

from __future__ import annotations

import json

import folium
import pytest
from streamlit_folium import _get_feature_group_string, generate_leaflet_string

from dashboard import assets, drawing, mapview
from dashboard.render.text import esc
from dashboard.render.view import US_VIEW, View, zoom_for
from geodata.catalog.load import load_catalog

HOSTILE = "<img src=x onerror=alert(1)>"
TEMPLATE_ATTACK = "`${document.title='pwned'}`"


def labels(catalog, vocab_name):
    return {k: catalog.vocab.label(vocab_name, k) for k in catalog.vocab.values(vocab_name)}


def all_groups(catalog):
    status = labels(catalog, "status")
    groups = mapview.site_groups(catalog.sites, status)
    groups.append(mapview.investment_group(catalog.investments, status))
    groups.append(mapview.facility_group(catalog.facilities, status, labels(catalog, "facility_type")))
    return groups


def rendered(catalog) -> str:
    """The JavaScript st_folium would send: base map plus every feature group."""
    m = mapview.build_base_map(View(*US_VIEW), "street", labels(catalog, "phase"))
    m.get_root().render()
    js = generate_leaflet_string(m)
    for i, fg in enumerate(all_groups(catalog)):
        js += _get_feature_group_string(fg, m, i)
    return js + m.get_root().header.render() + m.get_root().html.render()


def test_every_script_and_stylesheet_is_served_by_the_app(catalog):
    assets.ensure_vendored()
    m = mapview.build_base_map(View(*US_VIEW), "none", {})
    groups = all_groups(catalog)
    assert assets.external_links(m) == []
    assert all(assets.external_links(g) == [] for g in groups)
    urls = [u for _, u in m.default_js + m.default_css]
    cluster = next(e for g in groups for e in g._children.values() if isinstance(e, folium.plugins.MarkerCluster))
    urls += [u for _, u in cluster.default_js + cluster.default_css]
    for url in urls:
        assert url.startswith("/app/static/vendor/")
        assert (assets.VENDOR_DIR / url.removeprefix("/app/static/vendor/")).is_file(), url


def test_the_map_loads_one_script_with_leaflet_then_its_plugins(catalog):
    # the map's frame fetches scripts one after another: one file, in the order the plugins need
    assets.ensure_vendored()
    m = mapview.build_base_map(View(*US_VIEW), "none", {})
    for group in all_groups(catalog):
        group.add_to(m)
    drawing.DrawTools().add_to(m)
    scripts = set()
    stack = [m]
    while stack:
        e = stack.pop()
        scripts.update(url for _, url in getattr(e, "default_js", []))
        stack.extend(e._children.values())
    assert scripts == {"/app/static/vendor/map/atlas-map.js"}
    text = (assets.VENDOR_DIR / assets.MAP_SCRIPT).read_text(encoding="utf-8")
    marks = [text.index(f"/* {part} */") for part in assets.MAP_SCRIPT_PARTS]
    assert marks == sorted(marks)
    assert "L.MarkerClusterGroup" in text and "atlasDraw" in text and "sourceMappingURL" not in text


def test_derived_map_files_are_rebuilt_only_when_a_source_changes(tmp_path, monkeypatch):
    source = tmp_path / "source.txt"
    source.write_text("one", encoding="utf-8")
    built = []

    def build():
        built.append(source.read_text(encoding="utf-8"))
        return {"from": built[-1]}

    monkeypatch.setattr(assets, "DERIVED", {"test.json": (build, lambda: [source])})
    vendor = tmp_path / "vendor"
    target = vendor / "reference" / "test.json"
    for _ in range(2):  # a new process each time: the once-per-process memo forgotten
        monkeypatch.setattr(assets, "_WRITTEN", set())
        assets.ensure_vendored(vendor)
    assert built == ["one"] and json.loads(target.read_text(encoding="utf-8")) == {"from": "one"}
    source.write_text("two!", encoding="utf-8")  # an updated package or shipped file
    monkeypatch.setattr(assets, "_WRITTEN", set())
    assets.ensure_vendored(vendor)
    assert built == ["one", "two!"] and json.loads(target.read_text(encoding="utf-8")) == {"from": "two!"}


def test_base_url_path_prefixes_asset_urls():
    assert assets.static_url("leaflet/leaflet.js", "atlas/") == "/atlas/app/static/vendor/leaflet/leaflet.js"
    assert assets.static_url("leaflet/leaflet.js", "") == "/app/static/vendor/leaflet/leaflet.js"


@pytest.mark.parametrize("field", ["name", "company"])
def test_hostile_text_is_escaped_in_the_map(catalog_copy, field):
    fid = next(r["id"] for r in catalog_copy.rows("facilities.csv") if r["lon"])
    catalog_copy.edit_row("facilities.csv", fid, **{field: HOSTILE})
    sid = next(f["properties"]["id"] for f in catalog_copy.sites()["features"] if f["geometry"])
    catalog_copy.edit_site(sid, name=TEMPLATE_ATTACK)
    js = rendered(load_catalog(catalog_copy.dir))
    # Jinja's tojson writes & as \u0026 inside the script; either way the browser gets entities.
    js = js.replace("\\u0026", "&")
    assert HOSTILE not in js
    assert "&lt;img src=x onerror=alert(1)&gt;" in js
    assert "${document.title" not in js and "&#96;&#36;{document.title" in js


def test_jinja_in_record_text_is_shown_not_run(catalog_copy):
    sid = next(f["properties"]["id"] for f in catalog_copy.sites()["features"] if f["geometry"])
    catalog_copy.edit_site(sid, name="S{{ 6*7 }}T")
    fid = next(r["id"] for r in catalog_copy.rows("facilities.csv") if r["lon"])
    catalog_copy.edit_row("facilities.csv", fid, name="F{% if true %}yes{% endif %}G")
    catalog = load_catalog(catalog_copy.dir)
    m = mapview.build_base_map(View(*US_VIEW), "street", labels(catalog, "phase"))
    for fg in all_groups(catalog):
        fg.add_to(m)
    page = m.get_root().render()  # the whole figure, as folium renders it for a notebook or a file
    js = rendered(catalog)
    for text in (page, js):
        assert "S42T" not in text and "S{{ 6*7 }}T" in text
        assert "FyesG" not in text and "F{% if true %}yes{% endif %}G" in text


def test_esc_neutralises_html_and_template_literals():
    assert esc('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert esc("`${x}`") == "&#96;&#36;{x}&#96;"
    assert esc(None) == "" and esc(float("nan")) == ""


def test_layers_carry_record_ids_for_clicks(catalog):
    js = rendered(catalog)
    for layer in ("sites", "investments", "facilities"):
        df = catalog.layer(layer)
        for rid in df[df.geometry.notna()]["id"]:
            assert f'"id": "{rid}"' in js or f'"id":"{rid}"' in js, rid


def test_overlays_remember_being_hidden(catalog):
    groups = all_groups(catalog)
    names = [g.layer_name for g in groups]
    assert names == ["Candidate sites", "Exclusion areas", "Context parcels", "Investments", "Facilities"]
    m = mapview.build_base_map(View(*US_VIEW), "street", {})
    m.get_root().render()
    generate_leaflet_string(m)
    js = _get_feature_group_string(groups[3], m, 3)
    assert "window.__atlasHidden" in js and '"Investments"' in js


def test_zoom_for_fits_the_geometry(catalog):
    big = catalog.sites.loc[catalog.sites["id"] == "idaho-national-laboratory"].geometry.item()
    small = catalog.sites.loc[catalog.sites["id"] == "joint-base-mcguire-dix-lakehurst"].geometry.item()
    assert 4 <= zoom_for(big) < zoom_for(small) <= 13


def test_the_lower_48_fit_a_phone_map_and_keep_the_opening_zoom_on_a_laptop():
    from dashboard.render.view import CONUS_BOX, fit_zoom, map_pixels, us_zoom, view_bounds

    assert us_zoom(None) == US_VIEW[2] == us_zoom((930, 600))
    assert us_zoom((342, 600)) == 3  # a phone: zoom 4 would cut both coasts
    assert fit_zoom(CONUS_BOX, (342, 600)) == 3
    # the size the browser reports comes back from its bounds and zoom
    assert map_pixels(view_bounds(39.5, -98.35, 6, width_px=800, height_px=500), 6) == (800, 500)


def test_a_narrow_map_zooms_out_to_show_a_large_site(catalog):
    site = catalog.sites[catalog.sites["id"] == "desert-north-of-phoenix"].iloc[0].geometry
    assert zoom_for(site, (342, 600)) <= zoom_for(site)


def test_the_opening_us_view_fits_the_lower_48_in_the_browser_only_where_needed(catalog):
    opening = mapview.build_base_map(View(*US_VIEW), "none", {}).get_root().render()
    elsewhere = mapview.build_base_map(View(33.9, -112.1, 9), "none", {}).get_root().render()
    assert "FitLower48" not in elsewhere and "fit the lower 48 across" in opening
