"""The shortlist's HTML brief: hostile text stays text, every site and source is in it, colours from the vocabulary."""

from __future__ import annotations

import dataclasses
import re
import tomllib

import pytest
from markupsafe import escape

from dashboard.render import charts, styles
from geodata.catalog.load import check_catalog
from geodata.catalog.vocab import FALLBACK_COLOUR, shipped_vocabularies
from geodata.shortlists import export as shortlist_export
from geodata.shortlists.store import ShortlistStore

from .conftest import ROOT

HOSTILE = "<script>alert(1)</script> \"onmouseover=alert(2) x='"
HOSTILE_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &#34;onmouseover=alert(2) x=&#39;"
OKABE_ITO = {"concept": "#E69F00", "phase-1": "#0072B2", "phase-2": "#CC79A7", "context": "#009E73"}


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("GEODATA_HOME", str(tmp_path / "home"))
    return ShortlistStore(tmp_path / "home")


@pytest.fixture
def hostile(catalog, store):
    """A catalog whose first shortlisted site has a hostile name, and one of its sources a hostile title and URL."""
    sites = catalog.sites
    ids = list(sites[(sites["role"] == "candidate") & sites.geometry.notna()]["id"][:3])
    renamed = sites.copy()
    renamed.loc[renamed["id"] == ids[0], "name"] = "Site " + HOSTILE
    sid = sites.loc[sites["id"] == ids[0], "sources"].item()[0]
    sources = dict(catalog.sources)
    sources[sid] = sources[sid].model_copy(update={"title": "Title " + HOSTILE, "url": "javascript:alert(3)"})
    evil = dataclasses.replace(catalog, sites=renamed, sources=sources)
    sl = store.create("Brief " + HOSTILE, "sites " + HOSTILE, weights={"water": 2})
    sl = store.add(sl.name, ids[0], note="Note " + HOSTILE, score=0.5)
    sl = store.add(sl.name, ids[1], note="<b>bold</b> & co")
    sl = store.add(sl.name, ids[2])
    return evil, sl


def test_hostile_text_is_escaped_everywhere(hostile, tmp_path):
    catalog, sl = hostile
    html = shortlist_export.export(catalog, sl, "html", tmp_path / "brief.html").read_text(encoding="utf-8")
    assert "<script" not in html and "javascript:" not in html
    assert '"onmouseover' not in html and "'onmouseover" not in html
    for text in ("Site ", "Title ", "Note ", "Brief ", "sites "):
        assert text + HOSTILE_ESCAPED in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    # the svg map is the one piece of markup; its <title> tooltips carry the escaped names
    assert html.count("<svg") == 1 and "&lt;script&gt;" in html[html.index("<svg") : html.index("</svg>")]


def test_brief_has_every_site_and_source_and_links_only_http_urls(hostile, tmp_path):
    catalog, sl = hostile
    html = shortlist_export.brief_html(catalog, sl, shortlist_export.shortlist_frame(catalog, sl))
    sites = catalog.sites.set_index("id")
    for item in sl.items:
        assert f"<b>{escape(sites.loc[item.site_id, 'name'])}</b><br><code>{item.site_id}</code>" in html
        for sid in sites.loc[item.site_id, "sources"]:
            assert f"<b>[{sid}]</b>" in html
            url = catalog.sources[sid].url or ""
            if url.startswith(("http://", "https://")):
                assert f'<a href="{url.replace("&", "&amp;")}">' in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    assert "<th>Score</th>" in html and "<td>0.500</td>" in html
    assert "<b>Scoring weights:</b> water 2" in html


def test_brief_map_draws_each_site_in_its_phase_colour(catalog, store):
    sites = catalog.sites
    picks = sites[(sites["role"] == "candidate") & sites.geometry.notna()].drop_duplicates("phase")
    sl = store.create("Colours")
    for sid in picks["id"]:
        sl = store.add(sl.name, sid)
    html = shortlist_export.brief_html(catalog, sl, shortlist_export.shortlist_frame(catalog, sl))
    for phase in picks["phase"]:
        assert f'fill="{catalog.vocab.colour("phase", phase)}"' in html


# ------------------------------------------------------------------ phase colours, defined in vocabularies.toml


def test_phase_colours_come_from_the_vocabulary(catalog):
    assert catalog.vocab.colours("phase") == OKABE_ITO
    assert shipped_vocabularies().colours("phase") == OKABE_ITO
    assert styles.PHASE_COLOURS == OKABE_ITO
    assert catalog.vocab.colour("phase", "no-such-phase") == FALLBACK_COLOUR
    assert catalog.vocab.colour("phase", None) == FALLBACK_COLOUR
    assert catalog.vocab.colour("status", "concept") == FALLBACK_COLOUR  # statuses have no colour


def test_the_dashboard_draws_the_colours_it_is_given():
    mine = {"concept": "#111111", "phase-1": "#222222", "phase-2": "#333333", "context": "#444444"}
    assert styles.site_style("candidate", "phase-2", mine)["color"] == "#333333"
    assert "background:#111111" in styles.facility_icon_html("fab", "concept", mine)
    assert "#222222" in styles.legend_html({}, mine) and "#0072B2" not in styles.legend_html({}, mine)
    assert styles.phase_colour("phase-2") == "#CC79A7"
    scale = charts._phase_scale(mine)
    assert scale.domain == list(mine) and scale.range == list(mine.values())


def test_a_colour_that_is_not_hex_is_a_catalog_problem(catalog_copy):
    path = catalog_copy.dir / "vocabularies.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('colour = "#0072B2"', 'colour = "red;background:url(x)"'), encoding="utf-8")
    catalog, problems = check_catalog(catalog_copy.dir)
    assert catalog is None and "phase.phase-1: colour" in str(problems[0])


def test_the_template_ships_with_the_package():
    with open(ROOT / "pyproject.toml", "rb") as fh:
        package_data = tomllib.load(fh)["tool"]["setuptools"]["package-data"]["geodata"]
    assert "shortlists/templates/*" in package_data
    assert (ROOT / "geodata" / "shortlists" / "templates" / "brief.html.j2").is_file()


def test_the_brief_shows_labels_not_internal_codes(catalog, tmp_path):
    """Readers see "Partially operational / ramping", never "partially-operational"."""
    from markupsafe import escape

    from geodata.shortlists import export
    from geodata.shortlists.store import ShortlistStore

    sites = catalog.sites[catalog.sites["status"].str.contains("-")].head(3)
    assert len(sites), "the shipped catalog has statuses whose codes hold a hyphen"
    store = ShortlistStore(tmp_path)
    sl = store.create("Codes")
    for sid in sites["id"]:
        sl = store.add("Codes", sid)
    html = export.render(catalog, sl, "html").decode("utf-8")
    for _, site in sites.iterrows():
        label = catalog.vocab.label("status", site["status"])
        assert label != site["status"] and str(escape(label)) in html
        assert f">{site['status']}<" not in html
