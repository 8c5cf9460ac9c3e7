"""How the CLI words the library's typed errors: as the flags and settings that fix them.

The library's messages name no flag (the app has none); this is the one place that
turns an error's data into `--layer`, `--max-mb` or `GEODATA_MAX_IMPORT_FEATURES`.
"""

from __future__ import annotations

from geodata.importers.limits import SETTING_OF
from geodata.problems import (
    ChoiceNeeded,
    CrsNeeded,
    InvalidValue,
    LimitExceeded,
    NotPolygons,
    SourceNeeded,
    UsageError,
    UserError,
)

# A library input (parameter name) -> the flag that sets it.
FLAGS = {
    "agency": "--agency",
    "buffer_m": "--buffer-m",
    "bbox": "--bbox",
    "crs": "--crs",
    "date": "--date",
    "exclusion": "--exclusion",
    "format": "--format",
    "geometry": "--geometry",
    "keep": "--keep",
    "layer": "--layer",
    "member": "--member",
    "min_acres": "--min-acres",
    "min_kv": "--min-kv",
    "min_width_m": "--min-width-m",
    "min_mw": "--min-mw",
    "near": "--near",
    "page_size": "--page-size",
    "reason": "--reason",
    "retries": "--retries",
    "since": "--since",
    "stale": "--stale",
    "state": "--state",
    "url": "--url",
    "weights": "--weights",
    "where": "--where",
}
_NARROWER = {
    "bbox": "a smaller --bbox",
    "keep": "fewer --keep values",
    "where": "a narrower --where",
    "page_size": "a smaller --page-size",
}


def _raise_limit(exc: LimitExceeded) -> str | None:
    setting = SETTING_OF.get(exc.what)
    if setting is None:
        return None
    if exc.what == "max_file_bytes":
        return f"raise it with --max-mb or {setting}"
    return f"raise it with {setting}"


def _crs(exc: CrsNeeded) -> str:
    give = "give the right CRS with --crs" if exc.wrong else "pass --crs"
    if exc.example:
        give += f" (e.g. --crs {exc.example})"
    return f"{exc.problem}; " + (f"{exc.file_fix}, or {give}" if exc.file_fix else give)


def cli_message(exc: UserError) -> str:
    """The one line the CLI prints after `error: `."""
    if isinstance(exc, UsageError):
        return f"{exc} (see --help)"
    if isinstance(exc, ChoiceNeeded) and exc.what in FLAGS:
        return f"{exc.problem}; pick one with {FLAGS[exc.what]}"
    if isinstance(exc, LimitExceeded):
        return exc.worded(_NARROWER, _raise_limit(exc))
    if isinstance(exc, CrsNeeded):
        return _crs(exc)
    if isinstance(exc, NotPolygons):
        return f"{exc.problem}; add --no-polygons to import them anyway"
    if isinstance(exc, SourceNeeded):
        return f"{exc.problem}: pass --source ID (an id in sources.csv; add a new one with `geodata source add`)"
    if isinstance(exc, InvalidValue) and exc.field in FLAGS:
        return f"{FLAGS[exc.field]}: {exc.reason}"
    return str(exc)


def exit_code(exc: UserError) -> int:
    """2 for a command line that cannot be parsed (as argparse), 1 for any other mistake."""
    return 2 if isinstance(exc, UsageError) else 1
