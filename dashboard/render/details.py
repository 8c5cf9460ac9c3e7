"""One record as HTML: every field, its sources, what is nearby (rendered by dashboard.details_panel).

Built as HTML from escaped values (dashboard.render.text.esc) and rendered with
st.html, which also sanitises; markdown is avoided because it would interpret
characters in names and notes.
"""

from __future__ import annotations

import re

import pandas as pd

from dashboard.render.text import esc
from geodata.catalog.changes import freshness
from geodata.catalog.load import Catalog
from geodata.money import format_range
from geodata.values import is_missing

HIDDEN = {"geometry", "anchor", "acreage_diff", "sources", "name", "id"}
LABELS = {
    "first_reported": "First reported",
    "status_date": "Status date",
    "as_of": "As of (latest source)",
    "geometry_quality": "Location quality",
    "coord_method": "Coordinate method",
    "geometry_note": "How the location was drawn",
    "reported_acres": "Reported acres",
    "area_acres": "Drawn outline (acres, EPSG:5070)",
    "reported_area_text": "Area as reported",
    "land_status": "Land status",
    "agency_detail": "Agency detail",
    "amount_usd_low": "Amount low (USD)",
    "amount_usd_high": "Amount high (USD)",
    "amount_usd": "Headline amount (USD)",
    "amount_text": "Amount as reported",
    "site_id": "Site",
    "facility_id": "Facility",
    "located_via": "Mapped at",
    "area_note": "Area note",
    "company_stances": "Company stances (latest reported)",
}
CSS = """
<style>
.rec h3{margin:.2rem 0 .1rem 0;font-size:1.15rem}
.rec .sub{color:#555;margin-bottom:.4rem}
.rec table{border-collapse:collapse;font-size:.85rem;width:100%}
.rec td,.rec th{border-bottom:1px solid #eee;padding:3px 6px;vertical-align:top;text-align:left;overflow-wrap:anywhere}
.rec td.word{overflow-wrap:normal;white-space:nowrap}
.rec th{color:#444;font-weight:600;width:38%}
.rec .pill{display:inline-block;padding:0 6px;border-radius:8px;background:#eef;margin-right:4px;font-size:.8rem}
.rec .approx{background:#fff3d6}
.rec .stale{background:#fde2e1;color:#7a1c14}
.rec ol{padding-left:1.2rem;margin:.3rem 0;font-size:.85rem}
</style>
"""
_URL = re.compile(r"^https?://[^\s\"'<>]+$")


def _present(v) -> bool:
    """A field worth a row: a value, and not an empty list or text."""
    return not is_missing(v) and not (isinstance(v, (list, str)) and len(v) == 0)


def _fmt(key: str, v) -> str:
    if isinstance(v, list):
        return ", ".join(map(str, v))
    if key in ("amount_usd_low", "amount_usd_high", "amount_usd") and isinstance(v, (int, float)):
        return f"${v:,.0f}"
    if key in ("reported_acres", "area_acres") and isinstance(v, (int, float)):
        return f"{v:,.0f}"
    return str(v)


def source_items(catalog: Catalog, ids: list[str]) -> str:
    items = []
    for sid in ids:
        s = catalog.sources[sid]
        title = esc(s.title)
        if s.url and _URL.match(s.url):
            title = f'<a href="{esc(s.url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
        note = f" <i>({esc(s.note)})</i>" if s.note else ""
        items.append(f"<li>{esc(s.publisher)}, {title}, <b>{esc(s.date.text)}</b> [{esc(s.id)}]{note}</li>")
    return "<ol>" + "".join(items) + "</ol>"


def record_html(
    catalog: Catalog, layer: str, row: pd.Series, nearby: pd.DataFrame | None = None, radius_km: float = 50
) -> str:
    v = catalog.vocab
    quality = row.get("geometry_quality")
    pills = [
        f'<span class="pill">{esc(layer[:-1] if layer != "facilities" else "facility")}</span>',
        f'<span class="pill">{esc(v.label("phase", row["phase"]))}</span>',
        f'<span class="pill">{esc(v.label("status", row["status"]))}</span>',
        f'<span class="pill">confidence: {esc(row["confidence"])}</span>',
        f'<span class="pill{" approx" if quality == "approximate" else ""}">location: {esc(quality)}</span>',
    ]
    fresh = freshness(row.get("as_of"))
    if fresh and fresh.stale:
        pills.append(f'<span class="pill stale">{esc(fresh.note)}</span>')
    if row.get("status") == "retired" and _present(row.get("status_note")):
        pills.append(f'<span class="pill stale">retired: {esc(row["status_note"])}</span>')
    rows = []
    if fresh:
        rows.append(f"<tr><th>Newest source</th><td>{esc(fresh.text)}</td></tr>")
    if layer == "investments":
        amount = format_range(row.get("amount_usd_low"), row.get("amount_usd_high"))
        if amount:
            rows.append(f"<tr><th>Amount</th><td>{esc(amount)}</td></tr>")
    for key, value in row.items():
        if key in HIDDEN or str(key).startswith("_") or not _present(value):
            continue
        label = LABELS.get(key, str(key).replace("_", " ").capitalize())
        rows.append(f"<tr><th>{esc(label)}</th><td>{esc(_fmt(key, value))}</td></tr>")
    parts = [
        CSS,
        '<div class="rec">',
        f"<h3>{esc(row['name'])}</h3>",
        f'<div class="sub">{"".join(pills)} <code>{esc(row["id"])}</code></div>',
        f"<b>Sources</b>{source_items(catalog, row['sources'])}",
        "<table>" + "".join(rows) + "</table>",
    ]
    if nearby is not None:
        if nearby.empty:
            parts.append(f"<p><b>Within {radius_km:g} km:</b> no investments or facilities.</p>")
        else:
            items = "".join(
                f"<tr><td class='word'>{esc(r.layer[:-1] if r.layer != 'facilities' else 'facility')}</td>"
                f"<td>{esc(r.name)}</td><td class='word'>{r.distance_km:,.1f}&nbsp;km</td></tr>"
                for r in nearby.itertuples()
            )
            parts.append(
                f"<p><b>Within {radius_km:g} km</b> (from the outline, measured in a projected "
                f"CRS centred on the site):</p><table>{items}</table>"
            )
    parts.append("</div>")
    return "".join(parts)
