"""Imported layers in the app: upload, show or hide, details, delete.

Uploads go through the same importer as `python -m geodata import file` (with
the tighter upload limits) and land in $GEODATA_HOME/layers/ as GeoParquet, or in
the shared database when GEODATA_DATABASE_URL is set. Each visible layer is
served view by view by its backend (an in-memory LayerIndex, or SQL); when the
database cannot be reached the panel says so and the map keeps the catalog.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.render.text import esc, md_escape
from dashboard.render.view import zoom_for
from geodata import settings, storage
from geodata.geometry import acres
from geodata.importers.files import import_file
from geodata.importers.limits import UPLOAD_LIMITS
from geodata.layers.store import LayerInfo
from geodata.problems import ChoiceNeeded, CrsNeeded, InvalidValue, LimitExceeded, UserError, one_line
from geodata.values import is_missing

UPLOAD_TYPES = ["geojson", "json", "gpkg", "zip", "kml", "kmz", "fgb", "csv", "parquet"]


def store() -> storage.LayerBackend:
    return storage.layers(settings.home())


class NoLayers:
    """Stands in for a backend that cannot be reached: no layers, so the catalog still shows."""

    backend = "unavailable"
    dir = "the database (unavailable)"

    def list(self) -> list[LayerInfo]:
        return []

    def features(self, info, feature_ids):
        return gpd.GeoDataFrame()


def store_or_none() -> storage.LayerBackend:
    """The layer store, or NoLayers (with the reason kept for the sidebar) when it cannot be used."""
    try:
        return store()
    except UserError as exc:
        if get_script_run_ctx() is not None:
            st.session_state["lyr_down"] = str(exc)
        return NoLayers()


@st.cache_resource(max_entries=8, show_spinner="Indexing the layer…")
def _index(backend: str, name: str, path: str, modified_ns: int):
    return store().open_index(LayerInfo(name, Path(path), 0, modified_ns, backend), value=esc)


def index(info: LayerInfo):
    return _index(info.backend, info.name, str(info.path), info.modified_ns)


def visible() -> list[LayerInfo]:
    """The layers shown on the map; one that cannot be read is left off and named in the sidebar."""
    try:
        layers = store().list()
    except UserError as exc:
        st.session_state["lyr_down"] = str(exc)
        return []
    st.session_state.pop("lyr_down", None)
    shown, broken = [], {}
    for info in layers:
        if not st.session_state.get(f"lyr_{info.name}", True):
            continue
        try:
            index(info)
        except UserError as exc:
            broken[info.name] = one_line(str(exc))
            continue
        shown.append(info)
    st.session_state["lyr_broken"] = broken
    return shown


CHOICE_LABELS = {"layer": "Layer to import", "member": "Dataset in the zip to import"}


def _zoom_to(info: LayerInfo) -> None:
    from shapely.geometry import box

    from dashboard import map_panel  # the map panel draws the layers: imported here, not at load

    w, s, e, n = index(info).bounds()
    st.session_state[f"lyr_{info.name}"] = True
    map_panel.jump((s + n) / 2, (w + e) / 2, zoom_for(box(w, s, e, n)))


def _new_file() -> None:
    """Another file chosen: what was said about the last one no longer applies (a removed upload
    keeps the file the panel holds, for its choice or CRS)."""
    if st.session_state.get("lyr_upload") is None:
        return
    for key in ("lyr_notice", "lyr_pending"):
        st.session_state.pop(key, None)


def _import(upload, name: str) -> None:
    st.session_state.pop("lyr_pending", None)
    _try_import(upload.name, upload.getvalue(), name, {})


def _import_again() -> None:
    ss = st.session_state
    pending = ss.get("lyr_pending")
    if not pending:
        return
    need = pending["need"]
    value = ((ss.get("lyr_crs") or "").strip() or None) if need == "crs" else ss.get("lyr_choice")
    _try_import(pending["file"], pending["data"], ss.get("lyr_name", ""), {**pending["options"], need: value})


def _needs(exc: UserError) -> dict | None:
    """What the user must add before the same file can import, where the panel has a control for it."""
    if isinstance(exc, ChoiceNeeded) and exc.what in CHOICE_LABELS:
        return {"need": exc.what, "choices": list(exc.choices)}
    if isinstance(exc, CrsNeeded) and not exc.wrong:
        return {"need": "crs", "example": exc.example or "EPSG:4326"}
    return None


def _app_message(exc: UserError) -> str:
    if isinstance(exc, ChoiceNeeded) and exc.what in CHOICE_LABELS:
        return f"{one_line(exc.problem)}: choose one below and import again."
    if isinstance(exc, CrsNeeded) and not exc.wrong:
        fix = f"{exc.file_fix} and upload it again, or " if exc.file_fix else ""
        return f"{exc.problem}: {fix}enter its CRS below and import again."
    if isinstance(exc, CrsNeeded):
        return f"Not imported: {exc.problem}. Save the file with the right CRS and upload it again."
    if isinstance(exc, LimitExceeded):
        return (
            f"Not imported: {exc.problem}. That is the upload box's limit; "
            "`python -m geodata import file` on the command line allows more."
        )
    return f"Not imported: {one_line(str(exc))}"


def _try_import(file_name: str, data: bytes, name: str, options: dict) -> None:
    """Import the file; when a choice or a CRS is missing, keep it (in session state) to import again."""
    ss = st.session_state
    try:
        with tempfile.TemporaryDirectory(prefix="geodata-upload-") as tmp:
            src = Path(tmp) / Path(file_name).name  # the name only: never a path from the browser
            src.write_bytes(data)
            saved, report = store().save(
                name or Path(file_name).stem, lambda target: import_file(src, target, UPLOAD_LIMITS, **options)
            )
    except UserError as exc:
        need = _needs(exc)
        if need:
            ss["lyr_pending"] = {"file": file_name, "data": data, "options": options, **need}
            ss.pop("lyr_choice", None)  # a choice among another file's layers
        elif not (isinstance(exc, InvalidValue) and exc.field in options):  # a mistyped CRS can be retyped
            ss.pop("lyr_pending", None)
        ss["lyr_notice"] = ("info" if need else "error", _app_message(exc))
        return
    ss.pop("lyr_pending", None)
    ss[f"lyr_{saved}"] = True
    ss["lyr_notice"] = ("success", f"Imported layer {saved!r}. " + " · ".join(report.lines()))


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
        # always one container here, message or not: the widgets below keep their place in the page
        # when a message goes, and Streamlit does not rebuild them
        with st.container():
            if notice:  # kept until dismissed or another file is chosen: the map's reruns must not wipe it
                getattr(st, notice[0])(notice[1])
                st.button("Dismiss", key="lyr_dismiss", on_click=lambda: ss.pop("lyr_notice", None))
        try:
            _layers_sidebar(ss, notice)
        except UserError as exc:
            st.error(f"Imported layers are unavailable: {exc}. The catalog is shown without them.")


def _layers_sidebar(ss, notice) -> None:
    layers = store().list()
    if not layers:
        st.caption(
            "Federal land from PAD-US or BLM (`python -m geodata import …` into "
            f"{store().dir}) or your own parcels (below) show here as map layers."
        )
    if store().backend == "postgis":
        st.caption(f"Shared with your team in {md_escape(str(store().dir))}.")
    visible()  # notes the layers that cannot be read, before the map leaves them off
    broken = ss.get("lyr_broken", {})
    refused = [*getattr(store(), "refused", list)(), *broken.values()]
    if refused:
        st.warning("Not shown:\n" + "\n".join(f"- {md_escape(r)}" for r in refused))
    skipped = store().ignored()
    if skipped:
        st.caption(
            f"Not shown: {', '.join(md_escape(n) for n in skipped)}. A layer's file name may hold letters, "
            "digits, spaces and . _ ( ) -; rename the file to show it."
        )
    for info in layers:
        if info.name in broken:
            continue
        box, zoom = st.columns([4, 1], vertical_alignment="center")
        box.checkbox(f"{info.name} ({info.size_bytes / 2**20:,.1f} MB)", key=f"lyr_{info.name}", value=True)
        zoom.button(
            "Zoom",
            key=f"lyr_zoom_{info.name}",
            help=f"Zoom the map to {info.name}",
            on_click=_zoom_to,
            args=(info,),
        )
    pending = ss.get("lyr_pending")
    expand = notice is not None or pending is not None or ss.get("lyr_upload") is not None
    with st.expander("Upload parcels", expanded=expand):
        upload = st.file_uploader(
            "GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, FlatGeobuf, GeoParquet or CSV",
            type=UPLOAD_TYPES,
            key="lyr_upload",
            on_change=_new_file,
        )
        st.text_input("Layer name", key="lyr_name", max_chars=64, placeholder="my-parcels")
        st.button(
            "Import",
            disabled=upload is None,
            key="lyr_import",
            on_click=lambda: _import(ss["lyr_upload"], ss.get("lyr_name", "")),
        )
        if pending:
            if pending["need"] == "crs":
                st.text_input("CRS of the file", key="lyr_crs", placeholder=pending["example"])
            else:
                st.selectbox(CHOICE_LABELS[pending["need"]], pending["choices"], key="lyr_choice")
            again, forget = st.columns(2)
            again.button("Import again", key="lyr_again", on_click=_import_again)
            forget.button("Forget the file", key="lyr_forget", on_click=lambda: ss.pop("lyr_pending", None))
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
        if key == "geometry" or is_missing(value):
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
