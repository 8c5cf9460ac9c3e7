"""One filter table: the link, the CLI and the sidebar read and write every filter the same way."""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Multiselect

from dashboard import sidebar
from dashboard.render import urlstate
from geodata.catalog.filters import apply_filters
from geodata.catalog.filterspec import (
    SPEC,
    SPECS,
    Amount,
    Codes,
    Day,
    Filters,
    Names,
    PastDay,
    Region,
    Terms,
    Text,
    amount_text,
    parse_filters,
)
from geodata.catalog.load import LAYERS
from geodata.cli import filter_args
from geodata.cli.main import Parser
from geodata.money import parse_amount
from geodata.problems import UserError

from .conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


def good_text(spec, catalog) -> str:
    """A usable text for the filter, as a user would type it; a new kind must say what one looks like."""
    kind = spec.kind
    if isinstance(kind, Terms):
        return ",".join(catalog.vocab.values(spec.vocab)[:2])
    if isinstance(kind, Names):
        return "SoftBank,oracle"
    if isinstance(kind, Codes):
        return "tx,AZ"
    if isinstance(kind, Amount):
        return "7.5B" if spec.lower else "1.25B"
    if isinstance(kind, Day):
        return "2026-03-31" if spec.lower else "2025-07-01"
    if isinstance(kind, PastDay):
        return "2025-12-31"
    if isinstance(kind, Text):
        return "fiber cable"
    if isinstance(kind, Region):
        return "-125,24,-66,50"
    raise AssertionError(f"no sample text for {spec.name} ({type(kind).__name__}); add one here")


def bad_text(spec) -> str | None:
    """A text the filter must refuse, or None when every text is usable."""
    kind = spec.kind
    if isinstance(kind, Terms):
        return "no-such-term"
    if isinstance(kind, Amount):
        return "lots"
    if isinstance(kind, Day):
        return "last year"
    if isinstance(kind, PastDay):
        return "2999-01-01"
    if isinstance(kind, Region):
        return "-112,33,-111,34,-111,33,-112,34"  # a bow tie: its edges cross
    return None


def every_filter(catalog) -> Filters:
    filters, problems = parse_filters({s.name: good_text(s, catalog) for s in SPECS}, catalog)
    assert problems == []
    assert set(filters.active()) == {s.name for s in SPECS}, "every filter of the table is set"
    return filters


def cli_filters(argv: list[str], catalog) -> Filters:
    parser = Parser()  # the CLI's parser: a box west of Greenwich starts with '-'

    filter_args.add_filter_args(parser)
    return filter_args.filters_from_args(parser.parse_args(argv), catalog)


def argv_of(texts: dict[str, str]) -> list[str]:
    return [a for name, text in texts.items() for a in ("--" + SPEC[name].flag, text)]


# ------------------------------------------------------------------ the table reaches every front end


def test_every_filter_has_a_url_key_a_cli_flag_and_a_sidebar_widget():
    parser = argparse.ArgumentParser()
    filter_args.add_filter_args(parser)
    flags = {o for a in parser._actions for o in a.option_strings}
    for spec in SPECS:
        assert urlstate.FILTER_PARAMS[spec.name] == spec.url and spec.url not in urlstate.OTHER_PARAMS
        assert "--" + spec.flag in flags
        assert sidebar.KEYS[spec.name] == spec.widget
        assert spec in sidebar.WIDGETS[spec.widget]
        assert sidebar.widget_kind(sidebar.WIDGETS[spec.widget]) in sidebar.DRAW
    assert list(Filters.__dataclass_fields__) == [s.name for s in SPECS]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_url_round_trip_of_each_filter(spec, catalog):
    text = good_text(spec, catalog)
    filters, problems = parse_filters({spec.name: text}, catalog)
    assert problems == [] and list(filters.active()) == [spec.name]
    params = urlstate.to_params(urlstate.UrlState(filters=filters))
    assert list(params) == [spec.url]
    back = urlstate.from_params(params, catalog)
    assert back.filters == filters and back.warnings == []


