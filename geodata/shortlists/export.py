"""Export a shortlist: CSV, GeoJSON, KML, GeoPackage, and a one-page HTML brief.

Every export has `rank`, `id`, `name`, `note` first, then the site's fields and
its sources. The GeoPackage adds a `sources` table and an `about` table with
the filter sentence (and weights) the shortlist came from. The brief is a
single self-contained HTML file: inline SVG map, table, notes, every source;
rendered from templates/brief.html.j2 with autoescaping, so all text is escaped
and a source's URL becomes a link only when it is http(s).
"""

from __future__ import annotations

import numbers
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from geodata.catalog.changes import freshness
from geodata.catalog.load import Catalog
from geodata.export import formats as exporters
from geodata.problems import UserError
from geodata.shortlists.store import Shortlist
from geodata.shortlists.svgmap import svg_map
from geodata.values import is_missing, text_or_empty

FORMATS = ("csv", "geojson", "kml", "gpkg", "html")
_URL = re.compile(r"^https?://[^\s\"'<>]+$")
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def shortlist_frame(catalog: Catalog, shortlist: Shortlist, extra: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The shortlist's sites in rank order, with rank and note first.

    `extra` holds sites from outside the catalog (imported parcels, see geodata.layers.parcels.parcel_sites).
    """
    sites = catalog.sites if extra is None or extra.empty else pd.concat([catalog.sites, extra], ignore_index=True)
    by_id = {r["id"]: r for _, r in sites.iterrows()}
    missing = [i.site_id for i in shortlist.items if i.site_id not in by_id]
    if missing:
        raise UserError(
            f"shortlist {shortlist.name!r} names sites that are neither in the catalog nor in an "
            f"imported layer: {', '.join(missing)}; remove them with `shortlist remove`"
        )
    df = gpd.GeoDataFrame([by_id[i.site_id] for i in shortlist.items], crs=sites.crs)
    frame = exporters.export_frame(catalog, df.reset_index(drop=True)).rename(columns={"note": "site_note"})
    frame.insert(0, "rank", [i.rank for i in shortlist.items])
    frame.insert(3, "note", [i.note for i in shortlist.items])
    if any(i.score is not None for i in shortlist.items):
        frame.insert(4, "score", [i.score for i in shortlist.items])
    cols = ["rank", "id", "name", "note", *[c for c in frame.columns if c not in ("rank", "id", "name", "note")]]
    return frame[cols]


def sources_table(catalog: Catalog, frame: gpd.GeoDataFrame) -> pd.DataFrame:
    ids: list[str] = []
    for cell in frame["sources"]:
        for sid in str(cell).split("; "):
            if sid and sid not in ids:
                ids.append(sid)
    rows = []
    for sid in ids:
        s = catalog.sources[sid]
        cited_by = [r["id"] for _, r in frame.iterrows() if sid in str(r["sources"]).split("; ")]
        rows.append(
            {
                "id": s.id,
                "publisher": s.publisher,
                "title": s.title,
                "date": s.date.text,
                "url": s.url or "",
                "note": s.note or "",
                "cited_by": "; ".join(cited_by),
            }
        )
    return pd.DataFrame(rows, columns=["id", "publisher", "title", "date", "url", "note", "cited_by"])


def about_table(shortlist: Shortlist) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "shortlist": shortlist.name,
                "filter_sentence": shortlist.filter_sentence,
                "weights": ", ".join(f"{k}={v:g}" for k, v in (shortlist.weights or {}).items()),
                "sites": len(shortlist.items),
                "version": shortlist.version,
                "updated_at": shortlist.updated_at,
                "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        ]
    )


def render(catalog: Catalog, shortlist: Shortlist, fmt: str, extra: gpd.GeoDataFrame | None = None) -> bytes:
    """The export as bytes (for download buttons)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"shortlist.{fmt}"
        export(catalog, shortlist, fmt, path, extra)
        return path.read_bytes()


def export(
    catalog: Catalog, shortlist: Shortlist, fmt: str, path: str | Path, extra: gpd.GeoDataFrame | None = None
) -> Path:
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not shortlist.items:
        raise UserError(f"shortlist {shortlist.name!r} is empty; add sites before exporting")
    frame = shortlist_frame(catalog, shortlist, extra)
    path = Path(path)
    if fmt == "html":
        exporters.atomic_write_bytes(path, brief_html(catalog, shortlist, frame).encode("utf-8"))
        return path
    if fmt != "gpkg":
        return exporters.write(frame, fmt, path, "shortlist")

    def extra_tables(tmp: Path) -> None:
        pyogrio.write_dataframe(sources_table(catalog, frame), tmp, layer="sources")
        pyogrio.write_dataframe(about_table(shortlist), tmp, layer="about")

    return exporters.write(frame, "gpkg", path, "shortlist", after=extra_tables)


def _fresh_text(as_of) -> str:
    """Newest source date and age; 'no update found since …' when older than GEODATA_STALE_DAYS."""
    f = freshness(as_of)
    return f.text if f else "—"


def brief_html(catalog: Catalog, shortlist: Shortlist, frame: gpd.GeoDataFrame) -> str:
    """The brief's HTML: the values go to the template as plain text, and the template escapes them."""
    colours = [catalog.vocab.colour("phase", p) for p in frame["phase"]]
    titles = [f"{r['rank']}. {r['name']}" for _, r in frame.iterrows()]
    # Markup: svg_map is our own code and escapes the titles and labels it writes; the colours are
    # hex colours (checked when the vocabulary loads), so the map goes into the brief as it is.
    svg = Markup(svg_map(list(frame.geometry), [str(r) for r in frame["rank"]], titles, colours))
    scored = "score" in frame.columns
    rows = [
        {
            "rank": r["rank"],
            "name": str(r["name"]),
            "id": str(r["id"]),
            "score": f"{r['score']:.3f}" if scored and not is_missing(r["score"]) else "—",
            "agency": _shown(r["agency"]),
            "state": _shown(r["state"]),
            "phase": _labelled(catalog, "phase", r["phase"]),
            "status": _labelled(catalog, "status", r["status"]),
            "acres": f"{r['reported_acres']:,.0f}" if _is_number(r.get("reported_acres")) else "—",
            "geometry_quality": _shown(r["geometry_quality"]),
            "note": text_or_empty(r["note"]),
            "fresh": _fresh_text(r.get("as_of")),
        }
        for _, r in frame.iterrows()
    ]
    sources = [
        {**s, "href": s["url"] if s["url"] and _URL.match(s["url"]) else None}
        for s in sources_table(catalog, frame).to_dict("records")
    ]
    provenance = []
    if "provenance" in frame.columns:
        provenance = [
            {"id": str(r["id"]), "text": str(r["provenance"])}
            for _, r in frame.iterrows()
            if not is_missing(r["provenance"])
        ]
    weights = ", ".join(f"{k} {v:g}" for k, v in (shortlist.weights or {}).items())
    return _TEMPLATES.get_template("brief.html.j2").render(
        name=shortlist.name,
        filter_sentence=shortlist.filter_sentence,
        exported=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        weights=weights,
        svg=svg,
        scored=scored,
        rows=rows,
        sources=sources,
        provenance=provenance,
    )


def _shown(value: object) -> str:
    """A table cell: the value, or a dash when there is none."""
    return "—" if is_missing(value) or value == "" else str(value)


def _labelled(catalog: Catalog, vocabulary: str, value: object) -> str:
    """A vocabulary term as readers know it ("Partially operational / ramping"), not its code."""
    return "—" if is_missing(value) or value == "" else catalog.vocab.label(vocabulary, str(value))


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and not is_missing(value)
