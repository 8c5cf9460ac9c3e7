"""Crystal Land sites atlas: candidate federal-land sites, announced investments and
company facilities for the proposed Japan-funded AI-infrastructure industrial parks.

Run from the repository root:  python -m dashboard  (or: streamlit run dashboard/app.py)
"""

from __future__ import annotations

import dataclasses
import logging
import time

import streamlit as st

from dashboard import (
    assets,
    companies_panel,
    data,
    details_panel,
    draw_panel,
    drawing,
    finder_panel,
    layers_panel,
    layout,
    map_panel,
    records_panel,
    score_panel,
    shortlist_panel,
    sidebar,
    whats_new_panel,
)
from dashboard.render import charts, urlstate
from dashboard.render.text import md_escape
from dashboard.render.view import US_VIEW, View
from geodata import settings
from geodata.catalog.filters import Filters, describe
from geodata.catalog.filterspec import SPECS
from geodata.catalog.load import LAYERS, Catalog
from geodata.money import format_usd
from geodata.problems import UserError, one_line


def boot(catalog: Catalog) -> None:
    """First run of a session: restore filters, view and selection from the URL."""
    ss = st.session_state
    url = urlstate.from_params(st.query_params.to_dict(), catalog, known=lambda rid: map_panel.is_known(catalog, rid))
    sidebar.seed(url.filters)
    ss.base_view = url.view or View(*US_VIEW)
    ss.view = url.view
    ss.selected = url.selected
    ss.basemap = url.basemap or settings.basemap()
    ss.url_warnings = url.warnings
    ss.map_target = None
    ss.target_nonce = 0
    ss.last_click = None
    ss.table_pick = {}
    if url.selected and not url.view:
        map_panel.jump_to_record(catalog, url.selected)
    ss.booted = True


ABOUT = (
    "Candidate federal-land sites, announced investments and company facilities for the proposed "
    "Japan-funded AI-infrastructure industrial parks (SoftBank's 'Project Crystal Land' north of "
    "Phoenix, later split into parks on federal land). Every record cites its sources."
)


def in_words(catalog: Catalog, filters: Filters) -> str:
    """The filter sentence with vocabulary labels ("Announced / committed"), as the sidebar shows them, not keys."""
    shown = {}
    for spec in SPECS:
        value = getattr(filters, spec.name)
        if spec.vocab and spec.labels and spec.kind.multiple and value:
            shown[spec.name] = tuple(catalog.vocab.label(spec.vocab, k) for k in value)
    return describe(dataclasses.replace(filters, **shown) if shown else filters)


def header(catalog: Catalog, filters: Filters, frames: dict) -> None:
    """Two short lines over the map: what is shown and how many; the map gets the rest of the screen."""
    for w in st.session_state.url_warnings:
        st.warning(w)
    sentence = in_words(catalog, filters)
    st.markdown(
        f"**Crystal Land sites atlas** · **Showing:** {md_escape(sentence[0].upper() + sentence[1:])}", help=ABOUT
    )
    with st.container(key="atlas_counts", horizontal=True, gap="medium", vertical_alignment="center"):
        for layer in LAYERS:
            n, total = len(frames[layer]), len(catalog.layer(layer))
            drawn = map_panel.on_map(frames[layer])
            st.metric(
                layer.capitalize(),
                n,
                delta=None if drawn == n else f"{drawn} on the map",
                delta_color="off",
                delta_arrow="off",
                help=f"{n} of {total} {layer} match the filters"
                + ("" if drawn == n else f"; {n - drawn} have no published location, so only {drawn} are drawn"),
                width="content",
            )
        amount = frames["investments"]["amount_usd"].sum()
        st.metric("Headline amounts", format_usd(amount) or "$0", help=charts.NOTE, width="content")
    if filters.as_of:
        st.info(
            f"As reported on {filters.as_of.isoformat()}: records first reported later are hidden, "
            "statuses and sources are shown as they stood then."
        )


def score_section(catalog: Catalog, ranking, filters: Filters) -> None:
    ss = st.session_state
    picked = score_panel.panel(catalog, ranking, describe(filters, "sites"), filters.to_json() or None)
    if picked and picked != ss.get("score_pick"):  # a new row picked in the ranking: show it on the map
        ss.score_pick = picked
        ss.selected = picked
        map_panel.jump_to_record(catalog, picked)
        st.rerun()


def write_url(filters: Filters) -> None:
    ss = st.session_state
    params = urlstate.to_params(
        urlstate.UrlState(
            filters=filters, view=ss.view, selected=ss.selected, basemap=ss.basemap if ss.basemap != "street" else None
        )
    )
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def map_first() -> None:
    """The sidebar of a session's first page, which shows the map before the filters and the tabs.

    Streamlit's page draws every element of a run before the map's frame starts loading Leaflet, and the
    filters and the table cost it about a second. So the first run draws the map with the same elements
    above it as every later run (the map's frame is then kept, not rebuilt), and the map's first report of
    its view, which starts a run anyway, brings the rest. Should that report never come (the frame failed),
    the timer below asks for the rest itself.
    """
    with st.sidebar:
        st.header("Filters")
        st.caption("Loading the filters…")
        st.session_state[FIRST_PAGE_INLINE] = True
        st.fragment(_whole_page, run_every=FIRST_PAGE_FALLBACK_S)()


