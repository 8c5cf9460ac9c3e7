"""The dashboard through Streamlit's AppTest: filters, counts, the as-of date, the URL."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from geodata.catalog.filters import Filters, apply_filters
from geodata.catalog.load import LAYERS

from .conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


def run_app(query: dict | None = None, env_catalog: str | None = None, monkeypatch=None, tab: str = "") -> AppTest:
    """The app after its first run; `tab` opens that tab first (only the open tab runs)."""
    if env_catalog and monkeypatch:
        monkeypatch.setenv("GEODATA_CATALOG", env_catalog)
    at = AppTest.from_file(APP, default_timeout=60)
    if tab:
        at.session_state["atlas_tab"] = tab
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric_values(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value) for m in at.metric if m.label.lower() in LAYERS}


def expected_counts(catalog, filters: Filters) -> dict[str, int]:
    return {layer.capitalize(): len(apply_filters(catalog, layer, filters)) for layer in LAYERS}


@pytest.fixture(scope="module")
def app():
    return run_app()


def test_app_starts_with_every_record(app, catalog):
    assert metric_values(app) == expected_counts(catalog, Filters())
    assert any("Showing" in m.value and "All records" in m.value for m in app.markdown)


def test_phase_filter_changes_counts_and_sentence(catalog):
    at = run_app()
    at.multiselect(key="f_phase").set_value(["phase-1"]).run()
    assert metric_values(at) == expected_counts(catalog, Filters(phase=("phase-1",)))
    # the sentence speaks the sidebar's words, never the vocabulary key
    assert any("Phase 1 records" in m.value for m in at.markdown)
    assert not any("hase\\-1" in m.value for m in at.markdown)


def test_several_filters_combine(catalog):
    at = run_app()
    at.multiselect(key="f_agency").set_value(["DOE"])
    at.multiselect(key="f_state").set_value(["TN", "ID"])
    at.text_input(key="f_text").input("oak").run()
    f = Filters(agency=("DOE",), state=("TN", "ID"), text="oak")
    assert metric_values(at) == expected_counts(catalog, f)


def test_as_of_date_hides_later_records(catalog):
    when = date(2025, 7, 1)
    at = run_app()
    at.text_input(key="f_asof").input(when.isoformat()).run()
    got = metric_values(at)
    assert got == expected_counts(catalog, Filters(as_of=when))
    assert got["Investments"] < len(catalog.investments)
    at.session_state["table_layer"] = "investments"
    at.run()
    table = at.dataframe[0].value  # the one table drawn: the investments
    later = catalog.investments[catalog.investments["_first_reported"] > when]["id"]
    assert set(table["id"]).isdisjoint(set(later))
    assert any("As reported on 2025-07-01" in i.value for i in at.info)


def test_url_restores_filters_and_view(catalog):
    query = {
        "phase": "phase-1,context",
        "state": "TX",
        "min": "1B",
        "q": "data",
        "asof": "2026-01-31",
        "lat": "33.9",
        "lon": "-112.1",
        "z": "9",
    }
    at = run_app(query)
    assert at.multiselect(key="f_phase").value == ["phase-1", "context"]
    assert at.multiselect(key="f_state").value == ["TX"]
    assert at.text_input(key="f_text").value == "data"
    assert at.text_input(key="f_asof").value == "2026-01-31"
    f = Filters(phase=("phase-1", "context"), state=("TX",), min_amount=1e9, text="data", as_of=date(2026, 1, 31))
    assert metric_values(at) == expected_counts(catalog, f)
    # and the app writes the same state back into the URL
    assert at.query_params["phase"] == "phase-1,context"
    assert at.query_params["min"] == "1B"
    assert at.query_params["lat"] == "33.9000" and at.query_params["z"] == "9"


def test_url_round_trip_after_changing_a_filter(catalog):
    at = run_app()
    at.multiselect(key="f_agency").set_value(["DAF", "ARMY"]).run()
    params = dict(at.query_params.items())
    assert params["agency"] == "DAF,ARMY"
    again = run_app(params)
    assert again.multiselect(key="f_agency").value == ["DAF", "ARMY"]
    assert metric_values(again) == metric_values(at)


def test_a_company_from_a_link_in_another_case_is_the_option_itself(catalog):
    at = run_app({"company": "softbank"})
    assert at.multiselect(key="f_company").value == ["SoftBank"]  # not a second chip "softbank (0)"
    assert metric_values(at) == expected_counts(catalog, Filters(company=("softbank",)))
    counts = " ".join(c.value for c in at.sidebar.caption).replace("\\", "")
    assert "SoftBank (" in counts and "softbank (0)" not in counts
    assert at.query_params["company"] == "SoftBank"
    part = run_app({"company": "bank"})  # a part of names: kept as typed, with no count of its own
    assert part.multiselect(key="f_company").value == ["bank"]
    assert "bank (0)" not in " ".join(c.value for c in part.sidebar.caption).replace("\\", "")


def test_bad_link_values_are_dropped_with_a_warning(catalog):
    at = run_app(
        {"phase": "phase-1,<script>", "min": "lots", "z": "99", "lat": "x", "lon": "1", "sel": "no-such-record"}
    )
    warnings = " ".join(w.value for w in at.warning)
    assert "ignored phase=<script>" in warnings and "ignored min=" in warnings
    assert "map view" in warnings and "no such record" in warnings
    assert at.multiselect(key="f_phase").value == ["phase-1"]
    assert metric_values(at) == expected_counts(catalog, Filters(phase=("phase-1",)))


def test_selected_record_from_link_shows_details_and_sources(catalog):
    site = catalog.sites.iloc[0]
    at = run_app({"sel": site["id"]})
    html = " ".join(h.proto.body for h in at.get("html"))
    assert site["name"].replace("&", "&amp;") in html or site["name"] in html
    for sid in site["sources"]:
        assert f"[{sid}]" in html


def test_invalid_catalog_shows_problems_not_a_traceback(catalog_copy, monkeypatch):
    rid = catalog_copy.rows("investments.csv")[0]["id"]
    catalog_copy.edit_row("investments.csv", rid, phase="phase-9")
    monkeypatch.setenv("GEODATA_CATALOG", str(catalog_copy.dir))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "invalid" in at.error[0].value
    assert any(rid in c.value and "phase" in c.value for c in at.code)


def test_stale_shortlist_save_is_refused_with_a_visible_notice(tmp_path, monkeypatch, catalog):
    from geodata.shortlists.store import ShortlistStore

    monkeypatch.setenv("GEODATA_HOME", str(tmp_path))
    site = catalog.sites.iloc[0]["id"]
    other = ShortlistStore(tmp_path)
    other.create("Team")
    other.add("Team", site, note="first")
    at = run_app(tab="Shortlist")
    assert at.selectbox(key="sl_active").value == "Team"
    other.note("Team", site, "saved by another session")  # meanwhile, elsewhere
    at.run()
    assert any("changed in another session" in w.value for w in at.warning)
    at.button(key="sl_save").click().run()
    assert any("Your changes were not saved" in w.value and "changed elsewhere" in w.value for w in at.warning)
    assert other.get("Team").items[0].note == "saved by another session"
    at.button(key="sl_reload").click().run()
    assert not any("changed in another session" in w.value for w in at.warning)


def test_unsaved_shortlist_edits_survive_a_visit_to_another_tab(tmp_path, monkeypatch, catalog):
    from geodata.shortlists.store import ShortlistStore

    monkeypatch.setenv("GEODATA_HOME", str(tmp_path))
    a, b, c = catalog.sites["id"][:3]
    store = ShortlistStore(tmp_path)
    store.create("Team")
    for site in (a, b, c):
        store.add("Team", site)
    at = run_app(tab="Shortlist")
    editor = f"sl_editor_Team_v{store.get('Team').version}"
    # what the browser sends after typing: a note on row 2, rank 1 on row 3 (the editor's own deltas)
    at.session_state[editor] = {
        "edited_rows": {1: {"note": "check water rights"}, 2: {"rank": 1}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert any("Unsaved changes" in cap.value for cap in at.caption)
    at.session_state["atlas_tab"] = "Table"
    at.run()
    at.run()  # a second run without the tab: Streamlit has forgotten the editor and its edits
    assert editor not in at.session_state
    at.session_state["atlas_tab"] = "Shortlist"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = at.data_editor[0].value
    assert list(shown["note"]) == ["", "check water rights", ""] and list(shown["rank"]) == [1, 2, 1]
    assert any("Unsaved changes" in cap.value for cap in at.caption)
    at.button(key="sl_save").click().run()
    saved = store.get("Team")
    assert [i.site_id for i in saved.items] == [c, a, b]
    assert [i.note for i in saved.items] == ["", "", "check water rights"]
    assert not any("Unsaved changes" in cap.value for cap in at.caption)


def test_details_and_shortlist_tab_agree_on_the_active_shortlist(tmp_path, monkeypatch, catalog):
    from geodata.shortlists.store import ShortlistStore

    monkeypatch.setenv("GEODATA_HOME", str(tmp_path))
    site = catalog.sites.iloc[0]["id"]
    at = run_app({"sel": site}, tab="Shortlist")
    assert not any(b.label.startswith("Add to shortlist") for b in at.button)
    ShortlistStore(tmp_path).create("Team")
    at.session_state["sl_active"] = "a shortlist deleted meanwhile"  # a stale choice, as a lost rerun leaves it
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key=f"sl_add_{site}").label == "Add to shortlist 'Team'"
    assert at.selectbox(key="sl_active").value == "Team"


def test_score_weights_change_the_ranking_and_the_ranking_saves_as_a_shortlist(tmp_path, monkeypatch):
    from geodata.shortlists.store import ShortlistStore

    monkeypatch.setenv("GEODATA_HOME", str(tmp_path))
    at = run_app(tab="Score")

    def ranked(at) -> list[str]:
        table = next(d for d in at.dataframe if "score" in d.value.columns)
        return list(table.value["id"])

    first = ranked(at)
    at.slider(key="w_area").set_value(0.0)
    at.slider(key="w_metro").set_value(5.0).run()
    second = ranked(at)
    assert sorted(first) == sorted(second) and first != second
    at.text_input(key="score_sl_name").input("Metro first").run()
    at.button(key="score_sl_save").click().run()
    assert not at.exception
    sl = ShortlistStore(tmp_path).get("Metro first")
    assert sl.weights["metro"] == 5.0 and sl.weights["area"] == 0.0
    assert [i.site_id for i in sl.items] == second[: len(sl.items)] and all(i.score is not None for i in sl.items)


def test_a_first_page_of_map_first_draws_the_map_then_everything_on_the_next_run(catalog, monkeypatch):
    # python -m dashboard sets GEODATA_FIRST_PAGE=map: the first run is the map and what sits above it, so the
    # browser starts loading Leaflet a second sooner; the next run (the map's first report) brings the rest
    monkeypatch.setenv("GEODATA_FIRST_PAGE", "map")
    site = catalog.sites.iloc[0]
    at = run_app({"phase": "phase-1", "sel": site["id"]})
    want = expected_counts(catalog, Filters(phase=("phase-1",)))
    assert metric_values(at) == want  # the link's filters hold from the first run
    assert at.get("component_instance"), "the map is drawn on the first run"
    assert not at.multiselect and not at.tabs, "filters and tabs wait for the next run"
    assert any("Loading the filters" in c.value for c in at.sidebar.caption)
    assert any("Loading the details" in c.value for c in at.caption)
    assert "phase" not in at.query_params or at.query_params["phase"] == "phase-1"
    search = at.selectbox(key="atlas_search")
    assert search.disabled and not search.options  # its 30,000-place index is not worth delaying the map for
    at.run()
    search = at.selectbox(key="atlas_search")
    assert not search.disabled and "Place: Phoenix, AZ" in search.options
    assert not at.exception, [e.value for e in at.exception]
    assert metric_values(at) == want
    assert at.multiselect(key="f_phase").value == ["phase-1"]
    assert at.tabs and not any("Loading the" in c.value for c in [*at.caption, *at.sidebar.caption])
    html = " ".join(h.proto.body for h in at.get("html"))
    assert site["name"] in html or site["name"].replace("&", "&amp;") in html
    assert at.query_params["phase"] == "phase-1" and at.query_params["sel"] == site["id"]


def test_the_whole_first_page_by_default(catalog):
    at = run_app()  # streamlit run dashboard/app.py, and every other test here: the whole page at once
    assert at.multiselect and at.tabs


def test_only_the_open_tab_runs_and_a_closed_tab_keeps_its_inputs(tmp_path, monkeypatch):
    monkeypatch.setenv("GEODATA_HOME", str(tmp_path))
    at = run_app()
    assert not any("score" in d.value.columns for d in at.dataframe)  # Score is closed: not computed
    assert not [s for s in at.slider if s.key and s.key.startswith("w_")]
    at.session_state["atlas_tab"] = "Score"
    at.run()
    at.slider(key="w_metro").set_value(4.5).run()
    at.radio(key="w_exclusion").set_value("remove").run()
    at.session_state["atlas_tab"] = "Table"
    at.run()
    at.run()  # a second run without the tab: Streamlit would have forgotten an input it did not draw
    assert not [s for s in at.slider if s.key == "w_metro"]
    at.session_state["atlas_tab"] = "Score"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="w_metro").value == 4.5 and at.radio(key="w_exclusion").value == "remove"


@pytest.mark.parametrize(
    "typed,shown,problem",
    [
        ("2025", date(2025, 12, 31), None),  # a year: the catalog as it stood at its end
        ("2025-07", date(2025, 7, 31), None),
        ("2025-13-01", None, "Date not used"),
        ("2999-01-01", None, "in the future"),
        ("soon", None, "Date not used"),
    ],
)
def test_the_as_of_field_takes_years_months_and_days_and_says_what_it_did_not_use(catalog, typed, shown, problem):
    at = run_app()
    at.text_input(key="f_asof").input(typed).run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric_values(at) == expected_counts(catalog, Filters(as_of=shown))
    errors = " ".join(e.value for e in at.error)
    assert (problem in errors) if problem else not errors


@pytest.mark.parametrize(
    "typed,problem",
    [
        (("2025", ""), None),  # from the first day of 2025
        (("2025-03", "2026-06"), None),
        (("", "2025-06-30"), None),
        (("2025-02-30", ""), "Date not used"),
        (("2026", "2025"), "No record can match"),
    ],
)
def test_the_first_reported_range_takes_typed_dates(catalog, typed, problem):
    from geodata.catalog.filterspec import parse_filters

    at = run_app()
    at.session_state["f_more"] = True  # the range sits under "More filters"
    at.run()
    at.text_input(key="f_dates_from").input(typed[0])
    at.text_input(key="f_dates_to").input(typed[1]).run()
    assert not at.exception, [e.value for e in at.exception]
    raw = {k: v for k, v in zip(("since", "until"), typed, strict=True) if v and problem != "Date not used"}
    expected, _ = parse_filters(raw, catalog)
    if problem != "No record can match":
        assert metric_values(at) == expected_counts(catalog, expected)
    errors = " ".join(e.value for e in at.error)
    assert (problem in errors) if problem else not errors
    if typed == ("2025-03", "2026-06"):
        assert at.query_params["since"] == "2025-03" and at.query_params["until"] == "2026-06"


def test_more_filters_are_drawn_when_opened_counted_when_set_and_kept_when_closed(catalog):
    at = run_app({"conf": "high"})
    assert not [m for m in at.multiselect if m.key == "f_conf"]  # closed: not built
    assert any("Also set under More filters: Confidence" in c.value for c in at.caption)
    expected = expected_counts(catalog, Filters(confidence=("high",)))
    assert metric_values(at) == expected
    at.session_state["f_more"] = True
    at.run()
    assert at.multiselect(key="f_conf").value == ["high"]
    at.multiselect(key="f_type").set_value([catalog.vocab.values("facility_type")[0]]).run()
    assert at.session_state["f_more"] is True  # still open after a value changed inside it
    twice = metric_values(at)
    at.session_state["f_more"] = False
    at.run()
    at.run()  # two runs without the widgets: their values stay
    assert metric_values(at) == twice
    assert any("More filters: Facility type, Confidence" in c.value for c in at.caption)
