"""Filter flags shared by `list`, `export` and `score`, turned into a Filters value.

The flags are generated from the filter table (geodata/catalog/filterspec.py)
and read by the same `parse_filters` as a shared link; only the wording of a
problem is the CLI's own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import shapely

from geodata.catalog.area import MAX_CORNERS, fitted, from_geometry
from geodata.catalog.filterspec import SPEC, SPECS, FilterProblem, Filters, FilterSpec, parse_filters
from geodata.catalog.load import Catalog, load_catalog
from geodata.geometry import WGS84
from geodata.importers.limits import Limits
from geodata.importers.readers import read_any
from geodata.problems import UserError


def add_catalog_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", metavar="DIR", help="catalog directory (default: the shipped catalog)")


def flag(spec: FilterSpec) -> str:
    return "--" + spec.flag


def dest(spec: FilterSpec) -> str:
    # prefixed: a filter's name must not collide with a subcommand's own options (--format, --name)
    return "filter_" + spec.name


def _help(spec: FilterSpec) -> str:
    if spec.everywhere:
        return spec.hint
    return f"{' and '.join(spec.layers)}: {spec.hint}"


def add_filter_args(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("filters (repeat a flag or separate values with commas)")
    g.add_argument(
        "--within",
        metavar="FILE",
        help="only what lies in the polygon of FILE (GeoJSON or any importable polygon file; instead of --bbox)",
    )
    for spec in SPECS:
        g.add_argument(
            flag(spec),
            dest=dest(spec),
            action="append" if spec.kind.multiple else "store",
            metavar=spec.metavar,
            help=_help(spec),
        )


def problem_line(problem: FilterProblem) -> str:
    """`--phase: 'x' is not a known phase; allowed: ...`; a range names both its flags."""
    return "/".join(flag(SPEC[name]) for name in problem.fields) + ": " + problem.message


def filters_from_args(args: argparse.Namespace, catalog: Catalog) -> Filters:
    """The filters the flags ask for; the first value that cannot be used is an error."""
    raw = {spec.name: getattr(args, dest(spec), None) for spec in SPECS}
    if getattr(args, "within", None):
        if raw.get("area"):
            raise UserError("--within and --bbox both give an area: use one")
        raw["area"] = within_text(args.within)
    filters, problems = parse_filters({k: v for k, v in raw.items() if v is not None}, catalog)
    if problems:
        raise UserError(problem_line(problems[0]))
    return filters


def within_text(path: str) -> str:
    """The polygon of a file, read through the importers' format allow-list, as area text."""
    geoms = read_any(path, Limits.from_env()).gdf.to_crs(WGS84).geometry
    merged = shapely.union_all([g for g in geoms if g is not None and g.geom_type in ("Polygon", "MultiPolygon")])
    if merged.is_empty:
        raise UserError(f"--within: {Path(path).name} holds no polygon")
    if merged.geom_type == "MultiPolygon":
        raise UserError(f"--within: {Path(path).name} holds {len(merged.geoms)} separate polygons; give one area")
    simple = fitted(merged)
    if len(simple.exterior.coords) != len(merged.exterior.coords):
        print(
            f"note: --within outline simplified to {len(simple.exterior.coords) - 1} corners ({MAX_CORNERS} at most)",
            file=sys.stderr,
        )
    try:
        return from_geometry(simple).text
    except ValueError as exc:
        raise UserError(f"--within: {exc}") from None


def catalog_from_args(args: argparse.Namespace) -> Catalog:
    return load_catalog(args.catalog)
