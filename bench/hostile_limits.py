"""Peak memory and time of `geodata import file` on inputs built to exhaust them (issue: a 78 MB CSV with a
ten-million-column header took 4.4 GB; a GeoPackage whose layer is a recursive SQL view hung).

Each input is generated into a temporary folder and imported in a child process; the figures are the
child's wall time and peak resident memory. Run: python bench/hostile_limits.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARCEL = (
    '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"p"},"geometry":'
    '{"type":"Polygon","coordinates":[[[-112.5,33.5],[-112.4,33.5],[-112.4,33.6],[-112.5,33.5]]]}}]}'
)


def wide_csv(d: Path) -> Path:
    p = d / "wide.csv"
    with open(p, "wb") as fh:
        fh.write(b"lon,lat")
        fh.write(b",c" * 10_000_000)  # ten million columns, 20 MB
        fh.write(b"\n1,2\n")
    return p


def long_header(d: Path) -> Path:
    p = d / "long.csv"
    p.write_bytes(b"lon,lat," + b"y" * (78 * 2**20))
    return p


def control(d: Path) -> Path:
    p = d / "ok.geojson"
    p.write_text(PARCEL)
    return p


def recursive_view(d: Path) -> Path:
    """A GeoPackage whose one layer is a view over a recursive query that never ends."""
    import sqlite3

    import geopandas as gpd

    p = d / "loop.gpkg"
    gpd.read_file(control(d)).to_file(p, layer="base", driver="GPKG")
    con = sqlite3.connect(p)
    con.execute(
        "CREATE VIEW v AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT b.fid AS fid, b.geom AS geom, r.n AS n FROM base b, r"
    )
    con.execute("DELETE FROM gpkg_contents WHERE table_name = 'base'")
    con.execute("UPDATE gpkg_geometry_columns SET table_name = 'v' WHERE table_name = 'base'")
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('v', 'features', 'v', 4326)"
    )
    con.commit()
    con.close()
    return p


INPUTS = {
    "csv, 10M-column header (20 MB)": wide_csv,
    "csv, 78 MB header line": long_header,
    "gpkg, recursive SQL view": recursive_view,
    "geojson, one parcel (control)": control,
}


# A wrapper process per input, so each peak is its own child's (ru_maxrss of RUSAGE_CHILDREN is a maximum).
WRAPPER = (
    "import resource, subprocess, sys; "
    "r = subprocess.run([sys.executable, '-m', 'geodata', 'import', 'file', sys.argv[1], '-o', sys.argv[2]], "
    "capture_output=True, text=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "print((r.stderr or r.stdout).strip().splitlines()[-1])"
)


def run(path: Path, out: Path) -> tuple[float, float, str]:
    started = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(path), str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    seconds = time.perf_counter() - started
    peak_kb, line = r.stdout.strip().split("\n", 1)
    return seconds, int(peak_kb) / 1024, line


def main() -> None:
    print(f"{'input':34} {'time s':>7} {'peak MB':>8}  outcome")
    for label, build in INPUTS.items():
        with tempfile.TemporaryDirectory() as tmp:
            path = build(Path(tmp))
            seconds, peak_mb, line = run(path, Path(tmp) / "out.parquet")
            print(f"{label:34} {seconds:7.2f} {peak_mb:8.0f}  {line[:110]}")


if __name__ == "__main__":
    main()
