"""Filters, map view and selection <-> URL query string.

Pure functions, so a shared link can be tested without a browser. Reading a
link never fails: a value nobody knows is dropped and reported back as a
warning naming the parameter, so a hand-edited or stale link still opens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from dashboard.mapview import View
from geodata.catalog.filters import VOCAB_FILTERS, Filters
from geodata.catalog.load import Catalog
from geodata.dates import parse_date
from geodata.money import format_usd, parse_amount

# Filters field -> query parameter
LIST_PARAMS = {
    "phase": "phase",
    "status": "status",
    "sector": "sector",
    "company": "company",
    "agency": "agency",
    "role": "role",
    "land_status": "land",
    "facility_type": "type",
    "state": "state",
    "confidence": "conf",
}
BASEMAP_KEYS = ("street", "satellite", "topo", "none")
MAX_TEXT = 200


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


def _amount_text(v: float) -> str:
    return format_usd(v).lstrip("$").replace(",", "")


def to_params(state: UrlState) -> dict[str, str]:
    f = state.filters
    out: dict[str, str] = {}
    for fld, key in LIST_PARAMS.items():
        values = getattr(f, fld)
        if values:
            out[key] = ",".join(values)
    if f.min_amount is not None:
        out["min"] = _amount_text(f.min_amount)
    if f.max_amount is not None:
        out["max"] = _amount_text(f.max_amount)
    if f.since:
        out["since"] = f.since.text
    if f.until:
        out["until"] = f.until.text
    if f.text:
        out["q"] = f.text
    if f.as_of:
        out["asof"] = f.as_of.isoformat()
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
    warnings: list[str] = []
    values: dict = {}
    for fld, key in LIST_PARAMS.items():
        raw = _one(params, key)
        if raw is None:
            continue
        items = [p.strip() for p in raw.split(",") if p.strip()]
        if fld == "state":
            items = [s.upper() for s in items]
        if fld in VOCAB_FILTERS:
            good = [v for v in items if not catalog.vocab.problem(VOCAB_FILTERS[fld], v)]
            bad = [v for v in items if v not in good]
            if bad:
                warnings.append(
                    f"ignored {key}={','.join(bad)} from the link: allowed {catalog.vocab.allowed(VOCAB_FILTERS[fld])}"
                )
            items = good
        values[fld] = tuple(dict.fromkeys(items))
    for key in ("min", "max"):
        raw = _one(params, key)
        if raw is not None:
            try:
                values[f"{key}_amount"] = parse_amount(raw)
            except ValueError as exc:
                warnings.append(f"ignored {key}= from the link: {exc}")
    for key in ("since", "until"):
        raw = _one(params, key)
        if raw is not None:
            try:
                values[key] = parse_date(raw)
            except ValueError as exc:
                warnings.append(f"ignored {key}= from the link: {exc}")
    raw = _one(params, "asof")
    if raw is not None:
        try:
            when = parse_date(raw).end
            if when > date.today():
                raise ValueError(f"{raw} is in the future")
            values["as_of"] = when
        except ValueError as exc:
            warnings.append(f"ignored asof= from the link: {exc}")
    text = _one(params, "q")
    if text:
        values["text"] = text[:MAX_TEXT]
    filters = Filters(**values)
    for problem in filters.problems(catalog):
        warnings.append(f"ignored a range from the link: {problem}")
        filters = (
            filters.replace(min_amount=None, max_amount=None)
            if "amount" in problem
            else filters.replace(since=None, until=None)
        )
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
