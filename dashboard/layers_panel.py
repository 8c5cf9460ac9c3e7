"""Imported layers in the app: upload, show or hide, details, delete.

Uploads go through the same importer as `python -m geodata import file` (with
the tighter upload limits) and land in $GEODATA_HOME/layers/ as GeoParquet.
Each visible layer is served view by view from a cached LayerIndex.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import streamlit as st

from dashboard.mapview import esc, md_escape
from geodata import settings
from geodata.geometry import acres
from geodata.importers.files import import_file
from geodata.importers.limits import UPLOAD_LIMITS
from geodata.layers.index import LayerIndex
from geodata.layers.parcels import split_site_id
from geodata.layers.store import LayerInfo, LayerStore, read_layer
from geodata.problems import UserError

UPLOAD_TYPES = ["geojson", "json", "gpkg", "zip", "kml", "kmz", "fgb", "csv", "parquet"]


def store() -> LayerStore:
    return LayerStore(settings.home())


@st.cache_resource(max_entries=8, show_spinner="Indexing the layer…")
def _index(path: str, modified_ns: int) -> LayerIndex:
    return LayerIndex.from_file(Path(path), value=esc)


@st.cache_resource(max_entries=8, show_spinner=False)
def _frame(path: str, modified_ns: int) -> gpd.GeoDataFrame:
    return read_layer(Path(path), with_bands=False)


def index(info: LayerInfo) -> LayerIndex:
    return _index(str(info.path), info.modified_ns)


def frame(info: LayerInfo) -> gpd.GeoDataFrame:
    return _frame(str(info.path), info.modified_ns)


def visible() -> list[LayerInfo]:
    return [i for i in store().list() if st.session_state.get(f"lyr_{i.name}", True)]


def known_parcel(site_id: str) -> bool:
    return parcel(site_id) is not None


def parcel(site_id: str) -> tuple[LayerInfo, gpd.GeoSeries] | None:
    parts = split_site_id(site_id)
    if not parts:
        return None
    try:
        info = store().get(parts[0])
    except UserError:
        return None
    df = frame(info)
    hit = df[df["feature_id"].astype(str) == parts[1]]
    return (info, hit.iloc[0]) if len(hit) else None


def _import(upload, name: str) -> None:
    ss = st.session_state
    try:
        target = store().target(name or Path(upload.name).stem)
        with tempfile.TemporaryDirectory(prefix="geodata-upload-") as tmp:
            src = Path(tmp) / Path(upload.name).name  # the name only: never a path from the browser
            src.write_bytes(upload.getvalue())
            report = import_file(src, target, UPLOAD_LIMITS)
    except UserError as exc:
        ss["lyr_notice"] = ("error", f"Not imported: {exc}")
        return
    ss[f"lyr_{target.stem}"] = True
    ss["lyr_notice"] = ("success", f"Imported layer {target.stem!r}. " + " · ".join(report.lines()))


def _delete(name: str) -> None:
    try:
        store().delete(name)
    except (UserError, OSError) as exc:
        st.session_state["lyr_notice"] = ("error", f"Not deleted: {exc}")
        return
    st.session_state["lyr_confirm"] = None
    st.session_state["lyr_notice"] = ("success", f"Deleted layer {name!r}.")


def sidebar() -> None:
    ss = st.session_state
    with st.sidebar:
        st.divider()
        st.header("Imported layers")
        notice = ss.get("lyr_notice")
        if notice:  # kept until dismissed: the map's own reruns must not wipe it
            getattr(st, notice[0])(notice[1])
            st.button("Dismiss", key="lyr_dismiss", on_click=lambda: ss.pop("lyr_notice", None))
        layers = store().list()
        if not layers:
            st.caption(
                "Federal land from PAD-US or BLM (`python -m geodata import …` into "
                f"{store().dir}) or your own parcels (below) show here as map layers."
            )
        skipped = store().ignored()
        if skipped:
            st.caption(
                f"Not shown: {', '.join(md_escape(n) for n in skipped)}. A layer's file name may hold letters, "
                "digits, spaces and . _ ( ) -; rename the file to show it."
            )
        for info in layers:
            st.checkbox(f"{info.name} ({info.size_bytes / 2**20:,.1f} MB)", key=f"lyr_{info.name}", value=True)
        with st.expander("Upload parcels", expanded=notice is not None or ss.get("lyr_upload") is not None):
            upload = st.file_uploader(
                "GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, FlatGeobuf, GeoParquet or CSV",
                type=UPLOAD_TYPES,
                key="lyr_upload",
            )
            st.text_input("Layer name", key="lyr_name", max_chars=64, placeholder="my-parcels")
            st.button(
                "Import",
                disabled=upload is None,
                key="lyr_import",
                on_click=lambda: _import(ss["lyr_upload"], ss.get("lyr_name", "")),
            )
        if layers:
            with st.expander("Delete a layer"):
                name = st.selectbox("Layer", [i.name for i in layers], key="lyr_delete_pick")
                if ss.get("lyr_confirm") != name:
                    if st.button("Delete…", key="lyr_delete"):
                        ss["lyr_confirm"] = name
                        st.rerun()
                else:
                    st.error(
                        f"Delete the layer {name!r}? Shortlists that name its parcels keep their notes but "
                        "can no longer export them."
                    )
                    st.button("Yes, delete it", key="lyr_delete_yes", on_click=_delete, args=(name,))


def details_html(info: LayerInfo, row: gpd.GeoSeries) -> str:
    rows = []
    for key, value in row.items():
        if key == "geometry" or value is None or (isinstance(value, float) and value != value):
            continue
        rows.append(f"<tr><th>{esc(key)}</th><td>{esc(value)}</td></tr>")
    area = acres(row.geometry)
    area_row = f"<tr><th>Area (acres, EPSG:5070)</th><td>{area:,.0f}</td></tr>" if area else ""
    title = row.get("unit_name") or row.get("name") or row.get("feature_id")
    return (
        '<div class="rec">'
        f"<h3>{esc(title)}</h3>"
        f'<div class="sub"><span class="pill">imported parcel</span> '
        f'<span class="pill">layer {esc(info.name)}</span></div>'
        f"<p><b>Source:</b> {esc(row.get('source_file') or info.path.name)}</p>"
        f"<table>{area_row}{''.join(rows)}</table></div>"
    )