FIRST_PAGE_FALLBACK_S = 3.0
FIRST_PAGE_INLINE = "atlas_first_page_inline"


def _whole_page() -> None:
    if st.session_state.pop(FIRST_PAGE_INLINE, False):  # drawn with the first page: the timer starts now
        return
    st.rerun(scope="app")  # the timer ran out before the map's report came


TABS = ("Table", "Companies", "What's new", "Charts", "Score", "Shortlist", "Download", "Your sites", "Find tracts")
TAB_KEY = "atlas_tab"


def main() -> None:
    st.set_page_config(page_title=layout.PAGE_TITLE, page_icon=layout.PAGE_ICON, layout="wide")
    layout.page_css()
    assets.ensure_vendored()
    directory = data.catalog_dir()
    catalog, problems = data.load(directory)
    if problems:
        st.error(
            f"The catalog in {directory} is invalid ({len(problems)} problem(s)); fix them and reload. "
            "`python -m geodata validate` lists the same."
        )
        st.code("\n".join(problems[:50]), language=None)
        st.stop()
    first = "booted" not in st.session_state
    if first:
        boot(catalog)
    # the map first: the filters, the tabs and the details follow on the next run (see map_first)
    light = first and settings.first_page() == "map"
    key = data.stamp(directory)
    # inputs in closed tabs and under the closed "More filters" keep their values
    layout.keep((*score_panel.KEPT, *shortlist_panel.KEPT, *finder_panel.KEPT, *records_panel.KEPT))
    layout.keep(whats_new_panel.KEPT)
    layout.keep(sidebar.kept_keys())
    drawing.apply_pending()
    if light:
        filters = sidebar.from_state(catalog)
        map_first()
    else:
        filters = sidebar.render(catalog, key)
        layers_panel.sidebar()
    frames = {layer: data.filtered(catalog, key, layer, filters) for layer in LAYERS}
    header(catalog, filters, frames)
    base_url = st.get_option("server.baseUrlPath") or ""

    def rank():
        sites, mine = draw_panel.scored_sites(frames["sites"], filters)  # the catalog's and your own
        return score_panel.current(catalog, key + mine, sites, filters)

    map_panel.buttons(catalog, frames, first_page=light)
    highlight = companies_panel.map_groups(catalog, key, filters)
    # The details open beside the map in a box of the map's height; with nothing selected the map takes
    # the width (same two columns either way, so the live map is never rebuilt).
    left, right = st.columns([2.3, 1] if st.session_state.selected else [1, 0.001], gap="small")
    with left, st.container(key=layout.MAP_SLOT, height=layout.BOX_PX, border=False):
        notes = map_panel.render(catalog, frames, base_url, rank, highlight)  # before scoring: the map shows first
    with right, st.container(key=layout.DETAILS_BOX, height=layout.BOX_PX, border=False):
        if light and st.session_state.selected:
            st.caption("Loading the details…")
        else:
            details_panel.render(catalog, filters)
    with st.container():  # one element whatever the notes: the tabs below keep their place, and their open tab
        for note in notes:
            st.caption(note)
    if light:
        return
    # Only the open tab runs (the others cost nothing until opened): the first page shows sooner.
    tabs = st.tabs(TABS, key=TAB_KEY, on_change="rerun")
    table_tab, co_tab, new_tab, chart_tab, score_tab, sl_tab, dl_tab, mine_tab, find_tab = tabs
    if table_tab.open:
        with table_tab:
            records_panel.table(catalog, companies_panel.narrow(catalog, frames))
    if co_tab.open:
        with co_tab:
            companies_panel.panel(catalog, key, filters)
    if new_tab.open:
        with new_tab:
            whats_new_panel.panel(catalog, key)
    if chart_tab.open:
        with chart_tab:
            records_panel.charts_tab(catalog, frames, key, filters)
    if score_tab.open:
        with score_tab:
            score_section(catalog, rank(), filters)
    if sl_tab.open:
        with sl_tab:
            shortlist_panel.panel(catalog, describe(filters, "sites"), filters.to_json() or None)
    if dl_tab.open:
        with dl_tab:
            records_panel.downloads(catalog, frames)
    if mine_tab.open:
        with mine_tab:
            draw_panel.panel()
    if find_tab.open:
        with find_tab:
            finder_panel.panel(catalog)
    write_url(filters)


def run() -> None:
    """main(), but a bug shows a plain message; the traceback goes to the server log only."""
    started = time.perf_counter()
    try:
        main()
    except UserError as exc:  # a state the user can put right (a damaged store, a bad setting): said as it is
        st.error(md_escape(one_line(str(exc))))
        return
    except Exception as exc:  # st.stop() and st.rerun() raise BaseExceptions: they pass through
        logging.getLogger("atlas").exception("unexpected error in the app")
        st.error(
            f"Something went wrong ({type(exc).__name__}). Your filters and shortlists are safe; "
            "reload the page. The details are in the server log."
        )
        return
    log = settings.timing_log()
    if log:  # bench/map_scale.py reads the server time of each full run
        with open(log, "a") as fh:
            fh.write(f"app {time.perf_counter() - started:.4f}\n")


run()
