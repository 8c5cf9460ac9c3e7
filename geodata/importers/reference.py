"""Import the reference layers the scores measure distances to.

- roads: Census TIGER/Line primary roads; keeps interstates (RTTYP = I).
- transmission: HIFLD electric transmission lines (or substations); keeps
  lines of at least `min_kv` (VOLTAGE -999999 means unknown and is dropped
  when a threshold is set).
- power-plants: EIA-860 power plants (the Atlas layer or its CSV); keeps
  plants of at least `min_mw` (Total_MW).

Each goes to $GEODATA_HOME/reference/ unless another output is given.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geodata import settings
from geodata.importers.clean import ImportReport, prepare
from geodata.importers.limits import Limits
from geodata.importers.output import write_layer
from geodata.importers.readers import read_any
from geodata.problems import InvalidValue, UserError
from geodata.scoring.reference import IMPORTED, reference_dir
from geodata.values import is_missing


def _col(df: pd.DataFrame, *names: str) -> str | None:
    lower = {str(c).lower(): c for c in df.columns}
    return next((lower[n.lower()] for n in names if n.lower() in lower), None)


def _geometry_kinds(gdf, allowed: tuple[str, ...], name: str, what: str) -> None:
    kinds = set(gdf.geometry.geom_type.dropna())
    if not kinds & set(allowed):
        raise UserError(f"{name} holds {', '.join(sorted(kinds)) or 'no geometry'}, not {what}")


def import_reference(
    kind: str,
    path: str | Path,
    limits: Limits,
    *,
    out: str | Path | None = None,
    home: str | Path | None = None,
    min_kv: float | None = None,
    min_mw: float | None = None,
) -> ImportReport:
    key = {"roads": "interstates", "transmission": "transmission", "power-plants": "power_plants"}[kind]
    result = read_any(path, limits)
    gdf = result.gdf
    if kind == "transmission" and set(gdf.geometry.geom_type.dropna()) <= {"Point", "MultiPoint"}:
        key = "substations"  # kept beside the lines: the criterion measures to either
    target = Path(out) if out else reference_dir(home) / IMPORTED[key]
    report = ImportReport(source=result.name)
    report.read = len(gdf)
    if kind == "roads":
        _geometry_kinds(gdf, ("LineString", "MultiLineString"), result.name, "road lines")
        rttyp = _col(gdf, "RTTYP")
        if rttyp:
            gdf = gdf[gdf[rttyp].astype(str).str.strip().str.upper() == "I"]
            report.filters.append(f"{len(gdf):,} interstates (RTTYP I)")
        name = _col(gdf, "FULLNAME", "name")
        gdf = gdf.assign(name=gdf[name].astype(str) if name else "interstate")
    elif kind == "transmission":
        _geometry_kinds(gdf, ("LineString", "MultiLineString", "Point"), result.name, "lines or substations")
        volt = _col(gdf, "VOLTAGE", "MAX_VOLT")
        if min_kv is not None:
            if not volt:
                raise InvalidValue(
                    "min_kv",
                    min_kv,
                    f"{result.name} has no VOLTAGE or MAX_VOLT column to apply it to",
                    label="minimum kV",
                )
            v = pd.to_numeric(gdf[volt], errors="coerce")
            gdf = gdf[v >= min_kv]
            report.filters.append(f"{len(gdf):,} at {min_kv:g} kV or more")
        owner = _col(gdf, "OWNER", "NAME")
        label = gdf[owner].astype(str) if owner else pd.Series("line", index=gdf.index)
        if volt:
            label = (
                label
                + " "
                + pd.to_numeric(gdf[volt], errors="coerce").map(
                    lambda x: f"{x:g} kV" if not is_missing(x) and x > 0 else ""
                )
            )
        gdf = gdf.assign(name=label.str.strip())
    else:
        _geometry_kinds(gdf, ("Point", "MultiPoint"), result.name, "plant points")
        mw = _col(gdf, "Total_MW", "Install_MW", "nameplate_capacity_mw")
        if min_mw is not None:
            if not mw:
                raise InvalidValue(
                    "min_mw", min_mw, f"{result.name} has no Total_MW column to apply it to", label="minimum MW"
                )
            gdf = gdf[pd.to_numeric(gdf[mw], errors="coerce") >= min_mw]
            report.filters.append(f"{len(gdf):,} of {min_mw:g} MW or more")
        name = _col(gdf, "Plant_Name", "name")
        gdf = gdf.assign(name=gdf[name].astype(str) if name else "plant")
    if gdf.empty:
        raise UserError(
            f"nothing left to import from {result.name} ({'; '.join(report.filters)}); {target} not written"
        )
    gdf = prepare(gdf, result.name, False, report)
    url = settings.database_url() if out is None else None
    if url:  # the team's shared database: replaced in one transaction
        from geodata.layers.pg_store import PgLayerStore

        store = PgLayerStore(url)
        store.save_reference(key, lambda path: write_layer(gdf, path))
        report.notes.append(
            f"loaded {len(gdf):,} feature(s) into the database {store.dir}; scores use them from now on"
        )
        return report
    target.parent.mkdir(parents=True, exist_ok=True)
    fmt = write_layer(gdf, target)
    report.notes.append(f"wrote {len(gdf):,} feature(s) to {target} ({fmt}, EPSG:4326); scores use it from now on")
    return report
