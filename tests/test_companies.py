"""Companies and their stances: the vocabulary, validation, the as-of date, name resolution, filter, CLI, exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pandas as pd
import pytest

from geodata.catalog.companies import Company, CompanyBook, company_summaries, touches
from geodata.catalog.filters import Filters, apply_filters, describe
from geodata.catalog.load import LAYERS, check_catalog, load_catalog
from geodata.dates import parse_date
from geodata.problems import Problem

STANCES = "stances.csv"
COMPANIES = "companies.csv"


def stance_row(copy, company: str, program: str, stance: str | None = None) -> dict:
    return next(
        r
        for r in copy.rows(STANCES)
        if r["company"] == company and r["program"] == program and (stance is None or r["stance"] == stance)
    )


def problems_of(copy) -> list[Problem]:
    catalog, problems = check_catalog(copy.dir)
    assert catalog is None, "a broken file must stop the load"
    return problems


def edit_stance(copy, company: str, program: str, stance: str, /, **changes) -> int:
    """Change one stance row; its line number in the file."""
    rows = copy.rows(STANCES)
    i, row = next(
        (i, r) for i, r in enumerate(rows) if (r["company"], r["program"], r["stance"]) == (company, program, stance)
    )
    row.update(changes)
    copy.write_rows(STANCES, rows)
    return i + 2


# ---------------------------------------------------------------- vocabulary and validation


def test_stance_and_programme_vocabularies(catalog):
    assert catalog.vocab.values("stance") == [
        "proposing",
        "committed",
        "candidate",
        "in-talks",
        "open-to-cooperation",
        "approached",
        "no-response",
        "declined",
        "withdrawn",
    ]
    assert catalog.vocab.values("program") == ["crystal-land", "japan-550b", "stargate"]
    used = {s.stance for s in catalog.companies.stances} | {s.program for s in catalog.companies.stances}
    assert used <= set(catalog.vocab.values("stance")) | set(catalog.vocab.values("program"))


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("stance", "maybe", "'maybe' is not a known stance; allowed: proposing, committed"),
        ("program", "moonbase", "'moonbase' is not a known program; allowed: crystal-land"),
        ("confidence", "sure", "'sure' is not a known confidence"),
        ("company", "Acme Robotics", "unknown company 'Acme Robotics'; add it to companies.csv"),
        ("sources", "S999", "unknown source 'S999'; add it to sources.csv"),
        ("date", "someday", "someday"),
        ("sources", "", "must not be empty"),
    ],
)
def test_a_bad_stance_is_reported_as_file_record_field(catalog_copy, field, value, words):
    line = edit_stance(catalog_copy, "tsmc", "crystal-land", "declined", **{field: value})
    problems = problems_of(catalog_copy)
    hit = [p for p in problems if p.file == STANCES and p.field == field]
    assert hit, problems
    assert words in hit[0].message
    company = "Acme Robotics" if field == "company" else "tsmc"
    program = value if field == "program" else "crystal-land"
    assert hit[0].record == f"{company} {program} (row {line})"
    assert str(hit[0]).startswith(f"{STANCES}: {hit[0].record}: {field}: ")


def test_a_company_spelled_as_on_records_is_accepted_in_stances(catalog_copy):
    edit_stance(catalog_copy, "softbank", "stargate", "committed", company="SoftBank Group")
    c = load_catalog(catalog_copy.dir)
    assert ("softbank", "stargate") in c.companies.current()


def test_two_reports_of_one_stance_on_one_day_are_refused(catalog_copy):
    rows = catalog_copy.rows(STANCES)
    rows.append(dict(stance_row(catalog_copy, "tsmc", "crystal-land", "declined"), stance="approached"))
    catalog_copy.write_rows(STANCES, rows)
    problems = problems_of(catalog_copy)
    assert any(p.field == "date" and "a second stance on 2025-12-05" in p.message for p in problems), problems


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"parent": "nobody"}, "parent", "unknown company 'nobody'"),
        ({"aliases": "Fujikura Ltd."}, "aliases", "'Fujikura Ltd.' already names company 'fujikura'"),
        ({"id": "Not A Slug"}, "id", "is not a slug"),
    ],
)
def test_a_bad_company_is_reported(catalog_copy, changes, field, words):
    catalog_copy.edit_row(COMPANIES, "afl", **changes)
    problems = problems_of(catalog_copy)
    assert any(p.file == COMPANIES and p.field == field and words in p.message for p in problems), problems


def test_a_parent_loop_is_refused(catalog_copy):
    catalog_copy.edit_row(COMPANIES, "fujikura", parent="afl")
    problems = problems_of(catalog_copy)
    assert any(p.field == "parent" and "its own parent" in p.message for p in problems), problems


def test_unknown_stance_column_is_reported(catalog_copy):
    rows = catalog_copy.rows(STANCES)
    for r in rows:
        r["mood"] = ""
    catalog_copy.write_rows(STANCES, rows)
    problems = problems_of(catalog_copy)
    assert any(p.file == STANCES and p.field == "mood" and "unknown column" in p.message for p in problems)


def test_a_catalog_without_companies_or_stances_still_loads(catalog_copy):
    (catalog_copy.dir / COMPANIES).unlink()
    (catalog_copy.dir / STANCES).unlink()
    c = load_catalog(catalog_copy.dir)
    assert c.companies.stances == () and c.companies.companies == {}
    assert apply_filters(c, "facilities", Filters(stance=("declined",))).empty
    assert c.facilities["company_stances"].map(len).sum() == 0


# ---------------------------------------------------------------- the seeds' facts


def test_the_reported_stances_are_in_and_cited(catalog):
    now = catalog.companies.current()
    assert now[("tsmc", "crystal-land")].stance == "declined"
    assert now[("toshiba", "crystal-land")].stance == "open-to-cooperation"
    assert now[("murata", "crystal-land")].stance == "no-response"
    assert now[("fujikura", "crystal-land")].stance == "no-response"
    for company in ("toshiba", "fujikura", "murata", "mitsubishi-electric", "tdk", "softbank", "panasonic"):
        assert now[(company, "japan-550b")].stance in ("candidate", "committed"), company
        assert catalog.companies.history(company, "japan-550b")[0].date.text == "2025-10-28"
    for s in catalog.companies.stances:
        assert s.sources and all(sid in catalog.sources for sid in s.sources)


# ---------------------------------------------------------------- as of


def test_the_stance_as_it_stood(catalog):
    book = catalog.companies
    assert book.current(date(2025, 6, 19)).get(("tsmc", "crystal-land")) is None
    assert book.current(date(2025, 7, 1))[("tsmc", "crystal-land")].stance == "approached"
    assert book.current(date(2025, 12, 5))[("tsmc", "crystal-land")].stance == "declined"
    assert [s.stance for s in book.history("tsmc", "crystal-land")] == ["approached", "declined"]


def test_the_stance_filter_follows_the_as_of_date(catalog):
    declined = apply_filters(catalog, "facilities", Filters(stance=("declined",)))
    assert "fac-tsmc-arizona" in set(declined["id"])
    assert apply_filters(catalog, "facilities", Filters(stance=("declined",), as_of=date(2025, 11, 1))).empty
    then = apply_filters(catalog, "facilities", Filters(stance=("approached",), as_of=date(2025, 11, 1)))
    assert "fac-tsmc-arizona" in set(then["id"])
    row = then.loc[then["id"] == "fac-tsmc-arizona"].iloc[0]
    assert row["company_stances"] == ["TSMC approached (crystal-land, 2025-06-20)"]


def test_stance_filter_in_the_sentence(catalog):
    f = Filters(stance=("declined", "in-talks"))
    assert describe(f, "facilities") == "facilities of companies that are declined or in-talks"


# ---------------------------------------------------------------- names


def book() -> CompanyBook:
    return CompanyBook.build(
        [
            Company(id="softbank", name="SoftBank", aliases=["SoftBank Group", "SoftBank Group Corp."]),
            Company(id="sb-energy", name="SB Energy", parent="softbank"),
            Company(id="fujikura", name="Fujikura"),
            Company(id="afl", name="AFL", aliases=["America Fujikura Ltd."], parent="fujikura"),
        ],
        [],
    )


@pytest.mark.parametrize(
    ("spelling", "company", "group"),
    [
        ("SoftBank", "softbank", "softbank"),
        ("SoftBank Group", "softbank", "softbank"),
        ("  softbank   GROUP corp. ", "softbank", "softbank"),
        ("SB Energy", "sb-energy", "softbank"),
        ("sb-energy", "sb-energy", "softbank"),
        ("America Fujikura Ltd.", "afl", "fujikura"),
    ],
)
def test_every_spelling_names_one_company(spelling, company, group):
    b = book()
    assert b.resolve(spelling) == company
    assert b.group(b.key(spelling)) == group


def test_an_unlisted_company_is_itself():
    b = book()
    assert b.resolve("Foxconn") is None
    assert b.key(" Foxconn ") == "Foxconn" and b.name("Foxconn") == "Foxconn"


def test_a_subsidiarys_records_count_for_its_parent_not_the_reverse():
    df = pd.DataFrame({"id": ["a", "b", "c"], "companies": [["SB Energy"], ["SoftBank Group"], ["OpenAI"]]})
    b = book()
    assert list(df["id"][touches(df, b, "softbank")]) == ["a", "b"]
    assert list(df["id"][touches(df, b, "sb-energy")]) == ["a"]


def test_shipped_records_resolve_through_aliases_and_parents(catalog_copy):
    catalog_copy.edit_row("facilities.csv", "fac-sb-energy-ohio-gas", companies="SB Energy")
    catalog_copy.edit_row("facilities.csv", "fac-lordstown", companies="SoftBank Group Corp.;Foxconn")
    c = load_catalog(catalog_copy.dir)
    in_talks = set(apply_filters(c, "facilities", Filters(stance=("in-talks",)))["id"])
    assert {"fac-sb-energy-ohio-gas", "fac-lordstown"} <= in_talks, "SoftBank's stance reaches SB Energy's plant"
    frames = {layer: c.layer(layer) for layer in LAYERS}
    rows = {r["key"]: r for r in company_summaries(c.companies, frames, c.vocab.values("stance"))}
    assert "SB Energy 9.2-GW gas generation" in " ".join(rows["softbank"]["facilities"])
    assert rows["sb-energy"]["part_of"] == "SoftBank"
    assert "Foxconn" in rows and rows["Foxconn"]["stance"] is None, "companies named only on records are listed too"


def test_companies_view_puts_the_latest_news_first(catalog):
    frames = {layer: catalog.layer(layer) for layer in LAYERS}
    rows = company_summaries(catalog.companies, frames, catalog.vocab.values("stance"))
    dated = [r for r in rows if r["reported"]]
    assert dated == rows[: len(dated)], "companies without a stance come last"
    starts = [parse_date(r["reported"]).start for r in dated]
    assert starts == sorted(starts, reverse=True)
    first_crystal_land = [(r["company"], r["stance"]) for r in dated if r["program"] == "crystal-land"][:2]
    assert first_crystal_land == [("SoftBank", "in-talks"), ("TSMC", "declined")]


def test_companies_view_rows(catalog):
    frames = {layer: catalog.layer(layer) for layer in LAYERS}
    rows = company_summaries(catalog.companies, frames, catalog.vocab.values("stance"), stances=("declined",))
    assert [r["company"] for r in rows] == ["TSMC"]
    (tsmc,) = rows
    assert (tsmc["stance"], tsmc["program"], tsmc["reported"]) == ("declined", "crystal-land", "2025-12-05")
    assert tsmc["facilities"] == ["TSMC Arizona (Fab 21 phases) (Phoenix, AZ)"]
    inv = catalog.investments[touches(catalog.investments, catalog.companies, "tsmc")]
    assert tsmc["amount_usd"] == inv["amount_usd"].sum() > 0


# ---------------------------------------------------------------- CLI and exports


def test_cli_companies_who_declined_who_is_in_talks_and_where(cli):
    code, out, err = cli("companies", "--stance", "declined,in-talks", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    got = {(r["company"], r["program"], r["stance"], r["stance_date"]) for r in rows}
    assert got == {
        ("TSMC", "crystal-land", "declined", "2025-12-05"),
        ("SoftBank", "crystal-land", "in-talks", "2025-12-05"),
    }
    tsmc = next(r for r in rows if r["company"] == "TSMC")
    assert tsmc["sources"] == ["S3", "S4"] and tsmc["facility_ids"] == ["fac-tsmc-arizona"]


def test_cli_companies_table_and_csv(cli):
    code, out, _ = cli("companies", "--program", "crystal-land")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header[:5] == ["company", "program", "stance", "stance_date", "sources"]
    assert "Toshiba" in out and "open-to-cooperation" in out
    code, out, _ = cli("companies", "--stance", "no-response", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["company"] for r in rows} == {"Murata", "Fujikura"}
    assert {"company", "program", "stance", "stance_date", "sources"} <= set(rows[0])
    assert rows[0]["sources"] == "observer-2025-12-crystal-land"


def test_cli_companies_as_of_and_history(cli):
    code, out, _ = cli("companies", "--program", "crystal-land", "--as-of", "2025-07-01", "--format", "json")
    assert code == 0
    assert {(r["company"], r["stance"]) for r in json.loads(out)} == {
        ("SoftBank", "proposing"),
        ("TSMC", "approached"),
        ("Samsung", "approached"),
    }
    code, out, _ = cli("companies", "--history", "--format", "json")
    assert code == 0
    tsmc = [(r["stance"], r["current"]) for r in json.loads(out) if r["company"] == "TSMC"]
    assert tsmc == [("approached", False), ("declined", True)]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--stance", "meh"), "--stance: 'meh' is not a known stance; allowed: proposing"),
        (("--program", "moon"), "--program: 'moon' is not a known program"),
        (("--as-of", "2999-01-01"), "--as-of: 2999-01-01 is in the future"),
    ],
)
def test_cli_companies_bad_input_is_one_line(cli, args, words):
    code, out, err = cli("companies", *args)
    assert code != 0 and out == ""
    assert err.strip().splitlines() == [f"error: {words}" + err.strip().split(words, 1)[1]]


def test_exports_carry_the_companies_stances(cli, tmp_path):
    path = tmp_path / "fac.csv"
    code, out, err = cli("export", "facilities", "--stance", "declined", "-o", str(path))
    assert code == 0, err
    (row,) = list(csv.DictReader(path.open(encoding="utf-8")))
    assert row["id"] == "fac-tsmc-arizona"
    assert row["company_stances"] == "TSMC declined (crystal-land, 2025-12-05)"
    assert "_stances" not in row
    code, out, _ = cli("list", "facilities", "--as-of", "2025-07-01", "--company", "TSMC", "--format", "json")
    (rec,) = json.loads(out)
    assert rec["company_stances"] == ["TSMC approached (crystal-land, 2025-06-20)"]
