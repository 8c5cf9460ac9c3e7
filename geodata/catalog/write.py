"""Read the catalog files as plain rows and write them back in one stable layout.

The layout is the one the files are kept in by hand: CSV rows in their existing
order (CRLF, minimal quoting), and in sites.geojson one feature per block with
one property per line and one ring (or polygon) per coordinate line. Reading
and writing an unchanged catalog gives the same bytes, so an edit is a diff of
the lines it touched.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from geodata.catalog.load import FILES

CSV_KEYS = ("investments", "facilities", "sources", "history")


@dataclass
class Table:
    """A CSV file: its header and its rows as strings, in file order."""

    header: list[str]
    rows: list[dict[str, str]]

    def add_column(self, name: str) -> None:
        if name not in self.header:
            self.header.append(name)
            for row in self.rows:
                row.setdefault(name, "")


@dataclass
class RawCatalog:
    """The catalog's record files as rows, ready to be edited and written back."""

    tables: dict[str, Table]
    sites: list[dict]  # GeoJSON features, properties in file order
    sites_name: str = "sites"
    changed: set[str] = field(default_factory=set)


def read_raw(directory: Path) -> RawCatalog:
    tables = {}
    for key in CSV_KEYS:
        with open(directory / FILES[key], encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
            tables[key] = Table(list(reader.fieldnames or []), rows)
    doc = json.loads((directory / FILES["sites"]).read_text(encoding="utf-8"))
    return RawCatalog(tables, list(doc.get("features") or []), doc.get("name", "sites"))


def csv_text(table: Table) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=table.header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: row.get(k, "") for k in table.header} for row in table.rows)
    return buf.getvalue()


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _geometry_text(geom: dict | None) -> str:
    if geom is None:
        return "null"
    # Polygon: one ring per line; MultiPolygon: one polygon per line.
    lines = ",\n".join("        " + _compact(part) for part in geom["coordinates"])
    return f'{{"type": {_dump(geom["type"])}, "coordinates": [\n{lines}\n      ]}}'


def _feature_text(feat: dict) -> str:
    props = feat.get("properties") or {}
    body = ",\n".join(f"     {_dump(k)}: {_dump(v)}" for k, v in props.items())
    return (
        '  {"type": "Feature",\n'
        '   "properties": {\n'
        f"{body}\n"
        "   },\n"
        f'   "geometry": {_geometry_text(feat.get("geometry"))}}}'
    )


def sites_text(features: list[dict], name: str = "sites") -> str:
    blocks = ",\n".join(_feature_text(f) for f in features)
    return f'{{"type": "FeatureCollection",\n "name": {_dump(name)},\n "features": [\n{blocks}\n ]\n}}\n'


def file_texts(raw: RawCatalog, keys) -> dict[str, str]:
    """{file name: text} of the given parts ("sites" or a CSV key)."""
    out = {}
    for key in keys:
        if key == "sites":
            out[FILES["sites"]] = sites_text(raw.sites, raw.sites_name)
        else:
            out[FILES[key]] = csv_text(raw.tables[key])
    return out
