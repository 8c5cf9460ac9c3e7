"""Tell what a file is from its content, before GDAL sees it.

GDAL picks its driver by content, not by extension: a VRT (which can read any
file on the machine) renamed to .geojson would still open as a VRT. So every
input is identified here from its first bytes and must be one of an
allow-list of formats; anything else is refused with a message naming what it
looks like. The driver GDAL then uses is checked against the expected one.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from geodata.problems import UserError

# kind -> (description, GDAL drivers that may read it)
ALLOWED = {
    "gpkg": ("GeoPackage", {"GPKG"}),
    "geojson": ("GeoJSON", {"GeoJSON", "GeoJSONSeq"}),
    "shapefile": ("Shapefile", {"ESRI Shapefile"}),
    "flatgeobuf": ("FlatGeobuf", {"FlatGeobuf"}),
    "kml": ("KML", {"LIBKML", "KML"}),
    "csv": ("CSV with lon/lat or WKT columns", set()),  # read here, not by GDAL
    "parquet": ("GeoParquet", set()),  # read by pyarrow/geopandas
    "filegdb": ("File Geodatabase", {"OpenFileGDB"}),
    "zip": ("zip archive", set()),
}
SUPPORTED = (
    "GeoPackage, GeoJSON, zipped Shapefile, KML/KMZ, FlatGeobuf, File Geodatabase (.gdb folder "
    "or zip), GeoParquet, CSV with lon/lat or WKT columns"
)

_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"II*\x00", "a TIFF/GeoTIFF raster"),
    (b"MM\x00*", "a TIFF/GeoTIFF raster"),
    (b"\x1f\x8b", "a gzip file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"{\\rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
]


def _not_supported(path: Path, looks_like: str) -> UserError:
    return UserError(f"{path.name} is not a geodata file we accept: it looks like {looks_like}. Accepted: {SUPPORTED}")


def sniff(path: Path) -> str:
    """The kind of `path` (a key of ALLOWED), or UserError saying what it is instead."""
    if path.is_dir():
        if path.suffix.lower() == ".gdb" and (any(path.glob("*.gdbtable")) or any(path.glob("*.gdbindexes"))):
            return "filegdb"
        raise _not_supported(path, "a folder that is not a File Geodatabase (.gdb)")
    if not path.is_file():
        raise UserError(f"{path} does not exist")
    size = path.stat().st_size
    if size == 0:
        raise UserError(f"{path.name} is empty (0 bytes)")
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if head.startswith(b"SQLite format 3\x00"):
        if len(head) >= 72 and head[68:72] in (b"GPKG", b"GP10", b"GP11"):
            return "gpkg"
        raise _not_supported(path, "an SQLite database that is not a GeoPackage")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head[:3] == b"fgb" and len(head) >= 8 and head[3] == 3 and head[4:7] == b"fgb":
        return "flatgeobuf"
    if head[:4] == b"\x00\x00\x27\x0a":
        return "shapefile"
    if head[:4] == b"PAR1":
        return "parquet"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise _not_supported(path, what)
    try:  # incremental: the block may end inside a multi-byte character
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=len(head) < 8192)
    except UnicodeDecodeError:
        raise _not_supported(path, "binary data of an unknown kind") from None
    body = text.lstrip()
    if body.startswith("<"):
        lowered = body[:4000].lower()
        if "<ogrvrtdatasource" in lowered or "<vrtdataset" in lowered:
            raise _not_supported(path, "a GDAL VRT file, which can read other files on this machine; refused")
        if "<kml" in lowered:
            return "kml"
        raise _not_supported(path, "an XML or HTML document that is not KML")
    if body.startswith(("{", "[")):
        return "geojson"
    first = body.splitlines()[0] if body else ""
    if any(d in first for d in (",", ";", "\t")):
        return "csv"
    if first.strip().strip('"').lower() in ("wkt", "geometry", "geom", "the_geom"):
        return "csv"  # one column of WKT needs no delimiter
    raise _not_supported(path, "plain text without columns")
