"""Colours, marker sizes, icons and the legend of the map."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

from geodata.catalog.vocab import FALLBACK_COLOUR, shipped_vocabularies
from geodata.values import is_missing

# Phase colours live in vocabularies.toml; callers with a loaded catalog pass `catalog.vocab.colours("phase")`,
# the shipped vocabulary's colours are the default for those without one.
PHASE_COLOURS = shipped_vocabularies().colours("phase")
EXCLUSION_COLOUR = "#6b6b6b"
SELECTION_COLOUR = "#D55E00"

# Font Awesome 6 (solid) icon per facility type.
FACILITY_ICONS = {
    "fab": "microchip",
    "packaging": "box",
    "ai-server-assembly": "computer",
    "data-center": "server",
    "fiber-cable-plant": "network-wired",
    "transformer-plant": "bolt",
    "power-equipment-plant": "plug",
    "power-plant": "industry",
    "materials-plant": "gem",
    "export-terminal": "ship",
}

BASEMAPS = {
    "street": ("Street map (OpenStreetMap)", "OpenStreetMap"),
    "satellite": ("Satellite imagery (Esri)", "Esri.WorldImagery"),
    "topo": ("Topographic (OpenTopoMap)", "OpenTopoMap"),
    "none": ("None: state outlines only (works offline)", None),
}


def phase_colour(phase: str, colours: Mapping[str, str] | None = None) -> str:
    return (PHASE_COLOURS if colours is None else colours).get(phase, FALLBACK_COLOUR)


APPROXIMATE_DASH = "10 7"


def site_style(role: str, phase: str, colours: Mapping[str, str] | None = None, quality: str | None = None) -> dict:
    """Leaflet path options for a site polygon; an approximate shape gets a long-dashed outline and a faint fill."""
    colour = phase_colour(phase, colours)
    if role == "candidate" and quality == "approximate":
        return {"color": colour, "weight": 2.5, "dashArray": APPROXIMATE_DASH, "fillColor": colour, "fillOpacity": 0.12}
    if role == "exclusion":
        return {
            "color": EXCLUSION_COLOUR,
            "weight": 1.5,
            "dashArray": "6 4",
            "fillColor": EXCLUSION_COLOUR,
            "fillOpacity": 0.35,
        }
    if role == "context":
        return {
            "color": colour,
            "weight": 1,
            "dashArray": "2 4",
            "opacity": 0.7,
            "fillColor": colour,
            "fillOpacity": 0.08,
        }
    return {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.3}


def investment_radius(amount: float | None, largest: float) -> float:
    """Marker radius in pixels; area grows with the amount (sqrt scale)."""
    if is_missing(amount) or amount <= 0 or largest <= 0:
        return 5.0
    return round(5 + 20 * math.sqrt(amount / largest), 1)


def facility_icon_html(ftype: str, phase: str, colours: Mapping[str, str] | None = None) -> str:
    icon = FACILITY_ICONS.get(ftype, "location-dot")
    colour = phase_colour(phase, colours)
    return f'<div class="fac-icon" style="background:{colour}"><i class="fa-solid fa-{icon}"></i></div>'


# Short legend labels; the vocabulary labels are long.
TYPE_SHORT = {
    "fab": "Chip fab",
    "packaging": "Packaging / test",
    "ai-server-assembly": "AI servers",
    "data-center": "Data center",
    "fiber-cable-plant": "Fiber / cable",
    "transformer-plant": "Transformers",
    "power-equipment-plant": "Power equipment",
    "power-plant": "Power plant",
    "materials-plant": "Materials",
    "export-terminal": "Export terminal",
}

ICON_CSS = """
<style>
.fac-icon{width:24px;height:24px;border-radius:50%;border:2px solid #fff;color:#fff;
  box-shadow:0 0 2px rgba(0,0,0,.6);display:flex;align-items:center;justify-content:center;font-size:12px}
.atlas-legend{position:absolute;z-index:1000;top:58px;right:10px;background:rgba(255,255,255,.93);
  padding:6px 9px;border-radius:6px;font:11.5px/1.35 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.atlas-legend summary{cursor:pointer;font-weight:600}
.atlas-legend .cols{display:grid;grid-template-columns:auto auto;column-gap:12px;margin-top:3px}
.atlas-legend b{display:block;margin-top:4px;grid-column:1 / -1}
.atlas-legend .sw{display:inline-block;width:13px;height:9px;margin-right:4px;vertical-align:middle;border:2px solid}
.atlas-legend .dot{display:inline-block;border-radius:50%;margin-right:4px;vertical-align:middle}
.atlas-legend i{width:14px;text-align:center;margin-right:3px}
.atlas-legend .note{color:#555;font-size:10.5px}
.atlas-legend .ring{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:4px;
  vertical-align:middle}
.atlas-legend{max-height:calc(100vh - 90px);overflow:auto}
</style>
"""


def legend_html(phase_labels: dict[str, str], colours: Mapping[str, str] | None = None) -> str:
    """Legend HTML (our own labels, still escaped: they come from vocabularies.toml)."""
    e = html.escape
    colours = PHASE_COLOURS if colours is None else colours
    cells = ["<b>Sites, by phase</b>"]
    for phase, colour in colours.items():
        swatch = f'<span class="sw" style="border-color:{colour};background:{colour}55"></span>'
        cells.append(f"<span>{swatch}{e(phase_labels.get(phase, phase))}</span>")
    grey = EXCLUSION_COLOUR
    cells.append(f'<span><span class="sw" style="border:2px dashed {grey};background:{grey}88"></span>Exclusion</span>')
    # the samples are drawn in the colours such records usually have: context green, phase-1 blue
    green, blue = phase_colour("context", colours), phase_colour("phase-1", colours)
    cells.append(
        f'<span><span class="sw" style="border:1px dotted {green};background:{green}14"></span>Context parcel</span>'
    )
    cells.append(
        f'<span><span class="sw" style="border:2px dashed {blue};background:{blue}1f"></span>Approximate shape</span>'
        '<span class="note">long dashes: estimated or hand-drawn, not a surveyed boundary</span>'
    )
    dots = "".join(f'<span class="dot" style="width:{r}px;height:{r}px;background:{blue}"></span>' for r in (5, 9, 14))
    cells.append(f"<b>Investments</b><span>{dots}size = amount</span><span></span>")
    cells.append("<b>Facilities</b>")
    for t, icon in FACILITY_ICONS.items():
        cells.append(f'<span><i class="fa-solid fa-{icon}"></i>{e(TYPE_SHORT.get(t, t))}</span>')
    sel = SELECTION_COLOUR
    cells.append("<b>Selected site</b>")
    cells.append(
        f'<span><span class="sw" style="border:3px solid {sel};background:transparent"></span>Selection</span>'
    )
    cells.append(f'<span><span class="ring" style="border:1.5px dashed {sel}"></span>10 / 25 / 50 km rings</span>')
    cells.append(
        "<b>Imported layers and your sites</b>"
        '<span class="atlas-legend-imported" style="grid-column:1 / -1">none shown</span>'
    )
    # closed by default: open, it covers a quarter of a laptop map and more of a phone's
    return (
        '<details class="atlas-legend"><summary>Legend</summary><div class="cols">'
        + "".join(cells)
        + "</div></details>"
    )


def imported_legend_html(layers: list[tuple[str, str]]) -> str:
    """Legend lines for the imported layers on the map: (name, colour) each."""
    if not layers:
        return "none shown"
    return "".join(
        f'<span style="display:block"><span class="sw" style="border-color:{c};background:{c}40"></span>'
        f"{html.escape(name)}</span>"
        for name, c in layers
    )