def test_url_round_trip_of_every_filter_at_once(catalog):
    f = every_filter(catalog)
    params = urlstate.to_params(urlstate.UrlState(filters=f))
    assert set(params) == {s.url for s in SPECS}
    back = urlstate.from_params(params, catalog)
    assert back.filters == f and back.warnings == []
    assert urlstate.to_params(back) == params


def test_cli_and_url_read_every_filter_alike(catalog):
    texts = {s.name: good_text(s, catalog) for s in SPECS}
    from_cli = cli_filters(argv_of(texts), catalog)
    from_url = urlstate.from_params({SPEC[n].url: t for n, t in texts.items()}, catalog)
    assert from_cli == from_url.filters == every_filter(catalog)
    assert from_cli.state == ("TX", "AZ") and from_cli.min_amount == 1.25e9


def test_sidebar_round_trip_of_every_filter(catalog, monkeypatch):
    monkeypatch.setattr(st, "session_state", {})
    f = every_filter(catalog)  # a month or a year in a date field comes back as typed
    sidebar.seed(f)
    assert set(st.session_state) == sidebar.state_keys()
    assert sidebar.from_state(catalog) == f
    sidebar.reset()
    assert sidebar.from_state(catalog) == Filters()


@pytest.mark.parametrize("spec", [s for s in SPECS if bad_text(s)], ids=lambda s: s.name)
def test_a_bad_value_is_a_typed_problem_worded_by_each_front_end(spec, catalog):
    bad = bad_text(spec)
    filters, problems = parse_filters({spec.name: bad}, catalog)
    assert filters == Filters()
    [p] = problems
    assert p.fields == (spec.name,) and p.values == (bad,)
    assert "--" not in p.message and f"{spec.url}=" not in p.message
    if spec.vocab:
        assert p.allowed == tuple(catalog.vocab.values(spec.vocab)) and "allowed: " in p.message
    with pytest.raises(UserError) as cli:
        cli_filters(["--" + spec.flag, bad], catalog)
    assert str(cli.value) == f"--{spec.flag}: {p.message}"
    url = urlstate.from_params({spec.url: bad}, catalog)
    assert url.warnings == [f"ignored {spec.url}={bad} from the link: {p.message}"]


def test_a_link_keeps_the_good_items_of_a_list_and_drops_the_bad(catalog):
    url = urlstate.from_params({"phase": "phase-1,<script>,context", "agency": "DOE"}, catalog)
    assert url.filters == Filters(phase=("phase-1", "context"), agency=("DOE",))
    assert len(url.warnings) == 1 and url.warnings[0].startswith("ignored phase=<script> from the link: ")


@pytest.mark.parametrize("upper", [s for s in SPECS if s.lower], ids=lambda s: s.name)
def test_an_inverted_range_drops_exactly_that_range(upper, catalog):
    lower = SPEC[upper.lower]
    hi, lo = good_text(lower, catalog), good_text(upper, catalog)  # swapped
    texts = {lower.name: lo, upper.name: hi, "phase": "phase-1"}
    filters, [p] = parse_filters(texts, catalog)
    assert p.fields == (lower.name, upper.name) and p.values == (lo, hi)
    assert filters == Filters(phase=("phase-1",))
    url = urlstate.from_params({SPEC[n].url: t for n, t in texts.items()}, catalog)
    assert url.filters == filters
    assert url.warnings == [f"ignored {lower.url}={lo}, {upper.url}={hi} from the link: {p.message}"]
    with pytest.raises(UserError) as cli:
        cli_filters(argv_of(texts), catalog)
    assert str(cli.value) == f"--{lower.flag}/--{upper.flag}: {p.message}"


def test_as_of_in_the_future_is_refused_by_both_front_ends(catalog):
    tomorrow = date.fromordinal(date.today().toordinal() + 1).isoformat()
    url = urlstate.from_params({"asof": tomorrow, "q": "data"}, catalog)
    assert url.filters == Filters(text="data")
    assert url.warnings == [f"ignored asof={tomorrow} from the link: {tomorrow} is in the future"]
    with pytest.raises(UserError, match=f"^--as-of: {tomorrow} is in the future$"):
        cli_filters(["--as-of", tomorrow], catalog)


