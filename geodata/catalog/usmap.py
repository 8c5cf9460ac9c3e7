"""US state outlines for location checks ("inside the US", "in its stated state").

The outlines are the Census Bureau's 2017 cartographic boundaries at 1:10M
(reference/us_states.geojson; see its "source" member). They are coarse, so
every test allows a little slack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geodata.settings import DATA_DIR

STATES_FILE = DATA_DIR / "boundaries" / "us_states.geojson"


@dataclass
class UsMap:
    states: dict[str, BaseGeometry]
    nation: BaseGeometry
    _buffers: dict[float, BaseGeometry] = field(default_factory=dict)

    def contains(self, geom: BaseGeometry, slack_deg: float) -> bool:
        return self._nation_buffer(slack_deg).covers(geom)

    def state_intersects(self, code: str, geom: BaseGeometry, slack_deg: float) -> bool:
        state = self.states.get(code)
        return state is not None and state.buffer(slack_deg).intersects(geom)

    def states_at(self, geom: BaseGeometry) -> list[str]:
        return [code for code, g in self.states.items() if g.intersects(geom)]

    def _nation_buffer(self, slack_deg: float) -> BaseGeometry:
        if slack_deg not in self._buffers:
            g = self.nation.buffer(slack_deg)
            shapely.prepare(g)
            self._buffers[slack_deg] = g
        return self._buffers[slack_deg]


@lru_cache(maxsize=1)
def load_us_map() -> UsMap:
    doc = json.loads(STATES_FILE.read_text(encoding="utf-8"))
    states = {f["properties"]["code"]: shape(f["geometry"]) for f in doc["features"]}
    for g in states.values():
        shapely.prepare(g)
    return UsMap(states=states, nation=shapely.union_all(list(states.values())))
