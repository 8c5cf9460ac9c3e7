"""The tract finder and your own candidate sites through the app (AppTest), on the generated Phoenix land layer."""

from __future__ import annotations

import pytest

from geodata import storage
from geodata.importers.files import import_file
from geodata.importers.limits import Limits
from tests import landgen

from .test_app import run_app


@pytest.fixture
def home(tmp_path, monkeypatch):
    land, monument = landgen.write(tmp_path / "in")
    (tmp_path / "home" / "layers").mkdir(parents=True)
    import_file(land, tmp_path / "home" / "layers" / "padus-phoenix.parquet", Limits())
    import_file(monument, tmp_path / "home" / "layers" / "monument.parquet", Limits())
    monkeypatch.setenv("GEODATA_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _open(at, tab: str):
    at.session_state["atlas_tab"] = tab
    return at.run()


def _legend(at) -> str:
    """The legend lines the map writes for imported layers and your own (LegendImported, in the map's script)."""
    args = " ".join(c.proto.json_args for c in at.get("component_instance"))
    start = args.index("box.innerHTML = ")
    return args[start : args.index("})()", start)]


def _search(at, *, exclude=True, near=20, acres=landgen.MIN_ACRES):
    _open(at, "Find tracts")
    at.selectbox(key="find_land").set_value("padus-phoenix").run()
    at.selectbox(key="find_field").set_value("Mang_Name").run()
    at.multiselect(key="find_values").set_value(["BLM"])
    at.number_input(key="find_acres").set_value(float(acres))
    at.number_input(key="find_width").set_value(float(landgen.MIN_WIDTH_M))
    at.number_input(key="find_near").set_value(float(near))
    if exclude:
        at.multiselect(key="find_excl").set_value(["monument"])
    next(b for b in at.button if b.label == "Find tracts").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_app_finds_the_three_tracts_and_saves_them_as_your_sites(home):
    at = _search(run_app())
    table = next(d.value for d in at.dataframe if "parcels_merged" in d.value.columns)
    assert len(table) == 3
    assert sorted(table["parcels_merged"]) == [1, 2, 4]
    assert all(table["width_m"] >= landgen.MIN_WIDTH_M)
    assert "Found tracts" in _legend(at) and "Your candidate sites" not in _legend(at)
    next(b for b in at.button if b.label == "Save as my candidate sites").click().run()
    assert "Your candidate sites" in _legend(at)  # the legend names what the map draws in their colours
    saved = storage.candidates(home).list()
    assert len(saved) == 3 and all(c.origin == "found" for c in saved)
    _open(at, "Score")
    scored = " ".join(" ".join(map(str, d.value["id"])) for d in at.dataframe if "score" in d.value.columns)
    assert all(c.id in scored for c in saved)  # scored with the catalog's sites in the Score tab
    _open(at, "Your sites")
    listed = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert all(c.id in listed for c in saved)  # listed under Your sites


def test_a_search_that_finds_nothing_says_where_everything_went(home):
    at = _search(run_app(), acres=1_000_000)
    assert any("No tract passed" in w.value and "13 of 15 parcels" in w.value for w in at.warning)
    assert at.multiselect(key="find_values").value == ["BLM"]  # the inputs stay for the next try


def test_a_drawn_area_is_saved_with_a_name_and_a_note_and_deleted(home):
    at = run_app({"area": "-113.2,33.2,-112.6,33.6"}, tab="Your sites")
    form_name = next(t for t in at.text_input if t.label == "Name of your candidate site")
    form_name.input("West of Buckeye")
    next(t for t in at.text_area if t.label == "Note").input("=HYPERLINK(1) near I-10")
    next(b for b in at.button if b.label == "Save as my candidate site").click().run()
    mine = storage.candidates(home).list()
    assert [c.name for c in mine] == ["West of Buckeye"] and mine[0].acres > 100_000
    next(b for b in at.button if b.label == "Delete").click().run()
    assert storage.candidates(home).list() == []


def test_saving_without_a_name_keeps_the_form_and_says_why(home):
    at = run_app({"area": "-113.2,33.2,-112.6,33.6"}, tab="Your sites")
    next(b for b in at.button if b.label == "Save as my candidate site").click().run()
    assert any("give the candidate site a name" in e.value for e in at.error)
    assert storage.candidates(home).list() == []


def test_the_search_keeps_to_the_area_filter(home):
    at = _search(run_app({"area": "-112.97,33.37,-112.92,33.42"}))
    table = next(d.value for d in at.dataframe if "parcels_merged" in d.value.columns)
    assert list(table["parcels_merged"]) == [4]  # only the grid lies in the box