def test_list_values_repeat_or_use_commas_and_free_text_is_capped(catalog):
    a, _ = parse_filters({"state": ["tx", "az,TX"], "text": "  " + "x" * 300}, catalog)
    assert a.state == ("TX", "AZ") and a.text == "x" * 200
    assert cli_filters(["--state", "tx", "--state", "az,TX", "--search", "x" * 300], catalog) == a


@pytest.mark.parametrize("value", [0, 1e9, 1.25e9, 2.3e9, 375e6, 1234567, 0.5, 123456789.123, 7e12, 1e15])
def test_amount_text_reads_back_exactly(value):
    assert parse_amount(amount_text(value)) == value


def test_amount_text_uses_the_units_people_write():
    assert [amount_text(v) for v in (1e9, 2.5e9, 375e6, 7e12, 0)] == ["1B", "2.5B", "375M", "7T", "0"]


def test_filters_problems_uses_the_same_checks(catalog):
    f = Filters(phase=("phase-9",), min_amount=5e9, max_amount=1e9)
    assert [p.fields for p in f.problems(catalog)] == [("phase",), ("min_amount", "max_amount")]
    assert every_filter(catalog).problems(catalog) == []


# ------------------------------------------------------------------ one edit adds a filter everywhere

NEW_FILTER = """
    FilterSpec(
        name="quality",
        kind=TERMS,
        vocab="geometry_quality",
        url="quality",
        flag="quality",
        label="Outline quality",
        help="How the outline on the map was drawn.",
        hint="authoritative, reported, approximate, none",
        metavar="Q",
        widget="f_quality",
        column="geometry_quality",
        mask="isin",
        phrase="drawn as {}",
        rank=105,
    ),
"""
ONE_EDIT = """
import pathlib, sys, types
import geodata.catalog
path = pathlib.Path(geodata.catalog.__file__).parent / "filterspec.py"
source = path.read_text(encoding="utf-8")
end = "\\n)\\nSPEC: dict[str, FilterSpec]"
assert source.count(end) == 1, "the table no longer ends where this test adds to it"
module = types.ModuleType("geodata.catalog.filterspec")
module.__file__ = str(path)
sys.modules[module.__name__] = module
exec(compile(source.replace(end, NEW + end), str(path), "exec"), module.__dict__)
geodata.catalog.filterspec = module

from streamlit.testing.v1 import AppTest
from dashboard import sidebar
from dashboard.render import urlstate
from geodata.catalog.filters import Filters, apply_filters, describe
from geodata.catalog.load import load_catalog
from tests.conftest import run_cli

catalog = load_catalog()
f = Filters(quality=("approximate",))
assert urlstate.to_params(urlstate.UrlState(filters=f)) == {"quality": "approximate"}
assert urlstate.from_params({"quality": "approximate"}, catalog).filters == f
kept = apply_filters(catalog, "sites", f)
assert 0 < len(kept) < len(catalog.sites) and set(kept["geometry_quality"]) == {"approximate"}
assert describe(f, "sites") == "sites drawn as approximate"
code, out, err = run_cli("list", "sites", "--quality", "approximate")
assert code == 0 and out.strip().endswith(f"{len(kept)} records: sites drawn as approximate"), (out, err)
code, out, err = run_cli("list", "sites", "--quality", "drawn")
assert code == 1 and err.startswith("error: --quality: 'drawn' is not a known geometry quality"), err
assert sidebar.KEYS["quality"] == "f_quality"
at = AppTest.from_file(APP, default_timeout=60).run()
at.multiselect(key="f_quality").set_value(["approximate"]).run()
assert not at.exception, [e.value for e in at.exception]
assert at.query_params["quality"] == "approximate"
print("ok")
"""


