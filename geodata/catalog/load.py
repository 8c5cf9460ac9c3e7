"""Load the curated catalog, validate it, and hand it out as GeoDataFrames.

`load_catalog()` either returns a fully valid Catalog or raises CatalogError
with every problem found (file, record, field, message), so a broken edit is
reported all at once rather than one fix at a time.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pydantic import ValidationError
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from geodata import geometry as geo
from geodata import settings
from geodata.catalog import companies as co
from geodata.catalog.investors import lead_investor
from geodata.catalog.schema import Facility, Investment, Site, Source, StatusEvent, problems_from
from geodata.catalog.usmap import UsMap, load_us_map
from geodata.catalog.vocab import Vocabularies, load_vocabularies
from geodata.dates import parse_date
from geodata.problems import CatalogError, Problem

LAYERS = ("sites", "investments", "facilities")
FILES = {
    "sites": "sites.geojson",
    "investments": "investments.csv",
    "facilities": "facilities.csv",
    "sources": "sources.csv",
    "history": "status_history.csv",
    "vocab": "vocabularies.toml",
    "companies": "companies.csv",
    "stances": "stances.csv",
}
# Files a catalog may go without (an older catalog has no companies or stances).
OPTIONAL = {"companies", "stances"}
# Vocabularies only the optional files use: empty when vocabularies.toml lacks them.
OPTIONAL_VOCABS = ("stance", "program")
LIST_COLUMNS = ("sources", "companies", "state", "aliases")
# `located_via` of a record drawn at its own lon/lat (else "facility ID" or "site ID").
OWN_POINT = "its own point"
# A drawn outline may differ from the reported acreage by this much before it
# needs an area_note saying why.
ACREAGE_TOLERANCE = 0.25
# Cartographic (1:10M) state outlines are coarse; allow this much slack in
# degrees (about 5 km) before a point counts as outside its state.
STATE_SLACK_DEG = 0.05


@dataclass
class Catalog:
    directory: Path
    vocab: Vocabularies
    sources: dict[str, Source]
    sites: gpd.GeoDataFrame
    investments: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    history: dict[str, list[StatusEvent]] = field(default_factory=dict)
    companies: co.CompanyBook = field(default_factory=co.CompanyBook)

    def layer(self, name: str) -> gpd.GeoDataFrame:
        if name not in LAYERS:
            raise KeyError(f"unknown layer {name!r}; layers: {', '.join(LAYERS)}")
        return getattr(self, name)

    def counts(self) -> dict[str, int]:
        return {name: len(self.layer(name)) for name in LAYERS}

    @cached_property
    def record_layer(self) -> dict[str, str]:
        return {rid: name for name in LAYERS for rid in self.layer(name)["id"]}

    def record(self, record_id: str) -> tuple[str, pd.Series]:
        """(layer, row) of a record id; KeyError if unknown."""
        layer = self.record_layer[record_id]
        df = self.layer(layer)
        return layer, df.loc[df["id"] == record_id].iloc[0]


def load_catalog(directory: str | Path | None = None) -> Catalog:
    catalog, problems = check_catalog(directory)
    if problems:
        raise CatalogError(problems)
    assert catalog is not None
    return catalog


def check_catalog(directory: str | Path | None = None) -> tuple[Catalog | None, list[Problem]]:
    """Load and validate; returns (catalog or None, problems)."""
    d = Path(directory) if directory is not None else settings.catalog_dir()
    if not d.is_dir():
        return None, [Problem(str(d), "-", "-", "catalog directory not found")]
    missing = [f for k, f in FILES.items() if k not in OPTIONAL and not (d / f).is_file()]
    if missing:
        return None, [Problem(f, "-", "-", f"file is missing from {d}") for f in missing]
    try:
        vocab = load_vocabularies(d / FILES["vocab"])
    except Exception as exc:  # tomllib reports line and column
        return None, [Problem(FILES["vocab"], "-", "-", f"cannot be read: {exc}")]
    for name in OPTIONAL_VOCABS:
        vocab.terms.setdefault(name, {})

    loader = _Loader(d, vocab)
    sources = loader.sources()
    sites = loader.sites()
    investments = loader.located("investments", Investment)
    facilities = loader.located("facilities", Facility)
    history = loader.history()
    companies = loader.companies()
    stances = loader.stances()
    if loader.fatal:
        return None, loader.problems

    records = {"sites": sites, "investments": investments, "facilities": facilities}
    checker = _Checker(loader.problems, vocab, sources, records, history, load_us_map())
    # an invalid record is reported once, not again by every record that links to it
    checker.invalid_ids = {(key, str(raw.get("id"))) for key, _, raw, _ in loader.invalid}
    checker.run()
    checker.partial(loader.invalid)
    book = _CompanyChecker(loader.problems, checker.source_ids, companies, stances).run()
    if loader.problems:
        return None, loader.problems

    catalog = Catalog(
        directory=d,
        vocab=vocab,
        sources={s.id: s for s in sources},
        sites=_sites_frame(sites, sources),
        investments=_points_frame(investments, sources),
        facilities=_points_frame(facilities, sources),
        history=_group_history(history),
        companies=book,
    )
    _locate_investments(catalog)
    for name in LAYERS:
        co.annotate(catalog.layer(name), book, vocab.values("stance"))
    return catalog, []


# ---------------------------------------------------------------- reading


def _blank_to_none(row: dict) -> dict:
    return {k: (None if v is None or str(v).strip() == "" else v) for k, v in row.items()}


def _split_lists(row: dict) -> dict:
    for k in LIST_COLUMNS:
        if k in row:
            v = row[k]
            row[k] = [p.strip() for p in v.split(";") if p.strip()] if isinstance(v, str) else (v or [])
    return row


class _Loader:
    def __init__(self, directory: Path, vocab: Vocabularies):
        self.d = directory
        self.ctx = {"vocab": vocab}
        self.problems: list[Problem] = []
        self.fatal = False
        # records that failed their own validation: (file key, record label, raw fields, fields already reported);
        # the checks that need other records still run on the fields that are fine ("every problem at once")
        self.invalid: list[tuple[str, str, dict, set[str]]] = []

    def _csv_rows(self, key: str, model) -> list[tuple[int, dict]]:
        name = FILES[key]
        try:
            with open(self.d / name, encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                header = reader.fieldnames or []
                rows = list(enumerate(reader, start=2))
        except (UnicodeDecodeError, csv.Error) as exc:
            self.fatal = True
            self.problems.append(Problem(name, "-", "-", f"cannot be read as UTF-8 CSV: {exc}"))
            return []
        known = set(model.model_fields)
        if key in ("investments", "facilities"):
            known |= {"lon", "lat"}
        for col in header:
            if col not in known:
                self.problems.append(Problem(name, "header", col, "unknown column (not in docs/data-dictionary.md)"))
        for col in [f for f, info in model.model_fields.items() if info.is_required()]:
            if col not in header:
                self.fatal = True
                self.problems.append(Problem(name, "header", col, "required column is missing"))
        for lineno, row in rows:
            if None in row:  # more cells than header columns
                self.problems.append(
                    Problem(
                        name,
                        f"row {lineno}",
                        "-",
                        f"has {len(header) + len(row[None])} cells, header has {len(header)}",
                    )
                )
                row.pop(None)
        return rows

    def _validate(self, model, data: dict, file: str, record: str, key: str | None = None):
        try:
            return model.model_validate(data, context=self.ctx)
        except ValidationError as err:
            found = problems_from(err, file, record)
            self.problems.extend(found)
            if key is not None:
                self.invalid.append((key, record, data, {p.field for p in found}))
            return None

    def sources(self) -> list[Source]:
        out = []
        for lineno, row in self._csv_rows("sources", Source):
            row = _blank_to_none(row)
            s = self._validate(Source, row, FILES["sources"], _rec(row, lineno))
            if s:
                out.append(s)
        return out

    def located(self, key: str, model) -> list[tuple[str, object]]:
        out = []
        for lineno, row in self._csv_rows(key, model):
            row = _split_lists(_blank_to_none(row))
            r = self._validate(model, row, FILES[key], _rec(row, lineno), key)
            if r:
                out.append((_rec(row, lineno), r))
        return out

    def history(self) -> list[tuple[str, StatusEvent]]:
        out = []
        for lineno, row in self._csv_rows("history", StatusEvent):
            row = _split_lists(_blank_to_none(row))
            rec = f"{row.get('record_id')} (row {lineno})"
            e = self._validate(StatusEvent, row, FILES["history"], rec)
            if e:
                out.append((rec, e))
        return out

    def companies(self) -> list[tuple[str, co.Company]]:
        if not (self.d / FILES["companies"]).is_file():
            return []
        out = []
        for lineno, row in self._csv_rows("companies", co.Company):
            row = _split_lists(_blank_to_none(row))
            rec = _rec(row, lineno)
            c = self._validate(co.Company, row, FILES["companies"], rec)
            if c:
                out.append((rec, c))
        return out

    def stances(self) -> list[tuple[str, co.Stance]]:
        if not (self.d / FILES["stances"]).is_file():
            return []
        out = []
        for lineno, row in self._csv_rows("stances", co.Stance):
            row = _split_lists(_blank_to_none(row))
            rec = f"{row.get('company') or '?'} {row.get('program') or '?'} (row {lineno})"
            s = self._validate(co.Stance, row, FILES["stances"], rec)
            if s:
                out.append((rec, s))
        return out

    def sites(self) -> list[tuple[str, Site, BaseGeometry | None]]:
        name = FILES["sites"]
        try:
            doc = json.loads((self.d / name).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.fatal = True
            self.problems.append(Problem(name, "-", "-", f"not valid JSON: {exc}"))
            return []
        except RecursionError:
            self.fatal = True
            self.problems.append(
                Problem(name, "-", "-", "nested too deeply to read (arrays or objects within each other)")
            )
            return []
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            self.fatal = True
            self.problems.append(Problem(name, "-", "type", "must be a GeoJSON FeatureCollection"))
            return []
        out = []
        for i, feat in enumerate(doc.get("features") or [], start=1):
            props = _split_lists(dict(feat.get("properties") or {}))
            rec = f"{props.get('id') or '?'} (feature {i})"
            site = self._validate(Site, props, name, rec, "sites")
            geom = None
            if feat.get("geometry") is not None:
                try:
                    geom = shape(feat["geometry"])
                except Exception as exc:
                    self.problems.append(Problem(name, rec, "geometry", f"not a readable GeoJSON geometry: {exc}"))
                    continue
            if site:
                out.append((rec, site, geom))
        return out


def _rec(row: dict, lineno: int) -> str:
    return f"{row.get('id') or '?'} (row {lineno})"


# ---------------------------------------------------------------- checking


class _Checker:
    """Rules that need more than one record: ids, links, geometry, acreage."""

    def __init__(self, problems, vocab, sources, records, history, usmap: UsMap):
        self.p = problems
        self.vocab = vocab
        self.source_ids = {s.id for s in sources}
        self.sources = sources
        self.records = records
        self.history = history
        self.us = usmap
        self.invalid_ids: set[tuple[str, str]] = set()

    def add(self, key: str, rec: str, fld: str, msg: str) -> None:
        self.p.append(Problem(FILES[key], rec, fld, msg))

    def run(self) -> None:
        self._unique_source_ids()
        seen: dict[str, str] = {}
        for key, items in self.records.items():
            for item in items:
                rec, r = item[0], item[1]
                if r.id in seen:
                    self.add(key, rec, "id", f"duplicate id {r.id!r}; also used in {seen[r.id]}")
                seen[r.id] = FILES[key]
                self._sources(key, rec, r.sources)
        for rec, site, geom in self.records["sites"]:
            self._site_geometry(rec, site, geom)
        ids = {key: {item[1].id for item in items} for key, items in self.records.items()}
        for key, rid in self.invalid_ids:
            ids[key].add(rid)
        for key in ("investments", "facilities"):
            for rec, r in self.records[key]:
                self._point(key, rec, r)
        for rec, inv in self.records["investments"]:
            if inv.site_id and inv.site_id not in ids["sites"]:
                self.add("investments", rec, "site_id", f"unknown site {inv.site_id!r}")
            if inv.facility_id and inv.facility_id not in ids["facilities"]:
                self.add("investments", rec, "facility_id", f"unknown facility {inv.facility_id!r}")
        self._history(seen)

    def partial(self, invalid: list[tuple[str, str, dict, set[str]]]) -> None:
        """The cross-record checks a record that failed its own validation can still take: sources, location."""
        for key, rec, raw, reported in invalid:
            if "sources" not in reported:
                self._sources(key, rec, [s for s in raw.get("sources") or [] if isinstance(s, str)])
            if key == "sites" or reported & {"lon", "lat", "state"}:
                continue
            try:
                lon, lat = float(raw.get("lon")), float(raw.get("lat"))
            except (TypeError, ValueError):
                continue
            if math.isfinite(lon) and math.isfinite(lat):
                states = [s for s in raw.get("state") or [] if isinstance(s, str)]
                self._in_us_and_state(key, rec, Point(lon, lat), states)

    def _unique_source_ids(self) -> None:
        seen = set()
        for s in self.sources:
            if s.id in seen:
                self.add("sources", s.id, "id", f"duplicate source id {s.id!r}")
            seen.add(s.id)

    def _sources(self, key: str, rec: str, ids: list[str]) -> None:
        for sid in ids:
            if sid not in self.source_ids:
                self.add(key, rec, "sources", f"unknown source {sid!r}; add it to sources.csv")

    def _point(self, key: str, rec: str, r) -> None:
        has_point = r.lon is not None
        if has_point and r.geometry_quality == "none":
            self.add(key, rec, "geometry_quality", "is 'none' but lon/lat are given")
        if not has_point and r.geometry_quality != "none":
            self.add(key, rec, "geometry_quality", f"is {r.geometry_quality!r} but there is no lon/lat; use 'none'")
        if has_point:
            self._in_us_and_state(key, rec, Point(r.lon, r.lat), r.state)

    def _in_us_and_state(self, key: str, rec: str, geom: BaseGeometry, states: list[str]) -> None:
        if not self.us.contains(geom, STATE_SLACK_DEG):
            x, y = geo.representative_lonlat(geom)
            self.add(
                key,
                rec,
                "geometry",
                f"lies outside the US (near lon {x:.4f}, lat {y:.4f}); check the sign of lon and the order lon, lat",
            )
            return
        if states and not any(self.us.state_intersects(s, geom, STATE_SLACK_DEG) for s in states):
            found = self.us.states_at(geom)
            self.add(key, rec, "state", f"location is in {', '.join(found) or 'no state'}, not in {', '.join(states)}")

    def _site_geometry(self, rec: str, site: Site, geom: BaseGeometry | None) -> None:
        if geom is None:
            if site.geometry_quality != "none":
                self.add(
                    "sites",
                    rec,
                    "geometry",
                    f"is null but geometry_quality is {site.geometry_quality!r}; use 'none' or draw an outline",
                )
            return
        if site.geometry_quality == "none":
            self.add("sites", rec, "geometry_quality", "is 'none' but the site has a geometry")
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            self.add("sites", rec, "geometry", f"must be a Polygon or MultiPolygon, got {geom.geom_type}")
            return
        if not geom.is_valid:
            import shapely

            self.add("sites", rec, "geometry", f"invalid polygon: {shapely.is_valid_reason(geom)}")
            return
        self._in_us_and_state("sites", rec, geom, site.state)
        if site.anchor is not None and not geom.buffer(1e-6).contains(Point(site.anchor)):
            self.add("sites", rec, "anchor", f"point {list(site.anchor)} is not inside the outline drawn around it")
        drawn = geo.acres(geom)
        if site.reported_acres and drawn:
            diff = drawn / site.reported_acres - 1
            if abs(diff) > ACREAGE_TOLERANCE and not site.area_note:
                self.add(
                    "sites",
                    rec,
                    "area_note",
                    f"drawn outline is {drawn:,.0f} ac, {diff:+.0%} off the reported "
                    f"{site.reported_acres:,.0f} ac; redraw it or explain in area_note",
                )

    def _history(self, record_file: dict[str, str]) -> None:
        current = {item[1].id: item[1] for items in self.records.values() for item in items}
        invalid = {rid for _, rid in self.invalid_ids}
        for rec, e in self.history:
            if e.record_id in invalid:
                continue  # its record is reported already, and cannot be compared with
            if e.record_id not in current:
                self.add("history", rec, "record_id", f"unknown record {e.record_id!r}")
                continue
            r = current[e.record_id]
            self._sources("history", rec, e.sources)
            if e.date >= r.status_date:
                self.add(
                    "history",
                    rec,
                    "date",
                    f"{e.date} is not before the record's status_date "
                    f"{r.status_date}; history holds earlier statuses only",
                )
            if e.date < r.first_reported:
                self.add("history", rec, "date", f"{e.date} is before the record's first_reported {r.first_reported}")


class _CompanyChecker:
    """Companies: unique ids and spellings, known parents without loops; stances: known companies and sources."""

    def __init__(self, problems, source_ids: set[str], companies, stances):
        self.p = problems
        self.source_ids = source_ids
        self.companies = companies
        self.stances = stances

    def add(self, key: str, rec: str, fld: str, msg: str) -> None:
        self.p.append(Problem(FILES[key], rec, fld, msg))

    def run(self) -> co.CompanyBook:
        ids: dict[str, str] = {}
        spellings: dict[str, str] = {}
        for rec, c in self.companies:
            if c.id in ids:
                self.add("companies", rec, "id", f"duplicate id {c.id!r}; also {ids[c.id]}")
                continue
            ids[c.id] = rec
            for fld, names in (("name", [c.name]), ("aliases", c.aliases)):
                for n in names:
                    other = spellings.get(co.spelling(n))
                    if other is not None and other != c.id:
                        self.add("companies", rec, fld, f"{n!r} already names company {other!r}; a spelling names one")
                    spellings.setdefault(co.spelling(n), c.id)
        parents = {c.id: c.parent for _rec, c in self.companies}
        for rec, c in self.companies:
            if c.parent is None:
                continue
            if c.parent not in parents:
                self.add("companies", rec, "parent", f"unknown company {c.parent!r}; use the id of a row above")
                continue
            seen, at = {c.id}, c.parent
            while at is not None and at in parents:
                if at in seen:
                    self.add("companies", rec, "parent", f"{c.id!r} ends up as its own parent")
                    break
                seen.add(at)
                at = parents[at]
        book = co.CompanyBook.build([c for _rec, c in self.companies], [])
        resolved, seen_rows = [], {}
        for rec, s in self.stances:
            key = book.resolve(s.company)
            if key is None:
                self.add("stances", rec, "company", f"unknown company {s.company!r}; add it to companies.csv")
                continue
            for sid in s.sources:
                if sid not in self.source_ids:
                    self.add("stances", rec, "sources", f"unknown source {sid!r}; add it to sources.csv")
            row = (key, s.program, s.date.text)
            if row in seen_rows:
                self.add("stances", rec, "date", f"a second stance on {s.date.text}; also {seen_rows[row]}")
            seen_rows[row] = rec
            resolved.append(s.model_copy(update={"company": key}))
        return co.CompanyBook.build([c for _rec, c in self.companies], resolved)


# ---------------------------------------------------------------- frames


def _as_of(ids: list[str], sources: dict[str, Source]) -> str:
    return max((sources[i].date for i in ids), default=None).text


def _common_columns(r, sources: dict[str, Source]) -> dict:
    d = r.model_dump()
    for k in ("status_date", "first_reported"):
        d[k] = getattr(r, k).text
    d["as_of"] = _as_of(r.sources, sources)
    return d


def _sites_frame(items, sources: list[Source]) -> gpd.GeoDataFrame:
    by_id = {s.id: s for s in sources}
    rows, geoms = [], []
    for _rec, site, geom in items:
        d = _common_columns(site, by_id)
        d["anchor"] = list(site.anchor) if site.anchor else None
        d["area_acres"] = round(geo.acres(geom), 1) if geom is not None else None
        d["acreage_diff"] = (
            d["area_acres"] / site.reported_acres - 1 if d["area_acres"] and site.reported_acres else None
        )
        rows.append(d)
        geoms.append(geom)
    return _frame(rows, geoms)


def _points_frame(items, sources: list[Source]) -> gpd.GeoDataFrame:
    by_id = {s.id: s for s in sources}
    rows, geoms = [], []
    for _rec, r in items:
        d = _common_columns(r, by_id)
        if "amount_usd_low" in d:
            d["amount_usd"] = d["amount_usd_high"] if d["amount_usd_high"] is not None else d["amount_usd_low"]
            d["lead_investor"] = lead_investor(r.investor, r.companies)
        d["located_via"] = OWN_POINT if r.lon is not None else None
        rows.append(d)
        geoms.append(Point(r.lon, r.lat) if r.lon is not None else None)
    return _frame(rows, geoms)


def _frame(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    df = pd.DataFrame(rows)
    for k in ("status_date", "first_reported", "as_of"):
        df["_" + k] = [parse_date(v).start for v in df[k]]
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=geo.WGS84))


def _locate_investments(c: Catalog) -> None:
    """An investment without a point of its own sits at its facility, else its site."""
    inv = c.investments
    fac_geom = dict(zip(c.facilities["id"], c.facilities.geometry, strict=True))
    site_geom = dict(zip(c.sites["id"], c.sites.geometry, strict=True))
    for i, row in inv.iterrows():
        if row["located_via"] == OWN_POINT:  # a published point beats any derived one
            continue
        fid, sid = row["facility_id"], row["site_id"]
        if fid and fac_geom.get(fid) is not None:
            inv.at[i, "geometry"] = fac_geom[fid]
            inv.at[i, "located_via"] = f"facility {fid}"
        elif sid and site_geom.get(sid) is not None:
            inv.at[i, "geometry"] = Point(geo.representative_lonlat(site_geom[sid]))
            inv.at[i, "located_via"] = f"site {sid}"


def _group_history(items) -> dict[str, list[StatusEvent]]:
    out: dict[str, list[StatusEvent]] = {}
    for _rec, e in items:
        out.setdefault(e.record_id, []).append(e)
    for events in out.values():
        events.sort(key=lambda e: e.date)
    return out
