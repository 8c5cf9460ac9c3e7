"""Each filter keeps exactly the records that satisfy it, on the layers it applies to."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from geodata.catalog.filters import APPLIES, Filters, apply_filters, describe, facet_counts
from geodata.catalog.filterspec import SPECS, parse_filters
from geodata.catalog.load import LAYERS
from geodata.dates import parse_date
from geodata.settings import SHIPPED_CATALOG


def most_common(catalog, layer: str, column: str):
    values = catalog.layer(layer)[column].explode().dropna()
    return values.value_counts().index[0]


def check(catalog, filters: Filters, name: str, predicate) -> None:
    """Kept records satisfy `predicate`, dropped ones do not; other layers untouched."""
    narrowed = False
    for layer in LAYERS:
        full = catalog.layer(layer)
        kept = apply_filters(catalog, layer, filters)
        if layer not in APPLIES[name]:
            assert list(kept["id"]) == list(full["id"]), f"{name} must not narrow {layer}"
            continue
        kept_ids = set(kept["id"])
        for _, row in full.iterrows():
            assert (row["id"] in kept_ids) == bool(predicate(row)), (layer, row["id"])
        narrowed |= 0 < len(kept) < len(full)
    assert narrowed, f"the {name} value chosen does not discriminate; pick another"


def test_phase(catalog):
    check(catalog, Filters(phase=("phase-1",)), "phase", lambda r: r["phase"] == "phase-1")


def test_status(catalog):
    s = most_common(catalog, "sites", "status")
    check(catalog, Filters(status=(s, "announced")), "status", lambda r: r["status"] in (s, "announced"))


def test_sector(catalog):
    s = most_common(catalog, "investments", "sector")
    check(catalog, Filters(sector=(s,)), "sector", lambda r: r["sector"] == s)


def test_company_is_case_insensitive_substring(catalog):
    check(
        catalog,
        Filters(company=("softbank",)),
        "company",
        lambda r: any("softbank" in c.lower() for c in r["companies"]),
    )


def test_agency(catalog):
    check(catalog, Filters(agency=("DOE",)), "agency", lambda r: r["agency"] == "DOE")


def test_role(catalog):
    check(catalog, Filters(role=("exclusion",)), "role", lambda r: r["role"] == "exclusion")


def test_facility_type(catalog):
    t = most_common(catalog, "facilities", "type")
    check(catalog, Filters(facility_type=(t,)), "facility_type", lambda r: r["type"] == t)


def test_state_matches_any_listed_state(catalog):
    check(catalog, Filters(state=("TX", "AZ")), "state", lambda r: bool({"TX", "AZ"} & set(r["state"])))


def test_confidence(catalog):
    check(catalog, Filters(confidence=("high",)), "confidence", lambda r: r["confidence"] == "high")


def test_amount_range_uses_headline_amount(catalog):
    lo, hi = 1e9, 100e9
    check(
        catalog,
        Filters(min_amount=lo, max_amount=hi),
        "min_amount",
        lambda r: r["amount_usd"] == r["amount_usd"] and lo <= r["amount_usd"] <= hi,
    )


def test_min_amount_drops_records_without_amount(catalog):
    kept = apply_filters(catalog, "investments", Filters(min_amount=0.0))
    full = catalog.investments
    assert set(kept["id"]) == set(full[full["amount_usd"].notna()]["id"])
    assert len(kept) < len(full), "the catalog has investments with no reported amount"


def test_date_range_on_first_reported(catalog):
    since, until = parse_date("2025-07"), parse_date("2025-12")
    check(
        catalog,
        Filters(since=since, until=until),
        "since",
        lambda r: date(2025, 7, 1) <= r["_first_reported"] <= date(2025, 12, 31),
    )


def test_free_text_all_words_any_field(catalog):
    check(
        catalog,
        Filters(text="fiber CABLE"),
        "text",
        lambda r: all(
            w in " ".join(str(v) for v in r.drop(labels="geometry").values).lower() for w in ("fiber", "cable")
        ),
    )


def test_filters_combine_with_and(catalog):
    f = Filters(phase=("phase-1",), state=("TX",))
    for layer in LAYERS:
        kept = apply_filters(catalog, layer, f)
        a = set(apply_filters(catalog, layer, Filters(phase=("phase-1",)))["id"])
        b = set(apply_filters(catalog, layer, Filters(state=("TX",)))["id"])
        assert set(kept["id"]) == a & b


def test_no_filters_keeps_everything(catalog):
    for layer in LAYERS:
        assert len(apply_filters(catalog, layer, Filters())) == len(catalog.layer(layer))


def test_facet_counts_ignore_their_own_filter(catalog):
    f = Filters(phase=("phase-1",), agency=("DOE",))
    counts = facet_counts(catalog, "sites", f, "phase")
    for phase, n in counts.items():
        assert n == len(apply_filters(catalog, "sites", f.replace(phase=(phase,))))


@pytest.mark.parametrize("spec", [s for s in SPECS if s.kind.multiple], ids=lambda s: s.name)
def test_every_list_filter_has_facet_counts_that_match_the_filter(catalog, spec):
    """The counts the sidebar shows are the records the value would keep (exact-value facets)."""
    for layer in LAYERS:
        counts = facet_counts(catalog, layer, Filters(), spec.name)
        if layer not in spec.layers:
            assert counts == {}
            continue
        assert counts and sum(counts.values()) > 0
        for value, n in counts.items():
            kept = apply_filters(catalog, layer, Filters().replace(**{spec.name: (value,)}))
            assert n <= len(kept), (layer, value)  # a name that is part of another name matches both
            if spec.vocab:
                assert n == len(kept), (layer, value)


def test_every_filter_narrows_only_its_layers(catalog):
    texts = {"company": "SoftBank", "state": "TX", "min_amount": "1B", "max_amount": "100B", "since": "2025-07"}
    texts |= {"until": "2026-03", "text": "data", "as_of": "2026-01-31", "area": "-113,33,-111,35"}
    for spec in SPECS:
        text = catalog.vocab.values(spec.vocab)[0] if spec.vocab else texts[spec.name]
        f, problems = parse_filters({spec.name: text}, catalog)
        assert problems == [] and list(f.active()) == [spec.name]
        for layer in LAYERS:
            if layer not in spec.layers:
                assert len(apply_filters(catalog, layer, f)) == len(catalog.layer(layer)), (spec.name, layer)


# ------------------------------------------------------------------ as of


def history_rows() -> list[dict]:
    with open(SHIPPED_CATALOG / "status_history.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_as_of_hides_records_first_reported_later(catalog):
    when = date(2025, 7, 1)
    for layer in LAYERS:
        kept = set(apply_filters(catalog, layer, Filters(as_of=when))["id"])
        full = catalog.layer(layer)
        assert kept == set(full[full["_first_reported"] <= when]["id"])
        assert kept != set(full["id"]) or layer == "sites"


def test_as_of_shows_status_as_it_stood(catalog):
    rows = history_rows()
    assert len(rows) >= 3, "the catalog has a status history"
    for h in rows:
        layer, row = catalog.record(h["record_id"])
        when = parse_date(h["date"]).start
        events = [(parse_date(r["date"]).start, r["status"]) for r in rows if r["record_id"] == h["record_id"]]
        events.append((parse_date(row["status_date"]).start, row["status"]))
        expected = [status for d, status in events if d <= when][-1]
        view = apply_filters(catalog, layer, Filters(as_of=when))
        assert view.loc[view["id"] == h["record_id"], "status"].item() == expected, h
        assert expected != row["status"], "history holds earlier, different statuses"


def test_as_of_keeps_only_sources_published_by_then(catalog):
    when = date(2025, 8, 1)
    for layer in LAYERS:
        for _, r in apply_filters(catalog, layer, Filters(as_of=when)).iterrows():
            full = catalog.record(r["id"])[1]["sources"]
            published = [s for s in full if catalog.sources[s].date.start <= when]
            assert r["sources"] == (published or full)


# ------------------------------------------------------------------ the sentence


@pytest.mark.parametrize(
    ("filters", "layer", "sentence"),
    [
        (
            Filters(phase=("phase-1",), agency=("DOE",), state=("ID", "TN")),
            "sites",
            "phase-1 sites managed by DOE in ID or TN",
        ),
        (Filters(), "sites", "all sites"),
        (Filters(), None, "all records"),
        (
            Filters(company=("Fujikura",), min_amount=1e9),
            "investments",
            "investments involving Fujikura worth $1B or more",
        ),
        (Filters(sector=("fiber-optics",), state=("SC",)), "facilities", "facilities in the fiber-optics sector in SC"),
        (
            Filters(status=("selected", "announced", "approved")),
            "sites",
            "sites with status selected, announced or approved",
        ),
        (
            Filters(text="fiber", since=parse_date("2025-07"), until=parse_date("2026")),
            "investments",
            'investments first reported from 2025-07 to 2026 matching "fiber"',
        ),
        (
            Filters(phase=("phase-1",), agency=("DOE",), max_amount=5e9),
            None,
            "phase-1 records (sites managed by DOE; investments worth up to $5B)",
        ),
        (Filters(as_of=date(2025, 12, 31)), "sites", "all sites, as reported on 2025-12-31"),
        (Filters(role=("exclusion",)), "sites", "exclusion sites"),
        (
            Filters(role=("exclusion",), agency=("DOE",), land_status=("federal",)),
            None,
            "records (sites role exclusion on federal land managed by DOE)",
        ),
        (Filters(phase=("phase-1",), role=("candidate", "context")), "sites", "phase-1 candidate or context sites"),
        (
            Filters(until=parse_date("2026"), confidence=("high", "medium")),
            "facilities",
            "facilities first reported until 2026 with high or medium confidence",
        ),
        (Filters(phase=("context",), as_of=date(2025, 12, 31)), None, "context records, as reported on 2025-12-31"),
        (
            Filters(min_amount=1e9, facility_type=("fab",), state=("AZ",)),
            None,
            "records in AZ (investments worth $1B or more; facilities of type fab)",
        ),
    ],
)
def test_describe(filters, layer, sentence):
    assert describe(filters, layer) == sentence


@pytest.mark.parametrize(
    ("investor", "companies", "lead"),
    [
        ("SoftBank Group", ["SoftBank"], "SoftBank"),
        ("SoftBank (lead)", ["SoftBank", "OpenAI"], "SoftBank"),
        ("Vantage (Oracle/OpenAI)", ["Vantage Data Centers", "Oracle", "OpenAI"], "Vantage Data Centers"),
        ("Japan (tranche 1)", ["SB Energy", "SoftBank"], "Japan"),
        ("Government of Japan (JBIC/NEXI equity, loans, guarantees)", [], "Japan"),
        ("US Government (Commerce)", ["Intel"], "US Government"),
        ("DOE + SoftBank/SB Energy + AEP Ohio", ["SoftBank", "SB Energy", "AEP Ohio"], "DOE"),
    ],
)
def test_lead_investor(investor, companies, lead):
    from geodata.catalog.investors import lead_investor

    assert lead_investor(investor, companies) == lead
