"""Import federal land from USGS PAD-US (4.x) in any of its published formats.

Keeps features whose manager type is federal (Mang_Type = FED), optionally in
some states, of some managing agencies, and inside a box; keeps the fields a
user needs, decoded; reprojects to WGS84 and repairs geometry (clean.py).
Code lists: PAD-US 4.1 lookup tables (Agency_Name, Designation_Type,
Public_Access), as the PAD-US 4.1 data dictionary describes them.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd

from geodata.catalog.schema import US_STATE_CODES
from geodata.importers.clean import ImportReport, prepare
from geodata.importers.files import clip, with_ids
from geodata.importers.limits import Limits
from geodata.importers.output import output_format, write_layer
from geodata.importers.readers import read_any
from geodata.problems import InvalidValue, UserError

FEDERAL_AGENCIES = {
    "BLM": "Bureau of Land Management",
    "USFS": "Forest Service",
    "NPS": "National Park Service",
    "FWS": "U.S. Fish and Wildlife Service",
    "USBR": "Bureau of Reclamation",
    "DOD": "Department of Defense",
    "DOE": "Department of Energy",
    "USACE": "Army Corps of Engineers",
    "TVA": "Tennessee Valley Authority",
    "NRCS": "Natural Resources Conservation Service",
    "ARS": "Agricultural Research Service",
    "BIA": "Bureau of Indian Affairs",
    "NOAA": "National Oceanic and Atmospheric Administration",
    "BOEM": "Bureau of Ocean Energy Management",
    "BPA": "Bonneville Power Administration",
    "OTHF": "Other or unknown federal land",
}
DESIGNATIONS = {
    "PUB": "National Public Lands",
    "NF": "National Forest",
    "NM": "National Monument",
    "NCA": "Conservation Area",
    "WA": "Wilderness Area",
    "WSA": "Wilderness Study Area",
    "ACEC": "Area of Critical Environmental Concern",
    "NWR": "National Wildlife Refuge",
    "NP": "National Park",
    "NRA": "National Recreation Area",
    "MIL": "Military Land",
    "REC": "Recreation Management Area",
    "RMA": "Resource Management Area",
    "IRA": "Inventoried Roadless Area",
    "WSR": "Wild and Scenic River",
    "FOTH": "Federal Other or Unknown",
    "PROC": "Approved or Proclamation Boundary",
    "TRIBL": "Native American Land Area",
    "ND": "Not Designated",
    "UNK": "Unknown",
}
PUBLIC_ACCESS = {"OA": "Open", "RA": "Restricted", "XA": "Closed", "UK": "Unknown"}
GAP_STATUS = {
    "1": "1: managed for biodiversity, disturbance allowed",
    "2": "2: managed for biodiversity, disturbance suppressed",
    "3": "3: multiple use",
    "4": "4: no known mandate",
}

REQUIRED = ("Mang_Type", "Mang_Name", "Unit_Nm", "State_Nm")
KEEP = {  # PAD-US field -> output column
    "Mang_Name": "manager",
    "Mang_Type": "manager_type",
    "Unit_Nm": "unit_name",
    "Loc_Nm": "local_name",
    "Des_Tp": "designation",
    "Pub_Access": "public_access",
    "GAP_Sts": "gap_status",
    "GIS_Acres": "gis_acres",
    "State_Nm": "state",
    "Category": "category",
}
_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")


def parse_codes(text: str | None, field: str, known: set[str] | None = None) -> list[str]:
    """Comma-separated codes for the input `field` (e.g. "state"), upper-cased."""
    if not text:
        return []
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    for c in codes:
        if not _CODE.match(c):
            raise InvalidValue(field, c, f"{c!r} is not a code (letters and digits, e.g. AZ or BLM)")
        if known is not None and c not in known:
            raise InvalidValue(field, c, f"{c!r} is not one of {', '.join(sorted(known))}")
    return codes


def _prefer_fee(layers: list[str]) -> str | None:
    for pattern in ("fee", "comb"):
        hits = [n for n in layers if pattern in n.lower()]
        if len(hits) == 1:
            return hits[0]
    return None


def _columns(gdf: gpd.GeoDataFrame, name: str) -> dict[str, str]:
    lower = {c.lower(): c for c in gdf.columns}
    found = {f: lower[f.lower()] for f in (*REQUIRED, *KEEP) if f.lower() in lower}
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise UserError(
            f"{name} is not a PAD-US layer: missing {', '.join(missing)} "
            f"(has {', '.join(map(str, list(gdf.columns)[:10]))}, ...)"
        )
    return found


def import_padus(
    path: str | Path,
    out: str | Path,
    limits: Limits,
    *,
    states: list[str] | None = None,
    agencies: list[str] | None = None,
    bbox=None,
    layer: str | None = None,
    member: str | None = None,
) -> ImportReport:
    out = Path(out)
    output_format(out)
    states = states or []
    agencies = agencies or []
    bad = [s for s in states if s not in US_STATE_CODES]
    if bad:
        raise InvalidValue("state", bad, f"{', '.join(bad)} not a US state code")
    result = read_any(path, limits, layer=layer, bbox=bbox, choose_layer=_prefer_fee, member=member)
    gdf = result.gdf
    cols = _columns(gdf, result.name)
    report = ImportReport(source=result.name + (f", layer {result.layer}" if result.layer else ""))
    report.read = len(gdf)
    mtype = gdf[cols["Mang_Type"]].astype(str).str.strip().str.upper()
    gdf = gdf[mtype == "FED"]
    report.filters.append(f"{len(gdf):,} federal (Mang_Type FED)")
    if states:
        gdf = gdf[gdf[cols["State_Nm"]].astype(str).str.strip().str.upper().isin(states)]
        report.filters.append(f"{len(gdf):,} in {', '.join(states)}")
    if agencies:
        gdf = gdf[gdf[cols["Mang_Name"]].astype(str).str.strip().str.upper().isin(agencies)]
        report.filters.append(f"{len(gdf):,} managed by {', '.join(agencies)}")
    if gdf.empty:
        raise UserError(f"no federal land in {result.name} matches ({'; '.join(report.filters)}); {out} not written")
    out_gdf = gpd.GeoDataFrame(
        {KEEP[f]: gdf[c].values for f, c in cols.items() if f in KEEP}, geometry=gdf.geometry.values, crs=gdf.crs
    )
    out_gdf["manager_name"] = out_gdf["manager"].map(lambda c: FEDERAL_AGENCIES.get(str(c).strip(), c))
    if "designation" in out_gdf:
        out_gdf["designation_name"] = out_gdf["designation"].map(lambda c: DESIGNATIONS.get(str(c).strip(), c))
    if "public_access" in out_gdf:
        out_gdf["public_access"] = out_gdf["public_access"].map(lambda c: PUBLIC_ACCESS.get(str(c).strip(), c))
    if "gap_status" in out_gdf:
        out_gdf["gap_status"] = out_gdf["gap_status"].map(lambda c: GAP_STATUS.get(str(c).strip(), c))
    out_gdf = prepare(out_gdf, result.name, True, report)
    out_gdf = clip(out_gdf, bbox, report)
    if out_gdf.empty:
        raise UserError(f"no federal land of {result.name} lies within the box; {out} not written")
    report.kept = len(out_gdf)
    out_gdf = with_ids(out_gdf, "padus", result.name)
    fmt = write_layer(out_gdf, out)
    report.notes.append(f"wrote {len(out_gdf):,} parcel(s) to {out} ({fmt}, EPSG:4326)")
    return report
