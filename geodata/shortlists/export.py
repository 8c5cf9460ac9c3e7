"""Export a shortlist: CSV, GeoJSON, KML, GeoPackage, and a one-page HTML brief.

Every export has `rank`, `id`, `name`, `note` first, then the site's fields and
its sources. The GeoPackage adds a `sources` table and an `about` table with
the filter sentence (and weights) the shortlist came from. The brief is a
single self-contained HTML file: inline SVG map, table, notes, every source;
all text escaped.
"""

from __future__ import annotations

import html
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.catalog.load import Catalog
from geodata.export import formats as exporters
from geodata.problems import UserError
from geodata.shortlists.store import Shortlist
from geodata.shortlists.svgmap import svg_map

FORMATS = ("csv", "geojson", "kml", "gpkg", "html")
PHASE_COLOURS = {"concept": "#E69F00", "phase-1": "#0072B2", "phase-2": "#CC79A7", "context": "#009E73"}
_URL = re.compile(r"^https?://[^\s\"'<>]+$")


def shortlist_frame(catalog: Catalog, shortlist: Shortlist, extra: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The shortlist's sites in rank order, with rank and note first.

    `extra` holds sites from outside the catalog (imported parcels, see geodata.layers.index.parcel_sites).
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


def brief_html(catalog: Catalog, shortlist: Shortlist, frame: gpd.GeoDataFrame) -> str:
    e = html.escape
    colours = [PHASE_COLOURS.get(p, "#444") for p in frame["phase"]]
    titles = [f"{r['rank']}. {r['name']}" for _, r in frame.iterrows()]
    svg = svg_map(list(frame.geometry), [str(r) for r in frame["rank"]], titles, colours)

    def cell(value) -> str:
        return "—" if value is None or (isinstance(value, float) and value != value) or value == "" else e(str(value))

    rows = []
    for _, r in frame.iterrows():
        acres = r.get("reported_acres")
        acres_text = f"{acres:,.0f}" if isinstance(acres, (int, float)) and acres == acres else "—"
        score = r.get("score")
        score_cell = (
            f"<td>{score:.3f}</td>"
            if "score" in frame.columns and score == score and score is not None
            else ("<td>—</td>" if "score" in frame.columns else "")
        )
        rows.append(
            f"<tr><td class=num>{r['rank']}</td><td><b>{e(str(r['name']))}</b><br><code>{e(str(r['id']))}</code></td>"
            f"{score_cell}<td>{cell(r['agency'])}</td><td>{cell(r['state'])}</td><td>{cell(r['phase'])}</td>"
            f"<td>{cell(r['status'])}</td><td class=num>{acres_text}</td>"
            f"<td>{cell(r['geometry_quality'])}</td><td>{e(str(r['note'] or ''))}</td></tr>"
        )
    sources = sources_table(catalog, frame)
    cites = []
    for _, s in sources.iterrows():
        title = e(s["title"])
        if s["url"] and _URL.match(s["url"]):
            title = f'<a href="{e(s["url"], quote=True)}">{title}</a>'
        cites.append(
            f"<li><b>[{e(s['id'])}]</b> {e(s['publisher'])}, {title}, {e(s['date'])}"
            f"{' (' + e(s['note']) + ')' if s['note'] else ''}. Cited by: {e(s['cited_by'])}</li>"
        )
    if "provenance" in frame.columns:
        for _, r in frame[frame["provenance"].notna()].iterrows():
            cites.append(f"<li><b>[{e(str(r['id']))}]</b> {e(str(r['provenance']))}</li>")
    weights = ""
    if shortlist.weights:
        weights = (
            "<p><b>Scoring weights:</b> " + e(", ".join(f"{k} {v:g}" for k, v in shortlist.weights.items())) + "</p>"
        )
    score_head = "<th>Score</th>" if "score" in frame.columns else ""
    exported = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(shortlist.name)}: site shortlist</title>
<style>
body{{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;max-width:1000px;margin:24px auto;
padding:0 16px}}
h1{{font-size:22px;margin:0 0 4px}} .meta{{color:#555;margin:0 0 12px}}
table{{border-collapse:collapse;width:100%;margin:12px 0;font-size:13px}}
th,td{{border-bottom:1px solid #ddd;padding:5px 6px;text-align:left;vertical-align:top}}
th{{background:#f3f5f7}} td.num{{text-align:right}} code{{font-size:11px;color:#666}}
ol.sources{{font-size:12.5px;padding-left:20px}} .caveat{{font-size:12px;color:#555;border-top:1px solid #ddd;
padding-top:8px}}
@media print{{body{{margin:0}} a{{color:#222}}}}
</style></head><body>
<h1>{e(shortlist.name)}</h1>
<p class="meta">Site shortlist · {len(frame)} site(s) · exported {exported} from the Crystal Land sites atlas</p>
<p><b>Selected from:</b> {e(shortlist.filter_sentence or "the full catalog")}</p>
{weights}
{svg}
<table><thead><tr><th>#</th><th>Site</th>{score_head}<th>Agency</th><th>State</th><th>Phase</th><th>Status</th>
<th>Reported acres</th><th>Location</th><th>Note</th></tr></thead><tbody>
{"".join(rows)}
</tbody></table>
<h2>Sources</h2>
<ol class="sources">{"".join(cites)}</ol>
<p class="caveat">Outlines marked "approximate" are drawn around a reference point and sized to the reported
acreage; they are not parcel boundaries. Amounts and statuses are as reported on the dates shown.</p>
</body></html>
"""
