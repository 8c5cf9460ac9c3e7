"""Filters, map view and selection <-> URL query string.

Pure functions, so a shared link can be tested without a browser. Reading a
link never fails: a value nobody knows is dropped and reported back as a
warning naming the parameter, so a hand-edited or stale link still opens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dashboard.render.view import View
from geodata.catalog.filterspec import SPECS, FilterProblem, Filters, parse_filters
from geodata.catalog.load import Catalog

# Filters field -> query parameter; the filter table owns the names.
FILTER_PARAMS = {s.name: s.url for s in SPECS}
# The link's other parameters; a filter's parameter must be none of these.
OTHER_PARAMS = ("lat", "lon", "z", "sel", "basemap")
BASEMAP_KEYS = ("street", "satellite", "topo", "none")
SHOWN = 60  # characters of a dropped value quoted back in a warning


@dataclass
class UrlState:
    filters: Filters = field(default_factory=Filters)
    view: View | None = None
    selected: str | None = None
    basemap: str | None = None
    warnings: list[str] = field(default_factory=list)


def _one(params: Mapping, key: str) -> str | None:
    v = params.get(key)
    if isinstance(v, list):
        v = v[-1] if v else None
    return v.strip() if isinstance(v, str) and v.strip() else None


def to_params(state: UrlState) -> dict[str, str]:
    out = {FILTER_PARAMS[name]: text for name, text in state.filters.texts().items()}
    if state.view:
        out["lat"] = f"{state.view.lat:.4f}"
        out["lon"] = f"{state.view.lon:.4f}"
        out["z"] = str(state.view.zoom)
    if state.selected:
        out["sel"] = state.selected
    if state.basemap:
        out["basemap"] = state.basemap
    return out


def from_params(params: Mapping, catalog: Catalog, known: Callable[[str], bool] | None = None) -> UrlState:
    """Read a link; `known` says whether a selected id exists (default: in the catalog)."""
    known = known or (lambda rid: rid in catalog.record_layer)
    raw = {name: params[key] for name, key in FILTER_PARAMS.items() if key in params}
    filters, problems = parse_filters(raw, catalog)
    warnings = [warning(p) for p in problems]
    state = UrlState(filters=filters, warnings=warnings)
    state.view = _view(params, warnings)
    sel = _one(params, "sel")
    if sel:
        if known(sel):
            state.selected = sel
        else:
            warnings.append(f"ignored sel={sel[:60]} from the link: no such record")
    basemap = _one(params, "basemap")
    if basemap:
        if basemap in BASEMAP_KEYS:
            state.basemap = basemap
        else:
            warnings.append(f"ignored basemap={basemap[:30]} from the link: allowed {', '.join(BASEMAP_KEYS)}")
    return state


def warning(problem: FilterProblem) -> str:
    """`ignored phase=x from the link: ...`; the filters keep everything else the link holds."""
    dropped = ", ".join(f"{FILTER_PARAMS[n]}={v[:SHOWN]}" for n, v in zip(problem.fields, problem.values, strict=True))
    return f"ignored {dropped} from the link: {problem.message}"


def _view(params: Mapping, warnings: list[str]) -> View | None:
    raw = [_one(params, k) for k in ("lat", "lon", "z")]
    if all(v is None for v in raw):
        return None
    try:
        lat, lon, z = float(raw[0]), float(raw[1]), int(raw[2])
        if not (-85 <= lat <= 85 and -180 <= lon <= 180 and 2 <= z <= 19):
            raise ValueError
    except (TypeError, ValueError):
        warnings.append("ignored the map view (lat, lon, z) from the link: expected numbers in range")
        return None
    return View(lat, lon, z)
