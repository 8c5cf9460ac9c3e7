"""Filter flags shared by `list`, `export` and `score`, turned into a Filters value.

The flags are generated from the filter table (geodata/catalog/filterspec.py)
and read by the same `parse_filters` as a shared link; only the wording of a
problem is the CLI's own.
"""

from __future__ import annotations

import argparse

from geodata.catalog.filterspec import SPEC, SPECS, FilterProblem, Filters, FilterSpec, parse_filters
from geodata.catalog.load import Catalog, load_catalog
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
    filters, problems = parse_filters({k: v for k, v in raw.items() if v is not None}, catalog)
    if problems:
        raise UserError(problem_line(problems[0]))
    return filters


def catalog_from_args(args: argparse.Namespace) -> Catalog:
    return load_catalog(args.catalog)
