"""Work the first page needs, done while the browser is still loading Streamlit's own page.

`python -m dashboard` starts this in a background thread next to the server:
it imports the app's modules, reads the catalog and builds the place-search
index into the app's own caches (st.cache_resource is one cache per process),
so the first session's first run finds them ready. It never reports to a user:
whatever fails here, the first run meets again and reports it properly.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import suppress

log = logging.getLogger("atlas.warmup")
THREAD = "atlas-warm-up"


def run() -> None:
    # this thread is no script run: Streamlit's note saying so would only puzzle whoever reads the log
    # (a filter, not a level: Streamlit sets its loggers' levels when its configuration loads)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: threading.current_thread().name != THREAD
    )
    started = time.perf_counter()
    try:
        _wait_for_runtime()
        _warm()
    except Exception as exc:  # the first run meets the same problem and says it to the user
        log.info("warm-up stopped early (%s: %s); the first page does the rest", type(exc).__name__, exc)
        return
    log.info("warm-up done in %.2f s", time.perf_counter() - started)


def _wait_for_runtime(limit_s: float = 60.0) -> None:
    """Until Streamlit's runtime exists: the map's component registers with it when its module is imported,
    and a registration made before it exists is lost (the map's frame would then never load)."""
    from streamlit.runtime import Runtime

    deadline = time.monotonic() + limit_s
    while not Runtime.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("Streamlit's runtime did not start")
        time.sleep(0.02)


def _warm() -> None:
    from streamlit import delta_generator
    from streamlit.string_util import is_emoji

    from dashboard import (  # noqa: F401 - imported for their import cost, as app.py imports them
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
    from dashboard.render.view import US_VIEW, View
    from geodata import settings
    from geodata.catalog.filters import Filters
    from geodata.catalog.load import LAYERS

    assets.ensure_vendored()
    directory = data.catalog_dir()
    catalog, problems = data.load(directory)
    if problems or catalog is None:
        return
    key = data.stamp(directory)
    # first what the first page (the map, its counts and buttons) needs, then what the next run draws
    frames = {layer: data.filtered(catalog, key, layer, Filters()) for layer in LAYERS}
    map_panel.search_index(catalog)
    # first-call costs of the opening map: folium's templates, the frames' first reads
    base, groups = map_panel.catalog_map(catalog, frames, View(*US_VIEW), settings.basemap(), "")
    for group in groups:
        group.add_to(base)
    base.get_root().render()
    # once-per-process costs of Streamlit's first elements: the page icon's emoji check compiles a very
    # large pattern; the first element looks at the call stack once
    is_emoji(layout.PAGE_ICON)
    with suppress(AttributeError):  # a private helper: a later Streamlit may not have it
        delta_generator._maybe_print_use_warning()
    for specs in sidebar.WIDGETS.values():  # the counts under each list filter
        if sidebar.widget_kind(specs) == "multiselect":
            sidebar.facet_totals(catalog, key, Filters(), specs[0].name)
    import altair  # noqa: F401 - the charts import it when first drawn (0.4 s); done here, off the first page
