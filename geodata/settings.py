"""Every setting of the app and the CLI, read from the environment in this one module.

`SETTINGS` is the table the documentation shows (docs/settings.md is checked
against it by a test). Values are read when asked for, not at import, so a
test or a long-running app sees a change without reloading modules.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from geodata.problems import SettingError

# Shipped, read-only data: the curated catalog and the reference files.
DATA_DIR = Path(__file__).parent / "data"
SHIPPED_CATALOG = DATA_DIR / "catalog"
APP_DIR_NAME = "crystal-land-atlas"
MB = 1024 * 1024


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    meaning: str


SETTINGS = (
    Setting("GEODATA_CATALOG", "the shipped catalog", "catalog folder used by the app and every CLI command"),
    Setting(
        "GEODATA_HOME",
        "the per-user data folder",
        "where shortlists, imported layers and imported reference layers are kept",
    ),
    Setting(
        "GEODATA_DATABASE_URL",
        "unset (files in GEODATA_HOME)",
        "postgresql://user:password@host:port/db of a shared PostGIS database: shortlists and imported layers "
        "are kept there instead of the data folder",
    ),
    Setting("GEODATA_BASEMAP", "street", "initial basemap: street, satellite, topo or none (for offline machines)"),
    Setting("GEODATA_DEBUG", "off", "1 shows tracebacks in the CLI"),
    Setting("GEODATA_MAX_VIEW_FEATURES", "8000", "parcels of an imported layer drawn per map view"),
    Setting("GEODATA_MAX_IMPORT_MB", "2048", "largest file the CLI imports, in MB (the upload box allows 200)"),
    Setting("GEODATA_MAX_IMPORT_FEATURES", "2000000", "most features the CLI imports (the upload box allows 500,000)"),
    Setting("GEODATA_MAX_ZIP_MB", "8192", "largest total a zip may unpack to, in MB (upload box: 1024)"),
    Setting("GEODATA_MAX_ZIP_MEMBERS", "10000", "most files in a zip (upload box: 2,000)"),
    Setting("GEODATA_MAX_ZIP_RATIO", "200", "largest unpacked/packed ratio of a zip member (upload box: 100)"),
    Setting("GEODATA_HTTP_BACKOFF", "1", "seconds before the first retry of an ArcGIS download; doubled each time"),
    Setting(
        "GEODATA_STALE_DAYS",
        "180",
        "a record whose newest source is older than this many days is marked 'no update found since …'",
    ),
    Setting(
        "GEODATA_FIRST_PAGE",
        "whole (map with python -m dashboard)",
        "map: a session's first page is the map, its counts and buttons, and the filters and tabs follow a "
        "moment later; whole: everything in one go",
    ),
    Setting("GEODATA_TIMING_LOG", "unset", "file the app appends each run's server time to (used by bench/)"),
)
_NAMES = {s.name for s in SETTINGS}


def _raw(name: str) -> str | None:
    assert name in _NAMES, name  # every setting is in the documented table
    value = os.environ.get(name)
    return value.strip() if value is not None and value.strip() else None


def _number(name: str, default: float, minimum: float = 0.0, strictly: bool = True) -> float:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < minimum or (strictly and value == minimum):
        bound = f"greater than {minimum:g}" if strictly else f"{minimum:g} or more"
        raise SettingError(name, raw, f"a number {bound}")
    return value


def catalog_dir() -> Path:
    """GEODATA_CATALOG, else the shipped catalog."""
    raw = _raw("GEODATA_CATALOG")
    return Path(raw).expanduser() if raw else SHIPPED_CATALOG


def home() -> Path:
    """GEODATA_HOME, else the per-user data folder of this platform."""
    raw = _raw("GEODATA_HOME")
    if raw:
        return Path(raw).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME


def home_or(explicit: str | Path | None) -> Path:
    """An explicit data folder (a --home flag, a test) wins over the setting."""
    return Path(explicit).expanduser() if explicit is not None else home()


BASEMAPS = ("street", "satellite", "topo", "none")


def database_url() -> str | None:
    """GEODATA_DATABASE_URL, or None for the file backend. The value is never echoed: it may hold a password."""
    raw = _raw("GEODATA_DATABASE_URL")
    if raw is None:
        return None
    if not raw.startswith(("postgresql://", "postgres://")):
        scheme = raw.split("://", 1)[0][:20] if "://" in raw else "no scheme"
        raise SettingError("GEODATA_DATABASE_URL", f"<{scheme}…>", "a postgresql://… connection URL")
    return raw


def basemap() -> str:
    raw = _raw("GEODATA_BASEMAP")
    if raw is None:
        return "street"
    if raw not in BASEMAPS:
        raise SettingError("GEODATA_BASEMAP", raw, "one of " + ", ".join(BASEMAPS))
    return raw


def debug() -> bool:
    return _raw("GEODATA_DEBUG") not in (None, "0")


def max_view_features() -> int:
    return int(_number("GEODATA_MAX_VIEW_FEATURES", 8000, minimum=1, strictly=False))


def import_limit(name: str, default: float) -> float:
    """One of the GEODATA_MAX_IMPORT_* / GEODATA_MAX_ZIP_* limits (sizes in MB, as written)."""
    return _number(name, default)


def http_backoff(default: float) -> float:
    return _number("GEODATA_HTTP_BACKOFF", default, strictly=False)


FIRST_PAGES = ("map", "whole")


def first_page() -> str:
    """GEODATA_FIRST_PAGE: "map" draws the map before the filters and tabs on a session's first page."""
    raw = _raw("GEODATA_FIRST_PAGE")
    if raw is None:
        return "whole"
    if raw not in FIRST_PAGES:
        raise SettingError("GEODATA_FIRST_PAGE", raw, "map or whole")
    return raw


def launcher_defaults() -> None:
    """What `python -m dashboard` changes from the defaults, where the user has not set it: the map first."""
    os.environ.setdefault("GEODATA_FIRST_PAGE", "map")


def timing_log() -> Path | None:
    raw = _raw("GEODATA_TIMING_LOG")
    return Path(raw) if raw else None


def stale_days() -> int:
    """GEODATA_STALE_DAYS: age in days past which a record's newest source counts as stale."""
    return int(_number("GEODATA_STALE_DAYS", 180.0, minimum=0.0))