def test_one_table_entry_adds_a_filter_to_the_link_the_cli_and_the_sidebar():
    """The table plus one entry, in a fresh interpreter: nothing else is edited."""
    code = f"NEW = {NEW_FILTER!r}\nAPP = {APP!r}\n" + textwrap.dedent(ONE_EDIT)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stdout[-2000:] + r.stderr[-4000:]


# ------------------------------------------------------------------ the sidebar keeps keys, not labels


class Browser:
    """Send multiselect choices back as the browser does: the label texts it last had.

    AppTest formats a widget's value afresh with each run's labels; the browser
    instead keeps the strings it was given (or the user clicked) until the app
    sends new ones, and returns those on every later rerun.
    """

    def __init__(self, monkeypatch):
        self.held: dict[str, list[str]] = {}
        fresh = Multiselect._widget_state

        def as_held(el):
            ws = fresh.fget(el)
            if el.id in self.held and el._value is None:
                ws.string_array_value.data[:] = self.held[el.id]
            return ws

        monkeypatch.setattr(Multiselect, "_widget_state", property(as_held))

    def settle(self, at: AppTest) -> None:
        assert not at.exception, [e.value for e in at.exception]
        for el in at.multiselect:
            if el.proto.set_value:
                self.held[el.id] = list(el.proto.raw_values)

    def pick(self, at: AppTest, key: str, values: list[str]) -> None:
        el = at.multiselect(key=key).set_value(values)
        self.held[el.id] = list(el.values)  # the labels shown when the user clicked
        at.run()
        self.settle(at)


def metric_values(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value) for m in at.metric if m.label.lower() in LAYERS}


def test_picking_a_second_filter_keeps_the_first_as_a_key(catalog, monkeypatch):
    """Phase 1, then SoftBank, then any rerun: once read 'Phase 1 (38) records', every count 0."""
    browser = Browser(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=60).run()
    browser.settle(at)
    browser.pick(at, "f_phase", ["phase-1"])
    browser.pick(at, "f_company", ["SoftBank"])
    at.run()  # any interaction outside the sidebar reruns with the value each widget holds
    browser.settle(at)
    f = Filters(phase=("phase-1",), company=("SoftBank",))
    expected = {layer.capitalize(): len(apply_filters(catalog, layer, f)) for layer in LAYERS}
    assert at.multiselect(key="f_phase").value == ["phase-1"]
    assert metric_values(at) == expected and sum(expected.values()) > 0
    assert any("Phase 1 records involving SoftBank" in m.value for m in at.markdown)
    assert at.query_params["phase"] == "phase-1" and at.query_params["company"] == "SoftBank"
    # the counts under the phase box are those under the company filter
    assert any(c.value.startswith(f"Phase 1 \\({sum(expected.values())}\\)") for c in at.caption)


def test_a_stale_label_in_the_session_becomes_its_key(catalog, monkeypatch):
    browser = Browser(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=60).run()
    browser.settle(at)
    browser.held[at.multiselect(key="f_phase").id] = ["Phase 1 (38)", "Context (66)", "Phase 9 (1)"]
    at.run()
    browser.settle(at)
    assert at.multiselect(key="f_phase").value == ["phase-1", "context"]
    assert at.query_params["phase"] == "phase-1,context"
    assert metric_values(at)["Sites"] == len(apply_filters(catalog, "sites", Filters(phase=("phase-1", "context"))))


def test_option_keys_are_vocabulary_keys(catalog):
    phase, company, state = SPEC["phase"], SPEC["company"], SPEC["state"]
    held = ["Phase 1 (38)", "phase-2", "Context", "concept (0)", "nonsense", "phase-2"]
    assert sidebar.option_keys(phase, held, catalog) == ("phase-1", "phase-2", "context", "concept")
    assert sidebar.option_keys(company, ["SoftBank (12)", "softbank"], catalog) == ("SoftBank", "softbank")
    assert sidebar.option_keys(state, ["TX (3)", "az"], catalog) == ("TX", "AZ")
    assert sidebar.option_keys(phase, "phase-1", catalog) == ("phase-1",)
